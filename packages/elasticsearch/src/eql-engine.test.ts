// The elasticsearch engine on EQL rules, against a stand-in client (the CI node has no EQL module): the request it
// sends is Kibana's `_eql/search` (eql-request.ts) plus an `ids` filter for the execution's own events, its
// answer becomes alerts as Kibana's EQL executor writes them, and a node without EQL is
// `unsupported: eql on this cluster`.
import { readFileSync } from "node:fs";
import type { Client } from "@elastic/elasticsearch";
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import type { EngineRule } from "@dac/harness";
import { eqlSearchRequest, elasticsearchEngine } from "./index.js";
import { isMissingEql } from "./engine.js";

const catalog = fieldCatalog({ ecs: true });
const rule: EngineRule = {
  file: "rules/r.yaml",
  data: {
    type: "eql",
    language: "eql",
    rule_id: "r1",
    name: "R",
    query: "sequence by host.id [process where true] [network where true]",
  } as EngineRule["data"],
};
const events = [
  { "@timestamp": "2026-12-07T11:55:00Z", event: { category: "process" }, host: { id: "h1" } },
  { "@timestamp": "2026-12-07T11:56:00Z", event: { category: "network" }, host: { id: "h1" } },
];

function standIn(search: (request: Record<string, unknown>) => Promise<unknown>) {
  const sent: Record<string, unknown>[] = [];
  const client = {
    indices: { create: async () => ({}), refresh: async () => ({}), delete: async () => ({}) },
    bulk: async () => ({ errors: false, items: [] }),
    cat: { indices: async () => [] },
    eql: {
      search: async (request: Record<string, unknown>) => {
        sent.push(request);
        return search(request);
      },
    },
  };
  return { client: client as unknown as Client, sent };
}

describe("elasticsearch engine, EQL rules", () => {
  it("sends Kibana's _eql/search and turns a sequence into a shell alert and building blocks", async () => {
    const { client, sent } = standIn(async () => ({
      hits: { sequences: [{ events: [{ _id: "0-0" }, { _id: "0-1" }] }] },
    }));
    const engine = elasticsearchEngine({ client, runId: "t" });
    expect(engine.supports(rule)).toBe(true);
    const range = { from: new Date("2026-12-07T11:54:00Z"), to: new Date("2026-12-07T12:00:00Z") };
    const out = await engine.execute(rule, [{ events, catalog, range, now: range.to }]);
    const kibana = eqlSearchRequest(rule, ["dac-test-t-1"], {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
    });
    expect(sent[0]).toEqual({
      index: "dac-test-t-1",
      allow_no_indices: true,
      ...kibana.body,
      filter: { bool: { filter: [...kibana.body.filter.bool.filter, { ids: { values: ["0-0", "0-1"] } }] } },
    });
    const alerts = out.executions[0]!.alerts;
    expect(alerts.map((a) => a.events)).toEqual([[0, 1], [0], [1]]);
    expect(alerts[1]!.document["kibana.alert.group.id"]).toBe(alerts[0]!.document["kibana.alert.group.id"]);
    expect(out.executions[0]!.events.map((e) => e.matched)).toEqual([true, true]);
  });

  it("sends the recorded _eql/search body: lookback range, size = max_signals, timestamp, tiebreaker, category", async () => {
    // test-data/eql-search-sequence.json is written from Kibana's build_eql_search_request.ts and its test
    // (x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/eql/): `size`
    // is the rule's max_signals (eql.ts: `size: ruleParams.maxSignals`), the filter is buildTimeRangeFilter's
    // range on the rule's timestamp (from `now-6m` at 12:00) then getQueryFilter's empty bool, and
    // `event_category_field` is the rule's event_category_override. The `ids` filter is dac's: one
    // execution's events only.
    const recorded = JSON.parse(
      readFileSync(new URL("./test-data/eql-search-sequence.json", import.meta.url), "utf8"),
    ) as Record<string, unknown>;
    const { client, sent } = standIn(async () => ({ hits: { sequences: [] } }));
    const r: EngineRule = {
      file: "rules/r.yaml",
      data: {
        type: "eql",
        language: "eql",
        rule_id: "r1",
        name: "R",
        from: "now-6m",
        max_signals: 5,
        timestamp_field: "event.created",
        tiebreaker_field: "event.sequence",
        event_category_override: "event.type",
        query: recorded.query,
      } as unknown as EngineRule["data"],
    };
    const now = new Date("2026-12-07T12:00:00Z");
    const range = { from: new Date("2026-12-07T11:54:00Z"), to: now };
    await elasticsearchEngine({ client, runId: "rec" }).execute(r, [{ events, catalog, range, now }]);
    expect(JSON.parse(JSON.stringify(sent[0]))).toEqual(recorded);
  });

  it("suppresses sequences by the shell alert's group-by fields", async () => {
    const { client } = standIn(async () => ({
      hits: {
        sequences: [
          { events: [{ _id: "0-0" }, { _id: "0-1" }] },
          { events: [{ _id: "0-2" }, { _id: "0-3" }] },
        ],
      },
    }));
    const suppressed: EngineRule = {
      ...rule,
      data: { ...rule.data, alert_suppression: { group_by: ["host.id"] } } as EngineRule["data"],
    };
    const range = { from: new Date("2026-12-07T11:54:00Z"), to: new Date("2026-12-07T12:00:00Z") };
    const out = await elasticsearchEngine({ client, runId: "t" }).execute(suppressed, [
      { events: [...events, ...events], catalog, range, now: range.to },
    ]);
    const alerts = out.executions[0]!.alerts;
    expect(alerts.map((a) => a.events)).toEqual([[0, 1], [0], [1]]);
    expect(alerts[0]!.document).toMatchObject({
      "kibana.alert.suppression.terms": [{ field: "host.id", value: "h1" }],
      "kibana.alert.suppression.docs_count": 1,
    });
  });

  it("suppresses an event query's returned events as the in-memory engine does", async () => {
    const { client } = standIn(async () => ({ hits: { events: [{ _id: "0-0" }, { _id: "0-1" }] } }));
    const r: EngineRule = {
      ...rule,
      data: {
        ...rule.data,
        query: "any where true",
        alert_suppression: { group_by: ["host.id"] },
      } as EngineRule["data"],
    };
    const range = { from: new Date("2026-12-07T11:54:00Z"), to: new Date("2026-12-07T12:00:00Z") };
    const out = await elasticsearchEngine({ client, runId: "t" }).execute(r, [
      { events, catalog, range, now: range.to },
    ]);
    const alerts = out.executions[0]!.alerts;
    expect(alerts.map((a) => a.events)).toEqual([[0, 1]]);
    expect(alerts[0]!.document).toMatchObject({
      "kibana.alert.suppression.terms": [{ field: "host.id", value: ["h1"] }],
      "kibana.alert.suppression.docs_count": 1,
    });
  });

  it("reports a node without EQL as unsupported", async () => {
    const { client } = standIn(async () => {
      throw new Error("no handler found for uri [/dac-test-t-1/_eql/search] and method [POST]");
    });
    const engine = elasticsearchEngine({ client, runId: "t" });
    await expect(engine.execute(rule, [{ events, catalog }])).rejects.toThrow(
      /^unsupported: eql on this cluster/,
    );
  });

  it("recognises the node's answer for a missing route", () => {
    expect(isMissingEql("400 error: no handler found for uri [/x/_eql/search] and method [POST]")).toBe(true);
    expect(isMissingEql("400 verification_exception: Unknown column [x]")).toBe(false);
  });
});
