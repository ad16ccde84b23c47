import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { formatTarget, formatTargets, FormatError } from "@dac/authoring";
import type { FormatFolders, FormatTarget } from "@dac/authoring";
import { linkStatus, schemasDir, writeFileAtomic } from "@dac/schema";
import type { Diagnostic } from "@dac/schema";
import { formatDiagnosticsPretty } from "@dac/report";
import type { Command } from "../command.js";
import { UsageError } from "../command.js";

export const fmtCommand: Command = {
  name: "fmt",
  summary:
    "Rewrite rule and fixture YAML in canonical form (key order, quoting, block scalars), keeping comments.",
  usage: "dac fmt [PATH...] [options]",
  description: [
    "PATH may be files or folders (default: the configured rules and fixtures folders). Rules get the canonical key",
    "order (identity, query, severity, scheduling, context, documentation, metadata), fixture cases.yaml files",
    "theirs (events keep their own key order); every file gets two-space indentation, plain strings where that is",
    "unambiguous, literal blocks for multi-line text, folded blocks for long prose, and the schema header on its",
    "first line. Comments stay. Only files whose text changes are written, each atomically.",
    "Files that `dac validate` refuses (not UTF-8, over limits.max_file_bytes, empty or comments only, an alias",
    "bomb, invalid YAML) are reported with the same diagnostics and left byte for byte as they are. Symbolic links",
    "are never written through or over: a link inside the repository is skipped with a note, a link outside it is",
    "an error (DAC009), and links to folders are not followed.",
    "Exit codes: 0 done (or, with --check, nothing to change), 1 a file would change (--check) or cannot be",
    "formatted, 2 usage error.",
  ].join("\n"),
  options: {
    check: {
      type: "boolean",
      description: "Write nothing; list the files that would change and exit 1 if any.",
    },
    queries: {
      type: "boolean",
      description: "Also reprint KQL queries with the KQL printer (changes the query text).",
    },
  },
  async run({ values, positionals }, ctx) {
    const config = ctx.config();
    const repoSchemas = join(config.root, "schemas");
    const folders: FormatFolders = {
      rules: config.rules,
      fixtures: config.fixtures,
      schemas: existsSync(join(repoSchemas, "rule.schema.json")) ? repoSchemas : schemasDir,
      root: config.root,
    };
    const show = (file: string) => relative(ctx.cwd, file) || file;
    const skipped: string[] = [];
    let targets: FormatTarget[];
    try {
      targets = formatTargets(positionals, folders, ctx.cwd, (path, reason) =>
        skipped.push(`${show(path)}: skipped: ${reason}\n`),
      );
    } catch (error) {
      if (error instanceof FormatError) throw new UsageError(error.message);
      throw error;
    }
    for (const line of skipped) ctx.stderr(line);
    if (targets.length === 0) {
      throw new UsageError(
        `no YAML files found in ${positionals.length > 0 ? positionals.join(", ") : "the rules and fixtures folders"}`,
      );
    }
    const check = values.check === true;
    let changed = 0;
    let failed = 0;
    let linked = 0;
    const diagnostics: Diagnostic[] = [];
    for (const target of targets) {
      const outcome = formatTarget(target, folders, {
        queries: values.queries === true,
        limits: config.limits,
        shown: show(target.file),
      });
      for (const note of outcome.notes) ctx.stderr(`${show(outcome.file)}: ${note}\n`);
      if (outcome.status === "error") {
        failed++;
        if (outcome.diagnostics.length > 0) diagnostics.push(...outcome.diagnostics);
        else
          ctx.stderr(
            `${show(outcome.file)}${outcome.line ? `:${outcome.line}` : ""}: cannot format: ${outcome.message}\n`,
          );
      } else if (outcome.status === "skipped") {
        linked++;
        ctx.stderr(`${show(outcome.file)}: skipped: ${outcome.message}\n`);
      } else if (outcome.status === "changed") {
        changed++;
        if (check) ctx.stdout(`would reformat ${show(outcome.file)}\n`);
        else if (linkStatus(outcome.file, config.root).link) {
          // Became a link since it was read: never write over one.
          failed++;
          ctx.stderr(`${show(outcome.file)}: cannot format: it became a symbolic link while dac fmt ran\n`);
        } else {
          writeFileAtomic(outcome.file, outcome.text!);
          ctx.stdout(`formatted ${show(outcome.file)}\n`);
        }
      }
    }
    if (diagnostics.length > 0) ctx.stderr(formatDiagnosticsPretty(diagnostics, { color: ctx.color }));
    const unchanged = targets.length - changed - failed - linked;
    const counts = `${unchanged} already formatted${failed > 0 ? `, ${failed} could not be formatted` : ""}${linked > 0 ? `, ${linked} symbolic link(s) skipped` : ""}`;
    if (check) {
      ctx.stdout(
        changed > 0
          ? `${changed} file(s) would be reformatted, ${counts}. Run \`dac fmt\` to fix.\n`
          : `All ${unchanged} file(s) formatted${failed > 0 ? `; ${failed} could not be formatted` : ""}.\n`,
      );
      return changed > 0 || failed > 0 ? 1 : 0;
    }
    ctx.stdout(`Formatted ${changed} file(s), ${counts}.\n`);
    return failed > 0 ? 1 : 0;
  },
};
