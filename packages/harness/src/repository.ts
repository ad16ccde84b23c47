/**
 * The whole `dac test` flow as a function: load the configuration and every rule, choose the rules to run
 * (paths, `--changed`), run them against their fixtures. The CLI, the vitest helper and the benchmark all go
 * through here, so they cannot disagree.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { loadExceptions } from "@dac/exceptions";
import type { TestRunResult } from "@dac/report";
import { ConfigError, displayPath, loadConfig, loadRules } from "@dac/schema";
import type { DacConfig, Diagnostic, LoadRulesResult } from "@dac/schema";
import { runTests } from "./run.js";
import type { RunTestsOptions } from "./run.js";
import { affectedRules, changedFiles, isWithin } from "./selection.js";
import type { GitRunner } from "./selection.js";

export interface TestRepositoryOptions extends Pick<
  RunTestsOptions,
  "coverage" | "minBranchCoverage" | "mutate" | "engines" | "engineLabel" | "now" | "catalogFor"
> {
  cwd?: string;
  /** The configuration; default: the nearest `dac.config.yaml` (or `configFile`). */
  config?: DacConfig;
  configFile?: string;
  /** Rules already loaded (`dac check` validates first and passes them on). */
  loaded?: LoadRulesResult;
  /** Rule files or folders, fixture folders or files, field files: run the rules they touch. */
  paths?: readonly string[];
  /** Run only the rules touched by files changed since `base` (default `HEAD`). With `paths`, both must hold. */
  changed?: boolean;
  base?: string;
  git?: GitRunner;
  /** Extra fixture roots with the same layout, after the configured one. */
  fixtures?: readonly string[];
}

export interface RepositoryRun {
  result: TestRunResult;
  /** The rule files that ran. */
  selected: string[];
  /** Set when `changed` left nothing to test: why (a success, not an empty selection). */
  nothingChanged?: string;
  config: DacConfig;
  loaded: LoadRulesResult;
}

/** Nothing to run: a usage error (exit 2), never a silent pass. */
export class EmptySelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmptySelectionError";
  }
}

/** Loads, selects and runs on the calling thread. */
export async function testRepository(options: TestRepositoryOptions = {}): Promise<RepositoryRun> {
  const prepared = prepare(options);
  return finish(prepared, await runTests(prepared.run));
}

interface Prepared {
  run: RunTestsOptions;
  selected: string[];
  nothingChanged?: string;
  partial: boolean;
  config: DacConfig;
  loaded: LoadRulesResult;
}

function prepare(options: TestRepositoryOptions): Prepared {
  const cwd = resolve(options.cwd ?? process.cwd());
  const config = options.config ?? loadConfig(cwd, options.configFile);
  const loaded = options.loaded ?? loadRules([], config, cwd);
  const fixturesRoots = [config.fixtures, ...(options.fixtures ?? []).map((f) => resolve(cwd, f))];
  // A mistyped folder would otherwise test nothing and pass.
  const configured = config.file ? `\`fixtures\` in ${displayPath(config.file, cwd)}` : "the default";
  requireFolder(config.fixtures, cwd, configured);
  for (const root of options.fixtures ?? []) requireFolder(resolve(cwd, root), cwd);
  for (const path of options.paths ?? []) {
    if (!exists(resolve(cwd, path))) throw new ConfigError(`${path}: no such file or folder`);
  }
  const { selected, nothingChanged } = selectRules(loaded, config, fixturesRoots, cwd, options);
  const partial = Boolean(options.paths?.length || options.changed);
  const run: RunTestsOptions = {
    rules: loaded.rules,
    config,
    fixturesRoot: fixturesRoots,
    ...(partial ? { selection: selected } : {}),
    knownRuleFiles: loaded.files.map((f) => displayPath(f, cwd)),
    // Problems in the exception files are `dac validate`'s; the lists that load apply to the rules.
    exceptions: loadExceptions(config.root, {
      exceptions: config.exceptions,
      rules: config.rules,
      limits: config.limits,
      cwd,
    }),
    cwd,
    ...pick(options),
  };
  return { run, selected, ...(nothingChanged ? { nothingChanged } : {}), partial, config, loaded };
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** A fixtures root must be a folder: a configuration error (exit 2) names it, and where it was configured. */
function requireFolder(path: string, cwd: string, from?: string): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  const where = from ? ` (${from})` : "";
  if (!stats) throw new ConfigError(`fixtures folder ${displayPath(path, cwd)}: no such folder${where}`);
  if (!stats.isDirectory())
    throw new ConfigError(`fixtures folder ${displayPath(path, cwd)}: not a folder${where}`);
}

