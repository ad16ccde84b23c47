// The EQL engine runs rules as Kibana's EQL executor does (rule_types/eql/: one alert per event of an event query;
// per sequence a shell alert then building blocks with kibana.alert.group.id, wrap_sequences.ts and
// build_alert_group_from_sequence.ts), on @dac/eql's Elasticsearch semantics.
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import type { EngineRule, Execution } from "./engine.js";
import { eqlEngine } from "./eql-engine.js";

const catalog = fieldCatalog({ ecs: true });
const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const rule = (query: string, extra: Record<string, unknown> = {}): EngineRule => ({
  file: "rules/r.yaml",
  data: { type: "eql", language: "eql", rule_id: "r1", name: "R", query, ...extra } as EngineRule["data"],
});
const window = { from: new Date(Date.UTC(2026, 0, 1)), to: new Date(Date.UTC(2026, 0, 2)) };
const execution = (events: Record<string, unknown>[]): Execution => ({
  events,
  catalog,
  range: window,
  now: new Date(Date.UTC(2026, 0, 1, 1)),
});
const ev = (s: number, category: string, host: string, extra: Record<string, unknown> = {}) => ({
  "@timestamp": t(s),
  event: { category },
  host: { id: host },
  ...extra,
});

async function alertsOf(r: EngineRule, events: Record<string, unknown>[]) {
  const out = await eqlEngine.execute(r, [execution(events)]);
  return out.executions[0]!.alerts;
}

