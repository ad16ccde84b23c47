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
  const created: Record<string, unknown>[] = [];
  const deleted: string[] = [];
  const bulks: { operations: unknown[] }[] = [];
  const client = {
    indices: {
      create: async (request: Record<string, unknown>) => (created.push(request), {}),
      refresh: async () => ({}),
      delete: async (request: { index: string }) => (deleted.push(request.index), {}),
    },
    bulk: async (request: { operations: unknown[] }) => (bulks.push(request), { errors: false, items: [] }),
    cat: { indices: async () => [] },
    transport: {
      request: async (request: Record<string, unknown>) => {
        sent.push(request);
        return answer(request);
      },
    },
  };
  return { client: client as unknown as Client, sent, created, deleted, bulks };
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

  // LOOKUP JOIN needs its right side to be an index with `index.mode: lookup` and a join key of the same type as
  // the left side's (elastic/elasticsearch docs/reference/query-languages/esql/esql-lookup-join.md, "Requirements").
  describe("LOOKUP JOIN with the case's lookups", () => {
    const query =
      "FROM logs-* METADATA _id\n| LOOKUP JOIN threat-intel ON source.ip\n| WHERE threat.feed.name IS NOT NULL";
    const lookups = {
      "threat-intel": [{ source: { ip: "203.0.113.2" }, threat: { feed: { name: "abuse-feed" } } }],
    };

    it("creates a lookup-mode index with the rows, joins against it, and deletes it", async () => {
      const { client, sent, created, deleted, bulks } = standIn(async () => ({
        is_running: false,
        columns: [{ name: "_id", type: "keyword" }],
        values: [["0-1"]],
      }));
      const out = await elasticsearchEngine({ client, runId: "t" }).execute(rule(query), [
        { events, catalog, range, now: range.to, lookups },
      ]);
      const lookup = created.find((c) => c.index === "dac-test-t-1-lookup-0-1");
      expect(lookup, JSON.stringify(created)).toBeDefined();
      expect(lookup!.settings).toMatchObject({ mode: "lookup", number_of_shards: 1 });
      // The join key is mapped with the events' type (ECS: source.ip is ip).
      expect(lookup!.mappings).toMatchObject({
        properties: { source: { properties: { ip: { type: "ip" } } } },
      });
      expect(bulks.at(-1)!.operations).toEqual([
        { index: { _index: "dac-test-t-1-lookup-0-1", _id: "0" } },
        lookups["threat-intel"][0],
      ]);
      expect((sent[0]!.body as { query: string }).query).toBe(
        "FROM dac-test-t-1 METADATA _id\n| LOOKUP JOIN dac-test-t-1-lookup-0-1 ON source.ip\n| WHERE threat.feed.name IS NOT NULL | limit 101",
      );
      expect(deleted).toContain("dac-test-t-1-lookup-0-1");
      expect(out.executions[0]!.events.map((e) => e.matched)).toEqual([false, true]);
    });

    it("without the case's rows the execution fails, and nothing is sent (never the user's own lookup index)", async () => {
      const { client, sent } = standIn(async () => ({ is_running: false, columns: [], values: [] }));
      const out = await elasticsearchEngine({ client, runId: "t" }).execute(rule(query), [
        { events, catalog, range, now: range.to },
      ]);
      expect(out.executions[0]!.error).toMatch(/no lookup data for lookup index \[threat-intel\].*lookups:/);
      expect(sent).toEqual([]);
    });

    it("ENRICH fails the execution: the engine does not create enrich policies", async () => {
      const { client, sent } = standIn(async () => ({ is_running: false, columns: [], values: [] }));
      const out = await elasticsearchEngine({ client, runId: "t" }).execute(
        rule("FROM logs-* | ENRICH hosts-policy ON host.name"),
        [{ events, catalog, range, now: range.to, lookups: { "hosts-policy": [{ "host.name": "a" }] } }],
      );
      expect(out.executions[0]!.error).toMatch(
        /^ENRICH hosts-policy on elasticsearch: dac does not create enrich policies/,
      );
      expect(sent).toEqual([]);
    });

    it("points each LOOKUP JOIN it has rows for at its test index", () => {
      const text = "FROM logs-*\n| LOOKUP JOIN a ON x\n| LOOKUP JOIN b ON y";
      expect(esqlQueryOn(text, parseEsql(text), "t-1", new Map([["b", "t-1-lookup-0-1"]]))).toBe(
        "FROM t-1\n| LOOKUP JOIN a ON x\n| LOOKUP JOIN t-1-lookup-0-1 ON y",
      );
    });
  });
});
