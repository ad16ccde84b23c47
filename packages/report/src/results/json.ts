/** The run as a stable JSON document: the `TestRunResult` itself, keys sorted, with a format marker. */
import type { TestRunResult } from "./model.js";

export const TEST_RESULT_FORMAT = "dac-test-result";

export function formatTestJson(result: TestRunResult): string {
  return JSON.stringify(sortKeys({ format: TEST_RESULT_FORMAT, ...result }), null, 2) + "\n";
}

/** Key order never depends on how the result was built, so two runs diff cleanly. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) sorted[key] = sortKeys(v);
  }
  return sorted;
}
