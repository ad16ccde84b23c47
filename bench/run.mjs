#!/usr/bin/env node
// Runs every bench/*.bench.mjs in its own process, one after another, so they do not disturb each other.
// Benchmarks print figures; they are not pass/fail tests. Run `npm run bench` (builds first).
// `node bench/run.mjs kql` runs only the files whose name contains "kql".
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const filter = process.argv[2] ?? "";
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.mjs") && f.includes(filter))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const run = spawnSync(process.execPath, ["--expose-gc", `${dir}${file}`], { stdio: "inherit" });
  if (run.status !== 0) {
    failed++;
    console.log(`${file} exited with ${run.status}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
