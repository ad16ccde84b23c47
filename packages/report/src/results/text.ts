/** Small text helpers the result reporters share. */
import { printable, printableData } from "../printable.js";
import type { CaseResult, EventFailure, RuleTestResult, SourceLocation, TestRunResult } from "./model.js";

const keepEvents = new Set(["event"]);

/** The run with every string made printable for a human reporter; events are escaped when shown, as JSON. */
export function printableRun(result: TestRunResult): TestRunResult {
  return printableData(result, keepEvents);
}

export function at(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

/** `12 ms` below a second, `1.23 s` above. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** One line for a failed case: what was expected and what happened. */
export function caseMessage(c: CaseResult): string {
  if (c.message) return c.message;
  if (c.expect === "alert" || c.expect === "no-alert")
    return c.expect === "alert" ? "expected an alert, the execution created none" : "expected no alert";
  if (c.expect === "suppressed") return "expected the rule to match and an exception to remove every event";
  const wanted = c.expect === "match" ? "match" : "no match";
  return `expected ${wanted} on every event, ${plural(c.failures.length, "event")} went against it`;
}

/** The failure as text: each offending event, trimmed, with the engine's explanation. */
export function failureDetail(failure: EventFailure): string {
  const lines = [`event at ${at(failure.location)}${failure.index ? ` (index ${failure.index})` : ""}:`];
  const event = printable(JSON.stringify(failure.event, null, 2));
  lines.push(...event.split("\n").map((l) => `  ${l}`));
  lines.push("explain:");
  lines.push(...failure.explanation.split("\n").map((l) => `  ${l}`));
  return lines.join("\n");
}

export function caseDetail(c: CaseResult): string {
  return [caseMessage(c), ...c.failures.map(failureDetail)].join("\n");
}

/** A short status word for a rule that did not simply pass or fail. */
export function ruleNote(rule: RuleTestResult): string | undefined {
  switch (rule.status) {
    case "exempt":
      return `exempt: ${rule.exempt ?? ""}`;
    case "unsupported":
    case "error":
      return rule.message;
    default:
      return undefined;
  }
}
