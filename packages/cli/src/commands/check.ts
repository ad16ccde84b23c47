import { withDiagnostics } from "@dac/harness";
import type { Command } from "../command.js";
import { withEngine } from "./engine.js";
import {
  checkReportFiles,
  chooseReporters,
  emitReports,
  harnessOptions,
  runHarness,
  testOptions,
} from "./test.js";
import { exitCodeFor, renderDiagnostics, runValidation } from "./validate.js";

export const checkCommand: Command = {
  name: "check",
  summary: "Validate the rules, then run their fixtures: the one command CI needs.",
  usage: "dac check [PATH...] [options]",
  description: [
    "PATH may be rule files or folders (default: the configured rules folder). With --changed, every rule is",
    "validated and the rules affected by the changed files are tested (when none is affected, nothing is tested: a success).",
    "Exit codes: 0 everything passes, 1 a validation error or a failing fixture, 2 usage or configuration error.",
  ].join("\n"),
  options: {
    ...testOptions,
    strict: { type: "boolean", description: "Treat validation warnings as errors." },
  },
  async run({ values, positionals }, ctx) {
    const reporters = chooseReporters(values);
    checkReportFiles(reporters, ctx);
    const options = harnessOptions(values, ctx);
    const paths = options.changed ? [] : positionals;
    const validation = runValidation(paths, ctx);
    const run = await withEngine(values, ctx, (chosen) =>
      runHarness({ ...options, ...chosen, loaded: validation, paths: positionals }),
    );
    if (run.nothingChanged) ctx.stderr(`${run.nothingChanged}\n`);
    const verbose = Boolean(values.verbose);
    // The pretty report shows validation findings with their source lines, then the fixture results; the
    // machine-readable reports carry both in one document.
    const pretty = reporters.filter((r) => r.name === "pretty" && !r.file);
    const others = reporters.filter((r) => !pretty.includes(r));
    // Load errors of rule files reach the test result too; each finding is shown once.
    const fromValidation = new Set(validation.diagnostics);
    const fixtureOnly = {
      ...run.result,
      diagnostics: run.result.diagnostics.filter((d) => !fromValidation.has(d)),
    };
    // The validation summary line ("✔ 2 files, 2 rules checked: 0 errors, 0 warnings") opens the report.
    if (pretty.length > 0) ctx.stdout(`${renderDiagnostics("pretty", validation, ctx, ctx.color)}\n`);
    emitReports(fixtureOnly, pretty, ctx, verbose);
    emitReports(withDiagnostics(fixtureOnly, validation.diagnostics), others, ctx, verbose);
    const validationCode = exitCodeFor(validation.diagnostics, Boolean(values.strict));
    return validationCode === 0 && run.result.summary.ok ? 0 : 1;
  },
};
