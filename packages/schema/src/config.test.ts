import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";
import { loadRules } from "./rules.js";

function repo(config: string, rules: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "dac-config-"));
  writeFileSync(join(dir, "dac.config.yaml"), config);
  for (const [name, text] of Object.entries(rules)) {
    const path = join(dir, name);
    writeFileSync(path, text);
  }
  return dir;
}

const badBand = `# yaml-language-server: $schema=schemas/rule.schema.json
rule_id: 5a0a0f7e-3a52-4d8e-9a43-6f7d2f1f0c11
name: Test rule
description: A test rule.
type: query
index: [logs-*]
query: "event.dataset: x"
severity: low
risk_score: 47
metadata:
  maturity: production
  created: "2026-11-22"
  updated: "2026-11-22"
  integration: kubernetes
`;

describe("configuration", () => {
  it("resolves paths relative to the config file and applies defaults", () => {
    const dir = repo("rules: detections\nunknown_fields: unmapped\n");
    const config = loadConfig(join(dir));
    expect(config.rules).toBe(join(dir, "detections"));
    expect(config.fixtures).toBe(join(dir, "fixtures"));
    expect(config.unknownFields).toBe("unmapped");
    expect(config.kibana.managementTag).toBe("Managed by: dac");
  });

  it("an unknown key is a ConfigError with its position", () => {
    const dir = repo("rulez: x\n");
    expect(() => loadConfig(dir)).toThrow(ConfigError);
    try {
      loadConfig(dir);
    } catch (error) {
      expect((error as ConfigError).diagnostics[0]).toMatchObject({ code: "DAC901", line: 1, column: 1 });
    }
  });

  it("a duplicate key names the whole key", () => {
    const dir = repo("rules: a\nfixtures: f\nrules: b\n");
    expect(() => loadConfig(dir)).toThrow(ConfigError);
    try {
      loadConfig(dir);
    } catch (error) {
      expect((error as ConfigError).diagnostics[0]).toMatchObject({
        code: "DAC002",
        line: 3,
        column: 1,
        endColumn: 6,
        message: "duplicate key `rules`: keys must be unique",
      });
    }
  });

  it("an exclusion needs a reason", () => {
    const dir = repo("exclusions:\n  - rule: rules/a.yaml\n    checks: [DAC204]\n");
    expect(() => loadConfig(dir)).toThrow(/not valid/);
  });

  it("an exclusion switches one check off for the rules it names, and only those", () => {
    const exclusion = (rule: string) =>
      `rules: .\nexclusions:\n  - rule: ${rule}\n    checks: [DAC204]\n    reason: scored by the SOC's own scale\n`;
    const count = (dir: string) =>
      loadRules([], loadConfig(dir), dir).diagnostics.filter((d) => d.code === "DAC204").length;
    expect(count(repo("rules: .\n", { "a.yaml": badBand }))).toBe(1);
    expect(count(repo(exclusion("a.yaml"), { "a.yaml": badBand }))).toBe(0);
    expect(count(repo(exclusion("5a0a0f7e-3a52-4d8e-9a43-6f7d2f1f0c11"), { "a.yaml": badBand }))).toBe(0);
    expect(count(repo(exclusion("other/*.yaml"), { "a.yaml": badBand }))).toBe(1);
  });
});
