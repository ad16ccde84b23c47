/**
 * One execution of a rule, in memory: from the events the rule's query matches to the alerts Kibana writes.
 * Pure: the query's verdict per event comes in (`matched`), so every engine and every mutant shares this logic.
 *
 * Per rule type (elastic/kibana, x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/):
 * - query, no suppression (`rule_types/utils/search_after_bulk_create.ts`): the search, sorted ascending by the
 *   rule's timestamps, returns at most `max_signals` hits; one alert per hit.
 * - query with `alert_suppression.group_by` (`rule_types/query/alert_suppression/group_and_bulk_create.ts`,
 *   `build_group_by_field_aggregation.ts`): a composite aggregation over the group-by fields (`missing_bucket`
 *   with `missing_fields_strategy: suppress`, the default), size `max_signals + 1`, with `top_hits` size 1 sorted
 *   ascending by time: one alert per group, on its earliest event, `docs_count` = group size − 1. With
 *   `doNotSuppress` the events missing a group-by field alert one by one (`bulk_create_unsuppressed_alerts.ts`),
 *   at most `max_signals` − groups, before the groups. `duration` only matters across executions.
 * - threshold (`rule_types/threshold/find_threshold_signals.ts`, `build_threshold_aggregation.ts`): a composite
 *   aggregation over `threshold.field` (no `missing_bucket`: an event missing a field is in no bucket), buckets
 *   with `doc_count >= value` and, with `cardinality`, a `cardinality` of its field `>= cardinality.value`; no
 *   fields: one bucket of every matching event. At most `max_signals` buckets, in key order.
 */
import type { FieldCatalog } from "@dac/fields";
import { lookupField, valuesAt } from "@dac/fields";
import { maxSignalsOf } from "../engine.js";
import type { EngineRule } from "../engine.js";
import type { EventDocument } from "../event-files.js";
import { eventAlert, thresholdAlert, withSuppression } from "./document.js";
import type { Alert, AlertTerm } from "./document.js";
import { inWindow, ruleEventTime } from "./window.js";
import type { EventTime, TimeWindow } from "./window.js";

export interface ExecutionInput {
  rule: EngineRule;
  events: readonly EventDocument[];
  /** Per event: does the rule's query (with its `filters`) match it. */
  matched: readonly boolean[];
  /** The lookback window; absent: every event is searched (how `match | no-match` cases judge events). */
  window?: TimeWindow;
  /** When the execution runs (the alerts' `@timestamp`). */
  executedAt: Date;
  /** Field types, for the values of grouping fields. */
  catalog?: FieldCatalog;
}

export interface ExecutionOutcome {
  alerts: Alert[];
  /** Per event: the time the rule reads from it, and whether the execution searched it (inside the window). */
  times: EventTime[];
  searched: boolean[];
}

export class ExecutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecutionError";
  }
}

/** The alerts of one execution. Throws `ExecutionError` for a rule Kibana would refuse to run this way. */
export function executeRule(input: ExecutionInput): ExecutionOutcome {
  const { rule, events, window } = input;
  const times = events.map((e) => ruleEventTime(rule, e));
  const searched = events.map((_, i) => window === undefined || inWindow(times[i]!, window));
  // The search's hits: matching events inside the window, ascending by the rule's time (then by position).
  const hits = events
    .map((_, i) => i)
    .filter((i) => input.matched[i] && searched[i])
    .sort((a, b) => (times[a]!.time ?? 0) - (times[b]!.time ?? 0) || a - b);
  const context: Context = { ...input, times, hits, maxSignals: maxSignalsOf(rule) };
  const alerts =
    rule.data.type === "threshold"
      ? thresholdAlerts(context)
      : suppressionOf(rule)
        ? rule.data.type === "eql"
          ? eqlSuppressedAlerts(context, suppressionOf(rule)!)
          : suppressedAlerts(context, suppressionOf(rule)!)
        : hits.slice(0, context.maxSignals).map((i) => queryAlert(context, i));
  return { alerts, times, searched };
}

interface Context extends ExecutionInput {
  times: EventTime[];
  hits: number[];
  maxSignals: number;
}

function queryAlert(context: Context, i: number): Alert {
  return { events: [i], document: eventAlert(context.rule, context.events[i]!, context.executedAt) };
}

export interface SuppressionSettings {
  groupBy: string[];
  missingFields: "suppress" | "doNotSuppress";
  duration?: { value: number; unit: string };
}

