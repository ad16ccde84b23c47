/**
 * Runs every selected rule against its fixtures and returns a plain `TestRunResult`. Pure apart from reading
 * fixture files: rules come in already loaded, engines are injectable, the clock for relative dates too.
 */
import { performance } from "node:perf_hooks";
import { resolve } from "node:path";
import { summarizeTestRun, TEST_RUN_RESULT_VERSION } from "@dac/report";
import type {
  CaseResult,
  EventFailure,
  RuleCoverage,
  RuleMutation,
  RuleTestResult,
  SourceLocation,
  TestRunResult,
} from "@dac/report";
import {
  diagnosticAt,
  diagnosticAtPosition,
  displayPath,
  rangeOf,
  ruleFieldCatalog,
  scalarOffsetToPosition,
} from "@dac/schema";
import type { DacConfig, Diagnostic, Rule } from "@dac/schema";
import type { FieldCatalog } from "@dac/kql";
import { diagnosticBetween } from "./codes.js";
import { measureCoverage } from "./coverage.js";
import { chooseEngine, EngineError, isUnsupported, ruleEngineKey } from "./engine.js";
import type { CompiledRule, Engine, EngineContext, TextSpan } from "./engine.js";
import type { EventDocument, FixtureEvent } from "./event-files.js";
import { findFixtureFolders, fixtureFolderFor, loadRuleFixtures, representativeFile } from "./fixtures.js";
import type { FieldOverrides, FixtureCase } from "./fixtures.js";
import { indexCovered } from "./index-patterns.js";
import { kqlEngine } from "./kql-engine.js";
import { trimEvent } from "./trim.js";

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
  /** Rule files that failed to load: their fixture folders are not orphans. */
  knownRuleFiles?: readonly string[];
  /** Paths are resolved and shown relative to this folder; default: `process.cwd()`. */
  cwd?: string;
  /** The clock for relative dates in queries. */
  now?: Date;
  /** The field catalogue of a rule with a case's overrides; default: `ruleFieldCatalog` from `@dac/schema`. */
  catalogFor?: (rule: Rule, overrides: FieldOverrides) => FieldCatalog;
}

/** The engines `runTests` tries when none are given. */
export const defaultEngines: readonly Engine[] = [kqlEngine];

export function runTests(options: RunTestsOptions): TestRunResult {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const roots = rootsOf(options, cwd);
  const diagnostics: Diagnostic[] = [];
  const selection = options.selection ? new Set(options.selection) : undefined;
  if (!selection) {
    const files = [...options.rules.map((r) => r.file), ...(options.knownRuleFiles ?? [])];
    diagnostics.push(...orphanFolders(files, roots, options.config, cwd));
  }

  const results: RuleTestResult[] = [];
  for (const rule of options.rules) {
    if (selection && !selection.has(rule.file)) continue;
    results.push(testRule(rule, roots, options, cwd, diagnostics));
  }
  return {
    version: TEST_RUN_RESULT_VERSION,
    summary: summarizeTestRun(results, diagnostics),
    rules: results,
    diagnostics,
    durationMs: performance.now() - started,
  };
}

