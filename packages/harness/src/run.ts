/**
 * Runs every selected rule against its fixtures and returns a plain `TestRunResult`. Pure apart from reading
 * fixture files: rules come in already loaded, engines are injectable, the clock for relative dates too.
 *
 * Each rule is a job (`rule-job.ts`) over plain data; this module adds what needs the rule's YAML source
 * (positions of rule-level findings). Worker threads were measured and left out: on two cores their start-up
 * (modules, the ECS catalogue) costs more than they save (2,000 rules: 3.4 s on one thread, 3.6 s with one
 * worker), so rules run on the calling thread, each compiled once. Jobs are asynchronous so that an engine can
 * do I/O; an engine that waits on a server (Elasticsearch) says how many rules may run at once.
 */
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { exceptionsForRule } from "@dac/exceptions";
import type { ExceptionSet } from "@dac/exceptions";
import { clipText } from "@dac/fields";
import type { FieldCatalog } from "@dac/fields";
import { summarizeTestRun, TEST_RUN_RESULT_VERSION } from "@dac/report";
import type { RuleTestResult, SourceLocation, TestRunResult } from "@dac/report";
import {
  diagnosticAt,
  diagnosticAtPosition,
  displayPath,
  rangeOf,
  scalarOffsetToPosition,
} from "@dac/schema";
import type { DacConfig, Diagnostic, Rule } from "@dac/schema";
import { diagnosticBetween } from "./codes.js";
import { ruleEngineKey } from "./engine.js";
import type { Engine, EngineRule, TextSpan } from "./engine.js";
import { findFixtureFolders, fixtureFolderFor, representativeFile } from "./fixtures.js";
import type { FieldOverrides } from "./fixtures.js";
import { defaultEngines, runRuleJob } from "./rule-job.js";
import type { JobContext, RuleJob, RuleRun } from "./rule-job.js";

/** A mutated query in a report or a hint is cut past this many characters. */
const MAX_QUERY_SHOWN = 1000;
export { defaultEngines } from "./rule-job.js";

export interface RunTestsOptions {
  /** Every rule of the repository (orphan fixture folders are found against all of them). */
  rules: readonly Rule[];
  config: DacConfig;
  /** Fixture roots with the same layout; default: the configured `fixtures` folder. */
  fixturesRoot?: string | readonly string[];
  /** Rule files (as in `Rule.file`) to test; default: all. */
  selection?: Iterable<string>;
  /** Measure clause and branch coverage. */
  coverage?: boolean;
  /** Uncovered branches become errors for a rule whose branch coverage is below this percentage. */
  minBranchCoverage?: number;
  /** Mutate each rule's query and report the mutants no fixture kills. */
  mutate?: boolean;
  /** The engines to try, in order; default: the in-memory KQL engine. */
  engines?: readonly Engine[];
  /** The engine the user chose, named in `unsupported: <type> on <engine>` (default: none named). */
  engineLabel?: string;
  /** Rule files that failed to load: their fixture folders are not orphans. */
  knownRuleFiles?: readonly string[];
  /** Paths are resolved and shown relative to this folder; default: `process.cwd()`. */
  cwd?: string;
  /** The clock for relative dates in queries. */
  now?: Date;
  /** The field catalogue of a rule with a case's overrides; default: `ruleFieldCatalog` from `@dac/schema`. */
  catalogFor?: (rule: EngineRule, overrides: FieldOverrides) => FieldCatalog;
  /** The repository's exception lists (`loadExceptions`); each rule gets those it attaches. Default: none. */
  exceptions?: ExceptionSet;
}

interface Plan {
  selected: Rule[];
  context: JobContext;
  diagnostics: Diagnostic[];
  started: number;
}

function plan(options: RunTestsOptions): Plan {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const given = options.fixturesRoot ?? options.config.fixtures;
  const roots = (typeof given === "string" ? [given] : [...given]).map((r) => resolve(cwd, r));
  const diagnostics: Diagnostic[] = [];
  const selection = options.selection ? new Set(options.selection) : undefined;
  if (!selection) {
    const files = [...options.rules.map((r) => r.file), ...(options.knownRuleFiles ?? [])];
    diagnostics.push(...orphanFolders(files, roots, options.config, cwd));
  }
  const context: JobContext = {
    config: options.config,
    roots,
    cwd,
    ...(options.coverage ? { coverage: true } : {}),
    ...(options.mutate ? { mutate: true } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.engines ? { engines: options.engines } : {}),
    ...(options.engineLabel ? { engineLabel: options.engineLabel } : {}),
    ...(options.catalogFor ? { catalogFor: options.catalogFor } : {}),
  };
  const selected = options.rules.filter((r) => !selection || selection.has(r.file));
  return { selected, context, diagnostics, started };
}

