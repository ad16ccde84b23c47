/**
 * Alert documents as Kibana's detection engine writes them, cut to the fields tests look at. Plain data: an alert
 * is the source event's fields (as the event has them) plus dotted `kibana.alert.*` keys.
 *
 * Sources (elastic/kibana, x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/):
 * - `rule_types/factories/utils/build_alert.ts` (`buildAlertFields`): `@timestamp` is the execution time,
 *   `event.kind: signal`, `kibana.alert.original_time` is the source document's `@timestamp` (always
 *   `@timestamp`, not the timestamp override: `getValidDateFromDoc({primaryTimestamp: TIMESTAMP})`),
 *   `kibana.alert.severity` / `kibana.alert.risk_score` (and the legacy `kibana.alert.rule.severity` /
 *   `kibana.alert.rule.risk_score`), `kibana.alert.rule.{rule_id,name,type,uuid,from,to,interval,max_signals,
 *   timestamp_override}`, `kibana.alert.status: active`, `kibana.alert.workflow_status: open`, `kibana.alert.depth: 1`.
 * - `rule_types/factories/utils/transform_hit_to_alert.ts`: the source event's fields are merged into the alert
 *   (`mergeStrategy: missingFields`), and a `threshold_result` of the source moves to `kibana.alert.threshold_result`.
 * - `rule_types/threshold/bulk_create_threshold_signals.ts` (`transformBucketIntoHit`): a threshold alert's
 *   source is the bucket: `@timestamp` = the bucket's latest event, the group's `field: value` pairs, and
 *   `threshold_result: {terms: [{field, value}], cardinality: [{field, value}]?, count, from}` where `from` is
 *   the bucket's earliest event time.
 * - `rule_types/query/alert_suppression/wrap_suppressed_alerts.ts`: `kibana.alert.suppression.terms` (the group),
 *   `.start` / `.end` (the group's earliest and latest event), `.docs_count` = events in the group − 1.
 * - `rule_types/threshold/wrap_suppressed_threshold_alerts.ts`: suppressed threshold alerts carry the same
 *   suppression fields, with `docs_count: 0` on the execution that creates them.
 * - `kibana.alert.new_terms` (`rule_types/new_terms/create_new_terms_alert_type.ts`) and `threat.enrichments`
 *   (`rule_types/indicator_match/threat_enrichment/enrich_signal_threat_matches.ts`) are set by those rule types.
 */
import type { EngineRule } from "../engine.js";
import type { EventDocument } from "../event-files.js";

/** A Kibana alert document: the source event's fields plus dotted `kibana.alert.*` keys. */
export type AlertDocument = Record<string, unknown>;

/** One alert of one execution. */
export interface Alert {
  /** The source events (positions in the execution's `events`): one for a query alert, the group for others. */
  events: number[];
  document: AlertDocument;
}

/** `{field, value}` pairs, as in `kibana.alert.threshold_result.terms` and `kibana.alert.suppression.terms`. */
export interface AlertTerm {
  field: string;
  value: unknown;
}

export interface ThresholdResult {
  terms: AlertTerm[];
  cardinality?: AlertTerm[];
  count: number;
  /** ISO 8601: the bucket's earliest event. */
  from: string;
}

export interface SuppressionFields {
  terms: AlertTerm[];
  /** ISO 8601: the group's earliest and latest event. */
  start: string;
  end: string;
  docsCount: number;
}

export const ALERT = {
  originalTime: "kibana.alert.original_time",
  thresholdResult: "kibana.alert.threshold_result",
  newTerms: "kibana.alert.new_terms",
  suppressionTerms: "kibana.alert.suppression.terms",
  suppressionStart: "kibana.alert.suppression.start",
  suppressionEnd: "kibana.alert.suppression.end",
  suppressionDocsCount: "kibana.alert.suppression.docs_count",
  threatEnrichments: "threat.enrichments",
  groupId: "kibana.alert.group.id",
  buildingBlockType: "kibana.alert.building_block_type",
} as const;

/** Kibana's defaults for a rule that does not set them (rule schema defaults). */
export const RULE_DEFAULTS = { from: "now-6m", to: "now", interval: "5m" } as const;

