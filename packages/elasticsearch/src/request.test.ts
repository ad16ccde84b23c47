// The request Kibana's detection engine sends for a custom query rule. Source, elastic/kibana:
// x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/utils/
//   build_events_query.ts (`buildEventsSearchQuery`, `buildTimeRangeFilter`): the filter and the time range in a
//   `bool.filter`, `size`, `sort` on the primary (and secondary) timestamp ascending with `unmapped_type: date`,
//   `fields: [{field: '*', include_unmapped: true}, {field: <timestamp>, format: 'strict_date_optional_time'}]`,
//   `allow_no_indices: true`, and `ignore_unavailable: true` added by `buildEventsSearchQuery`;
// and the rule's filter from `getQueryFilter` (`buildEsQuery`): KQL in `bool.filter`, Lucene as `query_string`
// with `analyze_wildcard: true` in `bool.must`, enabled filters in `bool.filter`, negated ones in `bool.must_not`.
import { describe, expect, it } from "vitest";
import type { EngineRule } from "@dac/harness";
import type { DslQuery } from "@dac/kql";
import {
  eventsSearchRequest,
  pinNow,
  parseQuery,
  ruleFilter,
  timeRangeFilter,
  timestampsOf,
} from "./request.js";

const rule = (data: Record<string, unknown>): EngineRule => ({
  file: "rules/r.yaml",
  data: data as EngineRule["data"],
});

describe("timestampsOf (the detection engine's primary and secondary timestamps)", () => {
  it.each([
    [{}, { primary: "@timestamp" }],
    [{ timestamp_override: "@timestamp" }, { primary: "@timestamp" }],
    [{ timestamp_override: "event.ingested" }, { primary: "event.ingested", secondary: "@timestamp" }],
    [
      { timestamp_override: "event.ingested", timestamp_override_fallback_disabled: true },
      { primary: "event.ingested" },
    ],
  ])("%j → %j", (data, expected) => {
    expect(timestampsOf(rule(data))).toEqual(expected);
  });
});

describe("timeRangeFilter (buildTimeRangeFilter)", () => {
  it("falls back to the secondary timestamp only for documents without the primary", () => {
    expect(timeRangeFilter({ primary: "event.ingested", secondary: "@timestamp" }, "F", "T")).toEqual({
      bool: {
        minimum_should_match: 1,
        should: [
          { range: { "event.ingested": { lte: "T", gte: "F", format: "strict_date_optional_time" } } },
          {
            bool: {
              filter: [
                { range: { "@timestamp": { lte: "T", gte: "F", format: "strict_date_optional_time" } } },
                { bool: { must_not: { exists: { field: "event.ingested" } } } },
              ],
            },
          },
        ],
      },
    });
  });
});

describe("eventsSearchRequest (buildEventsSearchQuery)", () => {
  it("is Kibana's request for a query rule: filter and range, size max_signals, sorted by time", () => {
    const r = rule({ type: "query", query: "user.name: root", max_signals: 7 });
    const filter = ruleFilter(r, parseQuery(r), []);
    expect(eventsSearchRequest(r, filter, ["logs-*"], { from: "F", to: "T" })).toEqual({
      index: ["logs-*"],
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 7,
      query: {
        bool: {
          filter: [
            {
              bool: {
                must: [],
                filter: [{ bool: { should: [{ match: { "user.name": "root" } }], minimum_should_match: 1 } }],
                should: [],
                must_not: [],
              },
            },
            { range: { "@timestamp": { lte: "T", gte: "F", format: "strict_date_optional_time" } } },
          ],
        },
      },
      fields: [
        { field: "*", include_unmapped: true },
        { field: "@timestamp", format: "strict_date_optional_time" },
      ],
      sort: [{ "@timestamp": { order: "asc", unmapped_type: "date" } }],
    });
  });

  it("sizes a rule without max_signals at Kibana's default of 100 and sorts by both timestamps", () => {
    const r = rule({ type: "query", query: "", timestamp_override: "event.ingested" });
    const request = eventsSearchRequest(r, ruleFilter(r, parseQuery(r), []), ["x"], { from: "F", to: "T" });
    expect(request.size).toBe(100);
    expect(request.sort).toEqual([
      { "event.ingested": { order: "asc", unmapped_type: "date" } },
      { "@timestamp": { order: "asc", unmapped_type: "date" } },
    ]);
  });
});

describe("ruleFilter (getQueryFilter / buildEsQuery)", () => {
  it("uses the index's fields: term on keyword, as Kibana 8.15+ after loading them", () => {
    const r = rule({ type: "query", query: "user.name: root" });
    expect(
      ruleFilter(r, parseQuery(r), [{ name: "user.name", type: "string", esTypes: ["keyword"] }]),
    ).toEqual({
      bool: {
        must: [],
        filter: [
          { bool: { should: [{ term: { "user.name": { value: "root" } } }], minimum_should_match: 1 } },
        ],
        should: [],
        must_not: [],
      },
    });
  });

  it("adds enabled filters, negated ones under must_not, and skips disabled ones", () => {
    const r = rule({
      type: "query",
      query: "",
      filters: [
        { meta: { negate: false }, query: { term: { "host.name": "a" } } },
        { meta: { negate: true }, query: { term: { "host.name": "b" } } },
        { meta: { disabled: true }, query: { term: { "host.name": "c" } } },
        { meta: {}, exists: { field: "user.name" } },
      ],
    });
    expect(ruleFilter(r, parseQuery(r), [])).toEqual({
      bool: {
        must: [],
        filter: [{ term: { "host.name": "a" } }, { exists: { field: "user.name" } }],
        should: [],
        must_not: [{ term: { "host.name": "b" } }],
      },
    });
  });

  it("sends a Lucene query as query_string with analyze_wildcard", () => {
    const r = rule({ type: "query", language: "lucene", query: "user.name:ro*" });
    expect(ruleFilter(r, parseQuery(r), []).bool).toMatchObject({
      must: [{ query_string: { query: "user.name:ro*", analyze_wildcard: true, time_zone: "Zulu" } }],
    });
  });

  it("turns a Lucene syntax error into an engine error with its place", () => {
    expect(() => parseQuery(rule({ type: "query", language: "lucene", query: "a:(b" }))).toThrow(
      /syntax error at line 1, column 5: expected "\)"/,
    );
  });

  it("turns a KQL syntax error into an engine error with its place", () => {
    expect(() => parseQuery(rule({ type: "query", query: "a:(b" }))).toThrow(
      /syntax error at line 1, column/,
    );
  });
});

describe("pinNow", () => {
  const now = new Date("2026-03-01T10:20:30.000Z");
  it.each([
    ["gte", "now-30d/d", "2026-01-30T00:00:00.000Z"],
    ["lte", "now/d", "2026-03-01T23:59:59.999Z"],
    ["gt", "now-1h/h", "2026-03-01T09:59:59.999Z"],
    ["lt", "now", "2026-03-01T10:20:30.000Z"],
  ])("%s %s resolves as Elasticsearch rounds it", (op, bound, want) => {
    const q = {
      bool: { filter: [{ range: { "@timestamp": { [op]: bound, format: "strict_date_optional_time" } } }] },
    };
    expect(pinNow(q, now)).toEqual({
      bool: { filter: [{ range: { "@timestamp": { [op]: want, format: "strict_date_optional_time" } } }] },
    });
  });
  it("leaves absolute bounds and other clauses alone", () => {
    const q: DslQuery = { bool: { filter: [{ range: { n: { gte: 5 } } }, { term: { now: "now" } }] } };
    expect(pinNow(q, now)).toEqual(q);
  });
});