function jobOf(rule: Rule, options: RunTestsOptions): RuleJob {
  const job: RuleJob = { file: rule.file, data: rule.data, valid: rule.valid };
  if (!options.exceptions) return job;
  const exceptions = exceptionsForRule(options.exceptions, rule, {
    root: options.config.root,
    cwd: options.cwd ?? process.cwd(),
  });
  return exceptions.items.length > 0 ? { ...job, exceptions } : job;
}

function assemble(p: Plan, runs: RuleRun[], options: RunTestsOptions): TestRunResult {
  const diagnostics = p.diagnostics;
  const results = p.selected.map((rule, i) => finishRule(rule, runs[i]!, options, diagnostics));
  return {
    version: TEST_RUN_RESULT_VERSION,
    summary: summarizeTestRun(results, diagnostics),
    rules: results,
    diagnostics,
    durationMs: performance.now() - p.started,
  };
}

export async function runTests(options: RunTestsOptions): Promise<TestRunResult> {
  const p = plan(options);
  const engines = options.engines ?? defaultEngines;
  const limit = Math.max(1, ...engines.map((e) => e.concurrency ?? 1));
  const runs: RuleRun[] = new Array<RuleRun>(p.selected.length);
  if (limit === 1) {
    for (let i = 0; i < p.selected.length; i++)
      runs[i] = await runRuleJob(jobOf(p.selected[i]!, options), p.context);
  } else {
    // A small pool: `limit` rules in flight, results kept in rule order.
    let next = 0;
    const worker = async () => {
      while (next < p.selected.length) {
        const i = next++;
        runs[i] = await runRuleJob(jobOf(p.selected[i]!, options), p.context);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, p.selected.length) }, worker));
  }
  return assemble(p, runs, options);
}

function orphanFolders(
  ruleFiles: readonly string[],
  roots: string[],
  config: DacConfig,
  cwd: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const root of roots) {
    const expected = new Set(ruleFiles.map((file) => fixtureFolderFor(file, config.rules, root, cwd)));
    for (const folder of findFixtureFolders(root)) {
      if (expected.has(folder)) continue;
      const shownFolder = displayPath(folder, cwd);
      out.push(
        diagnosticAtPosition(
          displayPath(representativeFile(folder), cwd),
          "DAC503",
          `fixture folder ${shownFolder} belongs to no rule (expected a rule file ${shownFolder.replace(/^.*?fixtures[\\/]/, "")}.yaml in the rules folder)`,
          undefined,
          undefined,
          "rename the folder after its rule, or delete it together with the rule",
        ),
      );
    }
  }
  return out;
}

