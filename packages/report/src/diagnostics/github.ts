import type { Diagnostic } from "@dac/schema";
import { printableData } from "../printable.js";
import { sortDiagnostics } from "./pretty.js";

// Workflow-command escaping, as in @actions/core: data escapes %, CR, LF; properties also : and ,.
export function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** One workflow command that GitHub turns into an annotation on the file and line. */
export function annotation(
  level: "error" | "warning" | "notice",
  at: { file: string; line?: number; column?: number; endLine?: number; endColumn?: number; title?: string },
  message: string,
): string {
  const props: string[] = [`file=${escapeProperty(at.file)}`];
  if (at.line !== undefined) props.push(`line=${at.line}`);
  if (at.endLine !== undefined && at.endLine !== at.line) props.push(`endLine=${at.endLine}`);
  if (at.column !== undefined) props.push(`col=${at.column}`);
  if (at.endColumn !== undefined && at.endLine === at.line) props.push(`endColumn=${at.endColumn}`);
  if (at.title) props.push(`title=${escapeProperty(at.title)}`);
  return `::${level} ${props.join(",")}::${escapeData(message)}`;
}

export function formatDiagnosticsGithub(diagnostics: readonly Diagnostic[]): string {
  const lines = sortDiagnostics(diagnostics).map((raw) => {
    const d = printableData(raw);
    return annotation(
      d.severity,
      { ...d, title: `${d.code} ${d.name}` },
      d.hint ? `${d.message}\n${d.hint}` : d.message,
    );
  });
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
