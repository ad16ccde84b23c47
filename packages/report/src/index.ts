export { formatDiagnosticsPretty, sortDiagnostics } from "./diagnostics/pretty.js";
export type { PrettyOptions } from "./diagnostics/pretty.js";
export { diagnosticsReport, formatDiagnosticsJson } from "./diagnostics/json.js";
export type { DiagnosticsReport } from "./diagnostics/json.js";
export { annotation, escapeData, escapeProperty, formatDiagnosticsGithub } from "./diagnostics/github.js";
export { formatDiagnosticsSarif, sarifLog } from "./diagnostics/sarif.js";
export { paint } from "./diagnostics/text.js";
export { printable, printableData } from "./printable.js";
export type { Paint } from "./diagnostics/text.js";

// Test-result reporters (pretty, json, junit, github, markdown) over the harness's `TestRunResult`.
export * from "./results/index.js";