/** The rule-level findings and positions, which need the rule's YAML source. */
function finishRule(
  rule: Rule,
  run: RuleRun,
  options: RunTestsOptions,
  diagnostics: Diagnostic[],
): RuleTestResult {
  const ownFrom = diagnostics.length;
  diagnostics.push(...run.diagnostics);
  if (!run.exempt && (!run.hasPositive || !run.hasNegative)) {
    const missing = [!run.hasPositive && "positive", !run.hasNegative && "negative"]
      .filter(Boolean)
      .join(" and no ");
    const cwd = options.cwd ?? process.cwd();
    const root =
      typeof options.fixturesRoot === "string"
        ? options.fixturesRoot
        : (options.fixturesRoot?.[0] ?? options.config.fixtures);
    const expectedDir = displayPath(
      fixtureFolderFor(rule.file, options.config.rules, resolve(cwd, root), cwd),
      cwd,
    );
    diagnostics.push(
      diagnosticAt(rule.source, [], {
        code: "DAC505",
        on: "container",
        message: `the rule has no ${missing} fixture (looked in ${expectedDir}/)`,
        hint: "add events under positive/ and negative/ or cases in cases.yaml, or set `metadata.tests.exempt: <reason>`",
      }),
    );
  }
  const result: RuleTestResult = {
    file: rule.file,
    location: ruleLocation(rule),
    name: typeof rule.data.name === "string" ? rule.data.name : rule.file,
    ...(typeof rule.data.rule_id === "string" ? { ruleId: rule.data.rule_id } : {}),
    engine: ruleEngineKey(rule),
    ...(typeof rule.data.query === "string" ? { query: rule.data.query } : {}),
    status: run.status,
    ...(run.exempt ? { exempt: run.exempt } : {}),
    ...(run.message ? { message: run.message } : {}),
    ...(run.fixtures ? { fixtures: run.fixtures } : {}),
    cases: run.cases,
    durationMs: run.durationMs,
    ...(run.notes ? { notes: run.notes } : {}),
    ...(run.exceptions ? { exceptions: run.exceptions } : {}),
  };
  if (run.coverage) {
    const coverage = run.coverage;
    const min = options.minBranchCoverage;
    const belowMinimum = min !== undefined && coverage.branchPercent < min;
    for (const b of coverage.branches) {
      if (b.positives > 0) continue;
      const at = queryLocation(rule, b.span);
      diagnostics.push(
        diagnosticBetween("DAC507", at.start, at.end, `no positive fixture matches through \`${b.text}\``, {
          severity: belowMinimum ? "error" : "warning",
          hint: belowMinimum
            ? `branch coverage is ${coverage.branchPercent}%, below --min-branch-coverage ${min}%: add a positive that matches through this branch`
            : "add a positive that matches through this branch, or remove the branch if nothing can reach it",
        }),
      );
    }
    result.coverage = {
      clauses: coverage.clauses.map((c) => ({
        clause: c.text,
        location: queryLocation(rule, c.span).start,
        positives: c.positives,
        negatives: c.negatives,
      })),
      branches: coverage.branches.map((b) => ({
        branch: b.text,
        location: queryLocation(rule, b.span).start,
        positives: b.positives,
      })),
      branchPercent: coverage.branchPercent,
    };
  }
  if (run.mutation) {
    const survivors = run.mutation.survivors.map((s) => {
      const at = s.path ? settingLocation(rule, s.path) : queryLocation(rule, s.span);
      diagnostics.push(
        diagnosticBetween(
          "DAC508",
          at.start,
          at.end,
          `no fixture kills the mutant ${s.operator}: ${s.description}`,
          {
            hint: s.path
              ? `add an alert case whose verdict changes with ${s.query} (one event fewer or more, one group field less)`
              : `add a near miss that the mutated query gets wrong: ${clipText(s.query, MAX_QUERY_SHOWN)}`,
          },
        ),
      );
      const query = clipText(s.query, MAX_QUERY_SHOWN);
      return { operator: s.operator, description: s.description, query, location: at.start };
    });
    result.mutation = {
      mutants: run.mutation.mutants,
      killed: run.mutation.mutants - survivors.length,
      survivors,
      ...(run.mutation.skipped > 0 ? { skipped: run.mutation.skipped } : {}),
    };
  }
  // A rule whose fixtures have errors (unreadable, missing, not filled in) has not passed, whatever its cases did.
  if (result.status === "passed" && diagnostics.slice(ownFrom).some((d) => d.severity === "error")) {
    result.status = "failed";
    result.message ??= "its fixtures have errors (see the diagnostics)";
  }
  return result;
}

/** Where rule-level findings point: the query, else the top of the file. */
function ruleLocation(rule: Rule): SourceLocation {
  const span = rangeOf(rule.source, typeof rule.data.query === "string" ? ["query"] : [], "value");
  return { file: rule.file, line: span.line, column: span.column };
}

/** Where a rule setting (a YAML path) is, for findings about it. */
function settingLocation(
  rule: Rule,
  path: (string | number)[],
): { start: SourceLocation; end: { line: number; column: number } } {
  const span = rangeOf(rule.source, path);
  return {
    start: { file: rule.file, line: span.line, column: span.column },
    end: { line: span.endLine ?? span.line, column: span.endColumn ?? span.column },
  };
}

function queryLocation(
  rule: Rule,
  span: TextSpan,
): { start: SourceLocation; end: { line: number; column: number } } {
  const start = scalarOffsetToPosition(rule.source, ["query"], span.start);
  const end = scalarOffsetToPosition(rule.source, ["query"], span.end);
  return { start: { file: rule.file, ...start }, end };
}
