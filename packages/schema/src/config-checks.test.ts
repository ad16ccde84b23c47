import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";
import type { Diagnostic } from "./diagnostic.js";
import { loadRules } from "./rules.js";

const rule = `rule_id: 5a0a0f7e-3a52-4d8e-9a43-6f7d2f1f0c11
name: Test rule
description: A test rule.
type: query
index: [logs-*]
query: "event.dataset: x"
severity: low
risk_score: 21
`;

function repo(config: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "dac-config-checks-"));
  writeFileSync(join(dir, "dac.config.yaml"), config);
  mkdirSync(join(dir, "rules"));
  writeFileSync(join(dir, "rules", "r.yaml"), rule);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The ConfigError thrown by loading the config, then the rules (where the STIX bundle is read). */
function configError(dir: string): ConfigError {
  try {
    loadRules([], loadConfig(dir), dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const stixConfig = (path: string) => `rules: rules\nattack:\n  stix: ${path}\n`;

describe("attack.stix problems are DAC903 at the key's position (item 16)", () => {
  it.each([
    ["a missing file", "vendor/missing.json", {}, /vendor\/missing\.json does not exist/],
    ["a directory", "rules", {}, /is a folder, not a STIX bundle file/],
    ["a file that is not JSON", "bundle.json", { "bundle.json": "not json {" }, /is not JSON/],
    ["JSON that is not a bundle", "bundle.json", { "bundle.json": '{"type": "x"}' }, /is not a STIX bundle/],
  ])("%s", (_, path, files, message) => {
    const dir = repo(stixConfig(path), files);
    const error = configError(dir);
    expect(error.diagnostics).toHaveLength(1);
    const [d] = error.diagnostics as [Diagnostic];
    expect(d).toMatchObject({
      file: join(dir, "dac.config.yaml"),
      code: "DAC903",
      severity: "error",
      line: 3,
      column: 9,
    });
    expect(d.message).toMatch(message);
  });

  it("a valid bundle loads", () => {
    const dir = repo(stixConfig("bundle.json"), {
      "bundle.json": JSON.stringify({ type: "bundle", objects: [] }),
    });
    expect(loadRules([], loadConfig(dir), dir).rules).toHaveLength(1);
  });
});

describe("an exclusion naming an unknown check is DAC904 at its position (item 16)", () => {
  it("with a did-you-mean when one is close", () => {
    const dir = repo(
      "rules: rules\nexclusions:\n  - rule: rules/r.yaml\n    checks: [DAC204, DAC250]\n    reason: typo\n  - rule: x\n    checks: [DAC999, DAC418]\n    reason: r\n  - rule: y\n    checks: [DAC880]\n    reason: r\n",
    );
    let error: unknown;
    try {
      loadConfig(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const diagnostics = (error as ConfigError).diagnostics;
    expect(diagnostics).toMatchObject([
      { code: "DAC904", line: 4, column: 22, message: expect.stringContaining("`DAC250`") },
      { code: "DAC904", line: 7, column: 14, message: expect.stringContaining("`DAC999`") },
      { code: "DAC904", line: 7, column: 22, message: expect.stringContaining("`DAC418`") },
      { code: "DAC904", line: 10, column: 14, message: expect.stringContaining("`DAC880`") },
    ]);
    expect(diagnostics.map((d) => d.hint)).toEqual([
      "did you mean `DAC205`?",
      "did you mean `DAC199`?",
      "did you mean `DAC417`?",
      expect.stringContaining("README"),
    ]);
  });
});
