/**
 * `explain` for ES|QL: the rows after each command, trimmed. Each command is shown as written, with its row
 * count; the columns it adds (EVAL, DISSECT, GROK) or leaves (STATS, KEEP, RENAME) are shown for a few rows, so
 * that a threshold that was not reached shows its value (`source_addresses: 4`).
 */
import type { EsqlQuery } from "@dac/esql";
import type { EsqlTable } from "./esql-alerts.js";

/** One step of `traceEsql`: a command and the table after it. */
export interface TraceStep {
  /** The command as written. */
  text: string;
  type: string;
  table: EsqlTable;
}

const MAX_ROWS = 3;
const MAX_COLUMNS = 6;
const MAX_VALUE = 60;
const showsColumns = new Set([
  "eval",
  "dissect",
  "grok",
  "stats",
  "keep",
  "rename",
  "enrich",
  "lookup_join",
  "mv_expand",
]);

function valueText(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Where the rows run out: the first command after which no row is left. */
export function rowsEnd(steps: readonly TraceStep[]): string {
  const at = steps.findIndex((s) => s.table.values.length === 0);
  if (at < 0) return `the query returns ${plural(steps.at(-1)?.table.values.length ?? 0, "row")}`;
  if (at === 0) return "no event reaches the query";
  const before = steps[at - 1]!.table.values.length;
  return `no row is left after \`${steps[at]!.text.replace(/\s+/g, " ").trim()}\` (${plural(before, "row")} before it)`;
}

export function formatTrace(
  steps: readonly TraceStep[],
  options: { verdict: string | ((steps: readonly TraceStep[]) => string) },
): string {
  const lines = [typeof options.verdict === "string" ? options.verdict : options.verdict(steps)];
  let previous: readonly string[] = [];
  for (const step of steps) {
    const names = step.table.columns.map((c) => c.name);
    lines.push(`  ${step.text.replace(/\s+/g, " ").trim()} → ${plural(step.table.values.length, "row")}`);
    if (showsColumns.has(step.type) && step.table.values.length > 0) {
      const shown = (
        step.type === "eval" || step.type === "dissect" || step.type === "grok"
          ? names.filter((n) => !previous.includes(n))
          : names
      ).slice(0, MAX_COLUMNS);
      for (const row of step.table.values.slice(0, MAX_ROWS)) {
        const cells = shown.map((n) => `${n}: ${valueText(row[names.indexOf(n)])}`);
        lines.push(
          `      ${cells.join(", ")}${names.length > shown.length && step.type !== "eval" ? ", …" : ""}`,
        );
      }
      if (step.table.values.length > MAX_ROWS)
        lines.push(`      … ${step.table.values.length - MAX_ROWS} more`);
    }
    previous = names;
  }
  return lines.join("\n");
}

/** The steps of `traceEsql`, with each command's type (the source command first). */
export function traceSteps(
  ast: EsqlQuery,
  steps: readonly { command: string; columns: EsqlTable["columns"]; values: EsqlTable["values"] }[],
): TraceStep[] {
  const commands = [ast.source, ...ast.commands];
  return steps.map((step, i) => ({
    text: `${i === 0 ? "" : "| "}${step.command}`,
    type: commands[i]?.type ?? "",
    table: { columns: step.columns, values: step.values },
  }));
}
