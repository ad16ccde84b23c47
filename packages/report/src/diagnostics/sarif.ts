import { codes } from "@dac/schema";
import type { Diagnostic } from "@dac/schema";
import { sortDiagnostics } from "./pretty.js";

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";

/**
 * SARIF 2.1.0, as GitHub code scanning accepts it: one run, the full rule table in `tool.driver.rules`, file
 * URIs relative to the repository root (`%SRCROOT%`).
 */
export function sarifLog(
  diagnostics: readonly Diagnostic[],
  meta: { version: string; informationUri?: string },
) {
  const rules = [...codes.values()];
  const ruleIndex = new Map(rules.map((r, i) => [r.code, i]));
  return {
    $schema: sarifSchema,
    version: "2.1.0" as const,
    runs: [
      {
        tool: {
          driver: {
            name: "dac",
            semanticVersion: meta.version,
            informationUri: meta.informationUri ?? "https://github.com/",
            rules: rules.map((r) => ({
              id: r.code,
              name: r.name,
              shortDescription: { text: r.summary },
              defaultConfiguration: { level: r.severity },
            })),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: "file:///" } },
        results: sortDiagnostics(diagnostics).map((d) => ({
          ruleId: d.code,
          ...(ruleIndex.has(d.code) ? { ruleIndex: ruleIndex.get(d.code)! } : {}),
          level: d.severity,
          message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: toUri(d.file), uriBaseId: "%SRCROOT%" },
                region: {
                  startLine: d.line,
                  startColumn: d.column,
                  endLine: d.endLine,
                  endColumn: Math.max(d.endColumn, d.column),
                },
              },
            },
          ],
          partialFingerprints: { "dac/v1": fingerprint(d) },
        })),
      },
    ],
  };
}

function toUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join("/");
}

// Stable across unrelated edits above the finding: no line numbers.
function fingerprint(d: Diagnostic): string {
  let hash = 2166136261;
  for (const ch of `${d.file}|${d.code}|${d.message}`)
    hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

export function formatDiagnosticsSarif(
  diagnostics: readonly Diagnostic[],
  meta: { version: string },
): string {
  return `${JSON.stringify(sarifLog(diagnostics, meta), null, 2)}\n`;
}
