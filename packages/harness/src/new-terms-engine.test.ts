import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import type { EngineRule, Execution } from "./engine.js";
import { newTermsEngine } from "./new-terms-engine.js";

const catalog = fieldCatalog({ ecs: true });

const rule = (data: Record<string, unknown> = {}): EngineRule => ({
  file: "rules/new.yaml",
  data: {
    type: "new_terms",
    query: "event.category: authentication and event.outcome: success",
    new_terms_fields: ["user.name"],
    history_window_start: "now-7d",
    from: "now-1h",
    ...data,
  } as unknown as EngineRule["data"],
});

const logon = (at: string, user: unknown, extra: Record<string, unknown> = {}) => ({
  "@timestamp": at,
  event: { category: "authentication", outcome: "success" },
  user: { name: user },
  ...extra,
});

async function run(
  events: Record<string, unknown>[],
  data?: Record<string, unknown>,
  range?: Execution["range"],
) {
  const execution: Execution = { events, catalog, ...(range ? { range } : {}) };
  const { executions } = await newTermsEngine.execute(rule(data), [execution]);
  return executions[0]!;
}

describe("newTermsEngine", () => {
  it("alerts on a user first seen in the lookback window, with kibana.alert.new_terms", async () => {
    const result = await run([
      logon("2026-02-27T10:00:00Z", "alice"),
      logon("2026-03-01T09:30:00Z", "bob"),
      logon("2026-03-01T09:40:00Z", "alice"),
    ]);
    expect(result.alerts.map((a) => [a.events, a.document["kibana.alert.new_terms"]])).toEqual([
      [[1], ["bob"]],
    ]);
    // The alert is the event's, as Kibana writes it (transformHitToAlert), with the new terms.
    expect(result.alerts[0]!.document).toMatchObject({
      user: { name: "bob" },
      "kibana.alert.original_time": "2026-03-01T09:30:00.000Z",
      "kibana.alert.rule.type": "new_terms",
    });
    expect(result.events[2]!.explain().split("\n")[0]).toBe(
      "✗ term alice seen at 2026-02-27T10:00Z, inside the history window (from 2026-02-22T09:40:00.001Z)",
    );
    // The query's verdict per event, for the runner; the alert is only on bob's.
    expect(result.events.map((e) => e.matched)).toEqual([true, true, true]);
  });

  it("counts only history events that match the query", async () => {
    const failed = {
      ...logon("2026-02-27T10:00:00Z", "alice"),
      event: { category: "authentication", outcome: "failure" },
    };
    const result = await run([failed, logon("2026-03-01T09:40:00Z", "alice")]);
    expect(result.alerts).toHaveLength(1);
  });

  it("does not search events before history_window_start", async () => {
    const result = await run([
      logon("2026-02-20T10:00:00Z", "alice"),
      logon("2026-03-01T09:40:00Z", "alice"),
    ]);
    expect(result.alerts.map((a) => a.document["kibana.alert.new_terms"])).toEqual([["alice"]]);
  });

  it("explains an event outside the lookback window", async () => {
    const result = await run([logon("2026-03-01T08:00:00Z", "carol"), logon("2026-03-01T09:40:00Z", "dave")]);
    expect(result.events[0]!.explain()).toMatch(/outside the lookback window .* \(in the history window/);
    expect(result.alerts.map((a) => a.events)).toEqual([[1]]);
  });

  it("uses the execution's range when it has one", async () => {
    const range = { from: new Date("2026-03-01T08:00:00Z"), to: new Date("2026-03-01T10:00:00Z") };
    const result = await run(
      [logon("2026-03-01T08:00:00Z", "carol"), logon("2026-03-01T09:40:00Z", "dave")],
      {},
      range,
    );
    // carol at exactly `from` is not new (first_seen > from); dave is.
    expect(result.alerts.map((a) => a.document["kibana.alert.new_terms"])).toEqual([["dave"]]);
  });

  it("combines several fields and expands arrays", async () => {
    const result = await run(
      [
        logon("2026-02-27T10:00:00Z", "alice", { host: { name: "h1" } }),
        logon("2026-03-01T09:40:00Z", ["alice", "bob"], { host: { name: "h1" } }),
      ],
      { new_terms_fields: ["user.name", "host.name"] },
    );
    expect(result.alerts.map((a) => [a.events, a.document["kibana.alert.new_terms"]])).toEqual([
      [[1], ["bob", "h1"]],
    ]);
  });

  it("refuses a text field, as Elasticsearch refuses to aggregate on it", async () => {
    const result = await run([logon("2026-03-01T09:40:00Z", "a", { message: "x" })], {
      new_terms_fields: ["message"],
    });
    expect(result.error).toMatch(/Fielddata is disabled on \[message\]/);
  });

  it("reads the time from timestamp_override, falling back to @timestamp", async () => {
    const result = await run(
      [
        {
          ...logon("2026-03-01T09:40:00Z", "alice"),
          event: { category: "authentication", outcome: "success", ingested: "2026-02-27T00:00:00Z" },
        },
        logon("2026-03-01T09:50:00Z", "alice"),
      ],
      { timestamp_override: "event.ingested" },
    );
    // The first event happened on 02-27 for the rule: alice is not new.
    expect(result.alerts).toEqual([]);
  });
});
