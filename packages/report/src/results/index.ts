import type { TestRunResult } from "./model.js";
import { formatTestGithub } from "./github.js";
import { formatTestJson } from "./json.js";
import { formatTestJunit } from "./junit.js";
import { formatTestMarkdown } from "./markdown.js";
import { formatTestPretty } from "./pretty.js";
import type { TestPrettyOptions } from "./pretty.js";

export * from "./model.js";
export { formatTestGithub, formatTestJson, formatTestJunit, formatTestMarkdown, formatTestPretty };
export type { TestPrettyOptions };
export { TEST_RESULT_FORMAT } from "./json.js";
/** A failed case as text: what went wrong, each offending event (trimmed) and its explanation. */
export { caseDetail as describeCaseFailure } from "./text.js";

export const testReporterNames = ["pretty", "json", "junit", "github", "markdown"] as const;
export type TestReporterName = (typeof testReporterNames)[number];

export function isTestReporterName(name: string): name is TestReporterName {
  return (testReporterNames as readonly string[]).includes(name);
}

/** Renders a run with one reporter; `color` only affects `pretty`. */
export function formatTestResults(
  result: TestRunResult,
  reporter: TestReporterName,
  options: TestPrettyOptions = {},
): string {
  switch (reporter) {
    case "pretty":
      return formatTestPretty(result, options);
    case "json":
      return formatTestJson(result);
    case "junit":
      return formatTestJunit(result);
    case "github":
      return formatTestGithub(result);
    case "markdown":
      return formatTestMarkdown(result);
  }
}
