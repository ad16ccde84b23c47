import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { createInterface } from "node:readline/promises";
import {
  enterpriseTactics,
  existingFiles,
  findTactic,
  languagesByType,
  scaffoldRule,
  ScaffoldError,
  scaffoldTypes,
  severities,
  writeNewFiles,
} from "@dac/authoring";
import type { RelatedIntegration, Scaffold, ScaffoldRequest, ScaffoldType, Severity } from "@dac/authoring";
import { KqlSyntaxError, parse } from "@dac/kql";
import { formatDiagnosticsPretty } from "@dac/report";
import {
  diagnosticAtPosition,
  discoverFieldFiles,
  loadRules,
  packageOfIndexPattern,
  schemasDir,
  validateRuleFile,
} from "@dac/schema";
import type { DacConfig, Diagnostic } from "@dac/schema";
import type { Command, CommandContext, OptionValues } from "../command.js";
import { listOption, stringOption, UsageError } from "../command.js";

/** How `dac new` asks for what the flags left out; tests pass their own. */
export interface Prompter {
  /** False when stdin is not a terminal: a missing flag is then a usage error. */
  interactive: boolean;
  ask(question: string): Promise<string>;
  /** Says why an answer was refused. */
  tell(message: string): void;
  close(): void;
}

function terminalPrompter(): Prompter {
  const interactive = process.stdin.isTTY === true;
  let lines: AsyncIterator<string> | undefined;
  let rl: ReturnType<typeof createInterface> | undefined;
  return {
    interactive,
    // Questions go to stderr, so stdout carries only what was created. Reading lines (not `question`) keeps
    // answers typed or pasted ahead of their question.
    ask: async (question) => {
      rl ??= createInterface({ input: process.stdin, terminal: false });
      lines ??= rl[Symbol.asyncIterator]();
      process.stderr.write(question);
      const next = await lines.next();
      if (next.done) throw new Error("end of input");
      return next.value;
    },
    tell: (message) => void process.stderr.write(message),
    close: () => rl?.close(),
  };
}

const required = ["name", "index", "severity", "tactic", "dir"] as const;

interface Question {
  text: string;
  default?: string;
  choices?: readonly string[];
  /** Why an answer is refused, or undefined when it is fine. */
  check?: (answer: string) => string | undefined;
}

const asked = ["name", "type", "language", "index", "severity", "tactic", "dir"] as const;

function question(flag: (typeof asked)[number], type: string | undefined): Question {
  switch (flag) {
    case "name":
      return { text: "Rule name" };
    case "type":
      return { text: "Rule type", default: "query", choices: scaffoldTypes };
    case "language": {
      const languages = languagesByType[(type ?? "query") as ScaffoldType] ?? ["kuery"];
      return { text: "Query language", default: languages[0], choices: languages };
    }
    case "index":
      return { text: "Index patterns, comma-separated (e.g. logs-kubernetes.*)" };
    case "severity":
      return { text: "Severity", choices: severities };
    case "tactic":
      return {
        text: "ATT&CK tactic, id or name (e.g. TA0007 or Discovery)",
        check: (a) =>
          findTactic(a)
            ? undefined
            : `not an Enterprise tactic; one of: ${enterpriseTactics()
                .map((t) => t.name)
                .join(", ")}`,
      };
    case "dir":
      return { text: "Folder under the rules folder (e.g. kubernetes)" };
  }
}

/** Fills in what the flags left out by asking, or fails with the list of missing flags when it cannot ask. */
async function completeRequest(values: OptionValues, prompter: Prompter): Promise<ScaffoldRequest> {
  const answers: Record<string, string | undefined> = {
    name: stringOption(values, "name"),
    type: stringOption(values, "type"),
    language: stringOption(values, "language"),
    severity: stringOption(values, "severity"),
    tactic: stringOption(values, "tactic"),
    dir: stringOption(values, "dir"),
  };
  let index = listOption(values, "index").flatMap((i) => i.split(","));
  const missing = required.filter((flag) => (flag === "index" ? index.length === 0 : !answers[flag]));
  if (missing.length > 0 && !prompter.interactive) {
    throw new UsageError(
      `missing ${missing.map((m) => `--${m}`).join(", ")} (stdin is not a terminal, so dac new cannot ask); for example: dac new --name "Kubernetes Pod Exec" --index "logs-kubernetes.*" --severity medium --tactic Execution --dir kubernetes`,
    );
  }
  if (prompter.interactive) {
    for (const flag of asked) {
      if (flag === "index" ? index.length > 0 : answers[flag] !== undefined) continue;
      const q = question(flag, answers.type);
      for (;;) {
        const hint = q.choices ? ` (${q.choices.join("/")})` : "";
        let answer: string;
        try {
          answer =
            (await prompter.ask(`${q.text}${hint}${q.default ? ` [${q.default}]` : ""}: `)).trim() ||
            q.default ||
            "";
        } catch {
          throw new UsageError("cancelled: no rule was created");
        }
        const problem = !answer
          ? "an answer is needed"
          : q.choices && !q.choices.includes(answer)
            ? `choose one of ${q.choices.join(", ")}`
            : q.check?.(answer);
        if (!problem) {
          if (flag === "index") index = answer.split(",");
          else answers[flag] = answer;
          break;
        }
        prompter.tell(`  ${problem}\n`);
      }
    }
  }
  return {
    name: answers.name!,
    type: (answers.type ?? "query") as ScaffoldType,
    ...(answers.language ? { language: answers.language } : {}),
    index,
    severity: answers.severity as Severity,
    tactic: answers.tactic!,
    dir: answers.dir!,
    ...(stringOption(values, "integration") ? { integration: stringOption(values, "integration")! } : {}),
    ...(stringOption(values, "query") ? { query: stringOption(values, "query")! } : {}),
  };
}

