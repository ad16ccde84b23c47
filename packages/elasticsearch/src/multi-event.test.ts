import { afterAll, describe, expect, it } from "vitest";
import { newTermsEngine, threatMatchEngine } from "@dac/harness";
import type { Engine, EngineRule, Execution } from "@dac/harness";
import { fieldCatalog } from "@dac/fields";
import { describeWithElasticsearch } from "@dac/es-test-node";
import { elasticsearchEngine, testIndexPrefix, testIndices } from "./engine.js";
import {
  decodeNamedQuery,
  encodeNamedQuery,
  matchedQueriesByEvent,
  threatMappingFilter,
} from "./threat-match-search.js";
import { earliestOf, newTermsDocFetchRequest, recentTermsRequest } from "./new-terms-search.js";

const catalog = fieldCatalog({ ecs: true });
const K = "x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types";

const newTerms = (data: Record<string, unknown> = {}): EngineRule => ({
  file: "rules/new.yaml",
  data: {
    type: "new_terms",
    query: "event.category: authentication",
    new_terms_fields: ["user.name"],
    history_window_start: "now-7d",
    from: "now-1h",
    ...data,
  } as unknown as EngineRule["data"],
});

const threatMatch = (data: Record<string, unknown> = {}): EngineRule => ({
  file: "rules/im.yaml",
  data: {
    type: "threat_match",
    query: "destination.ip: *",
    threat_index: ["logs-ti_*"],
    threat_query: 'threat.indicator.type: "ipv4-addr"',
    threat_mapping: [
      { entries: [{ field: "destination.ip", type: "mapping", value: "threat.indicator.ip" }] },
    ],
    from: "now-1h",
    ...data,
  } as unknown as EngineRule["data"],
});

const logon = (at: string, user: unknown, extra: Record<string, unknown> = {}) => ({
  "@timestamp": at,
  event: { category: "authentication" },
  user: { name: user },
  ...extra,
});
const flow = (at: string, ip: unknown, port?: number) => ({
  "@timestamp": at,
  destination: { ip, ...(port ? { port } : {}) },
});
const ioc = (ip: unknown, extra: Record<string, unknown> = {}) => ({
  document: { threat: { feed: { name: "Feed" }, indicator: { ip, type: "ipv4-addr", ...extra } } },
});

