/**
 * What one rule execution leaves behind for the next ones: the alerts it wrote. A fixture case with
 * `earlier_executions` runs the rule at each of those instants first, then at `now`, and judges the alerts the
 * execution at `now` creates. Pure: alerts and event times come in, the next state and the verdict on each
 * alert come out, so both engines share it.
 *
 * Sources (elastic/kibana):
 * - threshold signal history (`x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/
 *   rule_types/threshold/build_signal_history.ts`, `get_threshold_bucket_filters.ts`): per group of
 *   `threshold.field` values, the latest `kibana.alert.original_time` of its alerts; a later execution's search
 *   has a `must_not` per group of `range <timestamp> lte <that time>` and a `term` per field, so the events a
 *   threshold alert already counted never count again. Every alert the executor wraps updates the history,
 *   suppressed ones included (`bulk_create_suppressed_threshold_alerts.ts`: `unsuppressedAlerts: wrappedAlerts`).
 * - suppression over a duration (`x-pack/platform/plugins/shared/rule_registry/server/utils/
 *   create_persistence_rule_type_wrapper.ts`, `alertWithSuppression`): an alert is suppressed into the latest
 *   open alert of the same instance (rule and group values; `wrap_suppressed_threshold_alerts.ts` hashes the
 *   sorted group values) whose `kibana.alert.start` (its execution's time) is `>= now - duration`. If that alert's
 *   `kibana.alert.suppression.end` is already at or after the new one's, the new alert is dropped; else the
 *   existing alert is updated (`docs_count += new docs_count + 1`, `suppression.end`, `last_detected`) and no
 *   alert is created. Without `duration` a query rule suppresses per execution only (`isRuleExecutionOnly`).
 * - duplicates: a single-event alert's `_id` is a hash of the source event and the rule, so an event that an
 *   earlier execution alerted on (overlapping windows) is not alerted again (the bulk create answers 409, and
 *   `filterDuplicateAlerts` drops it first).
 * Not modelled: workflow status (every earlier alert is open), gaps, and the alerts an earlier execution would
 * have written for events that are not in the case.
 */
import type { FieldCatalog } from "@dac/fields";
import type { EngineRule } from "../engine.js";
import type { EventDocument } from "../event-files.js";
import { ALERT } from "./document.js";
import type { Alert, AlertTerm } from "./document.js";
import { thresholdOf, valueReader } from "./execute.js";
import type { EventTime } from "./window.js";

/** An alert an earlier execution wrote (event positions are the case's). */
export interface PriorAlert {
  /** When its execution ran: `kibana.alert.start`. */
  start: number;
  /** Suppressed alerts: the instance (group values) and the latest event they stand for. */
  instance?: string;
  suppressionEnd?: number;
  /** Single-event alerts: which events, as the alert `_id` would identify them. */
  identity?: string;
  docsCount: number;
}

export interface ThresholdHistoryEntry {
  terms: AlertTerm[];
  /** `lastSignalTimestamp`: the latest `kibana.alert.original_time` of the group's alerts. */
  lastSignal: number;
}

export interface ExecutionHistory {
  alerts: PriorAlert[];
  threshold: ThresholdHistoryEntry[];
}

export const emptyHistory = (): ExecutionHistory => ({ alerts: [], threshold: [] });

/** `alert_suppression.duration` in milliseconds, when the rule sets one. */
export function suppressionDurationMs(rule: EngineRule): number | undefined {
  const s = rule.data.alert_suppression as { duration?: { value?: unknown; unit?: unknown } } | undefined;
  const d = s?.duration;
  if (!d || typeof d.value !== "number") return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[String(d.unit)];
  return unit === undefined ? undefined : d.value * unit;
}

/**
 * Per event: the threshold history entry that keeps it out of this execution's search (undefined: searched).
 * Only threshold rules have a signal history.
 */
export function thresholdHistoryExclusions(
  rule: EngineRule,
  events: readonly EventDocument[],
  times: readonly EventTime[],
  history: ExecutionHistory,
  catalog: FieldCatalog | undefined,
): (ThresholdHistoryEntry | undefined)[] {
  if (rule.data.type !== "threshold" || history.threshold.length === 0) return events.map(() => undefined);
  const readers = new Map<string, ReturnType<typeof valueReader>>();
  const valuesOf = (event: EventDocument, field: string) => {
    let read = readers.get(field);
    if (!read) readers.set(field, (read = valueReader(field, catalog)));
    return read(event).map(String);
  };
  return events.map((event, i) => {
    const t = times[i]?.time;
    if (t === undefined) return undefined;
    return history.threshold.find(
      (h) =>
        t <= h.lastSignal &&
        h.terms.every((term) => valuesOf(event, term.field).includes(String(term.value))),
    );
  });
}

