/**
 * The in-memory ES|QL engine: ES|QL rules (`type: esql`) run as Kibana's ES|QL executor runs them
 * (elastic/kibana x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/esql/
 * esql.ts), with `@dac/esql`'s evaluator in place of Elasticsearch:
 *
 * - the lookback window is a filter on the FROM indices (`build_esql_search_request.ts`: the request's `filter`
 *   holds `buildTimeRangeFilter`), so only the events inside it are the query's input;
 * - `| limit <max_signals + 1>` is appended to the query (`esql.ts`: `size = tuple.maxSignals + 1`);
 * - the result table becomes alerts as `esql-alerts.ts` describes (one per source document for a
 *   non-aggregating query with `METADATA _id`, one per row otherwise, `max_signals` at most, suppression).
 *
 * Per event (`expect: match | no-match`, coverage, explanations): a non-aggregating query matches an event when
 * the query over that event alone returns a row; for an aggregating query, an event "matches" when it reaches the
 * first `STATS` (it passes the commands before it). An alert of an aggregating query comes from the events whose
 * `BY` values are the row's.
 */
import {
  EsqlEvaluationError,
  EsqlSyntaxError,
  evaluateEsql,
  fieldsOf,
  isAggregating,
  parseEsql,
  traceEsql,
} from "@dac/esql";
import type { EsqlQuery, StatsCommand } from "@dac/esql";
import type { FieldCatalog } from "@dac/fields";
import { inWindow, ruleEventTime } from "./alerts/window.js";
import type { TimeWindow } from "./alerts/window.js";
import { EngineError, languageOf, maxSignalsOf } from "./engine.js";
import type {
  CompiledRule,
  Engine,
  EngineContext,
  EngineRule,
  Evaluation,
  ExecutionResult,
  LookupTables,
  RuleExecutions,
} from "./engine.js";
import { esqlAlerts, esqlRows, lookupInput } from "./esql-alerts.js";
import type { EsqlTable } from "./esql-alerts.js";
import { esqlClauses, esqlMutants } from "./esql-mutants.js";
import type { EventDocument } from "./event-files.js";
import { formatTrace, rowsEnd, traceSteps } from "./esql-explain.js";
import type { TraceStep } from "./esql-explain.js";

/** The rule's ES|QL query, parsed; a syntax error becomes an engine error with its place. */
export function parseEsqlRule(rule: EngineRule): EsqlQuery {
  const query = typeof rule.data.query === "string" ? rule.data.query : "";
  try {
    return parseEsql(query);
  } catch (error) {
    if (error instanceof EsqlSyntaxError)
      throw new EngineError(`syntax error at line ${error.line}, column ${error.column}: ${error.message}`);
    throw error;
  }
}

/** `explain`: the rows after each command (`traceEsql`), trimmed. */
function explainRows(
  rule: EngineRule,
  ast: EsqlQuery,
  rows: readonly EventDocument[],
  catalog: FieldCatalog,
  now: Date | undefined,
  lookups: LookupTables | undefined,
  options: { verdict: string | ((steps: readonly TraceStep[]) => string) },
): string {
  try {
    const { steps } = traceEsql(ast, {
      rows: [...rows],
      catalog,
      ...(now ? { now } : {}),
      ...lookupInput(lookups),
    });
    return formatTrace(traceSteps(ast, steps), options);
  } catch (error) {
    if (error instanceof EsqlEvaluationError) return `✗ ${error.message}`;
    throw error;
  }
}

interface EsqlRun {
  table: EsqlTable;
  warnings: readonly string[];
}

/** The index patterns of the rule's FROM command (none when the query does not parse, or starts with ROW). */
export function esqlIndexPatterns(rule: EngineRule): string[] {
  try {
    const ast = parseEsqlRule(rule);
    return ast.source.type === "from" ? ast.source.indices.map((i) => i.pattern) : [];
  } catch (error) {
    if (error instanceof EngineError) return [];
    throw error;
  }
}

/**
 * The names the query's `LOOKUP JOIN` (index) and `ENRICH` (policy) commands read, which a fixture's `lookups:`
 * gives rows for; undefined when the query does not parse.
 */
export function esqlLookupNames(rule: EngineRule): Set<string> | undefined {
  try {
    const ast = parseEsqlRule(rule);
    return new Set(
      ast.commands.flatMap((c) =>
        c.type === "lookup_join" ? [c.index] : c.type === "enrich" ? [c.policy] : [],
      ),
    );
  } catch (error) {
    if (error instanceof EngineError) return undefined;
    throw error;
  }
}

