import { describe, expect, it } from "vitest";
import { defaultConfig } from "./config.js";
import type { Diagnostic } from "./diagnostic.js";
import { validateRuleFile } from "./rules.js";

// A valid rule; every case below changes one thing and names the diagnostic it must produce, and where.
const base = `# yaml-language-server: $schema=../../schemas/rule.schema.json
rule_id: 5a0a0f7e-3a52-4d8e-9a43-6f7d2f1f0c11
name: Test rule
description: A test rule.
type: query
language: kuery
index:
  - logs-kubernetes.*
query: |
  event.dataset: "kubernetes.audit_logs" and kubernetes.audit.verb: "create"
severity: medium
risk_score: 47
interval: 5m
from: now-6m
tags:
  - "Tactic: Discovery"
threat:
  - framework: MITRE ATT&CK
    tactic:
      id: TA0007
      name: Discovery
      reference: https://attack.mitre.org/tactics/TA0007/
    technique:
      - id: T1613
        name: Container and Resource Discovery
        reference: https://attack.mitre.org/techniques/T1613/
related_integrations:
  - package: kubernetes
    integration: audit_logs
    version: ^1.80.0
metadata:
  maturity: production
  created: "2026-11-22"
  updated: "2026-11-22"
  integration: kubernetes
`;

const config = defaultConfig(process.cwd());

function run(text: string): Diagnostic[] {
  return validateRuleFile("rule.yaml", text, config).diagnostics;
}

/** Replaces 1-based line `n` of the base rule (or of `text`). */
function line(n: number, replacement: string, text = base): string {
  const lines = text.split("\n");
  lines.splice(n - 1, 1, ...(replacement === "" ? [] : [replacement]));
  return lines.join("\n");
}

function insertAfter(n: number, added: string, text = base): string {
  const lines = text.split("\n");
  lines.splice(n, 0, added);
  return lines.join("\n");
}

function withType(head: string, extra: string): string {
  // Swap `type`/`language`/`query` (lines 5-10) for another rule type's keys.
  const lines = base.split("\n");
  lines.splice(4, 6, ...head.split("\n"));
  return lines.join("\n") + extra;
}

function eqlHead(query: string): string {
  return `type: eql\nlanguage: eql\nindex:\n  - logs-kubernetes.*\nquery: |\n  ${query}`;
}

function esqlHead(query: string): string {
  return `type: esql\nlanguage: esql\nquery: |\n  ${query}`;
}

interface Case {
  name: string;
  text: string;
  code: string;
  line: number;
  column: number;
  message?: RegExp;
  severity?: "error" | "warning";
}

