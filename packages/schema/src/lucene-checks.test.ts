import { describe, expect, it } from "vitest";
import { defaultConfig } from "./config.js";
import { validateRuleFile } from "./rules.js";

// Lucene queries are checked like KQL: syntax at file:line:col inside the YAML, fields against the catalogue.
const rule = (language: string, query: string, extra = "") => `rule_id: 5a0a0f7e-3a52-4d8e-9a43-6f7d2f1f0c12
name: Lucene test rule
description: A test rule.
type: query
language: ${language}
index:
  - logs-*
query: |
  ${query}
severity: medium
risk_score: 47
metadata:
  maturity: production
  created: "2026-11-22"
  updated: "2026-11-22"
  integration: endpoint
${extra}`;

const config = defaultConfig(process.cwd());
const run = (text: string) =>
  validateRuleFile("rule.yaml", text, config)
    .diagnostics.filter((d) => d.code.startsWith("DAC4"))
    .map((d) => [d.code, d.line, d.column, d.message]);

describe("Lucene queries in rules", () => {
  it("a valid query has no findings (and no DAC405)", () => {
    expect(
      run(rule("lucene", "event.category:process AND process.name:(chmod OR chown) AND NOT user.name:root")),
    ).toEqual([]);
  });
  it("a syntax error is DAC401 at its place in the YAML", () => {
    const [d] = run(rule("lucene", "process.name:chmod AND (user.name:root"));
    expect(d?.slice(0, 3)).toEqual(["DAC401", 9, 41]);
    expect(d?.[3]).toMatch(/query: expected "\)"/);
  });
  it("an unknown field is DAC402 with a suggestion, at the field", () => {
    const [d] = run(rule("lucene", "event.category:process AND process.nmae:chmod"));
    expect(d?.slice(0, 3)).toEqual(["DAC402", 9, 30]);
    expect(d?.[3]).toMatch(/did you mean `process.name`/);
  });
  it("a value the field type cannot take is DAC403", () => {
    const [d] = run(rule("lucene", "event.category:process AND process.pid:abc"));
    expect(d?.slice(0, 3)).toEqual(["DAC403", 9, 30]);
  });
  it("what only the engine cannot model (regex) is not a finding", () => {
    expect(run(rule("lucene", "process.args:/2[0-9]{3}/"))).toEqual([]);
  });
  it("threat_query follows threat_language, not language", () => {
    const threat = (threatLanguage: string) =>
      rule(
        "kuery",
        "destination.ip:*",
        `threat_index: [logs-ti_*]\nthreat_language: ${threatLanguage}\nthreat_query: "threat.indicator.ip:* AND (x"\nthreat_mapping:\n  - entries:\n      - field: destination.ip\n        type: mapping\n        value: threat.indicator.ip\n`,
      ).replace("type: query", "type: threat_match");
    expect(run(threat("lucene")).map((d) => d[0])).toContain("DAC401");
    expect(run(threat("kuery")).map((d) => d[0])).toContain("DAC401");
  });
});
