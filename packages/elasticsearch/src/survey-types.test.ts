// `dac survey` per rule type: threshold groups per interval, new_terms and threat_match as an upper bound, EQL
// through `_eql/search` (the test node has no EQL module: unsupported on this cluster), ES|QL and machine
// learning unsupported without a request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@elastic/elasticsearch";
import { defaultConfig, ruleFieldCatalog } from "@dac/schema";
import type { RuleData } from "@dac/schema";
import { describeWithElasticsearch } from "@dac/es-test-node";
import { surveyRules } from "./survey.js";
import type { SurveyRule } from "./survey.js";
import { formatSurvey } from "./survey-format.js";

const config = defaultConfig("/nonexistent");
const surveyRule = (name: string, data: Record<string, unknown>): SurveyRule => {
  const full = { rule_id: name, name, index: ["logs-*"], interval: "5m", ...data } as RuleData;
  return { file: `rules/${name}.yaml`, name, data: full, catalog: ruleFieldCatalog(full, config) };
};

const threshold = surveyRule("threshold", {
  type: "threshold",
  language: "kuery",
  query: "event.outcome: failure",
  threshold: { field: ["user.name"], value: 3 },
});
const thresholdCardinality = surveyRule("threshold-cardinality", {
  type: "threshold",
  language: "lucene",
  query: "event.outcome:failure",
  threshold: { field: ["source.ip"], value: 3, cardinality: [{ field: "user.name", value: 2 }] },
});
const newTerms = surveyRule("new-terms", {
  type: "new_terms",
  language: "kuery",
  query: "event.outcome: failure",
  new_terms_fields: ["user.name"],
  history_window_start: "now-7d",
});
const eql = surveyRule("eql", {
  type: "eql",
  language: "eql",
  query: 'any where event.outcome == "failure"',
});
const esql = surveyRule("esql", { type: "esql", language: "esql", query: "FROM logs-* | LIMIT 1" });
const ml = surveyRule("ml", {
  type: "machine_learning",
  anomaly_threshold: 50,
  machine_learning_job_id: "j",
});

describe("survey without a cluster", () => {
  it("reports ES|QL and machine learning unsupported without sending anything", async () => {
    const client = new Proxy(
      {},
      {
        get: () => {
          throw new Error("no request expected");
        },
      },
    ) as unknown as Client;
    const result = await surveyRules(client, [esql, ml]);
    expect(result.rules.map((r) => [r.status, r.errors])).toEqual([
      ["unsupported", ["unsupported: esql/esql on elasticsearch"]],
      ["unsupported", ["unsupported: machine_learning/none on elasticsearch"]],
    ]);
    expect(result.summary.unsupported).toBe(2);
  });
});

describeWithElasticsearch("dac survey per rule type", (node) => {
  const index = `dac-test-survey-types-${Date.now().toString(36)}`;
  // Interval A (10:00–10:05): alice fails 3 times, bob twice, all from 203.0.113.5. Interval B (10:10–10:15):
  // carol fails 4 times from 198.51.100.7.
  const fail = (at: string, user: string, ip: string) => ({
    "@timestamp": `2026-03-01T${at}Z`,
    event: { outcome: "failure" },
    user: { name: user },
    source: { ip },
  });
  const events = [
    fail("10:00:10", "alice", "203.0.113.5"),
    fail("10:01:10", "alice", "203.0.113.5"),
    fail("10:02:10", "alice", "203.0.113.5"),
    fail("10:03:10", "bob", "203.0.113.5"),
    fail("10:04:10", "bob", "203.0.113.5"),
    ...[1, 2, 3, 4].map((m) => fail(`10:1${m}:00`, "carol", "198.51.100.7")),
  ];

  beforeAll(async () => {
    await node.client.indices.create({
      index,
      mappings: {
        properties: {
          "@timestamp": { type: "date" },
          event: { properties: { outcome: { type: "keyword" } } },
          user: { properties: { name: { type: "keyword" } } },
          source: { properties: { ip: { type: "ip" } } },
        },
      },
    });
    await node.client.bulk({
      refresh: true,
      operations: events.flatMap((e) => [{ index: { _index: index } }, e]),
    });
  });
  afterAll(async () => {
    await node.client.indices.delete({ index, ignore_unavailable: true });
  });

  it("counts threshold groups per interval, bounds new_terms, and says the node has no EQL", async () => {
    const result = await surveyRules(node.client, [threshold, thresholdCardinality, newTerms, eql], {
      index: [index],
      from: "2026-03-01T09:00:00Z",
      to: "2026-03-01T11:00:00Z",
    });
    const [t, c, n, e] = result.rules;
    // alice (3) in A, carol (4) in B; bob (2) stays below 3.
    expect([t!.status, t!.hits, t!.alerts, t!.executionsWithHits], t!.errors.join("; ")).toEqual([
      "ok",
      9,
      2,
      2,
    ]);
    // 203.0.113.5 has 5 events and 2 distinct users in A; 198.51.100.7 one user in B.
    expect([c!.status, c!.hits, c!.alerts], c!.errors.join("; ")).toEqual(["ok", 9, 1]);
    expect([n!.status, n!.hits, n!.alerts, n!.alertsUpperBound]).toEqual(["ok", 9, 9, true]);
    expect(n!.warnings[0]).toContain("upper bound");
    expect(formatSurvey(result, "markdown")).toMatch(
      /`rules\/new-terms.yaml` new-terms \| `[^`]+` \| 9 \| ≤ 9 \|/,
    );
    expect([e!.status, e!.errors[0]]).toEqual([
      "unsupported",
      "unsupported: eql on this cluster (it has no EQL module)",
    ]);
  });
});
