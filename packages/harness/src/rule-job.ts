/**
 * Testing one rule against its fixtures, from plain data only (the rule's file name and JSON, the
 * configuration), so that the work can run in a worker thread. What needs the rule's YAML source (positions of
 * rule-level findings) is done afterwards by `run.ts`, on the main thread.
 */
import { performance } from "node:perf_hooks";
import { compileExceptions, ExceptionEvaluationError, isExpired } from "@dac/exceptions";
import type { CompiledExceptions, RuleExceptions } from "@dac/exceptions";
import type { FieldCatalog } from "@dac/fields";
import type { CaseResult, EventFailure, ExceptionItemResult, SourceLocation } from "@dac/report";
import { diagnosticAtPosition, displayPath, ruleFieldCatalog, threatIndexCatalog } from "@dac/schema";
import type { DacConfig, Diagnostic } from "@dac/schema";
import { isAlertCase, judgeAlertCase, planAlertCase } from "./alert-cases.js";
import type { AlertCasePlan } from "./alert-cases.js";
import type { Alert } from "./alerts/document.js";
import { executeRule, ExecutionError, suppressionOf, thresholdOf } from "./alerts/execute.js";
import { carryExecution, emptyHistory, thresholdHistoryExclusions } from "./alerts/history.js";
import type { ExecutionHistory } from "./alerts/history.js";
import { DateMathError, ruleTimestamps } from "./alerts/window.js";
import { measureCoverage } from "./coverage.js";
import { ruleMutants } from "./rule-mutants.js";
import { typeExecution } from "./type-alerts.js";
import { typeMutants } from "./type-mutants.js";
import { chooseEngine, EngineError, isUnsupported, languageOf } from "./engine.js";
import type {
  CompiledRule,
  Engine,
  EngineContext,
  EngineRule,
  Evaluation,
  Execution,
  ExecuteOptions,
  LookupTables,
  RuleExecutions,
  TextSpan,
} from "./engine.js";
import type { EventDocument, FixtureEvent } from "./event-files.js";
import { fixtureFolderFor, loadRuleFixtures } from "./fixtures.js";
import type { FieldOverrides, FixtureCase, FixtureLookups } from "./fixtures.js";
import { indexCovered } from "./index-patterns.js";
import { eqlEngine } from "./eql-engine.js";
import { esqlEngine, esqlIndexPatterns, esqlLookupNames } from "./esql-engine.js";
import { kqlEngine } from "./kql-engine.js";
import { luceneEngine } from "./lucene-engine.js";
import { newTermsEngine } from "./new-terms-engine.js";
import { threatMatchEngine } from "./threat-match-engine.js";
import { trimEvent } from "./trim.js";

/** The engines used when none are given. */
export const defaultEngines: readonly Engine[] = [
  kqlEngine,
  luceneEngine,
  newTermsEngine,
  threatMatchEngine,
  eqlEngine,
  esqlEngine,
];

/** A rule as the job needs it: plain data that crosses a thread boundary. */
export interface RuleJob extends EngineRule {
  /** False when the rule does not match the rule schema. */
  valid: boolean;
  /** The exceptions that apply to the rule (its attached lists and its rule-default list). */
  exceptions?: RuleExceptions;
}

export interface JobContext {
  config: DacConfig;
  /** Absolute fixture roots. */
  roots: readonly string[];
  cwd: string;
  coverage?: boolean;
  mutate?: boolean;
  now?: Date;
  engines?: readonly Engine[];
  /** The engine the user chose (`elasticsearch`), named in `unsupported: <type> on <engine>`. */
  engineLabel?: string;
  catalogFor?: (rule: EngineRule, overrides: FieldOverrides) => FieldCatalog;
}

/** Everything about one rule's run that does not need the YAML source. Spans are offsets into the query. */
export interface RuleRun {
  file: string;
  status: "passed" | "failed" | "exempt" | "unsupported" | "error";
  message?: string;
  exempt?: string;
  /** The first fixture folder that held cases. */
  fixtures?: string;
  cases: CaseResult[];
  /** Problems in the fixture files (they carry their own positions). */
  diagnostics: Diagnostic[];
  hasPositive: boolean;
  hasNegative: boolean;
  durationMs: number;
  /** What the engine said about how it ran the rule. */
  notes?: string[];
  /** Per exception item of the rule: the cases in which it removed an event the rule matched. */
  exceptions?: ExceptionItemResult[];
  coverage?: {
    clauses: { text: string; span: TextSpan; positives: number; negatives: number }[];
    branches: { text: string; span: TextSpan; positives: number }[];
    branchPercent: number;
  };
  mutation?: {
    mutants: number;
    /** Mutants not run, over the limit per rule. */
    skipped: number;
    survivors: {
      operator: string;
      description: string;
      query: string;
      span: TextSpan;
      /** Set for a mutant of the rule's settings (a threshold): where in the rule file, as a YAML path. */
      path?: (string | number)[];
    }[];
  };
}