/** A query-like rule's `alert_suppression` with `group_by` (threshold rules suppress by their own fields). */
export function suppressionOf(rule: EngineRule): SuppressionSettings | undefined {
  const s = rule.data.alert_suppression as Record<string, unknown> | undefined;
  if (!s || !Array.isArray(s.group_by) || s.group_by.length === 0) return undefined;
  const duration = s.duration as { value: number; unit: string } | undefined;
  return {
    groupBy: s.group_by.filter((f): f is string => typeof f === "string"),
    missingFields: s.missing_fields_strategy === "doNotSuppress" ? "doNotSuppress" : "suppress",
    ...(duration ? { duration } : {}),
  };
}

/** A group of events: its key (one value per field, `null` for a missing one) and its events in time order. */
export interface Group {
  key: (string | number | boolean | null)[];
  events: number[];
}

function suppressedAlerts(context: Context, settings: SuppressionSettings): Alert[] {
  const { rule, events, executedAt, maxSignals } = context;
  const unsuppressed: number[] = [];
  const groups = new Map<string, Group>();
  const readers = settings.groupBy.map((f) => valueReader(f, context.catalog));
  for (const i of context.hits) {
    const values = readers.map((read) => read(events[i]!));
    if (values.some((v) => v.length === 0) && settings.missingFields === "doNotSuppress") {
      unsuppressed.push(i);
      continue;
    }
    for (const key of combinations(values.map((v) => (v.length === 0 ? [null] : v)))) {
      const id = JSON.stringify(key);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { key, events: [] }));
      group.events.push(i);
    }
  }
  const types = keyTypes(settings.groupBy, context.catalog);
  const sorted = [...groups.values()].sort((a, b) => compareKeys(a.key, b.key, types)).slice(0, maxSignals);
  const alerts: Alert[] = unsuppressed
    .slice(0, Math.max(0, maxSignals - sorted.length))
    .map((i) => queryAlert(context, i));
  for (const group of sorted) {
    const first = group.events[0]!;
    const span = timeSpan(context, group.events);
    alerts.push({
      events: group.events,
      document: withSuppression(eventAlert(rule, events[first]!, executedAt), {
        terms: settings.groupBy.map((field, j) => ({ field, value: group.key[j] ?? null })),
        start: span.start,
        end: span.end,
        docsCount: group.events.length - 1,
      }),
    });
  }
  return alerts;
}

/**
 * An EQL event query's alert suppression, which is not a query rule's aggregation but Kibana's in-memory one
 * (`eql.ts` → `bulkCreateSuppressedAlertsInMemory` → `suppressAlertsInMemory`, rule_types/utils/): the search
 * returns at most `max_signals` events, in time order; each event's terms are the group-by fields' values as the
 * fields API returns them (a sorted list, `null` when missing, `getSuppressionTerms`). The first alert of each
 * group is written, with `docs_count` the group's other events and `start`/`end` its first and last event's
 * time. With `doNotSuppress` the events missing a field alert one by one, before the groups
 * (`executeBulkCreateAlerts`).
 */
function eqlSuppressedAlerts(context: Context, settings: SuppressionSettings): Alert[] {
  const { rule, events, executedAt, maxSignals } = context;
  const unsuppressed: number[] = [];
  const groups = new Map<string, { terms: { field: string; value: unknown[] | null }[]; events: number[] }>();
  const order = (a: unknown, b: unknown) => {
    const x = a as string | number;
    const y = b as string | number;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  for (const i of context.hits.slice(0, maxSignals)) {
    const terms = settings.groupBy.map((field) => {
      const values = valuesAt(events[i]!, field).filter((v) => v !== null && v !== undefined);
      return { field, value: values.length === 0 ? null : values.sort(order) };
    });
    if (settings.missingFields === "doNotSuppress" && terms.some((t) => t.value === null)) {
      unsuppressed.push(i);
      continue;
    }
    const id = JSON.stringify(terms);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { terms, events: [] }));
    group.events.push(i);
  }
  const alerts: Alert[] = unsuppressed.map((i) => queryAlert(context, i));
  for (const group of [...groups.values()].slice(0, Math.max(0, maxSignals - alerts.length))) {
    const span = timeSpan(context, group.events);
    alerts.push({
      events: group.events,
      document: withSuppression(eventAlert(rule, events[group.events[0]!]!, executedAt), {
        terms: group.terms,
        start: span.start,
        end: span.end,
        docsCount: group.events.length - 1,
      }),
    });
  }
  return alerts;
}