/** Scenarios both engines must answer alike. */
const scenarios: { name: string; rule: EngineRule; executions: Execution[] }[] = [
  {
    name: "new_terms: history, lookback window, first event, arrays",
    rule: newTerms(),
    executions: [
      {
        catalog,
        events: [
          logon("2026-02-27T10:00:00Z", "alice"),
          logon("2026-03-01T09:30:00Z", ["bob", "alice"]),
          logon("2026-03-01T09:20:00Z", "bob"),
          logon("2026-03-01T09:40:00Z", "carol", { event: { category: "network" } }),
          logon("2026-02-20T10:00:00Z", "dave"),
          logon("2026-03-01T09:45:00Z", "dave"),
        ],
      },
      { catalog, events: [logon("2026-03-01T09:00:00Z", "erin"), logon("2026-03-01T08:59:00Z", "frank")] },
    ],
  },
  {
    name: "new_terms: two fields, combinations",
    rule: newTerms({ new_terms_fields: ["user.name", "host.name"] }),
    executions: [
      {
        catalog,
        events: [
          logon("2026-02-27T10:00:00Z", "alice", { host: { name: "h1" } }),
          logon("2026-03-01T09:30:00Z", ["alice", "bob"], { host: { name: ["h1", "h2"] } }),
          logon("2026-03-01T09:31:00Z", "carol"),
        ],
      },
    ],
  },
  {
    name: "new_terms: timestamp_override with its fallback, max_signals",
    rule: newTerms({ timestamp_override: "event.ingested", max_signals: 2 }),
    executions: [
      {
        catalog,
        events: [
          {
            ...logon("2026-03-01T09:40:00Z", "alice"),
            event: { category: "authentication", ingested: "2026-02-27T00:00:00Z" },
          },
          logon("2026-03-01T09:50:00Z", "alice"),
          logon("2026-03-01T09:51:00Z", "zed"),
          logon("2026-03-01T09:52:00Z", "yan"),
          logon("2026-03-01T09:53:00Z", "xia"),
        ],
      },
    ],
  },
  {
    name: "threat_match: one entry, an IPv4-mapped indicator, threat_query, the lookback window",
    rule: threatMatch(),
    executions: [
      {
        catalog,
        indicatorCatalog: catalog,
        events: [
          flow("2026-03-01T09:00:00Z", "203.0.113.7"),
          flow("2026-03-01T09:10:00Z", "198.51.100.1"),
          flow("2026-03-01T09:20:00Z", "10.1.2.3"),
          flow("2026-03-01T07:00:00Z", "203.0.113.7"),
          flow("2026-03-01T09:30:00Z", ["198.51.100.9", "203.0.113.7"]),
        ],
        indicators: [
          ioc("203.0.113.7"),
          ioc("198.51.100.1", { type: "domain-name" }),
          { id: "mapped", index: "logs-ti_custom-default", ...ioc("::ffff:10.1.2.3") },
        ],
      },
    ],
  },
  {
    name: "threat_match: threat_filters (a negated phrase) leave an indicator out",
    rule: threatMatch({
      threat_filters: [{ meta: { negate: true }, query: { match_phrase: { "threat.feed.name": "Noisy" } } }],
    }),
    executions: [
      {
        catalog,
        indicatorCatalog: catalog,
        events: [flow("2026-03-01T09:00:00Z", "203.0.113.7"), flow("2026-03-01T09:10:00Z", "198.51.100.1")],
        indicators: [
          {
            document: {
              threat: { feed: { name: "Noisy" }, indicator: { ip: "203.0.113.7", type: "ipv4-addr" } },
            },
          },
          ioc("198.51.100.1"),
        ],
      },
    ],
  },
  {
    name: "threat_match: a group of two entries (AND) and a second group (OR)",
    rule: threatMatch({
      threat_mapping: [
        {
          entries: [
            { field: "destination.ip", type: "mapping", value: "threat.indicator.ip" },
            { field: "destination.port", type: "mapping", value: "threat.indicator.port" },
          ],
        },
        { entries: [{ field: "source.ip", type: "mapping", value: "threat.indicator.ip" }] },
      ],
    }),
    executions: [
      {
        catalog,
        indicatorCatalog: catalog,
        events: [
          flow("2026-03-01T09:00:00Z", "203.0.113.7", 443),
          flow("2026-03-01T09:01:00Z", "203.0.113.7", 80),
          { ...flow("2026-03-01T09:02:00Z", "10.0.0.1", 80), source: { ip: "203.0.113.7" } },
        ],
        indicators: [ioc("203.0.113.7", { port: 443 })],
      },
    ],
  },
];