interface PreparedCase {
  fixture: FixtureCase;
  overrides: FieldOverrides;
  /** For `expect: alert | no-alert`: when the execution runs and what it searches. */
  plan?: AlertCasePlan;
  /** For alert cases: the positions (in the case's events) of the events the rule's indices cover. */
  searchable?: number[];
  /** With `earlier_executions`: what they left (the judged execution's alerts go through it). */
  history?: ExecutionHistory;
  /** Events the threshold signal history keeps out of the judged execution, with the reason. */
  excluded?: Map<number, string>;
  /** Per event of the case: the exception items that remove it (the search's must_not), empty when none. */
  removed?: string[][];
  /**
   * Alert cases on an engine that applied the exceptions: per case event, whether the rule's query alone returned
   * it (the removed events were searched there, so the engine knows).
   */
  queryMatched?: boolean[];
  /** The case's `lookups:` rows, by name (ES|QL rules only). */
  lookups?: LookupTables;
}

export function exemptionOf(rule: EngineRule): string | undefined {
  const reason = rule.data.metadata?.tests?.exempt;
  return typeof reason === "string" && reason.trim() !== "" ? reason : undefined;
}

export async function runRuleJob(job: RuleJob, context: JobContext): Promise<RuleRun> {
  const started = performance.now();
  const prepared: PreparedCase[] = [];
  const diagnostics: Diagnostic[] = [];
  let fixturesShown: string | undefined;
  for (const root of context.roots) {
    const dir = fixtureFolderFor(job.file, context.config.rules, root, context.cwd);
    const fixtures = loadRuleFixtures(dir, { cwd: context.cwd, limits: context.config.limits });
    diagnostics.push(...fixtures.diagnostics);
    if (fixtures.cases.length > 0) fixturesShown ??= displayPath(dir, context.cwd);
    for (const fixture of fixtures.cases) {
      const lookups = fixture.lookups ? lookupTables(fixture.lookups) : undefined;
      prepared.push({
        fixture,
        overrides: { ...fixtures.fields, ...fixture.fields },
        ...(lookups ? { lookups } : {}),
      });
    }
  }
  diagnostics.push(
    ...lookupFindings(
      job,
      prepared.map((p) => p.fixture),
    ),
  );
  const exempt = exemptionOf(job);
  const run: RuleRun = {
    file: job.file,
    status: "passed",
    ...(exempt ? { exempt } : {}),
    ...(fixturesShown ? { fixtures: fixturesShown } : {}),
    cases: [],
    diagnostics,
    hasPositive: prepared.some((c) => c.fixture.expect === "match" || c.fixture.expect === "alert"),
    hasNegative: prepared.some((c) => c.fixture.expect === "no-match" || c.fixture.expect === "no-alert"),
    durationMs: 0,
  };
  const finish = (): RuleRun => {
    run.durationMs = performance.now() - started;
    return run;
  };
  const failAll = (status: "unsupported" | "error", message: string) => {
    run.status = status;
    run.message = message;
    run.cases = prepared.map((p) => failedCase(p.fixture, message));
    return finish();
  };

  if (!job.valid)
    return failAll("error", "the rule does not match the rule schema; fix what `dac validate` reports first");
  const engines = context.engines ?? defaultEngines;
  const engine = chooseEngine(job, engines);
  if (isUnsupported(engine)) {
    // With a chosen engine, say which one cannot run the rule (`unsupported: threshold on elasticsearch`).
    const on = context.engineLabel
      ? `${String(job.data.type ?? "unknown")} on ${context.engineLabel}`
      : undefined;
    return failAll("unsupported", `unsupported: ${on ?? engine.unsupported}`);
  }

  // In-memory engines compile once up front: a query that cannot compile fails the rule as a whole, and
  // coverage and mutation reuse the closures.
  let compiled: CompiledRule | undefined;
  if (engine.compile) {
    try {
      compiled = engine.compile(job, engineContext(job, context, {}));
    } catch (error) {
      if (error instanceof EngineError)
        return failAll("error", `the query cannot be evaluated: ${error.message}`);
      throw error;
    }
  }

  // An ES|QL rule names its indices in its FROM command.
  const patterns =
    job.data.type === "esql"
      ? esqlIndexPatterns(job)
      : Array.isArray(job.data.index)
        ? job.data.index.filter((p): p is string => typeof p === "string")
        : [];
  const runnable = prepared.filter((p) => !p.fixture.todo);
  const clock = context.now ?? new Date();
  for (const p of runnable) {
    if (!isAlertCase(p.fixture)) continue;
    try {
      p.plan = planAlertCase(job, p.fixture, clock);
    } catch (error) {
      if (error instanceof DateMathError)
        return failAll("error", `the rule's lookback window cannot be resolved: ${error.message}`);
      throw error;
    }
    diagnostics.push(...p.plan.diagnostics);
    // An event from an index the rule does not read is not in the execution at all.
    p.searchable = p.fixture.events
      .map((e, i) => ({ i, index: e.index ?? p.fixture.index }))
      .filter((x) => x.index === undefined || patterns.length === 0 || indexCovered(patterns, x.index))
      .map((x) => x.i);
  }
  const itemIds = (job.exceptions?.items ?? []).map((e) => e.item.item_id);
  if (itemIds.length > 0) {
    const byCatalog = new Map<FieldCatalog, CompiledExceptions>();
    try {
      for (const p of runnable) {
        const catalog = engineContext(job, context, p.overrides).catalog;
        const now = p.plan?.now ?? clock;
        const key = catalog;
        let compiledExceptions = p.plan ? undefined : byCatalog.get(key);
        if (!compiledExceptions) {
          compiledExceptions = compileExceptions(job.exceptions!.items, job.exceptions!.valueLists, catalog, {
            now,
          });
          if (!p.plan) byCatalog.set(key, compiledExceptions);
        }
        const c = compiledExceptions;
        p.removed = p.fixture.events.map((e) => c.removedBy(e.document));
        // Kibana's exceptions are a must_not of the rule's search: removed events never reach the executor. An
        // engine that sends that must_not itself gets every event, and its answer is checked against `removed`.
        if (p.searchable && !engine.appliesExceptions)
          p.searchable = p.searchable.filter((i) => p.removed![i]!.length === 0);
      }
    } catch (error) {
      if (error instanceof ExceptionEvaluationError)
        return failAll("error", `the rule's exceptions cannot be evaluated: ${error.message}`);
      throw error;
    }
  }
  const options: ExecuteOptions = {
    ...(context.now ? { now: context.now } : {}),
    ...(engine.appliesExceptions && job.exceptions && itemIds.length > 0
      ? { exceptions: { ...job.exceptions, now: clock } }
      : {}),
  };
  const executed = performance.now();
  let answer: RuleExecutions;
  try {
    // Cases with earlier executions run those first, one after another: each one's alerts shape the next.
    for (const p of runnable)
      if (p.plan && p.plan.earlier.length > 0 && p.plan.diagnostics.length === 0)
        await runEarlierExecutions(
          job,
          p,
          engine,
          engineContext(job, context, p.overrides).catalog,
          context,
          options,
        );

    answer = await engine.execute(
      job,
      runnable.map((p) => {
        const catalog = engineContext(job, context, p.overrides).catalog;
        if (!p.plan)
          return {
            events: p.fixture.events.map((e) => e.document),
            catalog,
            ...(p.lookups ? { lookups: p.lookups } : {}),
          };
        return alertExecution(job, p, catalog, context);
      }),
      options,
    );
  } catch (error) {
    // The cluster lacks what the rule needs (`unsupported: eql on this cluster`): not a defect of the rule.
    if (error instanceof EngineError && error.message.startsWith("unsupported: "))
      return failAll("unsupported", error.message);
    if (error instanceof EngineError)
      return failAll("error", `the query cannot be evaluated: ${error.message}`);
    throw error;
  }
  if (answer.notes?.length) run.notes = answer.notes;
  const totalEvents = runnable.reduce((n, p) => n + p.fixture.events.length, 0) || 1;
  const elapsed = performance.now() - executed;
  const outcomes: CaseOutcome[] = [];
  let next = 0;
  for (const p of prepared) {
    if (p.fixture.todo) {
      run.cases.push(failedCase(p.fixture, `not filled in yet: ${p.fixture.todo}`));
      continue;
    }
    const execution = answer.executions[next++]!;
    if (execution.error !== undefined) {
      run.cases.push(
        failedCase(p.fixture, `the query cannot be evaluated with this case's fields: ${execution.error}`),
      );
      continue;
    }
    const share = (elapsed * p.fixture.events.length) / totalEvents;
    const disagreements = options.exceptions ? exceptionDisagreements(p, execution.events) : [];
    if (disagreements.length > 0) {
      run.cases.push(failedCase(p.fixture, disagreements.join("; ")));
      continue;
    }
    if (p.plan && options.exceptions) {
      const matched = p.fixture.events.map(() => false);
      p.searchable!.forEach((i, k) => (matched[i] = execution.events[k]?.matched === true));
      p.queryMatched = matched;
    }
    if (p.plan) {
      const judged = judgeExecution(
        job,
        p,
        execution.events,
        execution.alerts,
        [...answer.fields, ...groupingFields(job)],
        patterns,
        context,
      );
      outcomes.push({
        prepared: p,
        events: judged.events,
        passed: judged.verdict.passed,
        alerted: judged.alerted,
      });
      run.cases.push(alertCaseResult(p.fixture, judged.verdict, share));
      continue;
    }
    const outcome = judgeCase(p.fixture, execution.events, patterns, p.removed);
    outcomes.push({ prepared: p, ...outcome });
    run.cases.push(caseResult(p.fixture, outcome, answer.fields, patterns, share));
  }
  if (job.exceptions && itemIds.length > 0) {
    run.exceptions = exceptionResults(job, outcomes, compiled, clock);
    run.diagnostics.push(...exceptionFindings(job, run.exceptions, outcomes));
  }

  if (context.coverage && compiled?.clauses)
    run.coverage = coverageOf(compiled, outcomes, (lookups) =>
      engine.compile!(job, engineContext(job, context, {}, lookups)),
    );
  if (context.mutate && compiled?.mutants)
    run.mutation = mutationOf(job, compiled, (c) => engine.compile!(job, c), outcomes, context, patterns);
  const failed = run.cases.some((c) => c.status === "failed");
  run.status = failed ? "failed" : run.cases.length === 0 && exempt ? "exempt" : "passed";
  return finish();
}

