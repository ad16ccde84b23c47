import type { Diagnostic } from "@dac/schema";
import { printable, printableData } from "../printable.js";
import { paint } from "./text.js";

/** Source lines longer than this are shown as a window around the column. */
const MAX_EXCERPT = 160;
const CONTEXT_BEFORE = 40;

/**
 * The source line as shown under a finding: printable, at most MAX_EXCERPT characters of it (a window with `…`
 * at the cut ends), and where the caret goes once escapes have widened the text.
 */
function excerpt(
  line: string,
  column: number,
  width: number,
): { text: string; caretAt: number; caretWidth: number } {
  const at = Math.min(column - 1, line.length);
  const start = line.length > MAX_EXCERPT ? Math.max(0, at - CONTEXT_BEFORE) : 0;
  const end = Math.min(line.length, start + MAX_EXCERPT);
  const lead = start > 0 ? "…" : "";
  const before = printable(line.slice(start, at));
  const span = printable(line.slice(at, Math.max(at, Math.min(at + width, end))));
  const after = printable(line.slice(Math.min(at + width, end), end));
  return {
    text: `${lead}${before}${span}${after}${end < line.length ? "…" : ""}`,
    caretAt: lead.length + before.length,
    caretWidth: Math.max(1, span.length),
  };
}

export interface PrettyOptions {
  color?: boolean;
  /** File texts, to show the offending line with a caret. */
  sources?: ReadonlyMap<string, string>;
  /** What was checked, for the summary line. */
  checked?: { files: number; rules?: number };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * eslint/rustc-style text: `file:line:col  severity  message  code`, the source line with a caret under the
 * span, the hint, then a summary.
 */
export function formatDiagnosticsPretty(
  diagnostics: readonly Diagnostic[],
  options: PrettyOptions = {},
): string {
  const p = paint(options.color ?? false);
  const lines: string[] = [];
  for (const raw of sortDiagnostics(diagnostics)) {
    const d = printableData(raw);
    const severity = d.severity === "error" ? p.red("error") : p.yellow("warning");
    lines.push(
      `${p.bold(`${d.file}:${d.line}:${d.column}`)} ${severity} ${d.message} ${p.dim(`${d.code} ${d.name}`)}`,
    );
    const text = options.sources?.get(raw.file);
    const sourceLine = text?.split("\n")[d.line - 1]?.replace(/\r$/, "");
    if (sourceLine !== undefined) {
      const gutter = String(d.line).padStart(4);
      const width =
        d.endLine === d.line
          ? Math.max(1, d.endColumn - d.column)
          : Math.max(1, sourceLine.length - d.column + 1);
      const shown = excerpt(sourceLine.replace(/\t/g, " "), d.column, width);
      lines.push(`${p.dim(`${gutter} |`)} ${shown.text}`);
      lines.push(
        `${p.dim(`${" ".repeat(4)} |`)} ${" ".repeat(shown.caretAt)}${(d.severity === "error" ? p.red : p.yellow)("^".repeat(shown.caretWidth))}`,
      );
    }
    if (d.hint) lines.push(`${" ".repeat(7)}${p.cyan("hint:")} ${d.hint}`);
    lines.push("");
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const checked = options.checked
    ? `${plural(options.checked.files, "file")}${options.checked.rules !== undefined ? `, ${plural(options.checked.rules, "rule")}` : ""} checked: `
    : "";
  const status = `${checked}${plural(errors, "error")}, ${plural(warnings, "warning")}`;
  lines.push(
    errors > 0
      ? p.red(p.bold(`✖ ${status}`))
      : warnings > 0
        ? p.yellow(`⚠ ${status}`)
        : p.green(`✔ ${status}`),
  );
  return `${lines.join("\n")}\n`;
}

/** Stable order: file, position, code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}