/** Runs the query; an evaluation error (Elasticsearch would refuse the query) is an `EngineError`. */
function run(
  ast: EsqlQuery,
  rows: readonly EventDocument[],
  catalog: FieldCatalog,
  now: Date | undefined,
  lookups?: LookupTables,
): EsqlRun {
  try {
    const result = evaluateEsql(ast, {
      rows: [...rows],
      catalog,
      ...(now ? { now } : {}),
      ...lookupInput(lookups),
    });
    return { table: { columns: result.columns, values: result.values }, warnings: result.warnings ?? [] };
  } catch (error) {
    // The hint says what the fixture lacks (a LOOKUP JOIN index's rows under `lookups:`, say).
    if (error instanceof EsqlEvaluationError)
      throw new EngineError(error.hint ? `${error.message}; ${error.hint}` : error.message);
    throw error;
  }
}

/** The query up to (not including) its first `STATS`, and that command. */
export function beforeStats(ast: EsqlQuery): { prefix: EsqlQuery; stats?: StatsCommand } {
  const at = ast.commands.findIndex((c) => c.type === "stats");
  if (at < 0) return { prefix: ast };
  return { prefix: { ...ast, commands: ast.commands.slice(0, at) }, stats: ast.commands[at] as StatsCommand };
}

/** The `BY` columns of a `STATS`, by the name they have in its output. */
function groupColumns(stats: StatsCommand): string[] {
  return stats.groups
    .map((g) => g.name?.name ?? (g.value.type === "column" ? g.value.name : ""))
    .filter(Boolean);
}

const cell = (table: EsqlTable, row: readonly unknown[], name: string): string => {
  const i = table.columns.findIndex((c) => c.name === name);
  return i < 0 ? "\u0000absent" : JSON.stringify(row[i] ?? null);
};

function compileEsql(rule: EngineRule, context: EngineContext, ast = parseEsqlRule(rule)): CompiledRule {
  const aggregating = isAggregating(ast);
  const { prefix } = beforeStats(ast);
  const probe = aggregating ? prefix : ast;
  const fields = [...new Set(fieldsOf(ast).map((f) => f.name))];
  return {
    fields,
    evaluate(event): Evaluation {
      try {
        const { table } = run(probe, esqlRows([event], ["0"]), context.catalog, context.now, context.lookups);
        const matched = table.values.length > 0;
        return {
          matched,
          explain: () =>
            explainRows(rule, ast, esqlRows([event], ["0"]), context.catalog, context.now, context.lookups, {
              verdict: matched
                ? aggregating
                  ? "✓ the event reaches the STATS"
                  : "✓ the query returns a row for the event"
                : aggregating
                  ? "✗ the event does not reach the STATS"
                  : "✗ the query returns no row for the event",
            }),
        };
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        return { matched: false, error: error.message, explain: () => `✗ ${error.message}` };
      }
    },
    clauses: () => esqlClauses(ast, rule, context),
    mutants: (limit) => esqlMutants(rule, ast, limit, (mutant, ctx) => compileEsql(rule, ctx, mutant)),
    execute: (r, execution) =>
      executeEsql(r, ast, {
        events: execution.events,
        catalog: execution.catalog,
        ...(execution.range ? { window: execution.range } : {}),
        executedAt: execution.now ?? context.now ?? new Date(),
        ...(execution.lookups ? { lookups: execution.lookups } : {}),
      }),
  };
}

export interface EsqlExecutionInput {
  events: readonly EventDocument[];
  catalog: FieldCatalog;
  window?: TimeWindow;
  executedAt: Date;
  /** LOOKUP JOIN index and ENRICH policy rows, by name. */
  lookups?: LookupTables;
}