describe("new_terms and indicator match request shapes", () => {
  const window = {
    historyStart: "2026-02-22T00:00:00Z",
    from: "2026-03-01T08:00:00Z",
    to: "2026-03-01T10:00:00Z",
  };
  it("phase 1 is a composite aggregation of terms sources over the lookback window (buildRecentTermsAgg)", () => {
    const r = recentTermsRequest(newTerms(), ["user.name", "host.name"], { match_all: {} }, ["i"], window);
    expect(r.size).toBe(0);
    expect(r.aggregations).toEqual({
      new_terms: {
        composite: {
          sources: [
            { "user.name": { terms: { field: "user.name" } } },
            { "host.name": { terms: { field: "host.name" } } },
          ],
          size: 10000,
        },
      },
    });
  });
  it("phases 2 and 3 add first_seen and the earliest document (buildCompositeDocFetchAgg)", () => {
    const r = newTermsDocFetchRequest(newTerms(), ["user.name"], { match_all: {} }, ["i"], window, [
      { "user.name": "a" },
    ]);
    const aggs = (r.aggregations.new_terms as { aggs: unknown }).aggs;
    expect(aggs).toEqual({
      first_seen: { min: { field: "@timestamp" } },
      docs: { top_hits: { size: 1, sort: [{ "@timestamp": "asc" }], _source: false } },
    });
    expect(JSON.stringify(r.query)).toContain('"gte":"2026-02-22T00:00:00Z"');
  });
  it("earliestOf picks the earlier side of a split timestamp", () => {
    const hit = (id: string) => ({ hits: { hits: [{ _id: id }] } });
    expect(
      earliestOf({
        key: {},
        doc_count: 2,
        with_override: { first_seen: { value: 20 }, docs: hit("a") },
        without_override: { first_seen: { value: 10 }, docs: hit("b") },
      }),
    ).toEqual({ time: 10, id: "b" });
  });
  it(`encodes named queries as Kibana does (${K}/indicator_match/threat_mapping/utils.ts)`, () => {
    const q = {
      id: "e1",
      index: "i",
      field: "destination.ip",
      value: "threat.indicator.ip",
      queryType: "mq" as const,
    };
    expect(encodeNamedQuery(q)).toBe("e1__SEP__i__SEP__destination.ip__SEP__threat.indicator.ip__SEP__mq");
    expect(decodeNamedQuery(encodeNamedQuery(q))).toEqual(q);
    expect(encodeNamedQuery({ field: "a", value: "b", queryType: "tq" })).toBe(
      "__SEP____SEP__a__SEP__b__SEP__tq",
    );
  });
  it("builds terms for a single keyword/ip entry and match clauses otherwise (build_threat_mapping_filter.ts)", () => {
    const mapping = [{ entries: [{ field: "destination.ip", value: "threat.indicator.ip" }] }];
    const items = [{ _id: "t1", _index: "ti", fields: { "threat.indicator.ip": ["1.2.3.4"] } }];
    const allowed = { source: new Set(["destination.ip"]), threat: new Set(["threat.indicator.ip"]) };
    expect(threatMappingFilter(mapping, items, "value", allowed).bool.should).toEqual([
      {
        terms: {
          _name: "__SEP____SEP__destination.ip__SEP__threat.indicator.ip__SEP__tq",
          "destination.ip": ["1.2.3.4"],
        },
      },
    ]);
    const none = { source: new Set<string>(), threat: new Set<string>() };
    expect(JSON.stringify(threatMappingFilter(mapping, items, "value", none).bool.should)).toContain(
      '"match":{"destination.ip":{"query":"1.2.3.4","_name":"t1__SEP__ti__SEP__destination.ip__SEP__threat.indicator.ip__SEP__mq"}}',
    );
  });
  it("keeps only complete groups per indicator (validate_complete_threat_matches.ts)", () => {
    const mapping = [
      {
        entries: [
          { field: "a", value: "ta" },
          { field: "b", value: "tb" },
        ],
      },
    ];
    const events = [{ _id: "e1", _index: "ev", fields: { a: ["x"], b: ["y"] } }];
    const mq = (threat: string, field: string, value: string) => ({
      _id: threat,
      _index: "ti",
      matched_queries: [encodeNamedQuery({ id: "e1", index: "ev", field, value, queryType: "mq" })],
    });
    // Two indicators, each completing half of the group: no match.
    expect(matchedQueriesByEvent(events, [mq("t1", "a", "ta"), mq("t2", "b", "tb")], mapping).size).toBe(0);
    const both = {
      ...mq("t1", "a", "ta"),
      matched_queries: [...mq("t1", "a", "ta").matched_queries, ...mq("t1", "b", "tb").matched_queries],
    };
    expect(matchedQueriesByEvent(events, [both], mapping).get("e1")).toHaveLength(2);
  });
});

describeWithElasticsearch("new_terms and indicator match on a node agree with memory", (node) => {
  const runIds: string[] = [];
  afterAll(async () => {
    const left = await testIndices(node.client);
    expect(left.filter((i) => runIds.some((id) => i.startsWith(`${testIndexPrefix}${id}-`)))).toEqual([]);
  });
  it.each(scenarios)("$name", async (scenario) => {
    const es = elasticsearchEngine({ client: node.client });
    runIds.push(es.runId);
    const memory: Engine = scenario.rule.data.type === "new_terms" ? newTermsEngine : threatMatchEngine;
    const now = new Date("2026-03-01T10:00:00Z");
    const onNode = await es.execute(scenario.rule, scenario.executions, { now });
    const inMemory = await memory.execute(scenario.rule, scenario.executions, { now });
    const shape = (r: typeof onNode) =>
      r.executions.map((e) => ({
        error: e.error,
        alerts: e.alerts,
        matched: e.events.map((x) => x.matched),
      }));
    expect(shape(onNode)).toEqual(shape(inMemory));
    expect(onNode.executions.some((e) => e.alerts.length > 0)).toBe(true);
    expect(es.liveIndices()).toEqual([]);
  });
});