/** The `kibana.alert.rule.*` and other rule-derived fields every alert of this rule carries (`buildAlertFields`). */
export function ruleAlertFields(rule: EngineRule, executedAt: Date): AlertDocument {
  const d = rule.data as Record<string, unknown>;
  const pick = (key: string) => (d[key] === undefined ? {} : { [`kibana.alert.rule.${key}`]: d[key] });
  return {
    "@timestamp": executedAt.toISOString(),
    "event.kind": "signal",
    "kibana.alert.status": "active",
    "kibana.alert.workflow_status": "open",
    "kibana.alert.depth": 1,
    ...(d.severity !== undefined ? { "kibana.alert.severity": d.severity } : {}),
    ...(d.risk_score !== undefined ? { "kibana.alert.risk_score": d.risk_score } : {}),
    ...pick("rule_id"),
    ...pick("name"),
    ...pick("type"),
    // The rule's saved-object id: known only for a rule read from Kibana (an export carries it as `id`).
    ...(typeof d.id === "string" ? { "kibana.alert.rule.uuid": d.id } : {}),
    ...pick("severity"),
    ...pick("risk_score"),
    ...pick("version"),
    ...pick("tags"),
    "kibana.alert.rule.from": d.from ?? RULE_DEFAULTS.from,
    "kibana.alert.rule.to": d.to ?? RULE_DEFAULTS.to,
    "kibana.alert.rule.interval": d.interval ?? RULE_DEFAULTS.interval,
    ...pick("max_signals"),
    ...pick("timestamp_override"),
  };
}

/** The `@timestamp` of a document as ISO 8601, as `getValidDateFromDoc` reads it; undefined when absent or invalid. */
export function originalTime(event: EventDocument): string | undefined {
  const value = valueAt(event, "@timestamp");
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== "string" && typeof first !== "number") return undefined;
  const t = typeof first === "number" ? first : Date.parse(first);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/**
 * A query rule's alert for one event: the event's fields, then the alert fields (which win: Kibana's alert
 * fields overwrite a source's `@timestamp` and `event.kind`).
 */
export function eventAlert(rule: EngineRule, event: EventDocument, executedAt: Date): AlertDocument {
  const original = originalTime(event);
  const { "@timestamp": _ts, ...rest } = withoutEventKind(event);
  return {
    ...rest,
    ...ruleAlertFields(rule, executedAt),
    ...(original ? { [ALERT.originalTime]: original } : {}),
  };
}

/** A threshold rule's alert for one bucket (`transformBucketIntoHit` then `buildAlertFields`). */
export function thresholdAlert(
  rule: EngineRule,
  result: ThresholdResult,
  latest: string,
  executedAt: Date,
): AlertDocument {
  const source: AlertDocument = {};
  for (const term of result.terms) source[term.field] = term.value;
  return {
    ...source,
    ...ruleAlertFields(rule, executedAt),
    [ALERT.originalTime]: latest,
    [ALERT.thresholdResult]: {
      terms: result.terms,
      ...(result.cardinality ? { cardinality: result.cardinality } : {}),
      count: result.count,
      from: result.from,
    },
  };
}

/** Adds `kibana.alert.suppression.*` to an alert (`wrapSuppressedAlerts`, `wrapSuppressedThresholdALerts`). */
export function withSuppression(alert: AlertDocument, suppression: SuppressionFields): AlertDocument {
  return {
    ...alert,
    [ALERT.suppressionTerms]: suppression.terms,
    [ALERT.suppressionStart]: suppression.start,
    [ALERT.suppressionEnd]: suppression.end,
    [ALERT.suppressionDocsCount]: suppression.docsCount,
  };
}

function withoutEventKind(event: EventDocument): EventDocument {
  if (!("event.kind" in event) && !isObject(event.event)) return event;
  const copy: EventDocument = { ...event };
  delete copy["event.kind"];
  if (isObject(copy.event) && "kind" in copy.event) {
    const { kind: _kind, ...eventRest } = copy.event;
    copy.event = eventRest;
  }
  return copy;
}

/** A field's value in a document with nested objects, dotted keys, or both. */
export function valueAt(document: unknown, path: string): unknown {
  if (!isObject(document)) return undefined;
  if (path in document) return document[path];
  const segments = path.split(".");
  for (let i = segments.length - 1; i > 0; i--) {
    const head = segments.slice(0, i).join(".");
    if (head in document) {
      const inner = valueAt(document[head], segments.slice(i).join("."));
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