const cases: Case[] = [
  {
    name: "misspelt top-level key",
    text: line(12, "risk_scor: 47"),
    code: "DAC101",
    line: 12,
    column: 1,
    message: /did you mean `risk_score`/,
  },
  {
    name: "unknown key in a tactic",
    text: line(21, "      nam: Discovery"),
    code: "DAC101",
    line: 21,
    column: 7,
    message: /did you mean `name`/,
  },
  {
    name: "unknown key in metadata",
    text: line(32, "  maturty: production"),
    code: "DAC101",
    line: 32,
    column: 3,
    message: /did you mean `maturity`/,
  },
  {
    name: "`version` is owned by the lock",
    text: insertAfter(12, "version: 3"),
    code: "DAC101",
    line: 13,
    column: 1,
    message: /unknown key `version`/,
  },
  {
    name: "unknown key in related_integrations",
    text: line(30, "    versoin: ^1.80.0"),
    code: "DAC101",
    line: 30,
    column: 5,
  },
  {
    name: "risk_score is a string",
    text: line(12, "risk_score: high"),
    code: "DAC102",
    line: 12,
    column: 13,
    message: /must be an integer/,
  },
  {
    name: "index is a string",
    text: line(7, "index: logs-*", line(8, "")),
    code: "DAC102",
    line: 7,
    column: 8,
    message: /must be a list/,
  },
  {
    name: "enabled is a string",
    text: insertAfter(12, 'enabled: "yes"'),
    code: "DAC102",
    line: 13,
    column: 10,
  },
  { name: "tags is a mapping", text: line(16, "  a: b"), code: "DAC102", line: 16, column: 3 },
  {
    name: "severity not in enum",
    text: line(11, "severity: severe"),
    code: "DAC104",
    line: 11,
    column: 11,
    message: /allowed: `low`/,
  },
  { name: "maturity not in enum", text: line(32, "  maturity: prod"), code: "DAC104", line: 32, column: 13 },
  {
    name: "missing name",
    text: line(3, ""),
    code: "DAC103",
    line: 2,
    column: 1,
    message: /missing required key `name`/,
  },
  {
    name: "missing description",
    text: line(4, ""),
    code: "DAC103",
    line: 2,
    column: 1,
    message: /`description`/,
  },
  {
    name: "missing metadata",
    text: base.split("\n").slice(0, 30).join("\n") + "\n",
    code: "DAC103",
    line: 2,
    column: 1,
    message: /`metadata`/,
  },
  {
    name: "missing metadata.maturity",
    text: line(32, ""),
    code: "DAC103",
    line: 31,
    column: 1,
    message: /`maturity`/,
  },
  { name: "missing tactic id", text: line(20, ""), code: "DAC103", line: 19, column: 5, message: /`id`/ },
  {
    name: "missing related_integrations package",
    text: line(28, "  - integration: audit_logs", line(29, "")),
    code: "DAC103",
    line: 28,
    column: 5,
    message: /`package`/,
  },
  {
    name: "unknown rule type",
    text: line(5, "type: quer"),
    code: "DAC107",
    line: 5,
    column: 7,
    message: /did you mean `query`/,
  },
  { name: "missing rule type", text: line(5, ""), code: "DAC103", line: 2, column: 1, message: /`type`/ },
  {
    name: "interval not a duration",
    text: line(13, "interval: 5 minutes"),
    code: "DAC105",
    line: 13,
    column: 11,
  },
  { name: "from not date math", text: line(14, "from: yesterday"), code: "DAC105", line: 14, column: 7 },
  {
    name: "reference not a URL",
    text: insertAfter(14, "references:\n  - not a url"),
    code: "DAC105",
    line: 16,
    column: 5,
  },
  {
    name: "created not a date",
    text: line(33, '  created: "22 Nov 2026"'),
    code: "DAC105",
    line: 33,
    column: 12,
  },
  {
    name: "max_signals below 1",
    text: insertAfter(14, "max_signals: 0"),
    code: "DAC106",
    line: 15,
    column: 14,
  },
  { name: "risk_score above 100", text: line(12, "risk_score: 101"), code: "DAC106", line: 12, column: 13 },
  { name: "empty name", text: line(3, 'name: ""'), code: "DAC106", line: 3, column: 7 },
  {
    name: "eql rule without query",
    text: withType("type: eql\nlanguage: eql", ""),
    code: "DAC103",
    line: 2,
    column: 1,
    message: /`query`/,
  },
  {
    name: "esql rule with kuery language",
    text: withType("type: esql\nlanguage: kuery\nquery: from logs-* | limit 1", ""),
    code: "DAC104",
    line: 6,
    column: 11,
  },
  {
    name: "threshold rule without threshold",
    text: withType('type: threshold\nlanguage: kuery\nquery: "event.dataset: x"', ""),
    code: "DAC103",
    line: 2,
    column: 1,
    message: /`threshold`/,
  },
  {
    name: "new_terms rule without new_terms_fields",
    text: withType('type: new_terms\nlanguage: kuery\nquery: "a: b"\nhistory_window_start: now-7d', ""),
    code: "DAC103",
    line: 2,
    column: 1,
    message: /`new_terms_fields`/,
  },
  {
    name: "threat_match rule without threat_mapping",
    text: withType(
      'type: threat_match\nlanguage: kuery\nquery: "a: b"\nthreat_query: "*:*"\nthreat_index:\n  - logs-ti*',
      "",
    ),
    code: "DAC103",
    line: 2,
    column: 1,
    message: /`threat_mapping`/,
  },
  {
    name: "machine_learning rule without anomaly_threshold",
    text: withType("type: machine_learning\nmachine_learning_job_id: job", ""),
    code: "DAC103",
    line: 2,
    column: 1,
    message: /`anomaly_threshold`/,
  },
  {
    name: "saved_query rule without saved_id",
    text: withType("type: saved_query\nlanguage: kuery", ""),
    code: "DAC103",
    line: 2,
    column: 1,
    message: /`saved_id`/,
  },
  { name: "rule_id not a UUID", text: line(2, "rule_id: my-rule"), code: "DAC201", line: 2, column: 10 },
  {
    name: "prebuilt rule id",
    text: line(2, "rule_id: 12a2f15d-597e-4334-88ff-38a02cb1330b"),
    code: "DAC208",
    line: 2,
    column: 10,
    severity: "warning",
  },
  {
    name: "risk_score outside the severity band",
    text: line(12, "risk_score: 80"),
    code: "DAC204",
    line: 12,
    column: 13,
    message: /medium band 22–47/,
  },
  {
    name: "look-back shorter than the interval",
    text: line(14, "from: now-2m"),
    code: "DAC205",
    line: 14,
    column: 7,
    severity: "warning",
  },
  { name: "from after to", text: line(14, "from: now+1m"), code: "DAC205", line: 14, column: 7 },
  { name: "query rule without index", text: line(7, "", line(8, "")), code: "DAC206", line: 2, column: 1 },
  {
    name: "duplicate tag",
    text: insertAfter(16, '  - "tactic: discovery"'),
    code: "DAC207",
    line: 17,
    column: 5,
  },
  { name: "malformed tactic id", text: line(20, "      id: TA7"), code: "DAC301", line: 20, column: 11 },
  {
    name: "subtechnique id as a technique",
    text: line(24, "      - id: T1613.001"),
    code: "DAC301",
    line: 24,
    column: 13,
  },
  {
    name: "tactic name does not match its id",
    text: line(21, "      name: Discovry"),
    code: "DAC304",
    line: 21,
    column: 13,
    message: /named "Discovery"/,
  },
  {
    name: "technique reference does not match",
    text: line(26, "        reference: https://attack.mitre.org/techniques/T1612/"),
    code: "DAC303",
    line: 26,
    column: 20,
  },
  {
    name: "subtechnique under the wrong parent",
    text: insertAfter(
      26,
      "        subtechnique:\n          - id: T1069.003\n            name: Cloud Groups\n            reference: https://attack.mitre.org/techniques/T1069/003/",
    ),
    code: "DAC302",
    line: 28,
    column: 17,
  },
  {
    name: "KQL syntax error",
    text: line(10, "  message:cannot find"),
    code: "DAC401",
    line: 10,
    column: 14,
    message: /Expected AND, OR, end of input but "n" found/,
  },
  {
    name: "KQL unknown field",
    text: line(10, '  kubernetes.audit.verbb: "create"'),
    code: "DAC402",
    line: 10,
    column: 3,
    message: /did you mean `kubernetes\.audit\.verb`/,
  },
  {
    name: "KQL value the field type cannot hold",
    text: line(10, "  kubernetes.audit.responseStatus.code: abc"),
    code: "DAC403",
    line: 10,
    column: 3,
    message: /kubernetes\.audit\.responseStatus\.code/,
  },
  {
    name: "KQL leading wildcard (lint)",
    text: line(10, "  kubernetes.audit.verb: *eate"),
    code: "DAC414",
    line: 10,
    column: 26,
    severity: "warning",
  },
  {
    name: "EQL syntax error (Elasticsearch's wording)",
    text: withType(eqlHead("any where kubernetes.audit.verb == 'create'"), ""),
    code: "DAC401",
    line: 10,
    column: 38,
    message: /Use double quotes \["\] to define string literals, not single quotes \['\]/,
  },
  {
    name: "EQL unknown field",
    text: withType(eqlHead('any where kubernetes.audit.verbb == "create"'), ""),
    code: "DAC402",
    line: 10,
    column: 13,
    message: /did you mean `kubernetes\.audit\.verb`/,
  },
  {
    name: "EQL function argument of the wrong type",
    text: withType(eqlHead("any where length(kubernetes.audit.responseStatus.code) > 1"), ""),
    code: "DAC403",
    line: 10,
    column: 20,
    message: /first argument of \[length\(kubernetes\.audit\.responseStatus\.code\)\] must be \[string\]/,
  },
  {
    // Functions of Elasticsearch's ES|QL that @dac/esql does not model (UNSUPPORTED_FUNCTIONS, docs/esql.md):
    // an error naming the function, at its name, never a silent null.
    name: "ES|QL function dac does not model",
    text: withType(
      esqlHead("FROM logs-kubernetes.* | STATS s = STD_DEV(kubernetes.audit.responseStatus.code)"),
      "",
    ),
    code: "DAC443",
    line: 8,
    column: 38,
    message: /function \[STD_DEV\] is not supported by dac/,
  },
  {
    // Elasticsearch's verifier answers `Unknown function [to_lowerr]` for a name it does not have.
    name: "ES|QL unknown function",
    text: withType(esqlHead("FROM logs-kubernetes.* | EVAL v = TO_LOWERR(kubernetes.audit.verb)"), ""),
    code: "DAC443",
    line: 8,
    column: 37,
    message: /Unknown function \[to_lowerr\]/,
  },
  {
    name: "missing schema header",
    text: base.split("\n").slice(1).join("\n"),
    code: "DAC010",
    line: 1,
    column: 1,
  },
  { name: "duplicate key", text: insertAfter(12, "risk_score: 47"), code: "DAC002", line: 13, column: 1 },
  { name: "two documents", text: `${base}---\nname: second\n`, code: "DAC003", line: 36, column: 1 },
  {
    name: "top level is a list",
    text: "# yaml-language-server: $schema=x\n- a\n- b\n",
    code: "DAC008",
    line: 2,
    column: 1,
  },
  { name: "YAML syntax error", text: line(12, "risk_score: [47"), code: "DAC001", line: 13, column: 1 },
  { name: "empty file", text: "", code: "DAC007", line: 1, column: 1 },
];

describe("EQL rules", () => {
  it("are checked (no DAC405), and `?field` may name a field the catalogue lacks", () => {
    const diagnostics = run(withType(eqlHead('any where ?kubernetes.audit.verbb == "create"'), ""));
    expect(diagnostics).toEqual([]);
  });
});

describe("invalid rules: one defect each, reported with its code at its line and column", () => {
  it("the base rule is valid", () => {
    expect(run(base)).toEqual([]);
  });

  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("$name → $code at $line:$column", ({ text, code, line: l, column, message, severity }) => {
    const diagnostics = run(text);
    const hit = diagnostics.find((d) => d.code === code && d.line === l && d.column === column);
    expect(hit, JSON.stringify(diagnostics, null, 1)).toBeDefined();
    if (message) expect(hit!.message).toMatch(message);
    expect(hit!.severity).toBe(severity ?? "error");
    expect(hit!.file).toBe("rule.yaml");
    // One defect should not turn into a cascade of unrelated errors.
    expect(diagnostics.filter((d) => d.severity === "error").length).toBeLessThanOrEqual(3);
  });
});
