#!/usr/bin/env node
import { prestartRuleWorkers, threadsSetting } from "@dac/schema/prestart";

// `dac validate` and `dac check` check rule files on every core: their worker threads start loading dac now, on
// the other cores, while this thread loads the CLI (main.js is imported after, for that reason).
const [command] = process.argv.slice(2);
if (command === "validate" || command === "check") {
  // A DAC_THREADS that is not a number starts nothing here: the command reports it.
  const requested = threadsSetting(process.env["DAC_THREADS"]);
  if (requested !== null) prestartRuleWorkers(requested);
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
