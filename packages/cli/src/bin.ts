#!/usr/bin/env node
import { prestartRuleWorkers } from "@dac/schema/prestart";

// `dac validate` and `dac check` check rule files on every core: their worker threads start loading dac now, on
// the other cores, while this thread loads the CLI (main.js is imported after, for that reason).
const [command] = process.argv.slice(2);
if (command === "validate" || command === "check") {
  const requested = process.env["DAC_THREADS"];
  if (requested === undefined || requested === "") prestartRuleWorkers();
  else if (/^[1-9]\d{0,2}$/.test(requested)) prestartRuleWorkers(Math.min(Number(requested), 16));
}
const { main } = await import("./main.js");

// A closed pipe (`dac … | head`) is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
});
process.exitCode = code;
