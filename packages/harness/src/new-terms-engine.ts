/**
 * The in-memory new_terms engine: the rule's KQL query picks the events (compiled as for a query rule), and
 * `findNewTerms` decides which terms of the lookback window are new against the history window. An execution
 * without a time range (an `expect: match | no-match` case) runs at `now`: just after its latest event.
 */
import { docValuesReader, NotAggregatableError, resolveDateMath } from "@dac/fields";
import type { FieldCatalog } from "@dac/fields";
import { EngineError, languageOf, maxSignalsOf } from "./engine.js";
import type {
  CompiledRule,
  Engine,
  EngineRule,
  Evaluation,
  Execution,
  ExecutionResult,
  ExecuteOptions,
} from "./engine.js";
import type { EventDocument } from "./event-files.js";
import { ALERT, eventAlert } from "./alerts/document.js";
import type { Alert, AlertDocument } from "./alerts/document.js";
import { DateMathError, defaultNow, lookbackWindow, ruleEventTime } from "./alerts/window.js";
import { ruleQueryEngine, ruleQueryFields } from "./lucene-engine.js";
import { describeSighting, findNewTerms, shortTime } from "./new-terms.js";
import type { NewTermsEvent, NewTermsWindow, TermSighting } from "./new-terms.js";

/** The fields and history start of a new_terms rule, or an engine error naming what is wrong. */
export function newTermsSettings(rule: EngineRule): { fields: string[]; historyWindowStart: string } {
  const fields = rule.data.new_terms_fields;
  if (
    !Array.isArray(fields) ||
    fields.length === 0 ||
    fields.length > 3 ||
    !fields.every((f) => typeof f === "string")
  )
    throw new EngineError("new_terms_fields must list 1 to 3 field names");
  const start = rule.data.history_window_start;
  if (typeof start !== "string") throw new EngineError("history_window_start is missing");
  return { fields: fields as string[], historyWindowStart: start };
}

/**
 * The lookback window of an execution: its range, or the rule's `from`/`to` at its `now` (the case's, else just
 * after its latest event: `defaultNow`).
 */
export function executionWindow(
  rule: EngineRule,
  execution: Execution,
  options: ExecuteOptions,
): { from: number; to: number; now: Date } {
  const now =
    execution.now ??
    (execution.range ? execution.range.to : undefined) ??
    defaultNow(execution.events.map((e) => ruleEventTime(rule, e))) ??
    options.now ??
    new Date();
  if (execution.range) return { from: execution.range.from.getTime(), to: execution.range.to.getTime(), now };
  try {
    const window = lookbackWindow(rule, now);
    return { from: window.from.getTime(), to: window.to.getTime(), now };
  } catch (error) {
    if (error instanceof DateMathError) throw new EngineError(error.message);
    throw error;
  }
}

/** The rule's time of each event (`ruleEventTime`); an event without one counts as `now`. */
export function eventTimeReader(rule: EngineRule, now: Date): (event: EventDocument) => number {
  return (event) => ruleEventTime(rule, event).time ?? now.getTime();
}

function readersFor(fields: readonly string[], catalog: FieldCatalog) {
  try {
    return fields.map((f) => docValuesReader(catalog, f));
  } catch (error) {
    if (error instanceof NotAggregatableError) throw new EngineError(`new_terms_fields: ${error.message}`);
    throw error;
  }
}

