/**
 * Static checks of GitHub workflows: actions pinned to commit SHAs (with the tag in a comment), permissions set
 * per job, and every `run:` step calling only things that exist: npm scripts, registered `dac` commands, files.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface RepoFacts {
  root: string;
  /** Scripts of the root package.json. */
  npmScripts: ReadonlySet<string>;
  /** Top-level commands the CLI registers. */
  dacCommands: ReadonlySet<string>;
}

/** Shell built-ins and tools of the runner image that steps may use. */
const shellTools = new Set([
  "set",
  "echo",
  "printf",
  "cat",
  "tee",
  "grep",
  "mkdir",
  "test",
  "[",
  "exit",
  "true",
  "false",
  "cd",
  "export",
  "ls",
  "git",
]);
const keywords = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "while",
  "until",
  "for",
  "!",
  "{",
  "}",
  "(",
  ")",
]);

/** The command names a registry file lists: `commands: Command[] = [aCommand, …]` mapped through its imports. */
export function registeredDacCommands(commandsDir: string): Set<string> {
  const index = readFileSync(join(commandsDir, "index.ts"), "utf8");
  const list = /commands\s*:\s*Command\[\]\s*=\s*\[([^\]]*)\]/.exec(index)?.[1] ?? "";
  const names = new Set<string>();
  for (const id of list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const from = new RegExp(`import\\s*\\{[^}]*\\b${id}\\b[^}]*\\}\\s*from\\s*"\\./([^"]+)\\.js"`).exec(
      index,
    )?.[1];
    if (!from) continue;
    const source = readFileSync(join(commandsDir, `${from}.ts`), "utf8");
    const body = source.slice(source.search(new RegExp(`export const ${id}\\s*:\\s*Command\\s*=\\s*\\{`)));
    const name = /\bname:\s*"([^"]+)"/.exec(body)?.[1];
    if (name) names.add(name);
  }
  return names;
}

export function repoFacts(root: string): RepoFacts {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  return {
    root,
    npmScripts: new Set(Object.keys(pkg.scripts ?? {})),
    dacCommands: registeredDacCommands(join(root, "packages", "cli", "src", "commands")),
  };
}

/** The simple commands of a shell script, as words (quotes kept off), without redirections or assignments. */
export function shellCommands(script: string): string[][] {
  const out: string[][] = [];
  const text = script.replace(/\\\r?\n/g, " ");
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#")) continue;
    for (const part of splitOperators(line)) {
      const words = (part.match(/"(?:[^"\\]|\\.)*"|'[^']*'|\S+/g) ?? []).map(unquote);
      const cleaned: string[] = [];
      for (let i = 0; i < words.length; i++) {
        const w = words[i]!;
        if (/^\d*(>>?|<)(&\d+)?$/.test(w)) {
          if (!/&\d+$/.test(w)) i++; // the file after a lone `>`
          continue;
        }
        if (/^\d*(>>?|<)&?\S+$/.test(w)) continue;
        if (cleaned.length === 0 && (keywords.has(w) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w))) continue;
        cleaned.push(w);
      }
      if (cleaned.length > 0) out.push(cleaned);
    }
  }
  return out;
}

function splitOperators(line: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) {
      parts.push(line.slice(start, i));
      return parts;
    } else if (c === ";" || c === "|" || (c === "&" && line[i + 1] === "&")) {
      // `>&2` is a redirection, not an operator.
      if (c === "&" && line[i - 1] === ">") continue;
      parts.push(line.slice(start, i));
      if (line[i + 1] === c) i++;
      start = i + 1;
    }
  }
  parts.push(line.slice(start));
  return parts;
}

