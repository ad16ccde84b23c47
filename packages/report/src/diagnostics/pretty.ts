import type { Diagnostic } from "@dac/schema";
import { paint } from "./text.js";

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
  for (const d of sortDiagnostics(diagnostics)) {
    const severity = d.severity === "error" ? p.red("error") : p.yellow("warning");
    lines.push(
      `${p.bold(`${d.file}:${d.line}:${d.column}`)} ${severity} ${d.message} ${p.dim(`${d.code} ${d.name}`)}`,
    );
    const text = options.sources?.get(d.file);
    const sourceLine = text?.split("\n")[d.line - 1];
    if (sourceLine !== undefined) {
      const gutter = String(d.line).padStart(4);
      const width =
        d.endLine === d.line
          ? Math.max(1, d.endColumn - d.column)
          : Math.max(1, sourceLine.length - d.column + 1);
      lines.push(`${p.dim(`${gutter} |`)} ${sourceLine.replace(/\t/g, " ")}`);
      lines.push(
        `${p.dim(`${" ".repeat(4)} |`)} ${" ".repeat(d.column - 1)}${(d.severity === "error" ? p.red : p.yellow)("^".repeat(width))}`,
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
