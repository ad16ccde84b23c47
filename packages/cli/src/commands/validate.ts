import { lockDiagnostics, lockHashExtras } from "@dac/exporter";
import { resolve } from "node:path";
import { checkExceptions, listsForRule, type ExceptionSet } from "@dac/exceptions";
import { displayPath, loadRules, threadsSetting } from "@dac/schema";
import type { DacConfig, Diagnostic, LoadRulesResult, Rule } from "@dac/schema";
import {
  formatDiagnosticsGithub,
  formatDiagnosticsJson,
  formatDiagnosticsPretty,
  formatDiagnosticsSarif,
} from "@dac/report";
import type { Command, CommandContext } from "../command.js";
import { repositoryExceptions } from "./exceptions-repo.js";
import { stringOption, UsageError, formatOption } from "../command.js";
import { outputFile, writeOutputFile } from "../output.js";

export const diagnosticFormats = ["pretty", "json", "github", "sarif"] as const;

/** Validation shared by `dac validate` and `dac check`: the rules, then the version lock against them. */
export function runValidation(paths: string[], ctx: CommandContext): LoadRulesResult {
  const config = ctx.config();
  const threads = threadsFromEnv(ctx.env);
  // The lock's hashes are computed where each rule is checked (in its thread), not all after.
  const result = loadRules(paths, config, ctx.cwd, {
    ...(threads === undefined ? {} : { threads }),
    ...(lockHashExtras ? { extras: lockHashExtras } : {}),
  });
  if (result.files.length === 0) {
    throw new UsageError(
      `no rule files (*.yaml, *.yml) found in ${paths.length > 0 ? paths.join(", ") : config.rules}`,
    );
  }
  // The lock hashes rules with their exception list references completed (and rule-default lists attached).
  const exceptions = repositoryExceptions(ctx);
  const partial = paths.length > 0;
  result.diagnostics.push(
    ...exceptionDiagnostics(exceptions, result.rules, config, ctx, partial),
    ...lockDiagnostics(result.rules, config, { partial, exceptions }),
  );
  return result;
}

/**
 * The exception lists' own problems (schema, ids, placement, value lists) and their checks against the rules that
 * use them. Validating some rules only (`dac validate <path>`) reports the lists those rules use.
 */
function exceptionDiagnostics(
  set: ExceptionSet,
  rules: readonly Rule[],
  config: DacConfig,
  ctx: CommandContext,
  partial: boolean,
): Diagnostic[] {
  const checked = checkExceptions(set, rules, config, { partial });
  if (!partial) return [...set.diagnostics, ...checked];
  const used = new Set(
    rules.flatMap((r) => listsForRule(set, r)).map((l) => displayPath(resolve(config.root, l.file), ctx.cwd)),
  );
  return [...set.diagnostics.filter((d) => used.has(d.file)), ...checked];
}

/** `DAC_THREADS`: how many threads check rule files (1 = only the main one); unset, dac decides. */
export function threadsFromEnv(env: Record<string, string | undefined>): number | undefined {
  const threads = threadsSetting(env["DAC_THREADS"]);
  if (threads === null)
    throw new UsageError(`DAC_THREADS must be a whole number from 1, not \`${env["DAC_THREADS"]}\``);
  return threads;
}

export function renderDiagnostics(
  format: string,
  result: LoadRulesResult,
  ctx: CommandContext,
  color: boolean,
): string {
  const meta = { version: ctx.version, files: result.files.length, rules: result.rules.length };
  switch (format) {
    case "json":
      return formatDiagnosticsJson(result.diagnostics, meta);
    case "github":
      return formatDiagnosticsGithub(result.diagnostics);
    case "sarif":
      return formatDiagnosticsSarif(result.diagnostics, meta);
    default: {
      const sources = new Map(result.rules.map((r) => [r.file, r.source.text]));
      return formatDiagnosticsPretty(result.diagnostics, {
        color,
        sources,
        checked: { files: result.files.length, rules: result.rules.length },
      });
    }
  }
}

export function exitCodeFor(diagnostics: readonly Diagnostic[], strict: boolean): number {
  const errors = diagnostics.some((d) => d.severity === "error");
  const warnings = diagnostics.some((d) => d.severity === "warning");
  return errors || (strict && warnings) ? 1 : 0;
}

export const validateCommand: Command = {
  name: "validate",
  summary: "Validate rule files: YAML, schema, queries, fields, ATT&CK mapping and cross-rule checks.",
  usage: "dac validate [PATH...] [options]",
  description: "PATH may be rule files or folders (default: the configured rules folder).",
  options: {
    format: formatOption(diagnosticFormats),
    output: {
      type: "string",
      short: "o",
      valueName: "FILE",
      description: "Write the report to FILE instead of standard output.",
    },
    strict: { type: "boolean", description: "Treat warnings as errors (exit 1 on any warning)." },
  },
  async run({ values, positionals }, ctx) {
    const format = stringOption(values, "format") ?? "pretty";
    const output = stringOption(values, "output");
    if (output !== undefined) outputFile(ctx, output, "--output");
    const result = runValidation(positionals, ctx);
    const report = renderDiagnostics(format, result, ctx, ctx.color && !output);
    if (output) {
      writeOutputFile(ctx, output, report, "--output");
      const errors = result.diagnostics.filter((d) => d.severity === "error").length;
      ctx.stderr(
        `wrote ${format} report to ${output} (${errors} errors, ${result.diagnostics.length - errors} warnings)\n`,
      );
    } else ctx.stdout(report);
    return exitCodeFor(result.diagnostics, Boolean(values.strict));
  },
};
