/**
 * The one diagnostic type. The validator, the KQL engine (mapped into YAML positions), the fixture loader and
 * the harness all produce it; every reporter consumes it and knows nothing else about its origin.
 */

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Path as given by the user (relative to the working directory when possible). */
  file: string;
  /** 1-based line and column of the first character. */
  line: number;
  column: number;
  /** 1-based line and column just past the last character. */
  endLine: number;
  endColumn: number;
  severity: Severity;
  /** Stable code, e.g. `DAC101`. See `codes.ts`. */
  code: string;
  /** Short kebab-case name of the code, e.g. `unknown-key`. */
  name: string;
  /** One sentence for a person. */
  message: string;
  /** How to fix it, when obvious. */
  hint?: string;
}
