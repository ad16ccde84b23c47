import type { Diagnostic } from "@dac/schema";
import { sortDiagnostics } from "./pretty.js";

export interface DiagnosticsReport {
  /** Bumped on any incompatible change to this document. */
  schemaVersion: 1;
  tool: { name: "dac"; version: string };
  summary: { files: number; rules: number; errors: number; warnings: number };
  diagnostics: Diagnostic[];
}

/** The machine-readable document of `dac validate --format json`: stable keys and order. */
export function diagnosticsReport(
  diagnostics: readonly Diagnostic[],
  meta: { version: string; files: number; rules: number },
): DiagnosticsReport {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return {
    schemaVersion: 1,
    tool: { name: "dac", version: meta.version },
    summary: { files: meta.files, rules: meta.rules, errors, warnings: diagnostics.length - errors },
    diagnostics: sortDiagnostics(diagnostics).map((d) => ({
      file: d.file,
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      severity: d.severity,
      code: d.code,
      name: d.name,
      message: d.message,
      ...(d.hint ? { hint: d.hint } : {}),
    })),
  };
}

export function formatDiagnosticsJson(
  diagnostics: readonly Diagnostic[],
  meta: { version: string; files: number; rules: number },
): string {
  return `${JSON.stringify(diagnosticsReport(diagnostics, meta), null, 2)}\n`;
}
