import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { EmptySelectionError, GitError, testRepository, watchPaths } from "@dac/harness";
import type { RepositoryRun, TestRepositoryOptions } from "@dac/harness";
import { formatTestResults, isTestReporterName, testReporterNames } from "@dac/report";
import type { TestReporterName, TestRunResult } from "@dac/report";
import type { Command, CommandContext, OptionSpec, OptionValues } from "../command.js";
import { listOption, stringOption, UsageError } from "../command.js";
import { outputFile, writeOutputFile } from "../output.js";
import { engineOptions, esCredentialsHelp, withEngine } from "./engine.js";

/** Options shared by `dac test` and `dac check`. */
export const testOptions: Record<string, OptionSpec> = {
  reporter: {
    type: "string",
    short: "r",
    multiple: true,
    valueName: "NAME[=FILE]",
    default: ["pretty"],
    description: `Report format, optionally written to FILE: ${testReporterNames.join(", ")}. Several allowed.`,
  },
  output: {
    type: "string",
    short: "o",
    multiple: true,
    valueName: "[NAME=]FILE",
    description: "Write a reporter's output to FILE (NAME may be left out when only one reporter is chosen).",
  },
  changed: {
    type: "boolean",
    description:
      "Only the rules affected by files changed since --base (rules, fixtures, field files, config).",
  },
  base: {
    type: "string",
    valueName: "REF",
    description: "Git base for --changed (default: HEAD, i.e. uncommitted changes).",
  },
  fixtures: {
    type: "string",
    multiple: true,
    valueName: "DIR",
    description:
      "Another fixtures root with the same layout (e.g. a private corpus), used with the configured one.",
  },
  coverage: { type: "boolean", description: "Report which clauses and OR branches the fixtures exercise." },
  "min-branch-coverage": {
    type: "string",
    valueName: "N",
    description: "Fail a rule whose branch coverage is below N percent (implies --coverage).",
  },
  mutate: { type: "boolean", description: "Mutate each query and report the mutants no fixture kills." },
  verbose: { type: "boolean", description: "List passing cases too (pretty reporter)." },
  ...engineOptions,
};

export interface ChosenReporter {
  name: TestReporterName;
  file?: string;
}

/** `--reporter NAME[=FILE]` (comma lists allowed) and `--output [NAME=]FILE`, checked. */
export function chooseReporters(values: OptionValues): ChosenReporter[] {
  const chosen: ChosenReporter[] = [];
  const find = (name: string) => chosen.find((r) => r.name === name);
  const add = (name: string, file?: string) => {
    if (!isTestReporterName(name))
      throw new UsageError(`unknown reporter \`${name}\`; choose from ${testReporterNames.join(", ")}`);
    const existing = find(name);
    if (existing) {
      if (file && existing.file && existing.file !== file)
        throw new UsageError(`reporter \`${name}\` is given two output files`);
      if (file) existing.file = file;
    } else chosen.push(file ? { name, file } : { name });
  };
  for (const entry of listOption(values, "reporter").flatMap((v) => v.split(","))) {
    const [name, file] = splitOnce(entry.trim());
    if (name) add(name, file);
  }
  for (const entry of listOption(values, "output")) {
    const [first, rest] = splitOnce(entry);
    if (rest !== undefined && isTestReporterName(first)) {
      add(first, rest);
      continue;
    }
    const open = chosen.filter((r) => !r.file);
    if (chosen.length !== 1 || open.length !== 1) {
      throw new UsageError(
        `--output ${entry}: with several reporters, write --output NAME=FILE (or --reporter NAME=FILE)`,
      );
    }
    open[0]!.file = entry;
  }
  if (chosen.length === 0) chosen.push({ name: "pretty" });
  return chosen;
}

/** Fails before any work when a report file cannot be written (a directory, a file as its folder). */
export function checkReportFiles(reporters: readonly ChosenReporter[], ctx: CommandContext): void {
  for (const r of reporters) if (r.file !== undefined) outputFile(ctx, r.file, "--output");
}

