/**
 * Conformance of one execution with Kibana's detection engine, one row per rule of executor semantics, each with
 * its source (paths under elastic/kibana x-pack/solutions/security/plugins/security_solution/server/lib/
 * detection_engine/).
 */
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import type { EngineRule } from "../engine.js";
import type { EventDocument } from "../event-files.js";
import { executeRule, ExecutionError } from "./execute.js";
import { lookbackWindow, resolveDateMath } from "./window.js";

const catalog = fieldCatalog({
  definitions: [
    [
      { name: "user.name", type: "keyword", source: "override" as const },
      { name: "source.ip", type: "ip", source: "override" as const },
      { name: "host.name", type: "keyword", source: "override" as const },
      { name: "event.ingested", type: "date", source: "override" as const },
      { name: "process.pid", type: "long", source: "override" as const },
      { name: "message", type: "text", source: "override" as const },
    ],
  ],
});
const rule = (data: Record<string, unknown>): EngineRule => ({
  file: "r.yaml",
  data: {
    rule_id: "r1",
    name: "R",
    severity: "low",
    risk_score: 21,
    type: "query",
    ...data,
  } as EngineRule["data"],
});
const at = (s: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, s)).toISOString();
const ev = (s: number, extra: Record<string, unknown> = {}): EventDocument => ({
  "@timestamp": at(s),
  ...extra,
});

interface Row {
  semantics: string;
  source: string;
  data: Record<string, unknown>;
  events: EventDocument[];
  /** Seconds after 10:00:00 the execution runs. */
  now: number;
  /** The query's verdict per event; default: all match. */
  matched?: boolean[];
  /** Per alert: its source events. */
  alerts: number[][];
  /** Fields the first alert must have. */
  first?: Record<string, unknown>;
}

