import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { printable } from "@dac/report";
import { formatYaml, schemaHeader } from "@dac/authoring";
import { loadRules } from "@dac/schema";
import {
  exceptionListsFromKibana,
  parseNdjsonRules,
  readKibanaExceptions,
  type ExceptionLine,
  skipNeedsAttention,
  payloadSettings,
  readLock,
  writeImportedRules,
  writeLock,
  LockFileError,
  type ImportSource,
  type SkippedSource,
} from "@dac/exporter";
import type { Command } from "../command.js";
import { stringOption, UsageError } from "../command.js";
import { credentialsHelp, kibanaOptions, openClients, reportRequestError } from "./plan.js";
import { repositoryExceptions } from "./exceptions-repo.js";

function isWithin(folder: string, path: string): boolean {
  const inside = relative(folder, path);
  return !(inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside));
}

/** Where a path really is once links are followed; for a path not created yet, its nearest existing folder's. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), relative(parent, path));
  }
}

async function fromKibana(
  values: Parameters<NonNullable<Command["run"]>>[0]["values"],
  ctx: Parameters<NonNullable<Command["run"]>>[1],
) {
  const clients = openClients(values, ctx);
  if (clients.length !== 1) {
    await Promise.all(clients.map((c) => c.close()));
    throw new UsageError("--from-kibana reads one space: pass a single --space");
  }
  const [client] = clients;
  const sources: ImportSource[] = [];
  let exceptions: ExceptionLine[];
  try {
    for await (const page of client!.findRules()) {
      for (const rule of page) sources.push({ origin: `${client!.target}`, rule });
    }
    exceptions = await readKibanaExceptions(client!);
  } finally {
    await client!.close();
  }
  return { sources, exceptions };
}

export const importCommand: Command = {
  name: "import",
  summary:
    "Turn existing Kibana rules (an ndjson export, or a live space) into rule YAML files and lock entries.",
  usage: "dac import (--from-ndjson FILE | --from-kibana) [options]",
  description: `Writes one YAML file per custom rule, with the schema header, Kibana's defaults, server fields and the management tag removed, and the version kept in metadata.version and the lock; \`dac export\` then reproduces the same payloads. Exception lists and their items come along (the exception lines of the file, or the detection and rule-default lists of the space): shared lists as <exceptions folder>/<list_id>.yaml, rule-default lists next to their rule as <rule>.exceptions.yaml, and rules refer to them by list_id. Value lists are not part of an export and are not imported. Prebuilt rules and connectors are skipped. Files are written in canonical form (as \`dac fmt\` writes them), under the rules folder only: --out-dir must lie inside it. File names come from the rule names; rules whose names clash get part of their rule_id, so every name is unique. Everything is decided before anything is written. Existing files are never overwritten without --force. Exit codes: 0 every rule was imported, or left out by design (prebuilt rules, connectors, rules already in the repository with the same content); 1 a rule was skipped and needs attention (an invalid line, a duplicate rule_id, a file or a different rule in the way); 2 usage error, nothing written. ${credentialsHelp}`,
  options: {
    "from-ndjson": {
      type: "string",
      valueName: "FILE",
      description: "Read rules from an ndjson file (a Kibana or dac export).",
    },
    "from-kibana": { type: "boolean", description: "Read the custom rules of a Kibana space." },
    "out-dir": {
      type: "string",
      valueName: "DIR",
      description: "Write the files here (default: <rules folder>/<integration>/).",
    },
    force: { type: "boolean", description: "Overwrite existing files, and rules already in the repository." },
    ...kibanaOptions,
  },
  async run({ values, positionals }, ctx) {
    const ndjson = stringOption(values, "from-ndjson");
    const live = values["from-kibana"] === true;
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if ((ndjson === undefined) === !live)
      throw new UsageError("give exactly one of --from-ndjson FILE and --from-kibana");
    const config = ctx.config();
    const outDir = stringOption(values, "out-dir");
    const dir = outDir ? resolve(ctx.cwd, outDir) : config.rules;
    if (!isWithin(config.rules, dir) || !isWithin(realPath(config.rules), realPath(dir))) {
      // Rules outside the rules folder would get lock entries that `dac validate` cannot match (DAC601).
      throw new UsageError(
        `--out-dir ${outDir} is outside the rules folder ${relative(ctx.cwd, config.rules) || config.rules}; imported rules must live under it`,
      );
    }
    const skipped: SkippedSource[] = [];
    let sources: ImportSource[];
    let exceptionLines: ExceptionLine[];
    if (ndjson !== undefined) {
      let text: string;
      try {
        text = readFileSync(resolve(ctx.cwd, ndjson), "utf8");
      } catch (error) {
        throw new UsageError(
          `cannot read ${ndjson}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      const parsed = parseNdjsonRules(text, ndjson);
      sources = parsed.sources;
      exceptionLines = parsed.exceptions;
      skipped.push(...parsed.skipped);
    } else {
      try {
        ({ sources, exceptions: exceptionLines } = await fromKibana(values, ctx));
      } catch (error) {
        return reportRequestError(error, ctx, "dac import");
      }
    }
    // Rule files already in the repository, by rule_id (an empty repository has no rules folder yet).
    const existing = existsSync(config.rules) ? loadRules([], config, ctx.cwd).rules : [];
    const existingIds = new Map(existing.map((r) => [String(r.data.rule_id), resolve(ctx.cwd, r.file)]));
    let lock;
    try {
      lock = await readLock(config.lock);
    } catch (error) {
      if (error instanceof LockFileError) {
        ctx.stderr(`dac import: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    const exceptionInput = exceptionListsFromKibana(
      exceptionLines,
      sources.map((s) => s.rule),
      { managementTag: config.kibana.managementTag },
    );
    for (const s of exceptionInput.skipped) {
      skipped.push({
        origin: s.origin,
        kind: s.kind === "duplicate" ? "duplicate" : "invalid",
        ...(s.name ? { name: s.name } : {}),
        reason: `${s.item_id ? `exception item ${s.item_id}` : `exception list ${s.list_id ?? "?"}`}: ${s.reason}`,
      });
    }
    const existingExceptions = repositoryExceptions(ctx);
    const result = await writeImportedRules(sources, {
      ...payloadSettings(config),
      root: config.root,
      dir,
      byIntegration: outDir === undefined,
      format: (text, file) =>
        formatYaml(text, {
          kind: "rule",
          schemaHeader: schemaHeader(file, join(config.root, "schemas", "rule.schema.json")),
        }).text,
      within: config.rules,
      lock,
      existing: existingIds,
      showPath: (path: string) => relative(ctx.cwd, path) || path,
      force: values.force === true,
      exceptionLists: exceptionInput.lists,
      exceptionsDir: config.exceptions,
      existingExceptions: { lists: existingExceptions.lists, valueLists: existingExceptions.valueLists },
    });
    skipped.push(...result.skipped);
    const show = (path: string) => relative(ctx.cwd, path) || path;
    for (const w of result.written) {
      ctx.stdout(printable(`wrote ${show(w.file)}  ${w.name} [${w.rule_id}] v${w.version}`) + "\n");
      if (w.normalized.length > 0)
        ctx.stdout(`  note: published form differs from the source in ${w.normalized.join(", ")}\n`);
    }
    for (const s of skipped) {
      const what = `${s.name ? ` ${JSON.stringify(s.name)}` : ""}${s.rule_id ? ` [${s.rule_id}]` : ""}`;
      ctx.stderr(printable(`skipped ${s.origin}${what}: ${s.reason}`) + "\n");
    }
    for (const w of result.writtenExceptions)
      ctx.stdout(printable(`wrote ${show(w.file)}  exception list ${w.list_id} (${w.items} item(s))`) + "\n");
    if (result.written.length > 0) {
      await writeLock(config.lock, result.lock);
      ctx.stdout(`updated ${show(config.lock)}: ${result.written.length} rule(s)\n`);
    } else if (result.writtenExceptions.length === 0) {
      ctx.stdout("no rules written\n");
    }
    return skipped.some(skipNeedsAttention) ? 1 : 0;
  },
};
