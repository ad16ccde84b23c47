/**
 * The alerts of one ES|QL rule execution, from the query's result table. Pure: the in-memory engine and the
 * Elasticsearch engine both hand their table here.
 *
 * Kibana's ES|QL executor (elastic/kibana x-pack/solutions/security/plugins/security_solution/server/lib/
 * detection_engine/rule_types/esql/):
 * - `utils/row_to_document.ts`: each row becomes a document of its columns; `null` cells are skipped ("ES|QL
 *   return null for each existing mapping field").
 * - `esql.ts`: `_id`, `_version` and `_index` are taken out of the row; a non-aggregating row with an `_id` gets
 *   its source document (`fetch_source_documents.ts`: an `ids` search on the FROM indices, "we will fetch source
 *   documents only for non-aggregating rules, since aggregating do not have _id"), and the row's columns are
 *   merged over it (`utils/merge_esql_result_in_source.ts`: a column replaces the source's field of that name).
 *   An aggregating row, or one without `_id`, is the alert's source on its own.
 * - `utils/generate_alert_id.ts`: a non-aggregating row with `_id` has the alert id
 *   `hash(_id, _version, _index, space:rule, …values of the MV_EXPAND columns)`, so rows of one source document
 *   are one alert (duplicate ids are written once); otherwise the id hashes the execution's range, the query,
 *   the rule and the row's position: one alert per row.
 * - `esql.ts` / `bulkCreate`: at most `max_signals` alerts (the query asks for `max_signals + 1` rows).
 * - `wrap_suppressed_esql_alerts.ts` and `utils/bulk_create_suppressed_alerts_in_memory.ts`: with
 *   `alert_suppression`, the suppression terms are read from the alert's source (`getSuppressionTerms`: a
 *   multi-valued field is one term, its values sorted); the first row of each group is the alert, the others
 *   raise its `kibana.alert.suppression.docs_count` and `end`. `missing_fields_strategy: doNotSuppress` alerts on
 *   rows missing a group-by field one by one, before the suppressed groups.
 */
import { createHash } from "node:crypto";
import { eventAlert, isObject, valueAt, withSuppression } from "./alerts/document.js";
import type { Alert, AlertDocument, AlertTerm } from "./alerts/document.js";
import { suppressionOf } from "./alerts/execute.js";
import { ruleTimestamps, timeAt } from "./alerts/window.js";
import type { TimeWindow } from "./alerts/window.js";
import { maxSignalsOf } from "./engine.js";
import type { EngineRule, LookupTables } from "./engine.js";
import type { EventDocument } from "./event-files.js";

/** A result table as `POST /_query` returns it. */
export interface EsqlTable {
  columns: readonly { name: string; type: string }[];
  values: readonly (readonly unknown[])[];
}

export interface EsqlAlertInput {
  rule: EngineRule;
  table: EsqlTable;
  /** `computeIsESQLQueryAggregating`: the query has a `STATS` (its rows have no `_id`). */
  aggregating: boolean;
  /** The source documents by `_id`, with their position in the execution's events. */
  sources: ReadonlyMap<string, { position: number; document: EventDocument }>;
  /** The columns an `MV_EXPAND` produced, when they are in the result (`getMvExpandUsage`). */
  expandedFields?: readonly string[];
  window?: TimeWindow;
  executedAt: Date;
}

/**
 * The query's input: the events, each with the `_id` the query's `METADATA _id` reads (the Elasticsearch engine
 * indexes them under the same ids).
 */
export function esqlRows(events: readonly EventDocument[], ids: readonly string[]): EventDocument[] {
  return events.map((event, i) => ({ ...event, _id: ids[i] }));
}

/** `rowToDocument`: a row's non-null cells by column name. */
export function rowToDocument(table: EsqlTable, row: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  table.columns.forEach((column, i) => {
    const cell = row[i];
    if (cell !== null && cell !== undefined) out[column.name] = cell;
  });
  return out;
}

/** `mergeEsqlResultInSource`: each column replaces the source's value at that path (dotted or nested). */
export function mergeEsqlResultInSource(
  source: EventDocument | undefined,
  result: Record<string, unknown>,
): EventDocument {
  const document: EventDocument = source ? structuredClone(source) : {};
  for (const [field, value] of Object.entries(result)) {
    unsetPath(document, field);
    document[field] = value;
  }
  return document;
}

function unsetPath(document: Record<string, unknown>, path: string): void {
  if (path in document) {
    delete document[path];
    return;
  }
  const segments = path.split(".");
  for (let i = segments.length - 1; i > 0; i--) {
    const head = segments.slice(0, i).join(".");
    const inner = document[head];
    if (isObject(inner)) {
      unsetPath(inner, segments.slice(i).join("."));
      if (Object.keys(inner).length === 0) delete document[head];
    }
  }
}