const rows: Row[] = [
  {
    semantics: "from/to resolve at now: now-6m … now; an event 1 s before the window start is not searched",
    source: "rule_types/utils/utils.ts getRuleRangeTuples (dateMath.parse(from, {forceNow}))",
    data: { from: "now-6m" },
    events: [ev(0), ev(1), ev(360)],
    now: 361,
    alerts: [[1], [2]],
  },
  {
    semantics: "both ends of the window are inside (range gte from, lte to)",
    source: "rule_types/utils/build_events_query.ts buildTimeRangeFilter",
    data: { from: "now-6m", to: "now" },
    events: [ev(0), ev(360), ev(361)],
    now: 360,
    alerts: [[0], [1]],
  },
  {
    semantics: "from and to default to now-6m and now",
    source: "common/api/detection_engine/model/rule_schema (from default now-6m, to default now)",
    data: {},
    events: [ev(0), ev(1)],
    now: 361,
    alerts: [[1]],
  },
  {
    semantics:
      "timestamp_override is the primary timestamp: the override, not @timestamp, decides the window",
    source: "rule_types/utils/build_events_query.ts buildTimeRangeFilter (primaryTimestamp)",
    data: { timestamp_override: "event.ingested" },
    events: [ev(0, { "event.ingested": at(200) }), ev(300, { "event.ingested": at(-10) })],
    now: 361,
    alerts: [[0]],
  },
  {
    semantics: "fallback: an event without the override is searched on @timestamp",
    source:
      "rule_types/utils/build_events_query.ts buildTimeRangeFilter (secondaryTimestamp, must_not exists)",
    data: { timestamp_override: "event.ingested" },
    events: [ev(300)],
    now: 361,
    alerts: [[0]],
  },
  {
    semantics: "an override outside the window does not fall back to an @timestamp inside it",
    source:
      "rule_types/utils/build_events_query.ts buildTimeRangeFilter (should: primary in range, or primary absent)",
    data: { timestamp_override: "event.ingested" },
    events: [ev(300, { "event.ingested": at(-100) })],
    now: 361,
    alerts: [],
  },
  {
    semantics: "timestamp_override_fallback_disabled: an event without the override is not searched",
    source: "rule_types/utils/build_events_query.ts (secondaryTimestamp undefined when fallback is disabled)",
    data: { timestamp_override: "event.ingested", timestamp_override_fallback_disabled: true },
    events: [ev(300)],
    now: 361,
    alerts: [],
  },
  {
    semantics: "max_signals: the earliest hits by the rule's timestamp, ascending",
    source: "rule_types/utils/build_events_query.ts (sort primaryTimestamp asc), search_after_bulk_create.ts",
    data: { max_signals: 2 },
    events: [ev(30), ev(10), ev(20)],
    now: 60,
    alerts: [[1], [2]],
  },
  {
    semantics: "only events the query matches alert",
    source: "rule_types/utils/get_query_filter.ts (the query is the search's filter)",
    data: {},
    events: [ev(1), ev(2)],
    matched: [false, true],
    now: 60,
    alerts: [[1]],
  },
  {
    semantics:
      "alert_suppression.group_by: one alert per group, on its earliest event, docs_count = size − 1",
    source: "rule_types/query/alert_suppression/group_and_bulk_create.ts, wrap_suppressed_alerts.ts",
    data: { alert_suppression: { group_by: ["user.name"] } },
    events: [
      ev(20, { "user.name": "bob" }),
      ev(10, { "user.name": "alice" }),
      ev(30, { "user.name": "alice" }),
    ],
    now: 60,
    alerts: [[1, 2], [0]],
    first: {
      "user.name": "alice",
      "kibana.alert.original_time": at(10),
      "kibana.alert.suppression.terms": [{ field: "user.name", value: "alice" }],
      "kibana.alert.suppression.docs_count": 1,
      "kibana.alert.suppression.start": at(10),
      "kibana.alert.suppression.end": at(30),
    },
  },
  {
    semantics:
      "missing_fields_strategy suppress (default): events missing a group-by field form one group, last",
    source:
      "rule_types/query/alert_suppression/build_group_by_field_aggregation.ts (missing_bucket, missing_order last)",
    data: { alert_suppression: { group_by: ["user.name"] } },
    events: [ev(1), ev(2), ev(3, { "user.name": "zed" })],
    now: 60,
    alerts: [[2], [0, 1]],
  },
  {
    semantics:
      "missing_fields_strategy doNotSuppress: events missing a group-by field alert one by one, first",
    source:
      "rule_types/query/alert_suppression/bulk_create_unsuppressed_alerts.ts (buildMissingFieldsFilter)",
    data: { alert_suppression: { group_by: ["user.name"], missing_fields_strategy: "doNotSuppress" } },
    events: [ev(1), ev(2), ev(3, { "user.name": "zed" })],
    now: 60,
    alerts: [[0], [1], [2]],
  },
  {
    semantics: "suppression: max_signals limits the groups (composite size max_signals + 1, then capped)",
    source: "rule_types/query/alert_suppression/group_and_bulk_create.ts (maxSignals)",
    data: { max_signals: 1, alert_suppression: { group_by: ["user.name"] } },
    events: [ev(1, { "user.name": "b" }), ev(2, { "user.name": "a" })],
    now: 60,
    alerts: [[1]],
  },
  {
    semantics: "suppression only groups events inside the window",
    source: "rule_types/query/alert_suppression/group_and_bulk_create.ts (buildEventsSearchQuery from/to)",
    data: { alert_suppression: { group_by: ["user.name"] } },
    events: [ev(-400, { "user.name": "a" }), ev(2, { "user.name": "a" })],
    now: 60,
    alerts: [[1]],
    first: { "kibana.alert.suppression.docs_count": 0 },
  },
  {
    semantics: "threshold: one alert per bucket with doc_count >= value",
    source:
      "rule_types/threshold/build_threshold_aggregation.ts (count_check bucket_selector docCount >= value)",
    data: { type: "threshold", threshold: { field: ["user.name"], value: 2 } },
    events: [ev(1, { "user.name": "a" }), ev(2, { "user.name": "b" }), ev(3, { "user.name": "a" })],
    now: 60,
    alerts: [[0, 2]],
    first: {
      "user.name": "a",
      "kibana.alert.rule.type": "threshold",
      "kibana.alert.original_time": at(3),
      "kibana.alert.threshold_result": { terms: [{ field: "user.name", value: "a" }], count: 2, from: at(1) },
    },
  },
  {
    semantics: "threshold: an event missing a threshold field is in no bucket",
    source: "rule_types/threshold/build_threshold_aggregation.ts (composite terms without missing_bucket)",
    data: { type: "threshold", threshold: { field: ["user.name", "host.name"], value: 2 } },
    events: [ev(1, { "user.name": "a", "host.name": "h" }), ev(2, { "user.name": "a" })],
    now: 60,
    alerts: [],
  },
  {
    semantics: "threshold: several fields group by their combination, buckets in key order",
    source: "rule_types/threshold/build_threshold_aggregation.ts (composite sources per field)",
    data: { type: "threshold", threshold: { field: ["user.name", "source.ip"], value: 1 } },
    events: [
      ev(1, { "user.name": "b", "source.ip": "10.0.0.1" }),
      ev(2, { "user.name": "a", "source.ip": "10.0.0.2" }),
      ev(3, { "user.name": "a", "source.ip": "10.0.0.1" }),
    ],
    now: 60,
    alerts: [[2], [1], [0]],
  },
  {
    semantics: "threshold: no fields counts every matching event as one bucket, terms []",
    source: "rule_types/threshold/find_threshold_signals.ts (single bucket, key {})",
    data: { type: "threshold", threshold: { field: [], value: 3 } },
    events: [ev(1), ev(2), ev(3)],
    now: 60,
    alerts: [[0, 1, 2]],
    first: { "kibana.alert.threshold_result": { terms: [], count: 3, from: at(1) } },
  },
  {
    semantics: "threshold: field as a string is one field",
    source: "common/utils normalizeThresholdField",
    data: { type: "threshold", threshold: { field: "user.name", value: 2 } },
    events: [ev(1, { "user.name": "a" }), ev(2, { "user.name": "a" })],
    now: 60,
    alerts: [[0, 1]],
  },
  {
    semantics: "threshold cardinality: distinct values of the field >= cardinality.value",
    source: "rule_types/threshold/build_threshold_aggregation.ts (cardinality_count, cardinality_check)",
    data: {
      type: "threshold",
      threshold: { field: ["source.ip"], value: 2, cardinality: [{ field: "user.name", value: 2 }] },
    },
    events: [
      ev(1, { "source.ip": "10.0.0.1", "user.name": "a" }),
      ev(2, { "source.ip": "10.0.0.1", "user.name": "a" }),
      ev(3, { "source.ip": "10.0.0.2", "user.name": "a" }),
      ev(4, { "source.ip": "10.0.0.2", "user.name": "b" }),
    ],
    now: 60,
    alerts: [[2, 3]],
    first: {
      "kibana.alert.threshold_result": {
        terms: [{ field: "source.ip", value: "10.0.0.2" }],
        cardinality: [{ field: "user.name", value: 2 }],
        count: 2,
        from: at(3),
      },
    },
  },
  {
    semantics: "threshold: at most max_signals buckets",
    source: "rule_types/threshold/find_threshold_signals.ts (buckets.slice(0, maxSignals))",
    data: { type: "threshold", max_signals: 1, threshold: { field: ["user.name"], value: 1 } },
    events: [ev(1, { "user.name": "b" }), ev(2, { "user.name": "a" })],
    now: 60,
    alerts: [[1]],
  },
  {
    semantics: "threshold with alert_suppression: suppression fields, docs_count 0 on the creating execution",
    source: "rule_types/threshold/wrap_suppressed_threshold_alerts.ts",
    data: {
      type: "threshold",
      threshold: { field: ["user.name"], value: 2 },
      alert_suppression: { duration: { value: 5, unit: "m" } },
    },
    events: [ev(1, { "user.name": "a" }), ev(5, { "user.name": "a" })],
    now: 60,
    alerts: [[0, 1]],
    first: {
      "kibana.alert.suppression.terms": [{ field: "user.name", value: "a" }],
      "kibana.alert.suppression.docs_count": 0,
      "kibana.alert.suppression.start": at(1),
      "kibana.alert.suppression.end": at(5),
    },
  },
  {
    semantics: "threshold: a multi-valued field puts the event in a bucket per value",
    source: "Elasticsearch composite aggregation: terms sources emit one key per value",
    data: { type: "threshold", threshold: { field: ["user.name"], value: 2 } },
    events: [ev(1, { "user.name": ["a", "b"] }), ev(2, { "user.name": "b" })],
    now: 60,
    alerts: [[0, 1]],
  },
  {
    semantics: "a query alert carries the rule's fields and the event's, @timestamp is the execution time",
    source: "rule_types/factories/utils/build_alert.ts buildAlertFields",
    data: {},
    events: [ev(5, { "user.name": "a", "event.kind": "event" })],
    now: 60,
    alerts: [[0]],
    first: {
      "@timestamp": at(60),
      "event.kind": "signal",
      "user.name": "a",
      "kibana.alert.original_time": at(5),
      "kibana.alert.rule.rule_id": "r1",
      "kibana.alert.rule.name": "R",
      "kibana.alert.rule.type": "query",
      "kibana.alert.severity": "low",
      "kibana.alert.risk_score": 21,
      "kibana.alert.rule.from": "now-6m",
    },
  },
];

