import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { Diagnostic } from "@dac/schema";
import { describe, expect, it } from "vitest";
import { formatDiagnosticsGithub } from "./github.js";
import { formatDiagnosticsJson } from "./json.js";
import { formatDiagnosticsPretty } from "./pretty.js";
import { formatDiagnosticsSarif } from "./sarif.js";

const diagnostics: Diagnostic[] = [
  {
    file: "rules/k8s/b.yaml",
    line: 12,
    column: 1,
    endLine: 12,
    endColumn: 10,
    severity: "error",
    code: "DAC101",
    name: "unknown-key",
    message: "unknown key `risk_scor`, did you mean `risk_score`?",
    hint: "rename it to `risk_score`",
  },
  {
    file: "rules/k8s/a.yaml",
    line: 3,
    column: 7,
    endLine: 3,
    endColumn: 12,
    severity: "warning",
    code: "DAC208",
    name: "prebuilt-rule-id",
    message: "rule_id, 50% of: the prebuilt id\nsecond line",
  },
];
const sources = new Map([
  ["rules/k8s/b.yaml", `${"x: 1\n".repeat(11)}risk_scor: 47\n`],
  ["rules/k8s/a.yaml", "a: 1\nb: 2\nname: abcde\n"],
]);
const meta = { version: "1.2.3", files: 2, rules: 2 };

describe("diagnostic formats (golden)", () => {
  it("pretty: sorted, with the source line, a caret under the span, the hint and a summary", () => {
    expect(formatDiagnosticsPretty(diagnostics, { sources, checked: { files: 2, rules: 2 } })).toBe(
      [
        "rules/k8s/a.yaml:3:7 warning rule_id, 50% of: the prebuilt id\nsecond line DAC208 prebuilt-rule-id",
        "   3 | name: abcde",
        "     |       ^^^^^",
        "",
        "rules/k8s/b.yaml:12:1 error unknown key `risk_scor`, did you mean `risk_score`? DAC101 unknown-key",
        "  12 | risk_scor: 47",
        "     | ^^^^^^^^^",
        "       hint: rename it to `risk_score`",
        "",
        "✖ 2 files, 2 rules checked: 1 error, 1 warning",
        "",
      ].join("\n"),
    );
  });

  it("pretty: a clean run", () => {
    expect(formatDiagnosticsPretty([], { checked: { files: 1, rules: 1 } })).toBe(
      "✔ 1 file, 1 rule checked: 0 errors, 0 warnings\n",
    );
  });

  it("json: a stable, versioned document", () => {
    const parsed = JSON.parse(formatDiagnosticsJson(diagnostics, meta));
    expect(parsed).toEqual({
      schemaVersion: 1,
      tool: { name: "dac", version: "1.2.3" },
      summary: { files: 2, rules: 2, errors: 1, warnings: 1 },
      diagnostics: [{ ...diagnostics[1] }, { ...diagnostics[0] }],
    });
  });

  it("github: workflow commands with escaped properties and data", () => {
    expect(formatDiagnosticsGithub(diagnostics)).toBe(
      [
        "::warning file=rules/k8s/a.yaml,line=3,col=7,endColumn=12,title=DAC208 prebuilt-rule-id::rule_id, 50%25 of: the prebuilt id%0Asecond line",
        "::error file=rules/k8s/b.yaml,line=12,col=1,endColumn=10,title=DAC101 unknown-key::unknown key `risk_scor`, did you mean `risk_score`?%0Arename it to `risk_score`",
        "",
      ].join("\n"),
    );
  });

  it("sarif: validates against the SARIF 2.1.0 JSON Schema", () => {
    const require = createRequire(import.meta.url);
    const schemaPath = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(formatDiagnosticsSarif(diagnostics, meta));
    expect(validate(log), JSON.stringify(validate.errors, null, 1)).toBe(true);
    expect(
      log.runs[0].results.map((r: { ruleId: string; level: string }) => `${r.ruleId}:${r.level}`),
    ).toEqual(["DAC208:warning", "DAC101:error"]);
    expect(log.runs[0].results[1].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "rules/k8s/b.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 12, startColumn: 1, endLine: 12, endColumn: 10 },
    });
  });
});