export interface ThresholdSettings {
  fields: string[];
  value: number;
  cardinality?: { field: string; value: number };
}

/** `normalizeThresholdField` and the rest of `threshold`: a string is one field, `""` none. */
export function thresholdOf(rule: EngineRule): ThresholdSettings {
  const t = (rule.data.threshold ?? {}) as Record<string, unknown>;
  const field = t.field;
  const fields = Array.isArray(field)
    ? field.filter((f): f is string => typeof f === "string" && f !== "")
    : typeof field === "string" && field !== ""
      ? [field]
      : [];
  const card = Array.isArray(t.cardinality)
    ? (t.cardinality[0] as Record<string, unknown> | undefined)
    : undefined;
  return {
    fields,
    value: typeof t.value === "number" ? t.value : 1,
    ...(card && typeof card.field === "string" && typeof card.value === "number"
      ? { cardinality: { field: card.field, value: card.value } }
      : {}),
  };
}

export interface ThresholdBucket extends Group {
  /** Distinct values of the cardinality field. */
  distinct?: number;
  /** Does it reach the threshold (count and cardinality). */
  reached: boolean;
}

/** Every bucket of the threshold aggregation, reached or not, in key order (for alerts and for explanations). */
export function thresholdBuckets(
  rule: EngineRule,
  events: readonly EventDocument[],
  hits: readonly number[],
  catalog?: FieldCatalog,
): ThresholdBucket[] {
  const settings = thresholdOf(rule);
  for (const f of [...settings.fields, ...(settings.cardinality ? [settings.cardinality.field] : [])])
    refuseUnaggregatable(f, catalog);
  const groups = new Map<string, Group>();
  const readers = settings.fields.map((f) => valueReader(f, catalog));
  if (settings.fields.length === 0) groups.set("[]", { key: [], events: [...hits] });
  else
    for (const i of hits) {
      const values = readers.map((read) => read(events[i]!));
      if (values.some((v) => v.length === 0)) continue;
      for (const key of combinations(values)) {
        const id = JSON.stringify(key);
        let group = groups.get(id);
        if (!group) groups.set(id, (group = { key, events: [] }));
        group.events.push(i);
      }
    }
  const types = keyTypes(settings.fields, catalog);
  const distinctOf = settings.cardinality ? valueReader(settings.cardinality.field, catalog) : undefined;
  return [...groups.values()]
    .sort((a, b) => compareKeys(a.key, b.key, types))
    .map((group) => {
      let distinct: number | undefined;
      if (distinctOf) {
        const seen = new Set<string | number | boolean>();
        for (const i of group.events) for (const v of distinctOf(events[i]!)) seen.add(v);
        distinct = seen.size;
      }
      const reached =
        group.events.length > 0 &&
        group.events.length >= settings.value &&
        (settings.cardinality === undefined || distinct! >= settings.cardinality.value);
      return { ...group, ...(distinct !== undefined ? { distinct } : {}), reached };
    });
}

function thresholdAlerts(context: Context): Alert[] {
  const { rule, events, executedAt } = context;
  const settings = thresholdOf(rule);
  const suppressed = isObject(rule.data.alert_suppression);
  const buckets = thresholdBuckets(rule, events, context.hits, context.catalog)
    .filter((b) => b.reached)
    .slice(0, context.maxSignals);
  return buckets.map((bucket) => {
    const span = timeSpan(context, bucket.events);
    const terms: AlertTerm[] = settings.fields.map((field, j) => ({ field, value: bucket.key[j] }));
    let document = thresholdAlert(
      rule,
      {
        terms,
        ...(settings.cardinality
          ? { cardinality: [{ field: settings.cardinality.field, value: bucket.distinct ?? 0 }] }
          : {}),
        count: bucket.events.length,
        from: span.start,
      },
      span.end,
      executedAt,
    );
    // A suppressed threshold alert, on the execution that creates it, has `docs_count: 0`.
    if (suppressed) document = withSuppression(document, { terms, ...span, docsCount: 0 });
    return { events: bucket.events, document };
  });
}