function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The diagnostics of the rule `dac new` would write, checked in memory before anything is written. A syntax
 * error in `--query` is reported inside the query (`--query:1:5`), where the user can find it.
 */
function checkScaffold(
  scaffold: Scaffold,
  request: ScaffoldRequest,
  shown: string,
  config: DacConfig,
): { diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const sources = new Map([[shown, scaffold.rule.content]]);
  const { diagnostics } = validateRuleFile(shown, scaffold.rule.content, config);
  if (request.query === undefined || !diagnostics.some((d) => d.code === "DAC401"))
    return { diagnostics, sources };
  try {
    parse(request.query);
  } catch (error) {
    if (!(error instanceof KqlSyntaxError)) throw error;
    const at = { line: error.line, column: error.column };
    sources.set("--query", request.query);
    return {
      diagnostics: [
        diagnosticAtPosition("--query", "DAC401", error.message, at, { ...at, column: at.column + 1 }),
        ...diagnostics.filter((d) => d.code !== "DAC401"),
      ],
      sources,
    };
  }
  return { diagnostics, sources };
}

/**
 * The integrations a new rule reads, when the repository has their field definitions: from its index patterns
 * (`logs-kubernetes.audit_logs-*` → kubernetes), else from `--integration` or the first folder of `--dir`. Entries
 * name the package only, as most of Elastic's rules do: `integration` is a package's policy template, which a
 * data set name does not reliably give, and a package-only entry applies all of its data streams. The version range is the one the repository's other rules of that package use, else
 * `*`. Unknown integrations get none: the rule then falls back to its index patterns, as validate documents.
 */
export function relatedIntegrationsFor(request: ScaffoldRequest, config: DacConfig): RelatedIntegration[] {
  const files = discoverFieldFiles(config);
  const known = new Set([
    ...files.packages.keys(),
    ...[...files.integrations.keys()].map((name) => name.split(".")[0]!),
  ]);
  const fromIndex = request.index.flatMap((pattern) => {
    const ref = packageOfIndexPattern(pattern.trim());
    return ref ? [ref] : [];
  });
  const integration = request.integration?.trim() || request.dir.trim().split(/[\\/]/)[0] || "";
  const refs = fromIndex.length > 0 ? fromIndex : [{ package: integration }];
  const versions = existingVersions(config);
  const packages = [...new Set(refs.map((ref) => ref.package))].filter((p) => known.has(p));
  return packages.map((p) => ({ package: p, version: versions.get(p) ?? "*" }));
}

/** Per package, the `related_integrations` version range most of the repository's rules give it. */
function existingVersions(config: DacConfig): Map<string, string> {
  if (!existsSync(config.rules)) return new Map();
  const counts = new Map<string, Map<string, number>>();
  for (const rule of loadRules([config.rules], config).rules) {
    for (const ref of rule.data.related_integrations ?? []) {
      if (typeof ref.package !== "string" || typeof ref.version !== "string") continue;
      const perPackage = counts.get(ref.package) ?? new Map<string, number>();
      perPackage.set(ref.version, (perPackage.get(ref.version) ?? 0) + 1);
      counts.set(ref.package, perPackage);
    }
  }
  const out = new Map<string, string>();
  for (const [pkg, perVersion] of counts) {
    const [best] = [...perVersion].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (best) out.set(pkg, best[0]);
  }
  return out;
}