function overridesKey(overrides: FieldOverrides): string {
  return JSON.stringify(Object.entries(overrides).sort());
}

function engineContext(
  rule: EngineRule,
  context: JobContext,
  overrides: FieldOverrides,
  lookups?: LookupTables,
): EngineContext {
  return {
    catalog: context.catalogFor
      ? context.catalogFor(rule, overrides)
      : ruleFieldCatalog(rule.data, context.config, overrides),
    ...(context.now ? { now: context.now } : {}),
    ...(lookups ? { lookups } : {}),
  };
}

/** A case's `lookups:` as the engines take them: each name's documents. */
function lookupTables(lookups: FixtureLookups): LookupTables {
  const out: Record<string, EventDocument[]> = {};
  for (const [name, table] of Object.entries(lookups.tables))
    Object.defineProperty(out, name, { value: table.rows.map((r) => r.document), enumerable: true });
  return out;
}

/**
 * `lookups:` where it cannot apply: on a rule that is not ES|QL (nothing would read the rows), and, on an ES|QL
 * rule, a name that no `LOOKUP JOIN` or `ENRICH` of the query uses (a typo would leave the real name without rows).
 */
function lookupFindings(rule: EngineRule, fixtures: readonly FixtureCase[]): Diagnostic[] {
  const withLookups = fixtures.filter((f) => f.lookups);
  if (withLookups.length === 0) return [];
  const at = (l: SourceLocation, message: string, hint: string): Diagnostic =>
    diagnosticAtPosition(l.file, "DAC506", message, l, l, hint);
  if (rule.data.type !== "esql" || languageOf(rule) !== "esql")
    return withLookups.map((f) =>
      at(
        f.lookups!.location,
        `\`lookups\` gives rows to ES|QL's LOOKUP JOIN and ENRICH; this rule is \`type: ${String(rule.data.type)}\``,
        rule.data.type === "threat_match"
          ? "an indicator match rule's threat index documents go under `indicators`"
          : "drop `lookups`",
      ),
    );
  const used = esqlLookupNames(rule);
  if (!used) return [];
  const names = [...used].map((n) => `\`${n}\``).join(", ") || "none";
  return withLookups.flatMap((f) =>
    Object.entries(f.lookups!.tables)
      .filter(([name]) => !used.has(name))
      .map(([name, table]) =>
        at(
          table.location,
          `the query has no LOOKUP JOIN or ENRICH that reads \`${name}\``,
          `the query's lookup indices and enrich policies: ${names}`,
        ),
      ),
  );
}

