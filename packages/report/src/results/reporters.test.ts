import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import {
  formatTestResults,
  isTestReporterName,
  testReporterNames,
  TEST_RUN_RESULT_VERSION,
} from "./index.js";
import { passingRun, sampleRun } from "./test-support/sample-run.js";

const golden = (name: string) => new URL(`./__golden__/${name}`, import.meta.url).pathname;

describe("test-result reporters", () => {
  it.each([
    ["pretty", "pretty.golden"],
    ["json", "json.golden"],
    ["junit", "junit.golden"],
    ["github", "github.golden"],
    ["markdown", "markdown.golden"],
  ] as const)("%s matches its golden file", async (reporter, file) => {
    await expect(formatTestResults(sampleRun, reporter)).toMatchFileSnapshot(golden(file));
  });

  it("pretty shows rules, cases, passed, failed, exempt and time in the summary", () => {
    const text = formatTestResults(sampleRun, "pretty");
    expect(text).toMatch(/^Rules {2}4 \(1 passed, 1 failed, 1 exempt, 1 unsupported\)$/m);
    expect(text).toMatch(/^Cases {2}3 \(2 passed, 1 failed\)$/m);
    expect(text).toMatch(/^Exempt 1$/m);
    expect(text).toMatch(/^Time {3}13 ms$/m);
  });

  it("pretty lists engine notes once, with the number of rules they concern, and per rule with --verbose", () => {
    const note = "x.y: wildcard mapped as keyword (the node lacks wildcard)";
    const run = { ...passingRun, rules: passingRun.rules.map((r) => ({ ...r, notes: [note] })) };
    const text = formatTestResults(run, "pretty");
    expect(text).toContain(
      `Engine notes\n  ${passingRun.rules.length} rule${passingRun.rules.length === 1 ? "" : "s"}: ${note}\n`,
    );
    expect(text.split(note)).toHaveLength(2);
    expect(formatTestResults(run, "pretty", { verbose: true })).toContain(`    note: ${note}\n`);
  });

  it("pretty colours only when asked", () => {
    expect(formatTestResults(sampleRun, "pretty")).not.toContain("\u001b[");
    expect(formatTestResults(sampleRun, "pretty", { color: true })).toContain("\u001b[");
  });

  it("json is versioned and round-trips the result", () => {
    const parsed = JSON.parse(formatTestResults(sampleRun, "json")) as Record<string, unknown>;
    expect(parsed.format).toBe("dac-test-result");
    expect(parsed.version).toBe(TEST_RUN_RESULT_VERSION);
    const { format: _format, ...rest } = parsed;
    expect(rest).toEqual(JSON.parse(JSON.stringify(sampleRun)));
  });

  it("junit is well-formed XML with a suite per rule and a failure carrying the trace", () => {
    const xml = formatTestResults(sampleRun, "junit");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml) as {
      testsuites: {
        tests: string;
        failures: string;
        skipped: string;
        testsuite: Array<Record<string, unknown>>;
      };
    };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual([
      "Kubernetes Suspicious Self-Subject Review",
      "Kubernetes Denied Service Account Request",
      "Rare process",
      "Legacy rule",
      "diagnostics",
    ]);
    expect(doc.testsuites).toMatchObject({ tests: "6", failures: "3", skipped: "1" });
    const failing = (
      suites[0]!.testcase as Array<{ name: string; failure?: { "#text": string; message: string } }>
    )[1]!;
    expect(failing.name).toBe('verb get <is> & "not" create');
    expect(failing.failure?.message).toBe("expected match, the rule did not match 1 of 1 events");
    expect(failing.failure?.["#text"]).toContain('✗ kubernetes.audit.verb:"create"');
  });

  it("junit stays well-formed with control characters and markup in names", () => {
    const run = structuredClone(passingRun);
    run.rules[0]!.name = "a\u0001b ]]> <x> & 'q'";
    run.rules[0]!.cases[0]!.name = "tab\tnew\nline";
    expect(XMLValidator.validate(formatTestResults(run, "junit"))).toBe(true);
  });

  it("github annotates the fixture line of each failed case and the rule", () => {
    const lines = formatTestResults(sampleRun, "github").trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^::error file=fixtures\/kubernetes\/self_review\/cases.yaml,line=20,col=5,title=.*::expected match/,
    );
    expect(lines[0]).toContain("%0Aexplain:%0A");
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::error file=rules\/kubernetes\/self_review.yaml,line=14,col=3,.*1 fixture case failed/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^::error file=rules\/linux\/rare.yaml,.*::unsupported: new_terms\/kuery$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::warning file=rules\/kubernetes\/self_review.yaml,line=18,endLine=18,col=8,endColumn=50,title=DAC507 uncovered-branch::/,
      ),
    );
  });

  it("github prints nothing for a clean run", () => {
    expect(formatTestResults(passingRun, "github")).toBe("");
  });

  it("pretty and markdown say how many mutants were over the per-rule limit and not run", () => {
    const run = {
      ...sampleRun,
      rules: sampleRun.rules.map((r) => (r.mutation ? { ...r, mutation: { ...r.mutation, skipped: 7 } } : r)),
    };
    expect(formatTestResults(run, "pretty")).toContain("(7 more mutants not run: over the limit per rule)");
    expect(formatTestResults(run, "markdown")).toMatch(
      /\| 2\/3 \(7 more not run: over the limit per rule\) \|/,
    );
  });

  it("with coverage, pretty and markdown name the exception items no case exercises (expired ones aside)", () => {
    const location = { file: "rules/k8s/review.exceptions.yaml", line: 12, column: 5 };
    const exceptions = [
      { itemId: "prometheus", listId: "review-defaults", location, suppressed: ["monitoring agent"] },
      { itemId: "flux", listId: "review-defaults", location: { ...location, line: 20 }, suppressed: [] },
      { itemId: "old", listId: "review-defaults", location, suppressed: [], expired: true },
    ];
    const run = {
      ...sampleRun,
      rules: sampleRun.rules.map((r) => (r.coverage ? { ...r, exceptions } : r)),
    };
    const pretty = formatTestResults(run, "pretty");
    const coverage = pretty.slice(pretty.indexOf("\nCoverage\n"));
    expect(coverage).toContain(
      "untested exception flux (review-defaults) rules/k8s/review.exceptions.yaml:20:5",
    );
    expect(coverage).not.toContain("untested exception prometheus");
    expect(coverage).not.toContain("untested exception old");
    expect(formatTestResults(run, "markdown")).toMatch(/\| `flux` \(review-defaults\) \|\n/);
  });

  it("markdown opens with the verdict and a totals table", () => {
    const md = formatTestResults(passingRun, "markdown");
    expect(md.split("\n").slice(0, 5)).toEqual([
      "## dac test: ✅ passed",
      "",
      "| Rules | Cases | Passed | Failed | Exempt | Unsupported | Time |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      "| 1 | 1 | 1 | 0 | 0 | 0 | 3 ms |",
    ]);
  });

  it("knows its reporter names", () => {
    expect(testReporterNames.every(isTestReporterName)).toBe(true);
    expect(isTestReporterName("sarif")).toBe(false);
  });
});
