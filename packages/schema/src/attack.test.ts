import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadAttackData } from "./attack.js";
import { defaultConfig } from "./config.js";
import { validateRuleFile } from "./rules.js";

const stix = fileURLToPath(new URL("./test-data/attack-mini.stix.json", import.meta.url));

function rule(threat: string): string {
  return `# yaml-language-server: $schema=../../schemas/rule.schema.json
rule_id: 5a0a0f7e-3a52-4d8e-9a43-6f7d2f1f0c11
name: Test rule
description: A test rule.
type: query
language: kuery
index: [logs-*]
query: "event.dataset: x"
severity: medium
risk_score: 47
threat:
${threat}
metadata:
  maturity: production
  created: "2026-11-22"
  updated: "2026-11-22"
  integration: kubernetes
`;
}

const discovery = `  - framework: MITRE ATT&CK
    tactic:
      id: TA0007
      name: Discovery
      reference: https://attack.mitre.org/tactics/TA0007/
    technique:`;

function codes(threat: string, stixFile?: string): string[] {
  const config = defaultConfig(process.cwd());
  if (stixFile) config.attack = { stix: stixFile };
  return validateRuleFile("r.yaml", rule(threat), config, loadAttackData(stixFile)).diagnostics.map(
    (d) => `${d.code}@${d.line}:${d.column}`,
  );
}

describe("ATT&CK checks against a local STIX bundle (nothing downloaded)", () => {
  it("reads tactics, techniques, subtechniques and their tactics", () => {
    const data = loadAttackData(stix);
    expect(data.techniques?.get("T1069.003")).toEqual({
      name: "Cloud Groups",
      tactics: ["TA0007"],
      deprecated: false,
    });
    expect(data.tactics.get("TA0007")?.name).toBe("Discovery");
  });

  it("accepts a correct mapping, with a subtechnique under its parent", () => {
    const threat = `${discovery}
      - id: T1069
        name: Permission Groups Discovery
        reference: https://attack.mitre.org/techniques/T1069/
        subtechnique:
          - id: T1069.003
            name: Cloud Groups
            reference: https://attack.mitre.org/techniques/T1069/003/`;
    expect(codes(threat, stix)).toEqual([]);
  });

  it("a wrong technique name is DAC305 at the name", () => {
    const threat = `${discovery}
      - id: T1613
        name: Container Discovery
        reference: https://attack.mitre.org/techniques/T1613/`;
    expect(codes(threat, stix)).toEqual(["DAC305@19:15"]);
    // Without STIX data, technique names are not checked.
    expect(codes(threat)).toEqual([]);
  });

  it("an id missing from the bundle is DAC306", () => {
    const threat = `${discovery}
      - id: T1999
        name: Made Up
        reference: https://attack.mitre.org/techniques/T1999/`;
    expect(codes(threat, stix)).toEqual(["DAC306@18:13"]);
  });

  it("a wrong subtechnique reference is DAC303", () => {
    const threat = `${discovery}
      - id: T1069
        name: Permission Groups Discovery
        reference: https://attack.mitre.org/techniques/T1069/
        subtechnique:
          - id: T1069.003
            name: Cloud Groups
            reference: https://attack.mitre.org/techniques/T1069/002/`;
    expect(codes(threat, stix)).toEqual(["DAC303@24:24"]);
  });

  it("a framework other than MITRE ATT&CK is DAC308", () => {
    expect(codes(discovery.replace("MITRE ATT&CK", "MITRE") + " []")).toEqual(["DAC308@12:16"]);
  });
});