interface EventOutcome {
  event: FixtureEvent;
  index?: string;
  /** False when the index is not one the rule searches (the query is not the reason). */
  indexCovered: boolean;
  matched: boolean;
  /** The rule's query matched the event, and these exception items removed it (so `matched` is false). */
  suppressedBy?: string[];
  /** The engine could not evaluate the event. */
  error?: string;
  explain(): string;
}

interface CaseOutcome {
  prepared: PreparedCase;
  events: EventOutcome[];
  passed: boolean;
  /** Alert cases: the events that are part of an alert. */
  alerted?: Set<number>;
}

/**
 * An alert case's verdict: the engine's evaluations and alerts (over the searchable events) mapped back to the
 * case's events, then judged.
 */
function judgeExecution(
  rule: EngineRule,
  p: PreparedCase,
  evaluations: readonly Evaluation[],
  alerts: readonly Alert[],
  fields: readonly string[],
  patterns: string[],
  context: JobContext,
) {
  const searchable = p.searchable!;
  const byCase: Evaluation[] = p.fixture.events.map((_, i) => ({
    matched: false,
    explain: () => {
      const removed = p.removed?.[i] ?? [];
      return removed.length > 0
        ? `✗ removed by exception item ${removed.map((id) => `\`${id}\``).join(", ")}: the rule's search never returns it`
        : "";
    },
  }));
  const covered = p.fixture.events.map(() => false);
  searchable.forEach((i, k) => {
    // An engine that applied the exceptions returns the removed events too (checked against `removed`): they
    // read as on the in-memory path, never searched.
    if ((p.removed?.[i]?.length ?? 0) > 0) return;
    byCase[i] = evaluations[k]!;
    covered[i] = true;
  });
  for (const [i, reason] of p.excluded ?? []) {
    byCase[i] = { matched: false, explain: () => reason };
    covered[i] = true;
  }
  const events = p.fixture.events.map((event, i) => judgeEvent(event, p.fixture.index, byCase[i]!, patterns));
  let mapped: Alert[] = alerts.map((a) => ({ ...a, events: a.events.map((k) => searchable[k]!) }));
  let carried: ReturnType<typeof carryExecution> | undefined;
  if (p.history) {
    carried = carryExecution(rule, mapped, p.plan!.now, p.history);
    mapped = carried.created;
  }
  const verdict = judgeAlertCase({
    rule,
    fixture: p.fixture,
    plan: p.plan!,
    evaluations: events.map((e) => ({
      matched: e.matched,
      ...(e.error !== undefined ? { error: e.error } : {}),
      explain: e.explain,
    })),
    covered,
    alerts: mapped,
    ...(p.excluded && p.excluded.size > 0 ? { excluded: p.excluded } : {}),
    ...(carried
      ? {
          carried: {
            suppressed: carried.suppressed.map(
              (s) =>
                `an alert for group ${termsOf(s.alert)} was suppressed into the alert of the execution at ${new Date(s.into.start).toISOString()} (alert_suppression.duration${s.dropped ? ", which already covers its events" : ""})`,
            ),
            duplicates: carried.duplicates.length,
          },
        }
      : {}),
    catalog: engineContext(rule, context, p.overrides).catalog,
    trim: (document) => trimEvent(document, fields),
  });
  return { events, verdict, alerted: new Set(mapped.flatMap((a) => a.events)) };
}

