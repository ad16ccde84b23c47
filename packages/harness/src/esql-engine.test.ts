// The ES|QL engine runs rules as Kibana's ES|QL executor does (elastic/kibana x-pack/solutions/security/plugins/
// security_solution/server/lib/detection_engine/rule_types/esql/esql.ts and build_esql_search_request.ts), on
// @dac/esql's evaluator: the window filters the FROM indices, `| limit max_signals + 1`, one alert per source
// document with METADATA _id, one per row for STATS. Coverage and mutants: WHERE conjuncts and STATS thresholds.
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import type { EngineRule, Execution } from "./engine.js";
import { esqlEngine } from "./esql-engine.js";

const catalog = fieldCatalog({ ecs: true });
const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const rule = (query: string, extra: Record<string, unknown> = {}): EngineRule => ({
  file: "rules/r.yaml",
  data: { type: "esql", language: "esql", rule_id: "r1", name: "R", query, ...extra } as EngineRule["data"],
});
const window = { from: new Date(Date.UTC(2026, 0, 1)), to: new Date(Date.UTC(2026, 0, 1, 0, 1)) };
const execution = (events: Record<string, unknown>[]): Execution => ({
  events,
  catalog,
  range: window,
  now: window.to,
});
const login = (s: number, user: string, ip: string, outcome = "failure") => ({
  "@timestamp": t(s),
  event: { category: ["authentication"], outcome },
  user: { name: user },
  source: { ip },
});
const spray =
  'FROM logs-* | WHERE event.outcome == "failure" | STATS ips = COUNT_DISTINCT(source.ip) BY user.name | WHERE ips >= 3';

async function alertsOf(r: EngineRule, events: Record<string, unknown>[]) {
  const out = await esqlEngine.execute(r, [execution(events)]);
  const run = out.executions[0]!;
  if (run.error) throw new Error(run.error);
  return run.alerts;
}

describe("esqlEngine", () => {
  it("a non-aggregating query with METADATA _id: one alert per source event, the whole event in it", async () => {
    const alerts = await alertsOf(
      rule('FROM logs-* METADATA _id | WHERE user.name == "alice" | KEEP _id, user.name'),
      [login(1, "alice", "10.0.0.1"), login(2, "bob", "10.0.0.2"), login(3, "alice", "10.0.0.3")],
    );
    expect(alerts.map((a) => a.events)).toEqual([[0], [2]]);
    // KEEP drops source.ip from the row, but the alert is the source document merged with the row.
    expect(alerts[0]!.document).toMatchObject({
      source: { ip: "10.0.0.1" },
      "kibana.alert.original_time": t(1),
    });
  });

  it("an aggregating query: one alert per row, the row's columns in it, the events of its group", async () => {
    const alerts = await alertsOf(rule(spray), [
      login(1, "alice", "10.0.0.1"),
      login(2, "alice", "10.0.0.2"),
      login(3, "alice", "10.0.0.3"),
      login(4, "bob", "10.0.0.1"),
      login(5, "alice", "10.0.0.4", "success"),
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.document).toMatchObject({
      ips: 3,
      "user.name": "alice",
      "kibana.alert.rule.type": "esql",
    });
    expect(alerts[0]!.events).toEqual([0, 1, 2]);
  });

  it("the lookback window filters the FROM indices: an event outside it is not counted", async () => {
    const outside = { ...login(1, "alice", "10.0.0.9"), "@timestamp": "2025-12-31T23:59:59Z" };
    const alerts = await alertsOf(rule(spray), [
      outside,
      login(2, "alice", "10.0.0.2"),
      login(3, "alice", "10.0.0.3"),
    ]);
    expect(alerts).toEqual([]);
  });

  it("max_signals: at most that many alerts", async () => {
    const r = rule("FROM logs-* METADATA _id", { max_signals: 2 });
    const alerts = await alertsOf(r, [
      login(1, "a", "10.0.0.1"),
      login(2, "b", "10.0.0.1"),
      login(3, "c", "10.0.0.1"),
    ]);
    expect(alerts).toHaveLength(2);
  });

  it("one event at a time: a non-aggregating query matches an event; an aggregating one refuses", async () => {
    const events = [login(1, "alice", "10.0.0.1"), login(2, "bob", "10.0.0.1")];
    const single = await esqlEngine.execute(rule('FROM logs-* | WHERE user.name == "bob"'), [
      { events, catalog },
    ]);
    expect(single.executions[0]!.events.map((e) => e.matched)).toEqual([false, true]);
    const grouped = await esqlEngine.execute(rule(spray), [{ events, catalog }]);
    expect(grouped.executions[0]!.events[0]!.error).toMatch(/use `expect: alert`/);
  });

  it("explain shows the rows after each command, with the threshold's value", async () => {
    const out = await esqlEngine.execute(rule(spray), [
      execution([login(1, "alice", "10.0.0.1"), login(2, "alice", "10.0.0.2")]),
    ]);
    const text = out.executions[0]!.events[0]!.explain();
    expect(text.split("\n")[0]).toBe("✗ no row is left after `| WHERE ips >= 3` (1 row before it)");
    expect(text).toContain("ips: 2");
  });

  it("coverage: the WHERE conjuncts before STATS; mutants: flipped comparisons, shifted thresholds, dropped clauses", () => {
    const compiled = esqlEngine.compile!(
      rule(
        'FROM logs-* | WHERE event.outcome == "failure" AND user.name != "svc" | STATS n = COUNT(*) BY user.name | WHERE n >= 3',
      ),
      { catalog },
    );
    const tree = compiled.clauses!();
    expect(tree.kind).toBe("and");
    const leaves = tree.kind === "and" ? tree.children : [];
    expect(leaves.map((l) => l.text)).toEqual(['event.outcome == "failure"', 'user.name != "svc"']);
    const first = leaves[0]!;
    expect(first.kind === "leaf" && first.test(login(1, "alice", "10.0.0.1"))).toBe(true);
    expect(first.kind === "leaf" && first.test(login(1, "alice", "10.0.0.1", "success"))).toBe(false);
    const { mutants } = compiled.mutants!(200);
    const described = mutants.map((m) => `${m.operator}: ${m.description}`);
    expect(described).toEqual(
      expect.arrayContaining([
        "shift-threshold: `n >= 3` with 4 for 3",
        "shift-threshold: `n >= 3` with 2 for 3",
        "flip-comparison: `n >= 3` with > for >=",
        'drop-clause: drop `user.name != "svc"`',
        "drop-where: drop `| WHERE n >= 3`",
      ]),
    );
  });
});
