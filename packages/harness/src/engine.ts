/**
 * Engines behind one interface: the harness asks for "an engine for this rule" and never looks at the query
 * language itself. An engine answers one question: for one execution of this rule at `now`, over these events,
 * which alerts would Kibana's detection engine write (`Engine.execute`, asynchronous so that an engine can do
 * I/O: the Elasticsearch engine indexes the events and searches them). A single-event query rule is the special
 * case "one alert per matching event", so an execution also says, per event, whether the rule's search returned
 * it. In-memory engines can also `compile` a rule into closures, which coverage, mutation and explanations use.
 * A rule no engine supports gets `{unsupported: "<type>/<language>"}`, which the runner reports as a failure,
 * never as a skip.
 */
import type { RuleExceptions } from "@dac/exceptions";
import type { FieldCatalog } from "@dac/fields";
import type { Rule } from "@dac/schema";
import { executeRule, ExecutionError } from "./alerts/execute.js";
import type { Alert } from "./alerts/document.js";
import type { EventDocument } from "./event-files.js";
import { flattenEvent } from "./trim.js";

export interface Evaluation {
  matched: boolean;
  /** Set when the engine cannot evaluate the event (Elasticsearch would reject the query): never a pass. */
  error?: string;
  /**
   * Only from an engine that applies the rule's exceptions itself (`Engine.appliesExceptions`): the rule's query
   * matches the event (`matched`), and the search with the exceptions in its `must_not` did not return it.
   */
  excepted?: boolean;
  /** Why, as display text; computed only when asked (failures, reports). */
  explain(): string;
}

export interface CompiledRule {
  evaluate(event: EventDocument): Evaluation;
  /** The field names the query reads, to trim events in failure reports (may contain `*`). */
  fields: readonly string[];
  /** The query's boolean structure with a test per leaf clause, for coverage (built on demand). */
  clauses?(): ClauseTree;
  /** Variants of the query for mutation testing (at most `limit`, and how many more there were), each compiled on demand. */
  mutants?(limit: number): { mutants: Mutant[]; skipped: number };
  /**
   * For a query whose alerts are not "one per matching event" (ES|QL's STATS): one whole execution with this
   * compiled query, which mutation testing reruns for each mutant.
   */
  execute?(rule: EngineRule, execution: Execution): ExecutionResult;
}

/** A query's boolean structure. `span` is the clause's place in the query text. */
export type ClauseTree =
  | { kind: "and" | "or"; children: ClauseTree[]; text: string; span: TextSpan }
  | { kind: "not"; child: ClauseTree; text: string; span: TextSpan }
  | { kind: "leaf"; text: string; span: TextSpan; test(event: EventDocument): boolean };

export interface TextSpan {
  start: number;
  end: number;
}

export interface Mutant {
  /** `drop-clause`, `swap-and-or`, `remove-not`, `change-literal`, `widen-wildcard`. */
  operator: string;
  description: string;
  /** The whole mutated query as text. */
  query: string;
  /** Where in the original query the change is. */
  span: TextSpan;
  /** Compiles the mutant against a catalogue (a case's field overrides apply to mutants too). */
  compile(context: EngineContext): CompiledRule;
}

/**
 * The first `limit` mutations of a query as mutants, and how many were left out, for languages that list their
 * mutations up front (EQL, ES|QL); each mutant is printed and compiled only when asked for.
 */
export function boundedMutants<
  M extends { query: Q; operator: string; description: string; span: TextSpan },
  Q,
>(
  all: readonly M[],
  limit: number,
  print: (query: Q) => string,
  compile: (query: Q, context: EngineContext) => CompiledRule,
): { mutants: Mutant[]; skipped: number } {
  return {
    mutants: all.slice(0, limit).map((m) => ({
      operator: m.operator,
      description: m.description,
      query: print(m.query),
      span: m.span,
      compile: (context: EngineContext) => compile(m.query, context),
    })),
    skipped: Math.max(0, all.length - limit),
  };
}