function termsOf(alert: Alert): string {
  const terms = (alert.document["kibana.alert.suppression.terms"] ?? []) as {
    field: string;
    value: unknown;
  }[];
  return (
    terms.map((t) => `${t.field}=${t.value === null ? "(missing)" : String(t.value)}`).join(", ") ||
    "(all events)"
  );
}

/**
 * Runs a case's `earlier_executions` in order on the engine, each over its own window and the events the
 * threshold signal history still lets through, and leaves on the case the history and the events the judged
 * execution (at `now`) no longer searches. An earlier execution that fails leaves the history as it was.
 */
async function runEarlierExecutions(
  rule: EngineRule,
  p: PreparedCase,
  engine: Engine,
  catalog: FieldCatalog,
  context: JobContext,
  options: ExecuteOptions,
): Promise<void> {
  const plan = p.plan!;
  const all = p.searchable!;
  const documents = p.fixture.events.map((e) => e.document);
  let history = emptyHistory();
  const allowed = (h: ExecutionHistory) => {
    const excluded = thresholdHistoryExclusions(rule, documents, plan.times, h, catalog);
    return { subset: all.filter((i) => !excluded[i]), excluded };
  };
  for (const run of plan.earlier) {
    const { subset } = allowed(history);
    const execution: Execution = {
      ...alertExecution(rule, p, catalog, context),
      events: subset.map((i) => documents[i]!),
      range: run.window,
      now: run.now,
    };
    const answer = await engine.execute(rule, [execution], options);
    const result = answer.executions[0];
    if (!result || result.error !== undefined) continue;
    const alerts = result.alerts.map((a) => ({ ...a, events: a.events.map((k) => subset[k]!) }));
    history = carryExecution(rule, alerts, run.now, history).history;
  }
  const { subset, excluded } = allowed(history);
  p.history = history;
  p.searchable = subset;
  p.excluded = new Map();
  for (const i of all) {
    const entry = excluded[i];
    if (!entry) continue;
    const group = entry.terms.map((t) => `${t.field}=${String(t.value)}`).join(", ") || "(all events)";
    p.excluded.set(
      i,
      `✗ already counted by an earlier execution's threshold alert for group ${group}: the signal history keeps events at or before ${new Date(entry.lastSignal).toISOString()} out of later searches`,
    );
  }
}

/** What an alert case's report shows of an event besides the query's fields: its time and its group. */
function groupingFields(rule: EngineRule): string[] {
  const { primary, secondary } = ruleTimestamps(rule);
  const out = [primary, ...(secondary ? [secondary] : [])];
  if (rule.data.type === "threshold") {
    const t = thresholdOf(rule);
    out.push(...t.fields, ...(t.cardinality ? [t.cardinality.field] : []));
  }
  out.push(...(suppressionOf(rule)?.groupBy ?? []));
  return out;
}

/** Reruns an alert case in memory with another matcher or another rule (mutation testing). */
function rerunAlertCase(
  rule: EngineRule,
  p: PreparedCase,
  matcher: CompiledRule,
  patterns: string[],
  context: JobContext,
): boolean {
  const searchable = p.searchable!;
  const documents = searchable.map((i) => p.fixture.events[i]!.document);
  const evaluations = documents.map((d) => matcher.evaluate(d));
  // new_terms and indicator match: their own execution over the same matcher.
  const typed = typeExecution(
    rule,
    alertExecution(rule, p, engineContext(rule, context, p.overrides).catalog, context),
    matcher,
  );
  if (typed) {
    if (typed.error !== undefined) return false;
    return judgeExecution(rule, p, typed.events, typed.alerts, [], patterns, context).verdict.passed;
  }
  let alerts: Alert[];
  try {
    alerts = executeRule({
      rule,
      events: documents,
      matched: evaluations.map((e) => e.matched && e.error === undefined),
      window: p.plan!.window,
      executedAt: p.plan!.now,
      catalog: engineContext(rule, context, p.overrides).catalog,
    }).alerts;
  } catch (error) {
    if (error instanceof ExecutionError) return false;
    throw error;
  }
  return judgeExecution(rule, p, evaluations, alerts, [], patterns, context).verdict.passed;
}

/**
 * The execution of an alert case: its searchable events, window and `now`, and for an indicator match rule its
 * indicators (with their `_id` and `_index` when the file gives them) and the threat index's field types.
 */
