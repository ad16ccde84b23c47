/** Diagnostics of the harness, positioned between two points of a fixture or rule file. */
import { codeInfo } from "@dac/schema";
import type { Diagnostic } from "@dac/schema";
import type { SourceLocation } from "@dac/report";

export function diagnosticBetween(
  code: string,
  start: SourceLocation,
  end: { line: number; column: number },
  message: string,
  extra: { severity?: Diagnostic["severity"]; hint?: string } = {},
): Diagnostic {
  const info = codeInfo(code);
  return {
    file: start.file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    severity: extra.severity ?? info.severity,
    code,
    name: info.name,
    message,
    ...(extra.hint ? { hint: extra.hint } : {}),
  };
}