export interface EngineContext {
  catalog: FieldCatalog;
  /** The clock for relative dates (`now-1d`); fixed in tests. */
  now?: Date;
  /** A fixture case's lookup rows (ES|QL's LOOKUP JOIN and ENRICH), for the per-event evaluation of its events. */
  lookups?: LookupTables;
}

/** One execution of a rule: the events it sees and when it runs. */
export interface Execution {
  /** The events in the rule's source indices for this execution. */
  events: readonly EventDocument[];
  /** The field types of those events (a fixture case's field overrides change them). */
  catalog: FieldCatalog;
  /**
   * The time range the execution searches (Kibana's `from`/`to` resolved at `now`). Absent: every event is in
   * range, which is how `expect: match | no-match` fixture cases judge each event on its own.
   */
  range?: { from: Date; to: Date };
  /** When the execution runs: the alerts' `@timestamp` (default: `ExecuteOptions.now`, else the clock). */
  now?: Date;
  /** An indicator match rule's `threat_index` documents (fixture `indicators:`), with their own field types. */
  indicators?: readonly IndicatorInput[];
  indicatorCatalog?: FieldCatalog;
  /** An ES|QL rule's LOOKUP JOIN index and ENRICH policy rows, by name (fixture `lookups:`). */
  lookups?: LookupTables;
}

/** Rows of lookup indices (LOOKUP JOIN) and enrich policies (ENRICH), by index or policy name. */
export type LookupTables = Readonly<Record<string, readonly EventDocument[]>>;

/**
 * One document of an indicator index. `id` and `index` (a search hit's `_id` and `_index`, which enrichments
 * name) default to `indicator-<position from 1>` and the rule's first `threat_index` pattern.
 */
export interface IndicatorInput {
  document: EventDocument;
  id?: string;
  index?: string;
}

export interface ExecutionResult {
  /** Set when this execution could not run at all (the query does not compile with these field types). */
  error?: string;
  /** Per event of the execution, in order: did the rule's search return it. */
  events: Evaluation[];
  /**
   * The alerts Kibana would write, in Kibana's order, each a Kibana-shaped alert document with its source events
   * (positions in `events`). A query rule writes one alert per returned event, at most `max_signals`: the
   * earliest by the rule's timestamp; grouped types one per group (see `alerts/execute.ts`).
   */
  alerts: Alert[];
}

export interface RuleExecutions {
  executions: ExecutionResult[];
  /** The field names the query reads, to trim events in failure reports (may contain `*`). */
  fields: readonly string[];
  /** What the run should know about how the engine ran the rule (a field type the node lacks, say). */
  notes?: string[];
}

export interface ExecuteOptions {
  /** The clock for relative dates (`now-1d`); fixed in tests. */
  now?: Date;
  /**
   * The rule's exception items and the value lists they name, given to an engine that applies them itself
   * (`Engine.appliesExceptions`). `now` decides which items have expired; an execution's own `now` wins.
   */
  exceptions?: RuleExceptions & { now: Date };
}

export interface Engine {
  name: string;
  supports(rule: EngineRule): boolean;
  /**
   * Runs every execution of one rule. Throws `EngineError` when the rule cannot run at all (a query syntax
   * error, say); a problem of one execution only is that execution's `error`.
   */
  execute(
    rule: EngineRule,
    executions: readonly Execution[],
    options?: ExecuteOptions,
  ): Promise<RuleExecutions>;
  /**
   * In-memory engines compile a rule into closures; coverage, mutation and `dac kql explain` need this. Throws
   * `EngineError` when the rule cannot be compiled.
   */
  compile?(rule: EngineRule, context: EngineContext): CompiledRule;
  /** How many rules the harness may run at once on this engine (default 1: in memory, more gains nothing). */
  concurrency?: number;
  /**
   * The engine puts the rule's exceptions (`ExecuteOptions.exceptions`) into its requests, as Kibana does. The
   * harness then gives it every event (no in-memory pre-filter) and checks each `excepted` against the in-memory
   * verdict. Without it, the harness removes the excepted events itself before the engine runs.
   */
  appliesExceptions?: boolean;
}