/** One execution of a new_terms rule whose query is compiled already. */
export function executeNewTerms(
  rule: EngineRule,
  execution: Execution,
  compiled: CompiledRule,
  options: ExecuteOptions,
  fields: readonly string[] = newTermsSettings(rule).fields,
): ExecutionResult & { sightings: TermSighting[]; window: NewTermsWindow } {
  const { historyWindowStart } = newTermsSettings(rule);
  const lookback = executionWindow(rule, execution, options);
  // parseDateString(historyWindowStart, forceNow: tuple.to) in execute_new_terms_aggregation_approach.ts.
  const historyStart = resolveDateMath(historyWindowStart, new Date(lookback.to));
  if (!historyStart)
    throw new EngineError(`history_window_start \`${historyWindowStart}\` is not valid date math`);
  const window: NewTermsWindow = {
    historyStart: historyStart.getTime(),
    from: lookback.from,
    to: lookback.to,
  };
  const readers = readersFor(fields, execution.catalog);
  const queried = execution.events.map((event) => compiled.evaluate(event));
  const timeOf = eventTimeReader(rule, lookback.now);
  const times = execution.events.map(timeOf);
  const positions: number[] = [];
  const input: NewTermsEvent[] = [];
  execution.events.forEach((event, i) => {
    if (!queried[i]!.matched) return;
    // Outside [history_window_start, to] the searches never see the event.
    if (times[i]! < window.historyStart || times[i]! > window.to) return;
    positions.push(i);
    input.push({ time: times[i]!, values: readers.map((r) => r(event)) });
  });
  const found = findNewTerms(input, window, maxSignalsOf(rule));
  const executedAt = execution.now ?? options.now ?? lookback.now;
  const alerts: Alert[] = found.alerts.map((a) => {
    const event = positions[a.event]!;
    return { events: [event], document: newTermsAlert(rule, execution.events[event]!, a.terms, executedAt) };
  });
  const sightingsOf = new Map<number, TermSighting[]>();
  for (const s of found.sightings) {
    const at = positions[s.windowEvent]!;
    sightingsOf.set(at, [...(sightingsOf.get(at) ?? []), s]);
  }
  const events: Evaluation[] = execution.events.map((event, i) => {
    const q = queried[i]!;
    if (q.error !== undefined) return q;
    const time = times[i]!;
    const reason = (): string => {
      if (time < window.from || time > window.to) {
        const inHistory = time >= window.historyStart && time < window.from;
        return `✗ the event at ${shortTime(time)} is outside the lookback window ${shortTime(window.from)} to ${shortTime(window.to)}${inHistory ? " (in the history window: its terms count as seen)" : ""}`;
      }
      const mine = sightingsOf.get(i) ?? [];
      if (mine.length === 0) {
        const missing = fields.filter((_, k) => readers[k]!(event).length === 0);
        return missing.length > 0
          ? `✗ the event has no value for ${missing.join(", ")}: it has no term`
          : "✗ an earlier event of the lookback window has the same terms";
      }
      return mine.map((s) => `${s.isNew ? "✓" : "✗"} ${describeSighting(s, fields, window)}`).join("\n");
    };
    // `matched` is the query's verdict (the search returns the event); why it alerts or not comes first.
    const explain = (): string =>
      q.matched ? `${reason()}\n  the query matches:\n${indent(q.explain())}` : q.explain();
    return { matched: q.matched, explain };
  });
  return { events, alerts, sightings: found.sightings, window };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

/** `wrapNewTermsAlerts`: the event's alert with `kibana.alert.new_terms`. */
export function newTermsAlert(
  rule: EngineRule,
  event: EventDocument,
  terms: readonly unknown[],
  executedAt: Date,
): AlertDocument {
  return { ...eventAlert(rule, event, executedAt), [ALERT.newTerms]: [...terms] };
}

export const newTermsEngine: Engine = {
  name: "new_terms",
  supports: (rule) => rule.data.type === "new_terms" && ["kuery", "lucene"].includes(languageOf(rule)),
  // The query part, for coverage, mutation and explanations.
  compile: (rule, context) => ruleQueryEngine(rule).compile!(rule, context),
  execute(rule, executions, options = {}) {
    const queryFields = ruleQueryFields(rule);
    newTermsSettings(rule);
    const results = executions.map((execution): ExecutionResult => {
      try {
        // Relative dates in the query resolve when the execution runs: at its `now`.
        const { now } = executionWindow(rule, execution, options);
        const compiled = ruleQueryEngine(rule).compile!(rule, { catalog: execution.catalog, now });
        const { events, alerts } = executeNewTerms(rule, execution, compiled, options);
        return { events, alerts };
      } catch (error) {
        if (error instanceof EngineError) return { error: error.message, events: [], alerts: [] };
        throw error;
      }
    });
    const fields = [...new Set([...queryFields, ...newTermsSettings(rule).fields])];
    return Promise.resolve({ executions: results, fields });
  },
};