function alertExecution(
  rule: EngineRule,
  p: PreparedCase,
  catalog: FieldCatalog,
  context: JobContext,
): Execution {
  const indicators = p.fixture.indicators;
  return {
    events: p.searchable!.map((i) => p.fixture.events[i]!.document),
    catalog,
    range: p.plan!.window,
    now: p.plan!.now,
    ...(p.lookups ? { lookups: p.lookups } : {}),
    ...(indicators
      ? {
          indicators: indicators.map((e) => ({
            document: e.document,
            ...(e.id !== undefined ? { id: e.id } : {}),
            ...(e.index !== undefined ? { index: e.index } : {}),
          })),
          indicatorCatalog: threatIndexCatalog(rule.data, context.config, p.overrides),
        }
      : {}),
  };
}

function alertCaseResult(
  fixture: FixtureCase,
  verdict: ReturnType<typeof judgeAlertCase>,
  durationMs: number,
): CaseResult {
  return {
    name: fixture.name,
    ...(fixture.description ? { description: fixture.description } : {}),
    expect: fixture.expect,
    status: verdict.passed ? "passed" : "failed",
    location: fixture.location,
    ...(fixture.index ? { index: fixture.index } : {}),
    events: fixture.events.length,
    ...(verdict.message ? { message: verdict.message } : {}),
    failures: verdict.failures,
    durationMs,
  };
}

/**
 * Where an engine that applied the exceptions itself (the node's `must_not`) and the in-memory evaluation of the
 * same items disagree on an event the rule's query matches: the node returned an event an item removes, or
 * dropped one no item removes. Each is named (event and item): neither side is trusted silently.
 */
function exceptionDisagreements(p: PreparedCase, evaluations: readonly Evaluation[]): string[] {
  if (!p.removed) return [];
  const positions = p.searchable ?? p.fixture.events.map((_, i) => i);
  const out: string[] = [];
  positions.forEach((i, k) => {
    const e = evaluations[k];
    if (!e || !e.matched || e.error !== undefined) return;
    const removed = p.removed![i] ?? [];
    const shown = removed.map((id) => `\`${id}\``).join(", ");
    if (removed.length > 0 && e.excepted !== true)
      out.push(
        `event ${i + 1}: the search with the exceptions returned it, but exception item ${shown} removes it in memory`,
      );
    else if (removed.length === 0 && e.excepted === true)
      out.push(
        `event ${i + 1}: the exceptions in the search removed it, but no exception item removes it in memory`,
      );
  });
  return out;
}

/**
 * A case's verdict from the engine's answer for each of its events, after the exceptions: an event the query
 * matches but an exception item removes does not match (Kibana's must_not), and is what `expect: suppressed`
 * asks for.
 */
function judgeCase(
  fixture: FixtureCase,
  evaluations: readonly Evaluation[],
  patterns: string[],
  removed?: readonly (readonly string[])[],
): { events: EventOutcome[]; passed: boolean } {
  const events = fixture.events.map((event, i) =>
    suppress(judgeEvent(event, fixture.index, evaluations[i]!, patterns), removed?.[i]),
  );
  return { events, passed: events.every((e) => eventPasses(fixture, e)) };
}

function suppress(outcome: EventOutcome, removed: readonly string[] | undefined): EventOutcome {
  if (!outcome.matched || !removed || removed.length === 0) return outcome;
  const shown = removed.map((id) => `\`${id}\``).join(", ");
  return {
    ...outcome,
    matched: false,
    suppressedBy: [...removed],
    explain: () =>
      [`✗ the query matches, but exception item ${shown} removes the event`, outcome.explain()].join("\n"),
  };
}

function eventPasses(fixture: FixtureCase, e: EventOutcome): boolean {
  if (e.error !== undefined) return false;
  if (fixture.expect === "suppressed")
    return e.suppressedBy !== undefined && (fixture.by === undefined || e.suppressedBy.includes(fixture.by));
  return e.matched === (fixture.expect === "match");
}

function runCase(
  p: PreparedCase,
  matcher: CompiledRule,
  patterns: string[],
): { events: EventOutcome[]; passed: boolean } {
  return judgeCase(
    p.fixture,
    p.fixture.events.map((event) => matcher.evaluate(event.document)),
    patterns,
    p.removed,
  );
}

