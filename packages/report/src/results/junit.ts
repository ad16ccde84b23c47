/**
 * JUnit XML in the dialect GitHub test-report actions read (dorny/test-reporter, mikepenz/action-junit-report):
 * one `testsuite` per rule, one `testcase` per case, `failure` with a one-line message and the trace as text.
 * Error-severity diagnostics become failing cases of a `diagnostics` suite, so a CI view shows them too.
 */
import type { CaseResult, RuleTestResult, TestRunResult } from "./model.js";
import { caseDetail, caseMessage, printableRun } from "./text.js";

interface Suite {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export function formatTestJunit(run: TestRunResult): string {
  // Shown by CI pages as text: controls escaped visibly rather than replaced (XML forbids most of them).
  const result = printableRun(run);
  const suites = result.rules.map(ruleSuite);
  const diagnostics = result.diagnostics.filter((d) => d.severity === "error");
  if (diagnostics.length > 0) {
    const cases = diagnostics.map((d) =>
      element(
        "testcase",
        { name: `${d.code} ${d.name}`, classname: d.file, file: d.file, line: d.line, time: seconds(0) },
        [
          element(
            "failure",
            { message: d.message, type: d.code },
            `${d.file}:${d.line}:${d.column} ${d.message}${d.hint ? `\n${d.hint}` : ""}`,
          ),
        ],
      ),
    );
    suites.push(suite("diagnostics", undefined, cases, { failures: cases.length, errors: 0, skipped: 0 }, 0));
  }
  const total = (key: "tests" | "failures" | "errors" | "skipped") => suites.reduce((n, s) => n + s[key], 0);
  const root = element(
    "testsuites",
    {
      name: "dac test",
      tests: total("tests"),
      failures: total("failures"),
      errors: total("errors"),
      skipped: total("skipped"),
      time: seconds(result.durationMs),
    },
    suites.map((s) => s.xml),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}

function ruleSuite(rule: RuleTestResult): Suite {
  const cases = rule.cases.map((c) => caseElement(rule, c));
  const counts = { failures: rule.cases.filter((c) => c.status === "failed").length, errors: 0, skipped: 0 };
  if (rule.cases.length === 0) {
    // A rule with no case still shows up as one test, so nothing disappears from the report.
    const attrs = {
      name: rule.status,
      classname: rule.file,
      file: rule.file,
      line: rule.location.line,
      time: seconds(0),
    };
    const message = rule.message ?? rule.status;
    if (rule.status === "exempt") {
      counts.skipped = 1;
      cases.push(
        element("testcase", attrs, [element("skipped", { message: `exempt: ${rule.exempt ?? ""}` })]),
      );
    } else if (rule.status === "error") {
      counts.errors = 1;
      cases.push(element("testcase", attrs, [element("error", { message }, message)]));
    } else if (rule.status !== "passed") {
      counts.failures = 1;
      cases.push(element("testcase", attrs, [element("failure", { message }, message)]));
    } else {
      cases.push(element("testcase", attrs));
    }
  }
  return suite(rule.name, rule.file, cases, counts, rule.durationMs);
}

function suite(
  name: string,
  file: string | undefined,
  cases: string[],
  counts: { failures: number; errors: number; skipped: number },
  durationMs: number,
): Suite {
  const attrs: Attrs = {
    name,
    ...(file ? { file } : {}),
    tests: cases.length,
    ...counts,
    time: seconds(durationMs),
  };
  return { xml: element("testsuite", attrs, cases), tests: cases.length, ...counts };
}

function caseElement(rule: RuleTestResult, c: CaseResult): string {
  const attrs = {
    name: c.name,
    classname: rule.file,
    file: c.location.file,
    line: c.location.line,
    time: seconds(c.durationMs),
  };
  if (c.status === "passed") return element("testcase", attrs);
  return element("testcase", attrs, [
    element("failure", { message: caseMessage(c), type: "fixture" }, caseDetail(c)),
  ]);
}

type Attrs = Record<string, string | number>;

/** Children are either elements (already serialised, one per line) or one text body. */
function element(name: string, attrs: Attrs, children: string[] | string = []): string {
  const attributes = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join("");
  if (typeof children === "string") return `<${name}${attributes}>${escapeText(children)}</${name}>`;
  if (children.length === 0) return `<${name}${attributes}/>`;
  return `<${name}${attributes}>\n${children.join("\n")}\n</${name}>`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Characters XML 1.0 forbids outright (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
const invalidXml = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function escapeText(text: string): string {
  return text
    .replace(invalidXml, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeText(text)
    .replace(/"/g, "&quot;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;")
    .replace(/\t/g, "&#9;");
}
