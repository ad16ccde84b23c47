#!/usr/bin/env node
// Runs the whole vitest suite once, then prints one plain closing line (`tests: N passed, N failed`) that any
// CI log reader understands. Extra arguments go to vitest.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "dac-test-"));
const report = join(dir, "vitest.json");
const run = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
let summary;
try {
  summary = JSON.parse(readFileSync(report, "utf8"));
} catch {
  summary = undefined;
}
rmSync(dir, { recursive: true, force: true });
if (summary) {
  const skipped = summary.numPendingTests + summary.numTodoTests;
  // A test file that fails to load runs no tests: it counts as a failure of its own, or the line would say 0 failed.
  const brokenFiles = summary.numFailedTestSuites
    ? ` (${summary.numFailedTestSuites} test file(s) failed)`
    : "";
  console.log(
    `tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}${brokenFiles}`,
  );
  if (summary.numTotalTests === 0) {
    console.error("no tests ran");
    process.exit(1);
  }
}
process.exit(run.status ?? 1);