export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineError";
  }
}

export type EngineChoice = Engine | { unsupported: string };

/** What engines read of a rule: its file name and its data (never the YAML source), so jobs can cross threads. */
export type EngineRule = Pick<Rule, "file" | "data">;

/** `<type>/<language>` as Kibana would default it (a query rule without `language` is KQL). */
export function ruleEngineKey(rule: EngineRule): string {
  const type = typeof rule.data.type === "string" ? rule.data.type : "unknown";
  return `${type}/${languageOf(rule)}`;
}

export function languageOf(rule: EngineRule): string {
  const { type, language } = rule.data;
  if (typeof language === "string") return language;
  switch (type) {
    case "query":
    case "threshold":
    case "new_terms":
    case "threat_match":
    case "saved_query":
      return "kuery";
    case "eql":
      return "eql";
    case "esql":
      return "esql";
    default:
      return "none";
  }
}

export function chooseEngine(rule: EngineRule, engines: readonly Engine[]): EngineChoice {
  return engines.find((engine) => engine.supports(rule)) ?? { unsupported: ruleEngineKey(rule) };
}

export function isUnsupported(choice: EngineChoice): choice is { unsupported: string } {
  return "unsupported" in choice;
}

/**
 * When an event happened for the rule: its `timestamp_override` (falling back to `@timestamp` unless the rule
 * disables it), else `@timestamp`; an event with neither counts as `now`.
 */
export function eventTime(rule: EngineRule, event: EventDocument, now = new Date()): number {
  const override =
    typeof rule.data.timestamp_override === "string" ? rule.data.timestamp_override : undefined;
  const fields = override
    ? rule.data.timestamp_override_fallback_disabled === true
      ? [override]
      : [override, "@timestamp"]
    : ["@timestamp"];
  const flat = flattenEvent(event);
  for (const field of fields) {
    const value = flat[field];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string" || typeof first === "number") {
      const t = typeof first === "number" ? first : Date.parse(first);
      if (!Number.isNaN(t)) return t;
    }
  }
  return now.getTime();
}

/** Kibana's default `max_signals`. */
export const DEFAULT_MAX_SIGNALS = 100;

export function maxSignalsOf(rule: EngineRule): number {
  const value = rule.data.max_signals;
  return typeof value === "number" && value > 0 ? value : DEFAULT_MAX_SIGNALS;
}

/**
 * `execute` for an engine that compiles in memory: each execution's events are evaluated on their own with the
 * rule compiled for that execution's catalogue, then `executeRule` turns the matches inside the execution's
 * range into the alerts the rule's type writes.
 */
export function executeInMemory(
  rule: EngineRule,
  executions: readonly Execution[],
  compile: (context: EngineContext) => CompiledRule,
  options: ExecuteOptions = {},
): RuleExecutions {
  let fields: readonly string[] = [];
  const results = executions.map((execution): ExecutionResult => {
    let compiled: CompiledRule;
    try {
      compiled = compile({ catalog: execution.catalog, ...(options.now ? { now: options.now } : {}) });
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      return { error: error.message, events: [], alerts: [] };
    }
    fields = compiled.fields;
    const events = execution.events.map((event) => compiled.evaluate(event));
    try {
      const { alerts } = executeRule({
        rule,
        events: execution.events,
        matched: events.map((e) => e.matched && e.error === undefined),
        ...(execution.range ? { window: execution.range } : {}),
        executedAt: execution.now ?? options.now ?? new Date(),
        catalog: execution.catalog,
      });
      return { events, alerts };
    } catch (error) {
      if (!(error instanceof ExecutionError)) throw error;
      return { error: error.message, events, alerts: [] };
    }
  });
  return { executions: results, fields };
}
