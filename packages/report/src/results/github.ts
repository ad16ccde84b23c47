/**
 * GitHub Actions workflow commands: each failed case is annotated on its fixture file and line, each failing
 * rule on its query, and each diagnostic where it points. Messages are multi-line (the explanation included),
 * encoded as the runner expects.
 */
import type { Diagnostic } from "@dac/schema";
import type { SourceLocation, TestRunResult } from "./model.js";
import { caseDetail, plural, printableRun } from "./text.js";

export function formatTestGithub(run: TestRunResult): string {
  const result = printableRun(run);
  const lines: string[] = [];
  for (const rule of result.rules) {
    const failed = rule.cases.filter((c) => c.status === "failed");
    for (const c of failed) {
      lines.push(command("error", c.location, `${rule.name}: ${c.name}`, caseDetail(c)));
    }
    if (rule.status === "unsupported" || rule.status === "error") {
      lines.push(command("error", rule.location, rule.name, rule.message ?? rule.status));
    } else if (failed.length > 0) {
      const names = failed.map((c) => c.name).join(", ");
      lines.push(
        command(
          "error",
          rule.location,
          rule.name,
          `${plural(failed.length, "fixture case")} failed: ${names}`,
        ),
      );
    }
  }
  for (const d of result.diagnostics) lines.push(diagnosticCommand(d));
  return lines.length > 0 ? lines.join("\n") + "\n" : "";
}

function diagnosticCommand(d: Diagnostic): string {
  const message = d.hint ? `${d.message}\n${d.hint}` : d.message;
  return command(d.severity === "error" ? "error" : "warning", d, `${d.code} ${d.name}`, message, {
    endLine: d.endLine,
    endColumn: d.line === d.endLine ? d.endColumn : undefined,
  });
}

function command(
  level: "error" | "warning",
  location: SourceLocation,
  title: string,
  message: string,
  end: { endLine?: number; endColumn?: number | undefined } = {},
): string {
  const props = [
    `file=${property(location.file)}`,
    `line=${location.line}`,
    ...(end.endLine !== undefined ? [`endLine=${end.endLine}`] : []),
    `col=${location.column}`,
    ...(end.endColumn !== undefined ? [`endColumn=${end.endColumn}`] : []),
    `title=${property(title)}`,
  ];
  return `::${level} ${props.join(",")}::${data(message)}`;
}

/** Escaping of the runner's command parser (actions/toolkit `command.ts`). */
function data(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function property(text: string): string {
  return data(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