function finish(prepared: Prepared, result: TestRunResult): RepositoryRun {
  const { loaded, selected, nothingChanged, partial, config } = prepared;
  // A rule file that did not load cannot be tested: its load errors belong in the test report.
  const loadedFiles = new Set(loaded.rules.map((r) => r.file));
  const chosen = new Set(selected);
  const unloadable = loaded.diagnostics.filter(
    (d) => d.severity === "error" && !loadedFiles.has(d.file) && (!partial || chosen.has(d.file)),
  );
  return {
    result: withDiagnostics(result, unloadable),
    selected,
    ...(nothingChanged ? { nothingChanged } : {}),
    config,
    loaded,
  };
}

function selectRules(
  loaded: LoadRulesResult,
  config: DacConfig,
  fixturesRoots: string[],
  cwd: string,
  options: TestRepositoryOptions,
): { selected: string[]; nothingChanged?: string } {
  const rules = loaded.rules.map((r) => r.file);
  const ruleSet = new Set(rules);
  const unloadable = loaded.files.map((f) => displayPath(f, cwd)).filter((f) => !ruleSet.has(f));
  const affected = (paths: readonly string[]) => {
    const hits = new Set(affectedRules(paths, loaded.rules, { config, fixturesRoots, cwd }));
    // A file that failed to load is selected by its own path, so that its errors are shown.
    for (const file of unloadable)
      if (paths.some((p) => isWithin(resolve(cwd, file), resolve(cwd, p)))) hits.add(file);
    return hits;
  };
  let selected = [...rules, ...unloadable];
  if (options.paths?.length) {
    const hits = affected(options.paths);
    selected = selected.filter((f) => hits.has(f));
  }
  if (selected.length > 0 && options.changed) {
    const hits = affected(
      changedFiles({
        cwd,
        ...(options.base ? { base: options.base } : {}),
        ...(options.git ? { git: options.git } : {}),
      }),
    );
    selected = selected.filter((f) => hits.has(f));
    // Nothing changed is an answer, not a mistake: there is nothing to test.
    if (selected.length === 0)
      return {
        selected,
        nothingChanged: `no rule is affected by the files changed since ${options.base ?? "HEAD"}: nothing to test`,
      };
  }
  if (selected.length === 0) {
    const what = options.paths?.length
      ? `no rule matches ${options.paths.join(", ")}`
      : `no rules found in ${displayPath(config.rules, cwd)}`;
    throw new EmptySelectionError(what);
  }
  return { selected };
}

function pick(options: TestRepositoryOptions): Partial<RunTestsOptions> {
  const out: Partial<RunTestsOptions> = {};
  if (options.coverage !== undefined) out.coverage = options.coverage;
  if (options.minBranchCoverage !== undefined) out.minBranchCoverage = options.minBranchCoverage;
  if (options.mutate !== undefined) out.mutate = options.mutate;
  if (options.engines) out.engines = options.engines;
  if (options.engineLabel) out.engineLabel = options.engineLabel;
  if (options.now) out.now = options.now;
  if (options.catalogFor) out.catalogFor = options.catalogFor;
  return out;
}

/** The same run with more diagnostics (the summary recounted). */
export function withDiagnostics(result: TestRunResult, extra: readonly Diagnostic[]): TestRunResult {
  if (extra.length === 0) return result;
  const diagnostics = [...extra, ...result.diagnostics];
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return {
    ...result,
    diagnostics,
    summary: { ...result.summary, diagnosticErrors: errors, ok: result.summary.ok && errors === 0 },
  };
}
