/** The survey as text: pretty (a terminal), json (the `SurveyResult` with a version), markdown (a table). */
import pc from "picocolors";
import { surveyFormats } from "./settings.js";
import type { SurveyResult, SurveyRuleResult } from "./survey.js";

export { surveyFormats };
export type SurveyFormat = (typeof surveyFormats)[number];

/** Bumped when a field of the JSON output changes meaning or disappears. */
export const SURVEY_RESULT_VERSION = 1;

const number = (n: number) => n.toLocaleString("en-US");
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const hitsOf = (r: SurveyRuleResult) => `${number(r.hits)}${r.hitsLowerBound ? "+" : ""}`;
/** An upper bound (new_terms, threat_match: the hits, not checked further) reads `≤ N`. */
const alertsOf = (r: SurveyRuleResult) => `${r.alertsUpperBound ? "≤ " : ""}${number(r.alerts)}`;

export function formatSurvey(
  result: SurveyResult,
  format: SurveyFormat,
  options: { color?: boolean } = {},
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify({ version: SURVEY_RESULT_VERSION, ...result }, null, 2)}\n`;
    case "markdown":
      return markdown(result);
    default:
      return pretty(result, options.color ?? false);
  }
}

function windowLine(result: SurveyResult): string {
  const where = result.index ? `index ${result.index.join(", ")}` : "each rule's index patterns";
  return `${result.window.from} → ${result.window.to}, ${where}`;
}

function summaryLine(result: SurveyResult): string {
  const s = result.summary;
  return (
    `${s.rules} rule${s.rules === 1 ? "" : "s"}, ${s.withHits} with hits: ${number(s.hits)} hits, ` +
    `${number(s.alerts)} would-be alerts, ${s.errors} with errors` +
    `${s.unsupported ? `, ${s.unsupported} unsupported` : ""} (${ms(result.durationMs)})`
  );
}

function pretty(result: SurveyResult, color: boolean): string {
  const c = pc.createColors(color);
  const rows = result.rules.map((r) => [
    r.status === "ok" ? c.green("✓") : r.status === "unsupported" ? c.yellow("–") : c.red("✗"),
    r.file,
    r.index.join(","),
    hitsOf(r),
    alertsOf(r),
    number(r.executionsWithHits),
    ms(r.durationMs),
  ]);
  const head = ["", "rule", "index", "hits", "alerts", "runs", "time"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => stripAnsi(row[i]!).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i >= 3
          ? cell.padStart(widths[i]! + cell.length - stripAnsi(cell).length)
          : cell.padEnd(widths[i]! + cell.length - stripAnsi(cell).length),
      )
      .join("  ")
      .trimEnd();
  const out = [`Survey: ${windowLine(result)}`, "", c.dim(line(head))];
  result.rules.forEach((r, i) => {
    out.push(line(rows[i]!));
    for (const e of r.errors) out.push(`    ${c.red(e)}`);
    for (const w of r.warnings) out.push(`    ${c.yellow(w)}`);
  });
  out.push("", `alerts: what the rule would have written running every interval, at most max_signals a run`);
  out.push(summaryLine(result));
  return `${out.join("\n")}\n`;
}

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function markdown(result: SurveyResult): string {
  const out = [
    "## Rule survey",
    "",
    `Window ${cell(windowLine(result))}. Alerts: what each rule would have written running every interval, at most \`max_signals\` a run.`,
    "",
    "| | rule | index | hits | alerts | runs with hits | time | notes |",
    "|---|---|---|---:|---:|---:|---:|---|",
  ];
  for (const r of result.rules) {
    const mark = r.status === "ok" ? "✅" : r.status === "unsupported" ? "➖" : "❌";
    const notes = [...r.errors, ...r.warnings].map(cell).join("<br>");
    out.push(
      `| ${mark} | \`${cell(r.file)}\` ${cell(r.name)} | \`${cell(r.index.join(", "))}\` | ${hitsOf(r)} | ${alertsOf(r)} | ${number(r.executionsWithHits)} | ${ms(r.durationMs)} | ${notes} |`,
    );
  }
  out.push("", summaryLine(result), "");
  return out.join("\n");
}

/** A one-line progress bar for stderr (redrawn with `\r`); only for a terminal. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} rules`;
}
