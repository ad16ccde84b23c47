// The elasticsearch engine on ES|QL rules, against a stand-in client (the CI node has no ES|QL): the request it
// sends is Kibana's `POST /_query/async` (esql-request.ts) with FROM pointed at the test index and an `ids`
// filter for the execution's own events; the table it gets back becomes alerts as Kibana's ES|QL executor writes
// them (esql-alerts.ts); a node without ES|QL is `unsupported: esql on this cluster`.
import type { Client } from "@elastic/elasticsearch";
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import type { EngineRule } from "@dac/harness";
import { parseEsql } from "@dac/esql";
import { elasticsearchEngine, esqlQueryRequest } from "./index.js";
import { esqlQueryOn } from "./engine.js";

const catalog = fieldCatalog({ ecs: true });
const rule = (query: string): EngineRule => ({
  file: "rules/r.yaml",
  data: { type: "esql", language: "esql", rule_id: "r1", name: "R", query } as EngineRule["data"],
});
const events = [
  { "@timestamp": "2026-12-07T11:55:00Z", user: { name: "alice" }, source: { ip: "203.0.113.1" } },
  { "@timestamp": "2026-12-07T11:56:00Z", user: { name: "bob" }, source: { ip: "203.0.113.2" } },
];
const range = { from: new Date("2026-12-07T11:54:00Z"), to: new Date("2026-12-07T12:00:00Z") };

function standIn(answer: (request: Record<string, unknown>) => Promise<unknown>) {
  const sent: Record<string, unknown>[] = [];
  const client = {
    indices: { create: async () => ({}), refresh: async () => ({}), delete: async () => ({}) },
    bulk: async () => ({ errors: false, items: [] }),
    cat: { indices: async () => [] },
    transport: {
      request: async (request: Record<string, unknown>) => {
        sent.push(request);
        return answer(request);
      },
    },
  };
  return { client: client as unknown as Client, sent };
}

describe("elasticsearch engine, ES|QL rules", () => {
  it("sends Kibana's request with FROM on the test index, and a row with _id is its event's alert", async () => {
    const query = 'FROM logs-* METADATA _id\n| WHERE user.name == "bob"';
    const { client, sent } = standIn(async () => ({
      is_running: false,
      columns: [
        { name: "_id", type: "keyword" },
        { name: "user.name", type: "keyword" },
      ],
      values: [["0-1", "bob"]],
    }));
    const engine = elasticsearchEngine({ client, runId: "t" });
    expect(engine.supports(rule(query))).toBe(true);
    const out = await engine.execute(rule(query), [{ events, catalog, range, now: range.to }]);
    const kibana = esqlQueryRequest(
      rule(query),
      { from: range.from.toISOString(), to: range.to.toISOString() },
      { aggregating: false, query: 'FROM dac-test-t-1 METADATA _id\n| WHERE user.name == "bob"' },
    );
    expect(sent[0]).toEqual({
      method: "POST",
      path: "/_query/async",
      querystring: kibana.querystring,
      body: {
        ...kibana.body,
        filter: {
          bool: { filter: [...kibana.body.filter.bool.filter, { ids: { values: ["0-0", "0-1"] } }] },
        },
      },
    });
    const execution = out.executions[0]!;
    expect(execution.alerts.map((a) => a.events)).toEqual([[1]]);
    expect(execution.alerts[0]!.document).toMatchObject({
      source: { ip: "203.0.113.2" },
      "user.name": "bob",
    });
    expect(execution.events.map((e) => e.matched)).toEqual([false, true]);
  });

  it("an aggregating query: one alert per row, polled while the async query runs", async () => {
    const query = "FROM logs-* | STATS n = COUNT(*) BY user.name";
    let polls = 0;
    const { client, sent } = standIn(async (request) => {
      if (request.method === "POST") return { id: "q1", is_running: true };
      polls++;
      return {
        is_running: false,
        columns: [
          { name: "n", type: "long" },
          { name: "user.name", type: "keyword" },
        ],
        values: [
          [1, "alice"],
          [1, "bob"],
        ],
      };
    });
    const out = await elasticsearchEngine({ client, runId: "t" }).execute(rule(query), [
      { events, catalog, range, now: range.to },
    ]);
    expect(polls).toBe(1);
    expect(sent[1]).toMatchObject({ method: "GET", path: "/_query/async/q1" });
    expect((sent[0]!.querystring as Record<string, unknown>).allow_partial_results).toBe(false);
    expect(out.executions[0]!.alerts.map((a) => a.document["user.name"])).toEqual(["alice", "bob"]);
  });

  it("reports a node without ES|QL as unsupported (the CI node's answer)", async () => {
    const { client } = standIn(async () => {
      throw new Error("no handler found for uri [/_query/async?drop_null_columns=true] and method [POST]");
    });
    await expect(
      elasticsearchEngine({ client, runId: "t" }).execute(rule("FROM logs-*"), [{ events, catalog }]),
    ).rejects.toThrow(/^unsupported: esql on this cluster/);
  });

  it("points FROM at the test index and keeps the rest of the query as written", () => {
    const text = 'FROM logs-okta.system-*, "logs-other-*" METADATA _id, _index\n| LIMIT 5';
    expect(esqlQueryOn(text, parseEsql(text), "dac-test-x-1")).toBe(
      "FROM dac-test-x-1 METADATA _id, _index\n| LIMIT 5",
    );
  });
});