/** `dac new` with an explicit prompter (the command uses the terminal's). */
export async function runNew(values: OptionValues, ctx: CommandContext, prompter: Prompter): Promise<number> {
  const config = ctx.config();
  let request: ScaffoldRequest;
  try {
    request = await completeRequest(values, prompter);
  } finally {
    prompter.close();
  }
  const repoSchemas = join(config.root, "schemas");
  let scaffold;
  try {
    scaffold = scaffoldRule(request, {
      rulesDir: config.rules,
      fixturesDir: config.fixtures,
      schemasDir: existsSync(join(repoSchemas, "rule.schema.json")) ? repoSchemas : schemasDir,
      ruleId: randomUUID(),
      today: today(),
      relatedIntegrations: relatedIntegrationsFor(request, config),
    });
  } catch (error) {
    if (error instanceof ScaffoldError) throw new UsageError(error.message);
    throw error;
  }
  const show = (path: string) => relative(ctx.cwd, path) || path;
  const files = [scaffold.rule, scaffold.cases];
  const taken = existingFiles(files);
  if (taken.length > 0) {
    throw new UsageError(
      `${taken.map(show).join(" and ")} already exist${taken.length === 1 ? "s" : ""}; dac new never overwrites (choose another --name or --dir)`,
    );
  }
  // Everything is checked before anything is written: the rule must validate as it is.
  const checked = checkScaffold(scaffold, request, show(scaffold.rule.path), config);
  if (checked.diagnostics.length > 0) {
    ctx.stderr(formatDiagnosticsPretty(checked.diagnostics, { color: ctx.color, sources: checked.sources }));
  }
  if (checked.diagnostics.some((d) => d.severity === "error")) {
    ctx.stderr("dac new: the rule would not validate; nothing was written\n");
    return 1;
  }
  try {
    writeNewFiles(files);
  } catch (error) {
    throw new UsageError(`cannot create the files: ${(error as Error).message}; nothing was written`);
  }
  ctx.stdout(`created ${show(scaffold.rule.path)}\ncreated ${show(scaffold.cases.path)}\n`);
  ctx.stdout(
    [
      "",
      "Next:",
      `  1. ${request.query === undefined ? "Write the query and the description" : "Write the description"} in ${show(scaffold.rule.path)}.`,
      `  2. In ${show(scaffold.cases.path)}, paste a real event under \`events:\` in each case and delete its`,
      "     `todo:` line: one event the rule must match, and a near miss it must not. Until then `dac test` fails.",
      `  3. Run \`dac check ${show(scaffold.rule.path)}\` until it passes, then \`dac fmt\`.`,
      "  4. When the rule is ready to publish, set `metadata.maturity: production` and run `dac version`: the",
      "     rule enters rules.lock.json at version 1. Then `dac changeset`.",
      "",
    ].join("\n"),
  );
  return 0;
}

export const newCommand: Command = {
  name: "new",
  summary: "Scaffold a rule and its fixture cases: a valid skeleton with a fresh rule_id.",
  usage: "dac new [--name NAME --index PATTERN --severity LEVEL --tactic TACTIC --dir DIR] [options]",
  description: [
    "Creates <rules>/<dir>/<name>.yaml (the schema header, a new UUID, the severity's risk score, the ATT&CK tactic,",
    "metadata with maturity development and today's date, related_integrations when the integration's fields are known) and <fixtures>/<dir>/<name>/cases.yaml with one positive and",
    "one near-miss case, each with a `todo:` line and no events: the rule validates at once, and its fixture tests",
    "fail until real events are filled in. The rule is checked before anything is written: a --query that does not",
    "parse (reported at its position in the query) or any other validation error writes nothing. A development",
    "rule needs no entry in the version lock; `dac version` adds it at version 1 once it goes to production.",
    "Asks for what is missing when stdin is a terminal; otherwise a missing flag is a usage error. Never overwrites",
    "a file. Exit codes: 0 created, 1 the rule would not validate (nothing written), 2 usage error (nothing",
    "written).",
  ].join("\n"),
  options: {
    name: {
      type: "string",
      valueName: "NAME",
      description: "Rule name; the file name is its snake_case form.",
    },
    type: {
      type: "string",
      valueName: "TYPE",
      choices: scaffoldTypes,
      description: "Rule type (default: query).",
    },
    language: {
      type: "string",
      valueName: "LANGUAGE",
      choices: ["kuery", "lucene", "eql", "esql"],
      description: "Query language (default: kuery; eql and esql rules use their own).",
    },
    index: {
      type: "string",
      multiple: true,
      valueName: "PATTERN",
      description: "Index pattern the rule searches; repeat it or separate patterns with commas.",
    },
    severity: {
      type: "string",
      valueName: "LEVEL",
      choices: severities,
      description: "Severity; sets risk_score in its band.",
    },
    tactic: {
      type: "string",
      valueName: "TACTIC",
      description: `ATT&CK Enterprise tactic, by id or name (${enterpriseTactics()
        .slice(0, 2)
        .map((t) => `${t.id} or ${t.name}`)
        .join(", ")}, …).`,
    },
    dir: { type: "string", valueName: "DIR", description: "Folder under the rules folder, e.g. kubernetes." },
    integration: {
      type: "string",
      valueName: "PACKAGE",
      description: "metadata.integration (default: the first folder of --dir).",
    },
    query: {
      type: "string",
      valueName: "QUERY",
      description: "The query (default: a placeholder to replace).",
    },
  },
  run: ({ values }, ctx) => runNew(values, ctx, terminalPrompter()),
};