function rootsOf(options: RunTestsOptions, cwd: string): string[] {
  const given = options.fixturesRoot ?? options.config.fixtures;
  return (typeof given === "string" ? [given] : [...given]).map((r) => resolve(cwd, r));
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

interface PreparedCase {
  fixture: FixtureCase;
  overrides: FieldOverrides;
}

function testRule(
  rule: Rule,
  roots: string[],
  options: RunTestsOptions,
  cwd: string,
  diagnostics: Diagnostic[],
): RuleTestResult {
  const started = performance.now();
  const prepared: PreparedCase[] = [];
  let fixturesShown: string | undefined;
  for (const root of roots) {
    const dir = fixtureFolderFor(rule.file, options.config.rules, root, cwd);
    const fixtures = loadRuleFixtures(dir, { cwd, limits: options.config.limits });
    diagnostics.push(...fixtures.diagnostics);
    if (fixtures.cases.length > 0) fixturesShown ??= displayPath(dir, cwd);
    for (const fixture of fixtures.cases)
      prepared.push({ fixture, overrides: { ...fixtures.fields, ...fixture.fields } });
  }

  const exempt = exemptionOf(rule);
  const hasPositive = prepared.some((c) => c.fixture.expect === "match");
  const hasNegative = prepared.some((c) => c.fixture.expect === "no-match");
  if (!exempt && (!hasPositive || !hasNegative)) {
    const missing = [!hasPositive && "positive", !hasNegative && "negative"].filter(Boolean).join(" and no ");
    const expectedDir = displayPath(fixtureFolderFor(rule.file, options.config.rules, roots[0]!, cwd), cwd);
    diagnostics.push(
      diagnosticAt(rule.source, [], {
        code: "DAC505",
        on: "container",
        message: `the rule has no ${missing} fixture (looked in ${expectedDir}/)`,
        hint: "add events under positive/ and negative/ or cases in cases.yaml, or set `metadata.tests.exempt: <reason>`",
      }),
    );
  }

  const base: Omit<RuleTestResult, "status" | "cases" | "durationMs"> = {
    file: rule.file,
    location: ruleLocation(rule),
    name: typeof rule.data.name === "string" ? rule.data.name : rule.file,
    ...(typeof rule.data.rule_id === "string" ? { ruleId: rule.data.rule_id } : {}),
    engine: ruleEngineKey(rule),
    ...(typeof rule.data.query === "string" ? { query: rule.data.query } : {}),
    ...(exempt ? { exempt } : {}),
    ...(fixturesShown ? { fixtures: fixturesShown } : {}),
  };
  const finish = (
    partial: Pick<RuleTestResult, "status" | "cases"> & Partial<RuleTestResult>,
  ): RuleTestResult => ({
    ...base,
    ...partial,
    durationMs: performance.now() - started,
  });
  const failAll = (status: "unsupported" | "error", message: string) =>
    finish({ status, message, cases: prepared.map((p) => failedCase(p.fixture, message)) });

  if (!rule.valid)
    return failAll("error", "the rule does not match the rule schema; fix what `dac validate` reports first");
  const engine = chooseEngine(rule, options.engines ?? defaultEngines);
  if (isUnsupported(engine)) return failAll("unsupported", `unsupported: ${engine.unsupported}`);

  const compiler = caseCompiler(rule, engine, options);
  let compiled: CompiledRule;
  try {
    compiled = compiler({});
  } catch (error) {
    if (error instanceof EngineError)
      return failAll("error", `the query cannot be evaluated: ${error.message}`);
    throw error;
  }

  const patterns = Array.isArray(rule.data.index)
    ? rule.data.index.filter((p): p is string => typeof p === "string")
    : [];
  const cases: CaseResult[] = [];
  const outcomes: CaseOutcome[] = [];
  for (const p of prepared) {
    const caseStarted = performance.now();
    let matcher: CompiledRule;
    try {
      matcher = compiler(p.overrides);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      cases.push(
        failedCase(p.fixture, `the query cannot be evaluated with this case's fields: ${error.message}`),
      );
      continue;
    }
    const outcome = runCase(p.fixture, matcher, patterns);
    outcomes.push({ prepared: p, ...outcome });
    cases.push(caseResult(p.fixture, outcome, matcher, patterns, performance.now() - caseStarted));
  }

  const result: Partial<RuleTestResult> = {};
  if (options.coverage && compiled.clauses) {
    result.coverage = coverageOf(rule, compiled, outcomes, options.minBranchCoverage, diagnostics);
  }
  if (options.mutate && compiled.mutants) {
    result.mutation = mutationOf(rule, compiled, outcomes, options, patterns, diagnostics);
  }
  const failed = cases.some((c) => c.status === "failed");
  const status = failed ? "failed" : cases.length === 0 && exempt ? "exempt" : "passed";
  return finish({ status, cases, ...result });
}

function exemptionOf(rule: Rule): string | undefined {
  const reason = rule.data.metadata?.tests?.exempt;
  return typeof reason === "string" && reason.trim() !== "" ? reason : undefined;
}

/** Compiles the rule once per distinct set of field overrides. */
function caseCompiler(
  rule: Rule,
  engine: Engine,
  options: RunTestsOptions,
): (overrides: FieldOverrides) => CompiledRule {
  const cache = new Map<string, CompiledRule>();
  return (overrides) => {
    const key = JSON.stringify(Object.entries(overrides).sort());
    let compiled = cache.get(key);
    if (!compiled) {
      compiled = engine.compile(rule, contextFor(rule, options, overrides));
      cache.set(key, compiled);
    }
    return compiled;
  };
}

function contextFor(rule: Rule, options: RunTestsOptions, overrides: FieldOverrides): EngineContext {
  return {
    catalog: options.catalogFor
      ? options.catalogFor(rule, overrides)
      : ruleFieldCatalog(rule.data, options.config, overrides),
    ...(options.now ? { now: options.now } : {}),
  };
}

interface EventOutcome {
  event: FixtureEvent;
  index?: string;
  /** False when the index is not one the rule searches (the query is not the reason). */
  indexCovered: boolean;
  matched: boolean;
  /** The engine could not evaluate the event. */
  error?: string;
  explain(): string;
}

interface CaseOutcome {
  prepared: PreparedCase;
  events: EventOutcome[];
  passed: boolean;
}

function runCase(
  fixture: FixtureCase,
  matcher: CompiledRule,
  patterns: string[],
): { events: EventOutcome[]; passed: boolean } {
  const events = fixture.events.map((event) => evaluateEvent(event, fixture.index, matcher, patterns));
  const want = fixture.expect === "match";
  return { events, passed: events.every((e) => e.matched === want && e.error === undefined) };
}

function evaluateEvent(
  event: FixtureEvent,
  caseIndex: string | undefined,
  matcher: CompiledRule,
  patterns: string[],
): EventOutcome {
  const index = event.index ?? caseIndex;
  const evaluation = matcher.evaluate(event.document);
  const covered = index === undefined || patterns.length === 0 || indexCovered(patterns, index);
  if (covered) {
    return {
      event,
      ...(index ? { index } : {}),
      indexCovered: true,
      matched: evaluation.matched,
      ...(evaluation.error !== undefined ? { error: evaluation.error } : {}),
      explain: () => evaluation.explain(),
    };
  }
  return {
    event,
    index: index!,
    indexCovered: false,
    matched: false,
    explain: () =>
      [
        `✗ index ${index} is not covered by the rule's index patterns (${patterns.join(", ")}): the rule never reads this event`,
        `  the query alone ${evaluation.matched ? "would match" : "would not match either"}:`,
        ...evaluation
          .explain()
          .split("\n")
          .map((l) => `  ${l}`),
      ].join("\n"),
  };
}

function caseResult(
  fixture: FixtureCase,
  outcome: { events: EventOutcome[]; passed: boolean },
  matcher: CompiledRule,
  patterns: string[],
  durationMs: number,
): CaseResult {
  const want = fixture.expect === "match";
  const against = outcome.events.filter((e) => e.matched !== want || e.error !== undefined);
  const errors = against.filter((e) => e.error !== undefined);
  const failures: EventFailure[] = against.map((e) => ({
    location: e.event.location,
    matched: e.matched,
    ...(e.index ? { index: e.index } : {}),
    event: trimEvent(e.event.document, matcher.fields),
    explanation: e.explain(),
  }));
  const total = outcome.events.length;
  const message = outcome.passed
    ? undefined
    : errors.length > 0
      ? `the query cannot be evaluated on ${errors.length} of ${total} event${total === 1 ? "" : "s"}: ${errors[0]!.error}`
      : want
        ? `expected a match, but the rule did not match ${against.length} of ${total} event${total === 1 ? "" : "s"}` +
          (against.some((e) => !e.indexCovered) ? ` (index not covered by ${patterns.join(", ")})` : "")
        : `expected no match, but the rule matched ${against.length} of ${total} event${total === 1 ? "" : "s"}`;
  return {
    name: fixture.name,
    ...(fixture.description ? { description: fixture.description } : {}),
    expect: fixture.expect,
    status: outcome.passed ? "passed" : "failed",
    location: fixture.location,
    ...(fixture.index ? { index: fixture.index } : {}),
    events: total,
    ...(message ? { message } : {}),
    failures,
    durationMs,
  };
}

function failedCase(fixture: FixtureCase, message: string): CaseResult {
  return {
    name: fixture.name,
    ...(fixture.description ? { description: fixture.description } : {}),
    expect: fixture.expect,
    status: "failed",
    location: fixture.location,
    ...(fixture.index ? { index: fixture.index } : {}),
    events: fixture.events.length,
    message,
    failures: [],
    durationMs: 0,
  };
}

/** Where rule-level findings point: the query, else the top of the file. */
function ruleLocation(rule: Rule): SourceLocation {
  const span = rangeOf(rule.source, typeof rule.data.query === "string" ? ["query"] : [], "value");
  return { file: rule.file, line: span.line, column: span.column };
}

function queryLocation(
  rule: Rule,
  span: TextSpan,
): { start: SourceLocation; end: { line: number; column: number } } {
  const start = scalarOffsetToPosition(rule.source, ["query"], span.start);
  const end = scalarOffsetToPosition(rule.source, ["query"], span.end);
  return { start: { file: rule.file, ...start }, end };
}

function coverageOf(
  rule: Rule,
  compiled: CompiledRule,
  outcomes: CaseOutcome[],
  minBranchCoverage: number | undefined,
  diagnostics: Diagnostic[],
): RuleCoverage {
  const positives: EventDocument[] = [];
  const negatives: EventDocument[] = [];
  for (const o of outcomes) {
    for (const e of o.events) {
      if (!e.indexCovered) continue;
      if (o.prepared.fixture.expect === "match" && e.matched) positives.push(e.event.document);
      if (o.prepared.fixture.expect === "no-match" && !e.matched) negatives.push(e.event.document);
    }
  }
  const counts = measureCoverage(compiled.clauses!(), positives, negatives);
  const belowMinimum = minBranchCoverage !== undefined && counts.branchPercent < minBranchCoverage;
  for (const b of counts.branches) {
    if (b.positives > 0) continue;
    const at = queryLocation(rule, b.node.span);
    diagnostics.push(
      diagnosticBetween(
        "DAC507",
        at.start,
        at.end,
        `no positive fixture matches through \`${b.node.text}\``,
        {
          severity: belowMinimum ? "error" : "warning",
          hint: belowMinimum
            ? `branch coverage is ${counts.branchPercent}%, below --min-branch-coverage ${minBranchCoverage}%: add a positive that matches through this branch`
            : "add a positive that matches through this branch, or remove the branch if nothing can reach it",
        },
      ),
    );
  }
  return {
    clauses: counts.clauses.map((c) => ({
      clause: c.node.text,
      location: queryLocation(rule, c.node.span).start,
      positives: c.positives,
      negatives: c.negatives,
    })),
    branches: counts.branches.map((b) => ({
      branch: b.node.text,
      location: queryLocation(rule, b.node.span).start,
      positives: b.positives,
    })),
    branchPercent: counts.branchPercent,
  };
}

function mutationOf(
  rule: Rule,
  compiled: CompiledRule,
  outcomes: CaseOutcome[],
  options: RunTestsOptions,
  patterns: string[],
  diagnostics: Diagnostic[],
): RuleMutation {
  // Only cases that pass on the real query can tell a mutant apart.
  const passing = outcomes.filter((o) => o.passed);
  const survivors: RuleMutation["survivors"] = [];
  let mutants = 0;
  for (const mutant of compiled.mutants!()) {
    const byOverrides = new Map<string, CompiledRule | null>();
    const mutantFor = (p: PreparedCase): CompiledRule | null => {
      const key = JSON.stringify(Object.entries(p.overrides).sort());
      if (!byOverrides.has(key)) {
        try {
          byOverrides.set(key, mutant.compile(contextFor(rule, options, p.overrides)));
        } catch (error) {
          if (!(error instanceof EngineError)) throw error;
          byOverrides.set(key, null);
        }
      }
      return byOverrides.get(key)!;
    };
    let killed = false;
    let valid = true;
    for (const o of passing) {
      const matcher = mutantFor(o.prepared);
      if (!matcher) {
        valid = false;
        break;
      }
      if (!runCase(o.prepared.fixture, matcher, patterns).passed) {
        killed = true;
        break;
      }
    }
    if (!valid) continue;
    mutants++;
    if (killed) continue;
    const at = queryLocation(rule, mutant.span);
    survivors.push({
      operator: mutant.operator,
      description: mutant.description,
      query: mutant.query,
      location: at.start,
    });
    diagnostics.push(
      diagnosticBetween(
        "DAC508",
        at.start,
        at.end,
        `no fixture kills the mutant ${mutant.operator}: ${mutant.description}`,
        { hint: `add a near miss that the mutated query gets wrong: ${mutant.query}` },
      ),
    );
  }
  return { mutants, killed: mutants - survivors.length, survivors };
}