function timeSpan(context: Context, group: readonly number[]): { start: string; end: string } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const i of group) {
    const t = context.times[i]!.time;
    if (t === undefined) continue;
    if (t < min) min = t;
    if (t > max) max = t;
  }
  const fallback = context.executedAt.toISOString();
  return {
    start: Number.isFinite(min)
      ? new Date(min).toISOString()
      : (context.window?.from.toISOString() ?? fallback),
    end: Number.isFinite(max) ? new Date(max).toISOString() : (context.window?.to.toISOString() ?? fallback),
  };
}

const numericTypes = new Set([
  "long",
  "integer",
  "short",
  "byte",
  "double",
  "float",
  "half_float",
  "scaled_float",
  "unsigned_long",
]);

function refuseUnaggregatable(field: string, catalog: FieldCatalog | undefined): void {
  const info = catalog ? lookupField(catalog, field) : undefined;
  if (info && (info.type === "text" || info.type === "match_only_text"))
    throw new ExecutionError(
      `${field} is a ${info.type} field: Elasticsearch cannot aggregate on it (group on a keyword field, e.g. a .keyword multi-field)`,
    );
}

/** How a grouping field's values become keys, decided once per field (the catalogue lookup is not free). */
export type ValueReader = (event: EventDocument) => (string | number | boolean)[];

/**
 * A field's distinct values as a terms aggregation keys them: numbers for numeric fields, epoch milliseconds for
 * dates, `true`/`false` for booleans, strings otherwise; keyword values over `ignore_above` are not indexed.
 */
export function valueReader(field: string, catalog: FieldCatalog | undefined): ValueReader {
  const info = catalog ? lookupField(catalog, field) : undefined;
  const numeric = info !== undefined && numericTypes.has(info.type);
  const date = info !== undefined && (info.type === "date" || info.type === "date_nanos");
  const boolean = info?.type === "boolean";
  const ignoreAbove = info?.ignoreAbove;
  const keyOf = (v: unknown): string | number | boolean | undefined => {
    if (v === null || v === undefined || typeof v === "object") return undefined;
    if (numeric) {
      const n = Number(v);
      return Number.isNaN(n) ? undefined : n;
    }
    if (date) {
      const t = typeof v === "number" ? v : Date.parse(String(v));
      return Number.isNaN(t) ? undefined : t;
    }
    if (boolean) return v === true || v === "true";
    const text = String(v);
    return ignoreAbove !== undefined && text.length > ignoreAbove ? undefined : text;
  };
  return (event) => {
    const raw = valuesAt(event, field);
    if (raw.length === 1) {
      const only = keyOf(raw[0]);
      return only === undefined ? [] : [only];
    }
    const out: (string | number | boolean)[] = [];
    for (const v of raw) {
      const key = keyOf(v);
      if (key !== undefined && !out.includes(key)) out.push(key);
    }
    return out;
  };
}

export function fieldValues(
  event: EventDocument,
  field: string,
  catalog: FieldCatalog | undefined,
): (string | number | boolean)[] {
  return valueReader(field, catalog)(event);
}

/** Every combination of one value per field (a multi-valued field puts an event in several buckets). */
function combinations<T>(lists: readonly (readonly T[])[]): T[][] {
  if (lists.every((l) => l.length === 1)) return [lists.map((l) => l[0]!)];
  let out: T[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]));
  return out;
}

/** The catalogue types of the grouping fields, for the order of their keys. */
function keyTypes(fields: readonly string[], catalog: FieldCatalog | undefined): (string | undefined)[] {
  return fields.map((f) => (catalog ? lookupField(catalog, f)?.type : undefined));
}

/** An IPv4 address as a number (Elasticsearch orders ip terms by address, not by text); IPv6 stays text. */
function ipOrder(value: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
  return m ? m.slice(1).reduce((n, octet) => n * 256 + Number(octet), 0) : undefined;
}

/** Composite aggregation order: ascending per source (ip by address), `null` (missing) last. */
function compareKeys(
  a: readonly unknown[],
  b: readonly unknown[],
  types: readonly (string | undefined)[] = [],
): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (types[i] === "ip" && typeof x === "string" && typeof y === "string") {
      const ix = ipOrder(x);
      const iy = ipOrder(y);
      if (ix !== undefined && iy !== undefined) return ix - iy;
    }
    const sx = String(x);
    const sy = String(y);
    if (sx !== sy) return sx < sy ? -1 : 1;
  }
  return 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