describe("one execution (conformance with Kibana's detection engine)", () => {
  it.each(rows)("$semantics — $source", (row) => {
    const r = rule(row.data);
    const now = new Date(at(row.now));
    const outcome = executeRule({
      rule: r,
      events: row.events,
      matched: row.matched ?? row.events.map(() => true),
      window: lookbackWindow(r, now),
      executedAt: now,
      catalog,
    });
    expect(outcome.alerts.map((a) => a.events)).toEqual(row.alerts);
    if (row.first) expect(outcome.alerts[0]!.document).toMatchObject(row.first);
  });

  it("without a window every event is searched (expect: match | no-match)", () => {
    const outcome = executeRule({
      rule: rule({}),
      events: [ev(-100000), ev(100000)],
      matched: [true, true],
      executedAt: new Date(at(0)),
    });
    expect(outcome.alerts).toHaveLength(2);
    expect(outcome.searched).toEqual([true, true]);
  });

  it("refuses to group a threshold on a text field, as Elasticsearch refuses to aggregate it", () => {
    expect(() =>
      executeRule({
        rule: rule({ type: "threshold", threshold: { field: ["message"], value: 1 } }),
        events: [ev(1, { message: "x" })],
        matched: [true],
        executedAt: new Date(at(2)),
        catalog,
      }),
    ).toThrow(ExecutionError);
  });

  it("groups numeric fields by number, as a terms aggregation keys them", () => {
    const outcome = executeRule({
      rule: rule({ type: "threshold", threshold: { field: ["process.pid"], value: 2 } }),
      events: [ev(1, { "process.pid": 42 }), ev(2, { "process.pid": "42" })],
      matched: [true, true],
      executedAt: new Date(at(3)),
      catalog,
    });
    expect(outcome.alerts[0]!.document["kibana.alert.threshold_result"]).toMatchObject({
      terms: [{ field: "process.pid", value: 42 }],
      count: 2,
    });
  });
});

describe("date math of from/to", () => {
  const now = new Date("2026-03-01T10:17:31.250Z");
  it.each([
    ["now", "2026-03-01T10:17:31.250Z"],
    ["now-6m", "2026-03-01T10:11:31.250Z"],
    ["now-1h/h", "2026-03-01T09:00:00.000Z"],
    ["now-1d/d", "2026-02-28T00:00:00.000Z"],
    ["now-1M", "2026-02-01T10:17:31.250Z"],
    ["now+30s", "2026-03-01T10:18:01.250Z"],
    ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z"],
  ])("%s", (text, expected) => {
    expect(resolveDateMath(text, now).toISOString()).toBe(expected);
  });

  it("refuses what is not date math", () => {
    expect(() => resolveDateMath("now-6 minutes", now)).toThrow(/not date math/);
    expect(() => resolveDateMath("yesterday", now)).toThrow(/neither date math/);
  });
});
