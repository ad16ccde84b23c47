/**
 * Diagnostic codes of the harness. Codes are registered in `@dac/schema`'s table; the coverage and mutation
 * codes below are used with these names and severities until that table lists them.
 */
import { codes } from "@dac/schema";
import type { Diagnostic } from "@dac/schema";
import type { SourceLocation } from "@dac/report";

const pending: Record<string, { name: string; severity: Diagnostic["severity"] }> = {
  DAC507: { name: "uncovered-branch", severity: "warning" },
  DAC508: { name: "surviving-mutant", severity: "warning" },
};

export function codeInfoOf(code: string): { name: string; severity: Diagnostic["severity"] } {
  const known = codes.get(code) ?? pending[code];
  if (!known) throw new Error(`unregistered diagnostic code ${code}`);
  return known;
}

export function diagnosticBetween(
  code: string,
  start: SourceLocation,
  end: { line: number; column: number },
  message: string,
  extra: { severity?: Diagnostic["severity"]; hint?: string } = {},
): Diagnostic {
  const info = codeInfoOf(code);
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
