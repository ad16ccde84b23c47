// Lucene wherever Kibana allows it: threshold, new_terms and indicator match rules (and their threat_query
// with threat_language lucene) run in memory on @dac/lucene, and `--mutate` mutates their Lucene query.
import { describe, expect, it } from "vitest";
import { defaultConfig } from "@dac/schema";
import type { Rule } from "@dac/schema";
import { runTests } from "./run.js";
import { casesHeader, tempTree } from "./test-support/tree.js";
import { ruleFromData } from "./test-support/rule.js";

const rule = ruleFromData;

async function run(r: Rule, cases: string, options: { mutate?: boolean } = {}) {
  const t = tempTree({ "fixtures/r/cases.yaml": casesHeader + `cases:\n${cases}` });
  try {
    return await runTests({ rules: [r], config: defaultConfig(t.root), cwd: t.root, ...options });
  } finally {
    t.cleanup();
  }
}

const failure = (at: string, user = "alice", outcome = "failure") =>
  `{"@timestamp": "2026-03-01T10:${at}Z", event: {category: authentication, outcome: ${outcome}}, user: {name: ${user}}}`;

describe("Lucene rules of every KQL-capable type, in memory", () => {
  it("threshold: groups the events a Lucene query matches, and its mutants are killed", async () => {
    const r = rule({
      type: "threshold",
      language: "lucene",
      index: ["logs-*"],
      query: "event.category:authentication AND event.outcome:failure",
      threshold: { field: ["user.name"], value: 3 },
    });
    const result = await run(
      r,
      `  - name: three failures
    expect: alert
    alerts: 1
    alert: {kibana.alert.threshold_result: {terms: [{field: user.name, value: alice}], count: 3, from: "2026-03-01T10:01:00Z"}}
    events: [${failure("01:00")}, ${failure("01:10")}, ${failure("01:20")}]
  - name: two failures and a success
    expect: no-alert
    events: [${failure("01:00")}, ${failure("01:10")}, ${failure("01:20", "alice", "success")}]
  - name: three failures of different users
    expect: no-alert
    events: [${failure("01:00")}, ${failure("01:10", "bob")}, ${failure("01:20", "carol")}]
  - name: three other events
    expect: no-alert
    events: [${[0, 1, 2].map((i) => `{"@timestamp": "2026-03-01T10:0${i}:00Z", event: {category: process, outcome: failure}, user: {name: alice}}`).join(", ")}]
`,
      { mutate: true },
    );
    const [only] = result.rules;
    expect(only!.status, JSON.stringify(only!.cases.map((c) => c.message))).toBe("passed");
    expect(only!.mutation!.mutants).toBeGreaterThanOrEqual(6);
    expect(only!.mutation!.survivors.map((s) => s.description)).toEqual([]);
  });

  it("a surviving Lucene mutant points at the clause no case pins down", async () => {
    const r = rule({
      type: "query",
      language: "lucene",
      index: ["logs-*"],
      query: "event.category:authentication AND event.outcome:failure",
    });
    const result = await run(
      r,
      `  - name: a failure
    expect: match
    events: [${failure("01:00")}]
  - name: a success
    expect: no-match
    events: [${failure("01:00", "alice", "success")}]
`,
      { mutate: true },
    );
    const survivors = result.rules[0]!.mutation!.survivors.map((s) => [s.operator, s.query]);
    // Nothing in the cases has another category: dropping that clause survives.
    expect(survivors).toContainEqual(["drop-clause", "+event.outcome:failure"]);
    expect(survivors).not.toContainEqual(["drop-clause", "+event.category:authentication"]);
  });

  it("new_terms with a Lucene query", async () => {
    const r = rule({
      type: "new_terms",
      language: "lucene",
      index: ["logs-*"],
      query: "event.outcome:failure",
      new_terms_fields: ["user.name"],
      history_window_start: "now-7d",
    });
    const result = await run(
      r,
      `  - name: bob is new
    expect: alert
    alerts: 1
    alert: {"kibana.alert.new_terms": [bob]}
    events: [${failure("01:00").replace("03-01", "02-28")}, ${failure("05:00")}, ${failure("05:00", "bob")}]
`,
    );
    expect(result.rules[0]!.cases.map((c) => [c.status, c.message])).toEqual([["passed", undefined]]);
  });

  it("threat_match with a Lucene query and a Lucene threat_query", async () => {
    const r = rule({
      type: "threat_match",
      language: "lucene",
      index: ["logs-*"],
      query: "destination.ip:*",
      threat_index: ["logs-ti_*"],
      threat_language: "lucene",
      threat_query: "threat.indicator.type:ipv4-addr",
      threat_mapping: [
        { entries: [{ field: "destination.ip", type: "mapping", value: "threat.indicator.ip" }] },
      ],
    });
    const ti = (ip: string, type = "ipv4-addr") => `{threat: {indicator: {type: ${type}, ip: ${ip}}}}`;
    const result = await run(
      r,
      `  - name: listed
    expect: alert
    alerts: 1
    indicators: [${ti("203.0.113.7")}]
    events: [{"@timestamp": "2026-03-01T09:55:00Z", destination: {ip: 203.0.113.7}}]
  - name: listed under another type, which threat_query leaves out
    expect: no-alert
    indicators: [${ti("203.0.113.7", "domain")}]
    events: [{"@timestamp": "2026-03-01T09:55:00Z", destination: {ip: 203.0.113.7}}]
`,
    );
    expect(result.rules[0]!.cases.map((c) => [c.status, c.message])).toEqual([
      ["passed", undefined],
      ["passed", undefined],
    ]);
  });
});
