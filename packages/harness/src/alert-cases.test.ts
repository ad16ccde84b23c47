/** `expect: alert | no-alert` cases end to end on the in-memory engine: verdicts and explanations. */
import { describe, expect, it } from "vitest";
import { defaultConfig } from "@dac/schema";
import { runTests } from "./run.js";
import { toyRule } from "./test-support/toy-engine.js";
import { casesHeader, treesRemovedAfterEach } from "./test-support/tree.js";

const tree = treesRemovedAfterEach();

const thresholdRule = [
  "name: brute force",
  "rule_id: bf-1",
  "type: threshold",
  "language: kuery",
  'query: event.outcome:"failure"',
  "threshold:",
  "  field: [user.name, source.ip]",
  "  value: 5",
  "from: now-6m",
].join("\n");

const failure = (s: number, user = "alice") =>
  JSON.stringify({
    "@timestamp": new Date(Date.UTC(2026, 2, 1, 10, 0, s)).toISOString(),
    "event.outcome": "failure",
    "user.name": user,
    "source.ip": "10.0.0.5",
  });

async function run(rule: string, cases: string, extra: { mutate?: boolean } = {}) {
  const root = tree({ "rules/r.yaml": rule, "fixtures/r/cases.yaml": `${casesHeader}\ncases:\n${cases}` });
  return runTests({
    rules: [toyRule("rules/r.yaml", rule)],
    config: defaultConfig(root),
    cwd: root,
    ...extra,
  });
}

const caseYaml = (name: string, expect: string, events: string[], more: string[] = []) =>
  [
    `  - name: ${name}`,
    `    expect: ${expect}`,
    ...more.map((m) => `    ${m}`),
    "    events:",
    ...events.map((e) => `      - ${e}`),
  ].join("\n");

describe("alert cases", () => {
  it("passes a threshold rule's positive and near misses", async () => {
    const five = [0, 10, 20, 30, 40].map((s) => failure(s));
    const r = await run(
      thresholdRule,
      [
        caseYaml("five", "alert", five, ["alerts: 1", 'alert: {"kibana.alert.threshold_result.count": 5}']),
        caseYaml("four", "no-alert", five.slice(1)),
        caseYaml("first outside", "no-alert", five, ['now: "2026-03-01T10:06:00.001Z"']),
      ].join("\n"),
    );
    expect(r.rules[0]!.cases.map((c) => [c.name, c.status])).toEqual([
      ["five", "passed"],
      ["four", "passed"],
      ["first outside", "passed"],
    ]);
  });

  it("says how far a group is from the threshold, and which event is outside the window", async () => {
    const five = [0, 10, 20, 30, 40].map((s) => failure(s));
    const r = await run(
      thresholdRule,
      caseYaml("first outside", "alert", five, ['now: "2026-03-01T10:06:00.001Z"']),
    );
    const c = r.rules[0]!.cases[0]!;
    expect(c.status).toBe("failed");
    expect(c.message).toContain("4 of 5 events in the window for group user.name=alice, source.ip=10.0.0.5");
    expect(c.message).toContain("1 event outside the lookback window [2026-03-01T10:00:00.001Z");
    expect(c.failures[0]!.explanation).toMatch(
      /outside the lookback window: @timestamp 2026-03-01T10:00:00.000Z is before/,
    );
  });

  it("reports a wrong count and a field an alert lacks", async () => {
    const five = [0, 10, 20, 30, 40].map((s) => failure(s));
    const r = await run(
      thresholdRule,
      [
        caseYaml("count", "alert", five, ["alerts: 2"]),
        caseYaml("field", "alert", five, ['alert: {"user.name": bob}']),
        caseYaml("none", "no-alert", five),
      ].join("\n"),
    );
    const [count, field, none] = r.rules[0]!.cases;
    expect(count!.message).toMatch(
      /^expected 2 alerts, the execution created 1: group user.name=alice, source.ip=10.0.0.5 with 5 events/,
    );
    expect(field!.message).toContain('user.name: "alice", expected "bob"');
    expect(none!.message).toMatch(/^expected no alert, but the execution created 1 alert/);
  });

  it("needs a timestamp on every event, at the event's position", async () => {
    const r = await run(thresholdRule, caseYaml("no time", "alert", ['{"event.outcome": "failure"}']));
    const d = r.diagnostics.find((x) => x.code === "DAC506");
    expect(d?.message).toMatch(/has no @timestamp date/);
    expect(d?.line).toBe(7);
    expect(r.rules[0]!.status).toBe("failed");
  });

  it("mutates the threshold: a fixture set without a near miss at value − 1 lets lower-threshold survive", async () => {
    const five = [0, 10, 20, 30, 40].map((s) => failure(s));
    const r = await run(
      thresholdRule,
      [caseYaml("five", "alert", five), caseYaml("other", "no-alert", [failure(0, "bob")])].join("\n"),
      { mutate: true },
    );
    const survivors = r.rules[0]!.mutation!.survivors.map((s) => s.operator);
    expect(survivors).toContain("lower-threshold");
    expect(survivors).not.toContain("raise-threshold");
  });
});
