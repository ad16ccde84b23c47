import { relative } from "node:path";
import { loadRules } from "@dac/schema";
import {
  attachExceptionLists,
  checkLock,
  DuplicateRuleIdError,
  LockFileError,
  lockSubjects,
  payloadSettings,
  readLock,
  serializeLock,
  updateLock,
  writeLock,
  type LockChange,
} from "@dac/exporter";
import { repositoryExceptions } from "./exceptions-repo.js";
import type { Command } from "../command.js";
import { stringOption, UsageError, formatOption } from "../command.js";

/** One line per change; with `--check` nothing is written, so the verbs say what `dac version` would do. */
function changeLine(c: LockChange, check: boolean): string {
  const verb = (done: string, planned: string) => (check ? `would ${planned}` : done).padEnd(13);
  switch (c.kind) {
    case "added":
      return `  ${verb("added", "add")} ${c.name} [${c.rule_id}] v${c.to}`;
    case "bumped":
      return `  ${verb("bumped", "bump")} ${c.name} [${c.rule_id}] v${c.from} → v${c.to}`;
    case "restored":
      return `  ${verb("restored", "restore")} ${c.name} [${c.rule_id}] v${c.to} (was removed at v${c.from})`;
    case "deleted":
      return `  ${verb("removed", "remove")} ${c.name} [${c.rule_id}] v${c.to} (kept as a tombstone)`;
    case "waiting":
      return `  ${"waiting".padEnd(13)} ${c.name} [${c.rule_id}] maturity development: not versioned until it goes to production (then v${c.to})`;
    default:
      return `  ${"unchanged".padEnd(13)} ${c.name} [${c.rule_id}] v${c.to}`;
  }
}

export const versionCommand: Command = {
  name: "version",
  summary: "Update the version lock (rules.lock.json): bump the version of every rule whose payload changed.",
  usage: "dac version [options]",
  description:
    "The lock holds, per rule_id, the version and the sha256 of the payload dac publishes (keys sorted, version excluded). A changed payload gets version +1; a new rule starts at metadata.version or 1; versions never decrease; a removed rule keeps a tombstone. A rule with maturity development is not published, so it needs no entry: it gets its first version when it goes to production, however often it was edited before. Commit the lock with the rule change: `dac validate` fails when it is stale.",
  options: {
    check: { type: "boolean", description: "Change nothing; exit 1 if the lock is not up to date." },
    format: formatOption(),
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length > 0)
      throw new UsageError("dac version works on the whole rule set and takes no paths");
    const config = ctx.config();
    const loaded = loadRules([], config, ctx.cwd);
    // An empty rules folder is most likely a typo in the config: every rule would become a tombstone.
    if (loaded.files.length === 0)
      throw new UsageError(
        `no rule files (*.yaml, *.yml) found in ${config.rules}; the lock was not changed`,
      );
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      for (const d of errors) ctx.stderr(`${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}\n`);
      ctx.stderr(
        `dac version: ${errors.length} error(s) in the rules; fix them first (see \`dac validate\`)\n`,
      );
      return 1;
    }
    const lockFile = relative(ctx.cwd, config.lock) || config.lock;
    try {
      const lock = await readLock(config.lock);
      // Rules are hashed as they are published: exception list references completed, rule-default lists attached.
      const { rules } = attachExceptionLists(loaded.rules, repositoryExceptions(ctx));
      const subjects = lockSubjects(rules, payloadSettings(config));
      const { lock: next, changes } = updateLock(lock, subjects);
      const moved = changes.filter((c) => c.kind !== "unchanged" && c.kind !== "waiting");
      const waiting = changes.filter((c) => c.kind === "waiting");
      const upToDate = serializeLock(next) === serializeLock(lock);
      if (stringOption(values, "format") === "json") {
        ctx.stdout(
          `${JSON.stringify({ lockFile, upToDate, changes, problems: checkLock(lock, subjects, { lockFile }) }, null, 2)}\n`,
        );
      } else {
        for (const c of [...moved, ...waiting]) ctx.stdout(`${changeLine(c, values.check === true)}\n`);
        const unchanged = changes.length - moved.length - waiting.length;
        if (upToDate) ctx.stdout(`${lockFile} is up to date (${unchanged} rule(s)).\n`);
        else if (values.check)
          ctx.stdout(`${lockFile} is stale: ${moved.length} change(s) pending; run \`dac version\`.\n`);
        else ctx.stdout(`wrote ${lockFile}: ${moved.length} change(s), ${unchanged} unchanged.\n`);
      }
      if (upToDate) return 0;
      if (values.check) return 1;
      await writeLock(config.lock, next);
      return 0;
    } catch (error) {
      if (error instanceof LockFileError || error instanceof DuplicateRuleIdError) {
        ctx.stderr(`dac version: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};