describe("eqlEngine", () => {
  it("an event query writes one alert per matching event; == is case-sensitive", async () => {
    const r = rule('process where process.name == "cmd.exe"');
    const alerts = await alertsOf(r, [
      ev(1, "process", "h1", { process: { name: "cmd.exe" } }),
      ev(2, "process", "h1", { process: { name: "CMD.EXE" } }),
      ev(3, "file", "h1", { process: { name: "cmd.exe" } }),
    ]);
    expect(alerts.map((a) => a.events)).toEqual([[0]]);
    expect(alerts[0]!.document).toMatchObject({
      "kibana.alert.rule.type": "eql",
      "kibana.alert.original_time": t(1),
      process: { name: "cmd.exe" },
    });
  });

  it("a two-step by sequence with maxspan: a shell alert, then one building block per event", async () => {
    const r = rule("sequence by host.id with maxspan=1m [process where true] [network where true]");
    const alerts = await alertsOf(r, [
      ev(1, "process", "h1", { user: { name: "alice" } }),
      ev(30, "network", "h1", { user: { name: "alice" } }),
    ]);
    expect(alerts.map((a) => a.events)).toEqual([[0, 1], [0], [1]]);
    const [shell, first, second] = alerts.map((a) => a.document);
    const group = shell!["kibana.alert.group.id"];
    expect(group).toMatch(/^[0-9a-f]{64}$/);
    expect(shell).toMatchObject({
      host: { id: "h1" },
      user: { name: "alice" },
      "kibana.alert.original_time": t(1),
    });
    expect(shell).not.toHaveProperty("kibana.alert.building_block_type");
    expect(first).toMatchObject({
      "kibana.alert.building_block_type": "default",
      "kibana.alert.group.id": group,
      "kibana.alert.group.index": 0,
    });
    expect(second).toMatchObject({ "kibana.alert.group.index": 1, event: { category: "network" } });
  });

  it.each([
    ["the second step just outside maxspan", [ev(1, "process", "h1"), ev(62, "network", "h1")]],
    ["the wrong join key", [ev(1, "process", "h1"), ev(2, "network", "h2")]],
    ["the steps in the wrong order", [ev(2, "process", "h1"), ev(1, "network", "h1")]],
  ])("near miss: %s writes no alert", async (_name, events) => {
    const r = rule("sequence by host.id with maxspan=1m [process where true] [network where true]");
    expect(await alertsOf(r, events)).toEqual([]);
  });

  it("until ends the partial sequence", async () => {
    const r = rule(
      'sequence by host.id [process where event.type == "start"] [network where true] until [process where event.type == "end"]',
    );
    const start = ev(1, "process", "h1", { event: { category: "process", type: "start" } });
    const end = ev(2, "process", "h1", { event: { category: "process", type: "end" } });
    expect(await alertsOf(r, [start, end, ev(3, "network", "h1")])).toEqual([]);
    expect((await alertsOf(r, [start, ev(3, "network", "h1")])).length).toBe(3);
  });

  it("a runs sequence needs every run", async () => {
    const r = rule(
      'sequence by host.id with maxspan=1m [authentication where event.outcome == "failure"] with runs=3',
    );
    const fail = (s: number) =>
      ev(s, "authentication", "h1", { event: { category: "authentication", outcome: "failure" } });
    expect((await alertsOf(r, [fail(1), fail(2), fail(3)])).map((a) => a.events)).toEqual([
      [0, 1, 2],
      [0],
      [1],
      [2],
    ]);
    expect(await alertsOf(r, [fail(1), fail(2)])).toEqual([]);
  });

  it("searches only the lookback window, and at most max_signals sequences", async () => {
    const r = rule("sequence by host.id [process where true] [network where true]", { max_signals: 1 });
    const before = { ...ev(0, "process", "h1"), "@timestamp": "2025-12-31T23:59:59Z" };
    expect(await alertsOf(r, [before, ev(1, "network", "h1")])).toEqual([]);
    const two = [
      ev(1, "process", "h1"),
      ev(2, "network", "h1"),
      ev(3, "process", "h2"),
      ev(4, "network", "h2"),
    ];
    expect((await alertsOf(r, two)).length).toBe(3);
  });

  it("suppresses an event query in memory, as Kibana's EQL executor does", async () => {
    // eql.ts → bulkCreateSuppressedAlertsInMemory → suppressAlertsInMemory (rule_types/utils/): the search
    // returns at most max_signals events; alerts in time order; terms are the fields API's lists.
    const r = rule("process where true", { alert_suppression: { group_by: ["host.id"] } });
    const alerts = await alertsOf(r, [
      ev(1, "process", "h2"),
      ev(2, "process", "h1"),
      ev(3, "process", "h1"),
    ]);
    expect(alerts.map((a) => a.events)).toEqual([[0], [1, 2]]);
    expect(alerts[1]!.document).toMatchObject({
      "kibana.alert.suppression.terms": [{ field: "host.id", value: ["h1"] }],
      "kibana.alert.suppression.docs_count": 1,
      "kibana.alert.suppression.start": t(2),
      "kibana.alert.suppression.end": t(3),
    });
    // Only max_signals events come back from the search: the third is never counted.
    const capped = rule("process where true", {
      max_signals: 2,
      alert_suppression: { group_by: ["host.id"] },
    });
    const [one] = await alertsOf(capped, [
      ev(1, "process", "h1"),
      ev(2, "process", "h1"),
      ev(3, "process", "h1"),
    ]);
    expect(one!.document["kibana.alert.suppression.docs_count"]).toBe(1);
  });

  it("honours event_category_override", async () => {
    const r = rule("start where true", { event_category_override: "event.type" });
    expect((await alertsOf(r, [ev(1, "process", "h1", { event: { type: "start" } })])).length).toBe(1);
  });

  it("judges one event at a time only for event queries", () => {
    const seq = eqlEngine.compile!(rule("sequence [process where true] [file where true]"), { catalog });
    expect(seq.evaluate({}).error).toMatch(/use `expect: alert`/);
    const single = eqlEngine.compile!(rule('process where process.name : "CMD*"'), { catalog });
    const hit = single.evaluate({ event: { category: "process" }, process: { name: "cmd.exe" } });
    expect(hit.matched).toBe(true);
    expect(hit.explain()).toContain('✓ process.name : "CMD*"');
  });

  it("a syntax error is an engine error with its place", () => {
    expect(() => eqlEngine.compile!(rule("process where a == 'x'"), { catalog })).toThrow(
      /line 1, column 20: Use double quotes/,
    );
  });
});

describe("eqlEngine coverage and mutation", () => {
  it("gives an event query's clause tree and mutants that compile", () => {
    const compiled = eqlEngine.compile!(
      rule('process where process.name == "cmd.exe" and not user.name : "svc"'),
      {
        catalog,
      },
    );
    const tree = compiled.clauses!();
    expect(tree).toMatchObject({
      kind: "and",
      children: [{ kind: "leaf", text: "process where" }, { kind: "and" }],
    });
    const { mutants } = compiled.mutants!(10);
    const swap = mutants.find((m) => m.operator === "swap-equals-match")!;
    expect(swap.query).toBe('process where process.name : "cmd.exe" and not user.name : "svc"');
    const upper = { event: { category: "process" }, process: { name: "CMD.EXE" }, user: { name: "alice" } };
    expect(compiled.evaluate(upper).matched).toBe(false);
    expect(swap.compile({ catalog }).evaluate(upper).matched).toBe(true);
  });
});