function judgeEvent(
  event: FixtureEvent,
  caseIndex: string | undefined,
  evaluation: Evaluation,
  patterns: string[],
): EventOutcome {
  const index = event.index ?? caseIndex;
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

const events = (n: number) => `${n} event${n === 1 ? "" : "s"}`;

function caseResult(
  fixture: FixtureCase,
  outcome: { events: EventOutcome[]; passed: boolean },
  fields: readonly string[],
  patterns: string[],
  durationMs: number,
): CaseResult {
  const want = fixture.expect === "match";
  const against = outcome.events.filter((e) => !eventPasses(fixture, e));
  const errors = against.filter((e) => e.error !== undefined);
  const failures: EventFailure[] = against.map((e) => ({
    location: e.event.location,
    matched: e.matched,
    ...(e.index ? { index: e.index } : {}),
    event: trimEvent(e.event.document, fields),
    explanation: e.explain(),
  }));
  const total = outcome.events.length;
  let message: string | undefined;
  if (outcome.passed) message = undefined;
  else if (errors.length > 0)
    message = `the query cannot be evaluated on ${errors.length} of ${events(total)}: ${errors[0]!.error}`;
  else if (fixture.expect === "suppressed") {
    const unmatched = against.filter((e) => !e.suppressedBy && !e.matched).length;
    const kept = against.filter((e) => e.matched).length;
    const others = against.filter((e) => e.suppressedBy).length;
    const by = fixture.by ? `exception item \`${fixture.by}\`` : "an exception";
    message = `expected the rule to match and ${by} to remove every event, but ${[
      unmatched > 0 && `the rule does not match ${unmatched} of ${events(total)}`,
      kept > 0 && `no exception removes ${kept} of ${events(total)}`,
      others > 0 &&
        `${others} of ${events(total)} are removed by other items only (${[...new Set(against.flatMap((e) => e.suppressedBy ?? []))].join(", ")})`,
    ]
      .filter(Boolean)
      .join("; ")}`;
  } else if (want) {
    const index = against.some((e) => !e.indexCovered)
      ? ` (index not covered by ${patterns.join(", ")})`
      : "";
    message = `expected a match, but the rule did not match ${against.length} of ${events(total)}${index}`;
  } else message = `expected no match, but the rule matched ${against.length} of ${events(total)}`;
  if (!outcome.passed && want && against.some((e) => e.suppressedBy))
    message += `; exception item ${[...new Set(against.flatMap((e) => e.suppressedBy ?? []))].join(", ")} removed ${against.filter((e) => e.suppressedBy).length}`;
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

function coverageOf(
  compiled: CompiledRule,
  outcomes: CaseOutcome[],
  compileWith: (lookups: LookupTables) => CompiledRule,
): NonNullable<RuleRun["coverage"]> {
  // A case with `lookups:` has its own clause tests (a WHERE after a LOOKUP JOIN reads the case's rows); the
  // trees are the same query's, so their counts add up position by position.
  const groups = new Map<
    LookupTables | undefined,
    { positives: EventDocument[]; negatives: EventDocument[] }
  >();
  for (const o of outcomes) {
    const expect = o.prepared.fixture.expect;
    const key = o.prepared.lookups;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { positives: [], negatives: [] }));
    const { positives, negatives } = group;
    o.events.forEach((e, i) => {
      if (!e.indexCovered) return;
      // An alert case's positives are the events its alerts come from.
      if (expect === "alert" && o.alerted?.has(i)) positives.push(e.event.document);
      if (expect === "match" && e.matched) positives.push(e.event.document);
      if ((expect === "no-match" || expect === "no-alert") && !e.matched) negatives.push(e.event.document);
    });
  }
  if (groups.size === 0) groups.set(undefined, { positives: [], negatives: [] });
  let counts: ReturnType<typeof measureCoverage> | undefined;
  for (const [lookups, group] of groups) {
    const tree = (lookups ? compileWith(lookups) : compiled).clauses!();
    const more = measureCoverage(tree, group.positives, group.negatives);
    if (!counts) {
      counts = more;
      continue;
    }
    more.clauses.forEach((c, k) => {
      counts!.clauses[k]!.positives += c.positives;
      counts!.clauses[k]!.negatives += c.negatives;
    });
    more.branches.forEach((b, k) => (counts!.branches[k]!.positives += b.positives));
  }
  const branches = counts!.branches;
  const covered = branches.filter((b) => b.positives > 0).length;
  counts!.branchPercent = branches.length === 0 ? 100 : Math.floor((covered / branches.length) * 100);
  return {
    clauses: counts!.clauses.map((c) => ({
      text: c.node.text,
      span: c.node.span,
      positives: c.positives,
      negatives: c.negatives,
    })),
    branches: counts!.branches.map((b) => ({ text: b.node.text, span: b.node.span, positives: b.positives })),
    branchPercent: counts!.branchPercent,
  };
}

/**
 * Mutants run per rule. Each one reruns every passing case, and a wide or deep query has thousands: past this
 * many the rest are counted and reported as skipped.
 */
export const MAX_MUTANTS = 200;