const hash = (value: unknown): string => createHash("sha256").update(JSON.stringify(value)).digest("hex");

interface Candidate {
  id: string;
  events: number[];
  source: EventDocument;
}

/** The rows as alert candidates, in row order, deduplicated by alert id. */
function candidates(input: EsqlAlertInput): Candidate[] {
  const { rule, table, aggregating } = input;
  const ruleKey = String(rule.data.rule_id ?? rule.file);
  const runId = input.window ? input.window.from.toISOString() + input.window.to.toISOString() : "";
  const seen = new Set<string>();
  const out: Candidate[] = [];
  table.values.forEach((row, index) => {
    const { _id, _version, _index, ...result } = rowToDocument(table, row);
    const source = !aggregating && typeof _id === "string" ? input.sources.get(_id) : undefined;
    const id =
      !aggregating && typeof _id === "string"
        ? hash([_id, _version, _index, ruleKey, ...(input.expandedFields ?? []).map((f) => result[f])])
        : hash([runId, rule.data.query, ruleKey, index]);
    if (seen.has(id)) return;
    seen.add(id);
    out.push({
      id,
      events: source ? [source.position] : [],
      source: mergeEsqlResultInSource(source?.document, result),
    });
  });
  return out;
}

/** `getSuppressionTerms`: one term per group-by field; an array is one value, sorted; a missing field `null`. */
function suppressionTerms(source: EventDocument, groupBy: readonly string[]): AlertTerm[] {
  return groupBy.map((field) => {
    const value = valueAt(source, field);
    if (Array.isArray(value)) return { field, value: value.map(String).sort() };
    return { field, value: value ?? null };
  });
}

export function esqlAlerts(input: EsqlAlertInput): Alert[] {
  const { rule, executedAt } = input;
  const maxSignals = maxSignalsOf(rule);
  const rows = candidates(input);
  const settings = suppressionOf(rule);
  const alertOf = (c: Candidate): Alert => ({
    events: c.events,
    document: { ...eventAlert(rule, c.source, executedAt), "kibana.alert.uuid": c.id },
  });
  if (!settings) return rows.slice(0, maxSignals).map(alertOf);

  const unsuppressed: Alert[] = [];
  const groups = new Map<
    string,
    { first: Candidate; terms: AlertTerm[]; events: number[]; times: number[]; count: number }
  >();
  for (const row of rows) {
    const terms = suppressionTerms(row.source, settings.groupBy);
    if (settings.missingFields === "doNotSuppress" && terms.some((t) => t.value === null)) {
      unsuppressed.push(alertOf(row));
      continue;
    }
    const key = JSON.stringify(terms);
    const time = rowTime(rule, row.source, executedAt);
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.events.push(...row.events);
      group.times.push(time);
    } else groups.set(key, { first: row, terms, events: [...row.events], times: [time], count: 1 });
  }
  const alerts = unsuppressed.slice(0, maxSignals);
  for (const group of groups.values()) {
    if (alerts.length >= maxSignals) break;
    const base = alertOf(group.first);
    const document: AlertDocument = withSuppression(base.document, {
      terms: group.terms,
      start: new Date(group.times[0]!).toISOString(),
      end: new Date(Math.max(...group.times)).toISOString(),
      docsCount: group.count - 1,
    });
    alerts.push({ events: group.events, document });
  }
  return alerts;
}

/**
 * `getSuppressionAlertFields`: the suppression time is the row's primary timestamp, else its secondary one, else
 * the alert's `@timestamp` (the execution time: an aggregating row seldom has a timestamp).
 */
function rowTime(rule: EngineRule, source: EventDocument, executedAt: Date): number {
  const { primary, secondary } = ruleTimestamps(rule);
  return (
    timeAt(source, primary) ?? (secondary ? timeAt(source, secondary) : undefined) ?? executedAt.getTime()
  );
}

/** The evaluator's `lookups` input: fixture rows copied into the mutable shape it takes. */
export function lookupInput(lookups: LookupTables | undefined): {
  lookups?: Record<string, Record<string, unknown>[]>;
} {
  if (!lookups) return {};
  const out: Record<string, Record<string, unknown>[]> = {};
  // defineProperty: a lookup named `__proto__` is a name like any other, not the prototype.
  for (const [name, rows] of Object.entries(lookups))
    Object.defineProperty(out, name, { value: [...rows], enumerable: true });
  return { lookups: out };
}