function splitOnce(text: string): [string, string | undefined] {
  const at = text.indexOf("=");
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** The harness options from the flags (without paths). */
export function harnessOptions(values: OptionValues, ctx: CommandContext): TestRepositoryOptions {
  const min = stringOption(values, "min-branch-coverage");
  let minBranchCoverage: number | undefined;
  if (min !== undefined) {
    minBranchCoverage = Number(min);
    if (!/^\d+(\.\d+)?$/.test(min) || minBranchCoverage > 100) {
      throw new UsageError(`--min-branch-coverage must be a percentage from 0 to 100, not \`${min}\``);
    }
  }
  const base = stringOption(values, "base");
  if (base !== undefined && !values.changed) throw new UsageError("--base only makes sense with --changed");
  return {
    cwd: ctx.cwd,
    config: ctx.config(),
    fixtures: listOption(values, "fixtures").map((f) => resolve(ctx.cwd, f)),
    coverage: Boolean(values.coverage) || minBranchCoverage !== undefined,
    ...(minBranchCoverage !== undefined ? { minBranchCoverage } : {}),
    mutate: Boolean(values.mutate),
    changed: Boolean(values.changed),
    ...(base ? { base } : {}),
  };
}

/** Runs the harness; selection and git problems a user can fix are usage errors (exit 2). */
export async function runHarness(options: TestRepositoryOptions): Promise<RepositoryRun> {
  try {
    return await testRepository(options);
  } catch (error) {
    if (error instanceof EmptySelectionError || error instanceof GitError)
      throw new UsageError(error.message);
    throw error;
  }
}

/** Writes every chosen report; files are written whole or not at all. */
export function emitReports(
  result: TestRunResult,
  reporters: readonly ChosenReporter[],
  ctx: CommandContext,
  verbose: boolean,
): void {
  for (const reporter of reporters) {
    const text = formatTestResults(result, reporter.name, { color: ctx.color && !reporter.file, verbose });
    if (reporter.file) {
      writeOutputFile(ctx, reporter.file, text, "--output");
      ctx.stderr(`wrote ${reporter.name} report to ${reporter.file}\n`);
    } else ctx.stdout(text);
  }
}

export const testCommand: Command = {
  name: "test",
  summary: "Run every rule against its fixtures: positives must match, near misses must not.",
  usage: "dac test [PATH...] [options]",
  description: [
    "PATH may be rule files or folders, fixture folders or files, or field files: the rules they touch run.",
    "Fixtures of rules/<path>/<name>.yaml live in fixtures/<path>/<name>/ (positive/ and negative/ event files, or cases.yaml).",
    "Exit codes: 0 all cases pass (or --changed affects no rule), 1 any failure (or an unsupported rule, or a fixture error), 2 usage error or empty selection.",
    "",
    "With --engine elasticsearch, each rule runs on Elasticsearch as Kibana's detection engine runs it: its events go into a temporary index dac-test-<run>-<n> mapped from the rule's field catalogue, the search is the one Kibana sends, and the index is deleted afterwards (also on Ctrl-C; indices older than 60 minutes from crashed runs are swept). " +
      esCredentialsHelp,
  ].join("\n"),
  options: {
    ...testOptions,
    watch: {
      type: "boolean",
      short: "w",
      description: "Re-run the affected rules whenever rules, fixtures or field files change.",
    },
  },
  async run({ values, positionals }, ctx) {
    const reporters = chooseReporters(values);
    checkReportFiles(reporters, ctx);
    const options = { ...harnessOptions(values, ctx), paths: positionals };
    const verbose = Boolean(values.verbose);
    const run = await withEngine(values, ctx, (chosen) => runHarness({ ...options, ...chosen }));
    if (run.nothingChanged) ctx.stderr(`${run.nothingChanged}\n`);
    emitReports(run.result, reporters, ctx, verbose);
    if (!values.watch) return run.result.summary.ok ? 0 : 1;
    return watchTests(options, reporters, ctx, verbose, run);
  },
};

/**
 * Watch mode: after each change, reload the rules and re-run those the changed files affect (all of the
 * given PATHs' rules when PATHs were given). Ends on SIGINT or when `signal` aborts, with the last exit code.
 */
export function watchTests(
  options: TestRepositoryOptions,
  reporters: readonly ChosenReporter[],
  ctx: CommandContext,
  verbose: boolean,
  first: RepositoryRun,
  signal?: AbortSignal,
): Promise<number> {
  let last = first.result.summary.ok ? 0 : 1;
  const config = first.config;
  const roots = [
    config.rules,
    config.fixtures,
    ...config.fields,
    ...(options.fixtures ?? []),
    ...(config.file ? [config.file] : []),
  ];
  ctx.stderr(`watching ${roots.length} paths for changes (Ctrl+C to stop)\n`);
  return new Promise((done) => {
    // Runs one after another: a change during a run queues the next.
    let queue = Promise.resolve();
    const rerun = async (files: string[]) => {
      // A deleted file is not a PATH the harness accepts; its folder selects the same rules.
      const paths = options.paths?.length ? options.paths : files.map(existingAncestor);
      try {
        const run = await runHarness({ ...options, config, changed: false, paths });
        ctx.stderr(`\n${files.length} file(s) changed; ${run.selected.length} rule(s) re-run\n`);
        emitReports(run.result, reporters, ctx, verbose);
        last = run.result.summary.ok ? 0 : 1;
      } catch (error) {
        // Nothing affected, or a file mid-edit: say so and keep watching.
        ctx.stderr(`\n${(error as Error).message}\n`);
      }
    };
    const watcher = watchPaths(roots, (files) => {
      queue = queue.then(() => rerun(files));
    });
    const stop = () => {
      watcher.close();
      process.off("SIGINT", stop);
      void queue.then(() => done(last));
    };
    process.once("SIGINT", stop);
    signal?.addEventListener("abort", stop, { once: true });
  });
}

function existingAncestor(path: string): string {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}
