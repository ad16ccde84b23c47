import { describe, expect, it } from "vitest";
import { defaultConfig } from "./config.js";
import { validateRuleFile } from "./rules.js";

const head = `# yaml-language-server: $schema=../../schemas/rule.schema.json
rule_id: 5a0a0f7e-3a52-4d8e-9a43-6f7d2f1f0c12
name: Test rule
description: A test rule.
severity: medium
risk_score: 47
interval: 5m
from: now-10m
index:
  - logs-endpoint.events.*
metadata:
  maturity: development
  created: "2026-12-07"
  updated: "2026-12-07"
  integration: endpoint
`;

const newTerms = (fields: string, start = "now-7d") =>
  `${head}type: new_terms
language: kuery
query: "event.category: process"
new_terms_fields: ${fields}
history_window_start: ${start}
`;

const threatMatch = (field: string, value: string) =>
  `${head}type: threat_match
language: kuery
query: "destination.ip: *"
threat_query: "threat.indicator.ip: *"
threat_index: [logs-ti_*]
threat_mapping:
  - entries:
      - field: ${field}
        type: mapping
        value: ${value}
`;

const config = defaultConfig(process.cwd());
const found = (text: string) =>
  validateRuleFile("rule.yaml", text, config)
    .diagnostics.filter((d) => ["DAC402", "DAC420", "DAC211"].includes(d.code))
    .map((d) => `${d.code}@${d.line}:${d.column} ${d.message}`);

describe("new_terms and indicator match settings", () => {
  it("accepts keyword fields and a history window before from", () => {
    expect(found(newTerms("[user.name, process.executable]"))).toEqual([]);
    expect(found(threatMatch("destination.ip", "threat.indicator.ip"))).toEqual([]);
  });

  it("refuses a text new terms field where it is written, naming its keyword field", () => {
    const d = validateRuleFile(
      "rule.yaml",
      newTerms("[user.name, process.name.text]"),
      config,
    ).diagnostics.find((x) => x.code === "DAC420");
    expect(d).toMatchObject({ line: 19, column: 31, hint: "use `process.name`" });
    expect(d!.message).toMatch(/Fielddata is disabled on \[process\.name\.text\]/);
  });

  it("reports an unknown new terms field", () => {
    expect(found(newTerms("[user.nmae]"))).toEqual([
      expect.stringMatching(
        /^DAC402@19:20 unknown field `user.nmae` in new_terms_fields, did you mean `user.name`/,
      ),
    ]);
  });

  // The policy of unknown query fields (query-checks), for settings too: Elastic's live corpus names
  // `network_traffic.memcached.request.command` in new_terms_fields, a namespace the catalogue has no definitions for.
  it("warns, without blocking the rule, on a new terms field in a namespace without definitions", () => {
    const d = validateRuleFile(
      "rule.yaml",
      newTerms("[user.name, vendorx.session.id]"),
      config,
    ).diagnostics.filter((x) => x.code === "DAC402" || x.code === "DAC406");
    expect(d).toEqual([
      expect.objectContaining({
        code: "DAC406",
        severity: "warning",
        line: 19,
        column: 31,
        message: "no field definitions for `vendorx.*` (field `vendorx.session.id` in new_terms_fields)",
        hint: expect.stringMatching(/^add them with `dac fields import` or `dac fields pull`/),
      }),
    ]);
  });

  it("refuses a history window that does not start before from (validateHistoryWindowStart)", () => {
    expect(found(newTerms("[user.name]", "now-5m"))).toEqual([
      expect.stringMatching(/^DAC211@20:23 history_window_start `now-5m` is not earlier than from `now-10m`/),
    ]);
  });

  it("checks threat_mapping fields against the events' and the threat index's catalogues", () => {
    expect(found(threatMatch("destination.ipp", "threat.indicator.ipp"))).toEqual([
      expect.stringMatching(/^DAC402@23:16 unknown field `destination.ipp` in threat_mapping/),
      expect.stringMatching(
        /^DAC402@25:16 unknown field `threat.indicator.ipp` in threat_mapping \(a field of the threat index\)/,
      ),
    ]);
  });
});