function unquote(word: string): string {
  return /^(["']).*\1$/s.test(word) ? word.slice(1, -1) : word;
}

/** Why a simple command would not run, or undefined. */
export function checkCommand(words: readonly string[], facts: RepoFacts): string | undefined {
  const [command, ...args] = words;
  const operands = args.filter((a) => !a.startsWith("-"));
  const dacCommand = (name: string | undefined) =>
    name === undefined
      ? "`dac` without a command"
      : facts.dacCommands.has(name)
        ? undefined
        : `\`dac ${name}\` is not a registered dac command (known: ${[...facts.dacCommands].sort().join(", ")})`;
  const file = (path: string | undefined) => {
    if (!path) return "no file given";
    const source = path.replace(/^(packages\/[^/]+)\/dist\/(.+)\.js$/, "$1/src/$2.ts");
    return existsSync(join(facts.root, path)) || existsSync(join(facts.root, source))
      ? undefined
      : `${path} does not exist`;
  };
  switch (command) {
    case "npm": {
      const dashes = args.indexOf("--");
      const own = (dashes < 0 ? args : args.slice(0, dashes)).filter((a) => !a.startsWith("-"));
      const [sub, script] = own;
      if (sub === "ci" || sub === "install" || sub === "i") return undefined;
      if (sub === "test" || sub === "t")
        return facts.npmScripts.has("test") ? undefined : "no npm script `test`";
      if (sub === "run" || sub === "run-script") {
        if (!script || !facts.npmScripts.has(script))
          return `no npm script \`${script ?? ""}\` in package.json`;
        if (script !== "dac") return undefined;
        return dacCommand(dashes < 0 ? undefined : args.slice(dashes + 1).find((a) => !a.startsWith("-")));
      }
      return `npm ${sub ?? ""} is not a command this repository uses`;
    }
    case "npx": {
      const bin = operands[0];
      if (bin === "dac") return dacCommand(operands[1]);
      return bin && existsSync(join(facts.root, "node_modules", ".bin", bin))
        ? undefined
        : `npx ${bin ?? ""}: no such binary installed`;
    }
    case "dac":
      return dacCommand(operands[0]);
    case "node":
    case "bash":
    case "sh":
      return file(operands[0]);
    default:
      return command !== undefined && shellTools.has(command)
        ? undefined
        : `\`${command}\` is not a known command`;
  }
}

interface Step {
  uses?: string;
  run?: string;
  name?: string;
}
interface Job {
  permissions?: unknown;
  steps?: Step[];
  uses?: string;
  environment?: unknown;
  concurrency?: unknown;
}
export interface Workflow {
  permissions?: unknown;
  concurrency?: unknown;
  jobs?: Record<string, Job>;
}

const pinned = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;

/** Every problem of one workflow file. */
export function checkWorkflow(file: string, text: string, facts: RepoFacts): string[] {
  const problems: string[] = [];
  const workflow = parse(text) as Workflow;
  if (workflow.permissions === undefined) problems.push(`${file}: no workflow-level \`permissions:\``);
  if (workflow.permissions === "write-all") problems.push(`${file}: \`permissions: write-all\``);
  for (const line of text.split("\n")) {
    const uses = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(line);
    if (!uses || uses[1]!.startsWith("./")) continue;
    if (!pinned.test(uses[1]!)) problems.push(`${file}: \`${uses[1]}\` is not pinned to a full commit SHA`);
    else if (!/#\s*v\d+(\.\d+)*\s*$/.test(uses[2]!))
      problems.push(`${file}: \`${uses[1]}\` has no \`# vX.Y.Z\` comment`);
  }
  for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
    if (job.permissions === undefined) problems.push(`${file}: job \`${name}\` sets no \`permissions:\``);
    if (job.permissions === "write-all")
      problems.push(`${file}: job \`${name}\` has \`permissions: write-all\``);
    for (const [i, step] of (job.steps ?? []).entries()) {
      if (
        typeof step.uses === "string" &&
        step.uses.startsWith("./") &&
        !existsSync(join(facts.root, step.uses))
      ) {
        problems.push(`${file}: job \`${name}\` step ${i + 1}: ${step.uses} does not exist`);
      }
      if (typeof step.run !== "string") continue;
      for (const words of shellCommands(step.run)) {
        const problem = checkCommand(words, facts);
        if (problem)
          problems.push(
            `${file}: job \`${name}\` step ${i + 1} (${step.name ?? words.join(" ")}): ${problem}`,
          );
      }
    }
  }
  return problems;
}