/** One execution in memory: the window's events through the query, the table into alerts. */
export function executeEsql(rule: EngineRule, ast: EsqlQuery, input: EsqlExecutionInput): ExecutionResult {
  const { events, window, executedAt, catalog, lookups } = input;
  const aggregating = isAggregating(ast);
  const searched = events
    .map((_, i) => i)
    .filter((i) => window === undefined || inWindow(ruleEventTime(rule, events[i]!), window));
  const ids = searched.map((i) => String(i));
  let result: EsqlRun;
  try {
    result = run(
      ast,
      esqlRows(
        searched.map((i) => events[i]!),
        ids,
      ),
      catalog,
      executedAt,
      lookups,
    );
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    return { error: error.message, events: [], alerts: [] };
  }
  // Kibana's `| limit <max_signals + 1>`.
  const table: EsqlTable = {
    columns: result.table.columns,
    values: result.table.values.slice(0, maxSignalsOf(rule) + 1),
  };
  const sources = new Map(searched.map((i) => [String(i), { position: i, document: events[i]! }]));
  const expanded = ast.commands.flatMap((c) => (c.type === "mv_expand" ? [c.column.name] : []));
  const alerts = esqlAlerts({
    rule,
    table,
    aggregating,
    sources,
    expandedFields: expanded.filter((f) => table.columns.some((c) => c.name === f)),
    ...(window ? { window } : {}),
    executedAt,
  });
  const compiled = compileEsql(rule, { catalog, now: executedAt, ...(lookups ? { lookups } : {}) }, ast);
  const perEvent = events.map((e) => compiled.evaluate(e));
  const env = { catalog, now: executedAt, lookups };
  if (aggregating) attributeRows(ast, alerts, table, searched, events, env, perEvent);
  const trace = lazyTrace(rule, ast, searched, events, env);
  const evaluations = perEvent.map((e, i): Evaluation => ({
    ...e,
    // An event that reaches the rows but is in no alert: the execution's trace says where its rows went.
    explain: () =>
      e.matched && !alerts.some((a) => a.events.includes(i)) && searched.includes(i) ? trace() : e.explain(),
  }));
  return { events: evaluations, alerts };
}

/** What a run of the query needs besides its rows. */
interface RunEnvironment {
  catalog: FieldCatalog;
  now: Date;
  lookups: LookupTables | undefined;
}

/** The execution's trace over all its searched events, computed once when asked. */
function lazyTrace(
  rule: EngineRule,
  ast: EsqlQuery,
  searched: number[],
  events: readonly EventDocument[],
  env: RunEnvironment,
): () => string {
  let text: string | undefined;
  return () =>
    (text ??= explainRows(
      rule,
      ast,
      esqlRows(
        searched.map((i) => events[i]!),
        searched.map(String),
      ),
      env.catalog,
      env.now,
      env.lookups,
      { verdict: (steps) => `✗ ${rowsEnd(steps)}\n  the execution's rows, command by command:` },
    ));
}

/** An aggregating alert's events: those whose `BY` values, before the STATS, are its row's. */
function attributeRows(
  ast: EsqlQuery,
  alerts: ReturnType<typeof esqlAlerts>,
  table: EsqlTable,
  searched: number[],
  events: readonly EventDocument[],
  env: RunEnvironment,
  perEvent: Evaluation[],
): void {
  const { prefix, stats } = beforeStats(ast);
  if (!stats) return;
  const groups = groupColumns(stats).filter((g) => table.columns.some((c) => c.name === g));
  if (groups.length !== stats.groups.length) return;
  const keysOf = new Map<number, Set<string>>();
  for (const i of searched) {
    if (!perEvent[i]!.matched) continue;
    const { table: t } = run(prefix, esqlRows([events[i]!], [String(i)]), env.catalog, env.now, env.lookups);
    keysOf.set(i, new Set(t.values.map((row) => groups.map((g) => cell(t, row, g)).join("|"))));
  }
  alerts.forEach((alert, n) => {
    const row = table.values[n];
    if (!row) return;
    const key = groups.map((g) => cell(table, row, g)).join("|");
    alert.events = [...keysOf.entries()].filter(([, keys]) => keys.has(key)).map(([i]) => i);
  });
}

export const esqlEngine: Engine = {
  name: "esql",
  supports: (rule) => rule.data.type === "esql" && languageOf(rule) === "esql",
  compile: (rule, context) => compileEsql(rule, context),
  execute(rule, executions, options = {}): Promise<RuleExecutions> {
    const ast = parseEsqlRule(rule);
    const aggregating = isAggregating(ast);
    const fields = [...new Set(fieldsOf(ast).map((f) => f.name))];
    const results = executions.map((execution): ExecutionResult => {
      const executedAt = execution.now ?? options.now ?? new Date();
      const result = executeEsql(rule, ast, {
        events: execution.events,
        catalog: execution.catalog,
        ...(execution.range ? { window: execution.range } : {}),
        executedAt,
        ...(execution.lookups ? { lookups: execution.lookups } : {}),
      });
      // `match | no-match` cases judge one event at a time, which an aggregating query cannot answer.
      if (!execution.range && aggregating)
        return {
          ...result,
          events: execution.events.map(() => ({
            matched: false,
            error:
              "an aggregating ES|QL query (STATS) alerts on groups of events, not on one event: use `expect: alert` or `expect: no-alert` cases",
            explain: () => "✗ an aggregating query cannot be judged on one event",
          })),
        };
      return result;
    });
    return Promise.resolve({ executions: results, fields });
  },
};