export interface SuppressedAlert {
  alert: Alert;
  /** The earlier alert it was suppressed into (its execution's time). */
  into: PriorAlert;
  /** True when the earlier alert already covered it (dropped), false when the earlier alert was updated. */
  dropped: boolean;
}

export interface CarriedExecution {
  /** The alerts this execution creates. */
  created: Alert[];
  suppressed: SuppressedAlert[];
  /** Single-event alerts an earlier execution already wrote (same source events). */
  duplicates: Alert[];
  history: ExecutionHistory;
}

const iso = (value: unknown): number | undefined => {
  const t = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
};

/**
 * Applies what earlier executions wrote to the alerts of the execution at `executedAt` (their `events` are the
 * case's positions), and returns the state after it.
 */
export function carryExecution(
  rule: EngineRule,
  alerts: readonly Alert[],
  executedAt: Date,
  history: ExecutionHistory,
): CarriedExecution {
  const now = executedAt.getTime();
  const duration = suppressionDurationMs(rule);
  const threshold = rule.data.type === "threshold";
  const priors = history.alerts.map((a) => ({ ...a }));
  const created: Alert[] = [];
  const suppressed: SuppressedAlert[] = [];
  const duplicates: Alert[] = [];
  const thresholdEntries = history.threshold.map((h) => ({ ...h }));
  // Sequences: a shell alert suppressed into an earlier one takes its building blocks with it (Kibana creates
  // a suppressed sequence's sub-alerts only with its shell, bulk_create_with_suppression.ts).
  const suppressedGroups = new Set<unknown>();
  for (const alert of alerts) {
    const d = alert.document;
    const group = d[ALERT.groupId];
    if (group !== undefined && d[ALERT.buildingBlockType] !== undefined && suppressedGroups.has(group))
      continue;
    if (threshold) recordThresholdSignal(rule, thresholdEntries, alert);
    const terms = d[ALERT.suppressionTerms] as AlertTerm[] | undefined;
    if (terms && duration !== undefined) {
      const instance = instanceOf(terms, threshold);
      const end = iso(d[ALERT.suppressionEnd]) ?? now;
      const docs = Number(d[ALERT.suppressionDocsCount] ?? 0);
      // The latest open alert of the instance that started within the duration (`range kibana.alert.start gte`).
      const into = priors
        .filter((p) => p.instance === instance && p.start >= now - duration)
        .sort((a, b) => b.start - a.start)[0];
      if (into) {
        const dropped = (into.suppressionEnd ?? 0) >= end;
        if (!dropped) {
          into.suppressionEnd = end;
          into.docsCount += docs + 1;
        }
        suppressed.push({ alert, into: { ...into }, dropped });
        if (group !== undefined) suppressedGroups.add(group);
        continue;
      }
      priors.push({ start: now, instance, suppressionEnd: end, docsCount: docs });
      created.push(alert);
      continue;
    }
    if (terms || threshold) {
      // Per-execution suppression and threshold alerts have ids of their own execution: never duplicates.
      created.push(alert);
      priors.push({ start: now, docsCount: 0 });
      continue;
    }
    // A building block's id comes from its sequence's (`generateBuildingBlockIds`): the same event in another
    // sequence is another alert.
    const events = [...alert.events].sort((a, b) => a - b);
    const identity = JSON.stringify(group === undefined ? events : [group, events]);
    if (priors.some((p) => p.identity === identity)) {
      duplicates.push(alert);
      continue;
    }
    priors.push({ start: now, identity, docsCount: 0 });
    created.push(alert);
  }
  return { created, suppressed, duplicates, history: { alerts: priors, threshold: thresholdEntries } };
}

/** The suppression instance: a threshold alert's sorted group values (`sortBy`), a query alert's in order. */
function instanceOf(terms: readonly AlertTerm[], sorted: boolean): string {
  const values = terms.map((t) => t.value);
  return JSON.stringify(
    sorted
      ? [...values].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0))
      : values,
  );
}

function recordThresholdSignal(rule: EngineRule, entries: ThresholdHistoryEntry[], alert: Alert): void {
  const d = alert.document;
  const result = d[ALERT.thresholdResult] as { terms?: AlertTerm[] } | undefined;
  const original = iso(d[ALERT.originalTime]);
  if (original === undefined) return;
  // `getTerms` reads the rule's threshold fields back from the alert.
  const terms = result?.terms ?? thresholdOf(rule).fields.map((field) => ({ field, value: d[field] }));
  const key = JSON.stringify(terms);
  const existing = entries.find((e) => JSON.stringify(e.terms) === key);
  if (existing) existing.lastSignal = Math.max(existing.lastSignal, original);
  else entries.push({ terms, lastSignal: original });
}