function mutationOf(
  rule: EngineRule,
  compiled: CompiledRule,
  compileRule: (context: EngineContext) => CompiledRule,
  outcomes: CaseOutcome[],
  context: JobContext,
  patterns: string[],
): NonNullable<RuleRun["mutation"]> {
  // Only cases that pass on the real query can tell a mutant apart.
  const passing = outcomes.filter((o) => o.passed);
  const originals = new Map<string, CompiledRule | null>();
  // A case with lookups compiles with its own rows: its key is its own.
  const keyOf = (p: PreparedCase): string =>
    p.lookups
      ? `${overridesKey(p.overrides)}\u0000${outcomes.findIndex((o) => o.prepared === p)}`
      : overridesKey(p.overrides);
  const compiledFor = (p: PreparedCase): CompiledRule | null => {
    const key = keyOf(p);
    if (!originals.has(key)) {
      try {
        originals.set(key, compileRule(engineContext(rule, context, p.overrides, p.lookups)));
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        originals.set(key, null);
      }
    }
    return originals.get(key)!;
  };
  const survivors: NonNullable<RuleRun["mutation"]>["survivors"] = [];
  let mutants = 0;
  const { mutants: all, skipped } = compiled.mutants!(MAX_MUTANTS);
  for (const mutant of all) {
    const byOverrides = new Map<string, CompiledRule | null>();
    const mutantFor = (p: PreparedCase): CompiledRule | null => {
      const key = keyOf(p);
      if (!byOverrides.has(key)) {
        try {
          byOverrides.set(key, mutant.compile(engineContext(rule, context, p.overrides, p.lookups)));
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
      const passed = o.prepared.plan
        ? rerunAlertCase(rule, o.prepared, matcher, patterns, context)
        : runCase(o.prepared, matcher, patterns).passed;
      if (!passed) {
        killed = true;
        break;
      }
    }
    if (!valid) continue;
    mutants++;
    if (!killed)
      survivors.push({
        operator: mutant.operator,
        description: mutant.description,
        query: mutant.query,
        span: mutant.span,
      });
  }
  // Mutants of the rule's settings (threshold fields and values): the same query, another rule.
  const alertCases = passing.filter((o) => o.prepared.plan);
  for (const mutant of [...ruleMutants(rule), ...typeMutants(rule)]) {
    if (alertCases.length === 0) break;
    const variant: EngineRule = { file: rule.file, data: mutant.data };
    const killed = alertCases.some((o) => {
      const matcher = compiledFor(o.prepared);
      return matcher !== null && !rerunAlertCase(variant, o.prepared, matcher, patterns, context);
    });
    mutants++;
    if (!killed)
      survivors.push({
        operator: mutant.operator,
        description: mutant.description,
        query: mutant.shown,
        span: { start: 0, end: 0 },
        path: mutant.path,
      });
  }
  return { mutants, skipped, survivors };
}

/** Per exception item: the cases in which it removed an event that the rule's query matched. */
function exceptionResults(
  job: RuleJob,
  outcomes: readonly CaseOutcome[],
  compiled: CompiledRule | undefined,
  clock: Date,
): ExceptionItemResult[] {
  const suppressedIn = new Map<string, Set<string>>();
  const note = (id: string, name: string) => {
    let names = suppressedIn.get(id);
    if (!names) suppressedIn.set(id, (names = new Set()));
    names.add(name);
  };
  for (const o of outcomes) {
    const p = o.prepared;
    if (!p.plan) {
      for (const e of o.events) for (const id of e.suppressedBy ?? []) note(id, p.fixture.name);
      continue;
    }
    // Alert cases: the removed events were never searched; they count when the query alone matches them.
    p.removed?.forEach((ids, i) => {
      if (ids.length === 0) return;
      const document = p.fixture.events[i]!.document;
      if (compiled ? !compiled.evaluate(document).matched : p.queryMatched?.[i] === false) return;
      for (const id of ids) note(id, p.fixture.name);
    });
  }
  return job.exceptions!.items.map(({ item, list_id, location }) => ({
    itemId: item.item_id,
    listId: list_id,
    location,
    suppressed: [...(suppressedIn.get(item.item_id) ?? [])],
    ...(isExpired(item, clock) ? { expired: true } : {}),
  }));
}

/**
 * DAC710: an item no case shows suppressing anything ("untested exception"). DAC709: the exceptions remove every
 * positive case of the rule (each of its matching events), so the rule, as published, would never alert.
 */
function exceptionFindings(
  job: RuleJob,
  results: readonly ExceptionItemResult[],
  outcomes: readonly CaseOutcome[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (r: ExceptionItemResult) => ({ line: r.location.line, column: r.location.column });
  for (const r of results) {
    if (r.expired || r.suppressed.length > 0) continue;
    out.push(
      diagnosticAtPosition(
        r.location.file,
        "DAC710",
        `untested exception: item \`${r.itemId}\` (list \`${r.listId}\`) suppresses no fixture case of ${job.file}`,
        at(r),
        at(r),
        `add a case with \`expect: suppressed\` and \`by: ${r.itemId}\`, and a near miss it must not suppress`,
      ),
    );
  }
  const positives = outcomes.filter(
    (o) => o.prepared.fixture.expect === "match" || o.prepared.fixture.expect === "alert",
  );
  const removedAll = (o: CaseOutcome) => {
    const p = o.prepared;
    if (!p.plan) return o.events.length > 0 && o.events.every((e) => e.suppressedBy !== undefined);
    return (
      (p.removed ?? []).some((ids) => ids.length > 0) &&
      (p.searchable ?? []).every((i) => (p.removed?.[i]?.length ?? 0) > 0)
    );
  };
  if (positives.length > 0 && positives.every(removedAll)) {
    const items = new Set(
      positives.flatMap((o) => [
        ...o.events.flatMap((e) => e.suppressedBy ?? []),
        ...(o.prepared.removed ?? []).flat(),
      ]),
    );
    const first = results.find((r) => items.has(r.itemId)) ?? results[0]!;
    out.push(
      diagnosticAtPosition(
        first.location.file,
        "DAC709",
        `the exceptions of ${job.file} remove every positive case: ${positives.map((o) => `\`${o.prepared.fixture.name}\``).join(", ")} (by ${[...items].map((id) => `\`${id}\``).join(", ")})`,
        at(first),
        at(first),
        "narrow the exception so that what the rule exists to catch still alerts, and keep a positive case for it",
      ),
    );
  }
  return out;
}
