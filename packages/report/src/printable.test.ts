import type { Diagnostic } from "@dac/schema";
import { describe, expect, it } from "vitest";
import { formatDiagnosticsGithub } from "./diagnostics/github.js";
import { formatDiagnosticsJson } from "./diagnostics/json.js";
import { formatDiagnosticsPretty } from "./diagnostics/pretty.js";
import { printable } from "./printable.js";
import { formatTestResults, testReporterNames } from "./results/index.js";
import { sampleRun } from "./results/test-support/sample-run.js";

// Anything a terminal could act on: C0 controls but tab and line feed, DEL, C1 controls, bidi overrides.
const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const clear = "\u001b[2J";

describe("printable", () => {
  it.each([
    ["plain text", "plain text"],
    ["tab\tand\nline feed stay", "tab\tand\nline feed stay"],
    [`${clear}cleared`, "\\u001b[2Jcleared"],
    ["a\rb", "a\\rb"],
    ["nul\u0000", "nul\\u0000"],
    ["del\u007f c1\u009b", "del\\u007f c1\\u009b"],
    ["bidi \u202eevil\u202c", "bidi \\u202eevil\\u202c"],
    ["ünïcödé ✓ — fine", "ünïcödé ✓ — fine"],
  ])("%j → %j", (text, expected) => {
    expect(printable(text)).toBe(expected);
  });
});

describe("no raw control character reaches a human-facing reporter", () => {
  const hostileName = `Evil ${clear}\u001b[31mrule\u0007\r`;
  const first = sampleRun.rules[0]!;
  const failing = first.cases[1]!;
  const hostile = {
    ...sampleRun,
    rules: [
      {
        ...first,
        name: hostileName,
        cases: [
          first.cases[0]!,
          {
            ...failing,
            name: `case ${clear}`,
            failures: failing.failures.map((f) => ({
              ...f,
              event: { "user.name": `x${clear}\u009b31m` },
              explanation: `✗ user.name: has \`x${clear}\`, which does not match \`y\``,
            })),
          },
        ],
      },
      ...sampleRun.rules.slice(1),
    ],
  };

  it.each(testReporterNames.filter((r) => r !== "json"))("test results, %s", (reporter) => {
    const text = formatTestResults(hostile, reporter);
    expect(text).not.toMatch(raw);
    expect(text).toContain("\\u001b[2J");
  });

  it("test results, json stays exact", () => {
    const parsed = JSON.parse(formatTestResults(hostile, "json")) as { rules: { name: string }[] };
    expect(parsed.rules[0]!.name).toBe(hostileName);
  });

  const diagnostic: Diagnostic = {
    file: "rules/a.yaml",
    line: 2,
    column: 7,
    endLine: 2,
    endColumn: 13,
    severity: "error",
    code: "DAC401",
    name: "query-syntax",
    message: `unexpected \`${clear}\``,
    hint: `remove \u001b]0;title\u0007`,
  };
  const sources = new Map([["rules/a.yaml", `a: 1\r\nname: ${clear}xy\r\n`]]);

  it("diagnostics, pretty: message, hint and source line escaped; the caret stays under the span", () => {
    const text = formatDiagnosticsPretty([diagnostic], { sources });
    expect(text).not.toMatch(raw);
    const lines = text.split("\n");
    expect(lines[1]).toBe("   2 | name: \\u001b[2Jxy");
    // The span is ESC[2Jxy: six characters, eleven once escaped.
    expect(lines[2]).toBe(`     | ${" ".repeat(6)}${"^".repeat(11)}`);
  });

  it("diagnostics, github", () => {
    expect(formatDiagnosticsGithub([diagnostic])).not.toMatch(raw);
  });

  it("diagnostics, json stays exact", () => {
    const parsed = JSON.parse(formatDiagnosticsJson([diagnostic], { version: "1", files: 1, rules: 1 })) as {
      diagnostics: Diagnostic[];
    };
    expect(parsed.diagnostics[0]!.message).toBe(diagnostic.message);
  });
});
