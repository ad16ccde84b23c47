/**
 * Which rules a run covers: the rules under given paths, the rules affected by changed files (`--changed`),
 * or by files a watcher saw change. A rule is affected by its own file, anything in its fixture folder, the
 * field files its catalogue reads, and the configuration.
 */
import { execFileSync } from "node:child_process";
import { isAbsolute, relative, resolve } from "node:path";
import { discoverFieldFiles, integrationFieldFiles } from "@dac/schema";
import type { DacConfig, Rule } from "@dac/schema";
import { fixtureFolderFor } from "./fixtures.js";

/** True when `path` is `folder` or lies below it. */
export function isWithin(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

export interface AffectedOptions {
  config: DacConfig;
  /** Fixture roots in use; default: the configured `fixtures` folder. */
  fixturesRoots?: readonly string[];
  cwd?: string;
}

/**
 * The rule files (as in `Rule.file`) that `paths` touch. A path may be a rule file or a folder of rules, a
 * fixture folder or file, a field file, or the configuration file (which touches every rule).
 */
export function affectedRules(
  paths: readonly string[],
  rules: readonly Rule[],
  options: AffectedOptions,
): string[] {
  const cwd = options.cwd ?? process.cwd();
  const config = options.config;
  const roots = (options.fixturesRoots ?? [config.fixtures]).map((r) => resolve(cwd, r));
  const absolute = paths.map((p) => resolve(cwd, p));
  if (config.file && absolute.includes(resolve(config.file))) return rules.map((r) => r.file);
  const fieldFiles = discoverFieldFiles(config);
  const shared = new Set(fieldFiles.shared.map((f) => resolve(f)));
  if (absolute.some((p) => shared.has(p))) return rules.map((r) => r.file);

  const out: string[] = [];
  for (const rule of rules) {
    const file = resolve(cwd, rule.file);
    const folders = roots.map((root) => fixtureFolderFor(rule.file, config.rules, root, cwd));
    const integrations = new Set(integrationFieldFiles(rule.data, fieldFiles).map((f) => resolve(f)));
    const hit = absolute.some(
      (p) =>
        isWithin(file, p) ||
        folders.some((folder) => isWithin(folder, p) || isWithin(p, folder)) ||
        integrations.has(p),
    );
    if (hit) out.push(rule.file);
  }
  return out;
}

/** Runs git with an argument list (never a shell) and returns its standard output. */
export type GitRunner = (args: readonly string[], cwd: string) => string;

export const runGit: GitRunner = (args, cwd) =>
  execFileSync("git", [...args], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GitError";
  }
}

/**
 * Files changed since `base` (default `HEAD`): committed since the merge base with `base`, staged, unstaged
 * and untracked. Absolute paths. Throws `GitError` outside a repository or for an unknown base.
 */
export function changedFiles(options: { cwd: string; base?: string; git?: GitRunner }): string[] {
  const git = options.git ?? runGit;
  const base = options.base ?? "HEAD";
  const call = (args: string[], cwd = options.cwd) => {
    try {
      return git(args, cwd);
    } catch (error) {
      const stderr = (error as { stderr?: string | Buffer }).stderr?.toString().trim();
      throw new GitError(`git ${args.join(" ")} failed${stderr ? `: ${stderr.split("\n")[0]}` : ""}`);
    }
  };
  const top = call(["rev-parse", "--show-toplevel"]).trim();
  call(["rev-parse", "--verify", "--quiet", `${base}^{commit}`]);
  const names = [
    ...split(call(["diff", "--name-only", "-z", "--no-renames", "--merge-base", base])),
    // From the top: `ls-files` lists only what lies below its working folder.
    ...split(call(["ls-files", "--others", "--exclude-standard", "--full-name", "-z"], top)),
  ];
  return [...new Set(names.map((n) => resolve(top, n)))].sort();
}

function split(output: string): string[] {
  return output.split("\0").filter((n) => n !== "");
}
