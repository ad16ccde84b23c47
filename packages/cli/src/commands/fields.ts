import { existsSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { PulledFields } from "@dac/elasticsearch";
import { FieldCatalogError, importFieldDefinitions, type CompactCatalog } from "@dac/fields";
import { writeFileAtomic } from "@dac/schema";
import type { Command, CommandContext, OptionValues } from "../command.js";
import { formatOption, listOption, stringOption, UsageError } from "../command.js";
import { elasticsearch, esConnectionOptions, esCredentialsHelp, rethrowAsUsage } from "./engine.js";
import { showCommand } from "./fields-show.js";

/** Where a catalogue is written: --out, else `<first fields folder>/<name>.json`. */
function outputPath(values: OptionValues, ctx: CommandContext, name: string): string {
  const out = stringOption(values, "out");
  if (out) return resolve(ctx.cwd, out);
  const folder = ctx.config().fields[0];
  if (!folder)
    throw new UsageError("no fields folder is configured (`fields:` in dac.config.yaml); pass --out");
  return join(folder, `${name}.json`);
}

/** Nothing already there is overwritten unless asked: checked before any work, so nothing is half done. */
function refuseOverwrite(file: string, values: OptionValues, ctx: CommandContext): void {
  if (values.force === true || !existsSync(file)) return;
  const error = new UsageError(
    `${relative(ctx.cwd, file) || file} exists; pass --force to replace it (nothing was written)`,
  );
  error.showUsage = false;
  throw error;
}

/** A hint when the file is outside every configured fields folder: validation would not read it. */
function outsideFieldsFolders(file: string, ctx: CommandContext): string | undefined {
  const folders = ctx.config().fields.map((f) => resolve(ctx.cwd, f));
  if (folders.some((f) => file === f || file.startsWith(f.endsWith(sep) ? f : f + sep))) return undefined;
  return `note: ${file} is not in a configured fields folder (\`fields:\` in dac.config.yaml), so validation does not read it\n`;
}

/** Writes the catalogue in one step (a temporary file renamed), or says why it cannot: never half a file. */
function writeCatalogue(file: string, catalog: CompactCatalog): void {
  try {
    writeFileAtomic(file, catalogJson(catalog));
  } catch (error) {
    const usage = new UsageError(`cannot write ${file}: ${(error as Error).message}`);
    usage.showUsage = false;
    throw usage;
  }
}

const forceOption = {
  type: "boolean",
  description:
    "Replace the catalogue file if it exists (without it, an existing file is left alone: exit 2).",
} as const;

/** Catalogue files are one line per field: small, and diffs show which fields changed. */
export function catalogJson(catalog: CompactCatalog): string {
  const lines: string[] = ["{"];
  const order = [
    "format",
    "package",
    "source",
    "partial",
    "indexPatterns",
    "keywordIgnoreAbove",
    "dataStreams",
    "fields",
  ];
  const entries = Object.entries(catalog)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  entries.forEach(([key, value], i) => {
    const comma = i < entries.length - 1 ? "," : "";
    if ((key === "fields" || key === "dataStreams") && value && typeof value === "object") {
      lines.push(
        `  ${JSON.stringify(key)}: ${fieldsJson(value as Record<string, unknown>, key === "dataStreams", "  ")}${comma}`,
      );
    } else lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
  });
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function fieldsJson(value: Record<string, unknown>, nested: boolean, indent: string): string {
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  const inner = entries.map(([k, v]) =>
    nested
      ? `${indent}  ${JSON.stringify(k)}: ${fieldsJson(v as Record<string, unknown>, false, `${indent}  `)}`
      : `${indent}  ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  return `{\n${inner.join(",\n")}\n${indent}}`;
}

function fieldCount(catalog: CompactCatalog): number {
  let n = Object.keys(catalog.fields ?? {}).length;
  for (const fields of Object.values(catalog.dataStreams ?? {})) n += Object.keys(fields).length;
  return n;
}

const importCommand: Command = {
  name: "import",
  summary: "Turn an integration package's field definitions into a field catalogue file.",
  usage: "dac fields import PATH [options]",
  description:
    "PATH is an integration package folder or zip in Fleet's layout (data_stream/*/fields/*.yml; *.yml.link files are followed, `external: ecs` takes the ECS definition), one fields.yml, or a JSON object of field → type. Writes a compact catalogue (dac-fields/1) to <fields folder>/<package>.json, or --out. A package catalogue applies to the rules whose related_integrations, index patterns (logs-<package>.<dataset>-*) or metadata.integration name the package; one with --index-pattern to the rules searching a matching index; any other to every rule. An existing file is replaced only with --force. Exit codes: 0 written, 2 unreadable input, an existing file, or usage error (nothing written).",
  options: {
    package: {
      type: "string",
      valueName: "NAME",
      description: "The package name (default: the manifest's, or none for a single file).",
    },
    "index-pattern": {
      type: "string",
      multiple: true,
      valueName: "PATTERN",
      description: "Apply the catalogue to rules whose index patterns match PATTERN (e.g. winlogbeat-*).",
    },
    partial: {
      type: "boolean",
      description:
        "The input is a partial list (fields some rules use): a field it lacks is a warning, not an error.",
    },
    source: {
      type: "string",
      valueName: "TEXT",
      description: "Where the definitions come from, for `dac fields show`.",
    },
    out: { type: "string", valueName: "FILE", description: "Write the catalogue here." },
    force: forceOption,
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new UsageError("give exactly one PATH to import");
    const input = resolve(ctx.cwd, positionals[0]!);
    const packageName = stringOption(values, "package");
    let imported;
    try {
      imported = importFieldDefinitions(input, {
        ...(packageName ? { packageName } : {}),
        source: stringOption(values, "source") ?? positionals[0]!,
      });
    } catch (error) {
      if (error instanceof FieldCatalogError) {
        const usage = new UsageError(error.message);
        usage.showUsage = false;
        throw usage;
      }
      throw error;
    }
    const { catalog } = imported;
    const patterns = listOption(values, "index-pattern");
    if (values.partial === true) catalog.partial = true;
    if (patterns.length > 0) catalog.indexPatterns = patterns;
    const name = catalog.package ?? stringOption(values, "out");
    if (!name) throw new UsageError("a single file has no package name: pass --package NAME or --out FILE");
    const file = outputPath(values, ctx, catalog.package ?? "fields");
    refuseOverwrite(file, values, ctx);
    writeCatalogue(file, catalog);
    for (const note of imported.notes) ctx.stderr(`note: ${note}\n`);
    const streams = Object.keys(catalog.dataStreams ?? {});
    ctx.stdout(
      `wrote ${file}: ${fieldCount(catalog)} field(s)${streams.length ? ` in ${streams.length} data stream(s) (${streams.join(", ")})` : ""}${imported.notes.length ? `, ${imported.notes.length} note(s)` : ""}\n`,
    );
    return 0;
  },
};

/** `logs-okta*,winlogbeat-*` → `cluster-logs-okta_winlogbeat`. */
export function pulledName(patterns: readonly string[]): string {
  const text = patterns
    .join("_")
    .replace(/\*/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[-_.]+|[-_.]+$/g, "");
  return `cluster-${text || "all"}`;
}

function pullReport(pulled: PulledFields, file: string): string {
  const lines = [
    `wrote ${file}: ${pulled.fields} field(s) from ${pulled.indices.length} index(es) (${pulled.mapped} mapped; those ECS defines identically are left out)`,
  ];
  for (const c of pulled.conflicts) {
    const where = Object.entries(c.esTypes)
      .map(
        ([t, idx]) =>
          `${t} in ${idx.length > 3 ? `${idx.slice(0, 3).join(", ")} and ${idx.length - 3} more` : idx.join(", ")}`,
      )
      .join("; ");
    lines.push(
      c.type === "conflict"
        ? `conflict: \`${c.field}\` is ${where}: recorded as a conflict (Kibana's data view types it conflict)`
        : `types differ: \`${c.field}\` is ${where}: recorded as ${c.type} (they search alike; Kibana's data view: ${c.kibanaType})`,
    );
  }
  if (pulled.unsearchable.length)
    lines.push(
      `unsearchable (no index, no doc values): ${pulled.unsearchable.map((f) => `\`${f}\``).join(", ")}`,
    );
  if (pulled.partlyUnmapped.length)
    lines.push(
      `${pulled.partlyUnmapped.length} field(s) are not mapped in some of the indices (they match nothing there); --format json lists them`,
    );
  for (const note of pulled.notes) lines.push(`note: ${note}`);
  return `${lines.join("\n")}\n`;
}

const pullCommand: Command = {
  name: "pull",
  summary:
    "Read a live cluster's field types (_field_caps, as Kibana's data views) into a field catalogue file.",
  usage: "dac fields pull --es-url URL --index PATTERN [options]",
  description: [
    "Reads the real mappings of the indices matching PATTERN with _field_caps (how Kibana's data views type fields) and GET _mapping (aliases, ignore_above, formats, disabled objects), read-only, and writes a compact catalogue (dac-fields/1) to <fields folder>/<NAME>.json, or --out. The catalogue applies to the rules whose index patterns overlap PATTERN.",
    "Metadata fields (_id, _index, …) are left out. A field the indices type differently is recorded with each type's indices: as `conflict` when the types search differently (keyword and long), else as the family's type (long and integer). A field no index can search is marked unsearchable. A field some indices do not map is typed from those that do, as a data view does, and listed.",
    "An existing file is replaced only with --force. Exit codes: 0 written, 2 usage, configuration or connection error, a pattern matching no index, or an existing file (nothing written).",
    esCredentialsHelp,
  ].join("\n"),
  options: {
    ...esConnectionOptions,
    index: {
      type: "string",
      multiple: true,
      valueName: "PATTERN",
      description: "Index patterns to read (comma lists allowed). Required.",
    },
    name: {
      type: "string",
      valueName: "NAME",
      description: "The file name in the fields folder, without .json (default: cluster-<pattern>).",
    },
    out: { type: "string", valueName: "FILE", description: "Write the catalogue here instead." },
    force: forceOption,
    timeout: {
      type: "string",
      valueName: "SECONDS",
      default: "60",
      description: "Give up on a request after this many seconds.",
    },
    format: formatOption(),
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument \`${positionals[0]}\`: give index patterns with --index`);
    const index = listOption(values, "index")
      .flatMap((v) => v.split(","))
      .map((v) => v.trim())
      .filter(Boolean);
    if (index.length === 0) throw new UsageError("--index PATTERN is required (e.g. --index 'logs-*')");
    const name = stringOption(values, "name");
    if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
      throw new UsageError(`--name must be a file name of letters, digits, ., _ and -, not \`${name}\``);
    const seconds = Number(stringOption(values, "timeout") ?? "60");
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new UsageError(
        `--timeout must be a positive number of seconds, not \`${stringOption(values, "timeout")}\``,
      );
    const file = outputPath(values, ctx, name ?? pulledName(index));
    refuseOverwrite(file, values, ctx);
    const { checkReachable, connect, pullFields } = await elasticsearch();
    let connection;
    try {
      connection = connect(
        {
          url: stringOption(values, "es-url"),
          caCertFile: stringOption(values, "ca-cert"),
          timeoutMs: seconds * 1000,
        },
        ctx.env,
      );
    } catch (error) {
      rethrowAsUsage(error);
    }
    try {
      // Reading mappings needs index privileges only (view_index_metadata), not the cluster's monitor privilege.
      await checkReachable(connection, { allowForbidden: true }).catch(rethrowAsUsage);
      const pulled = await pullFields(connection.client, {
        url: connection.url,
        indexPatterns: index,
        source: `Elasticsearch ${connection.url}: _field_caps and _mapping of ${index.join(",")}`,
        redact: connection.redact,
      }).catch(rethrowAsUsage);
      writeCatalogue(file, pulled.catalog);
      if (stringOption(values, "format") === "json") {
        const { catalog: _catalog, ...summary } = pulled;
        void _catalog;
        ctx.stdout(`${JSON.stringify({ file, ...summary }, null, 2)}\n`);
      } else ctx.stdout(pullReport(pulled, file));
      const hint = outsideFieldsFolders(file, ctx);
      if (hint) ctx.stderr(hint);
      return 0;
    } finally {
      await connection.client.close().catch(() => undefined);
    }
  },
};

export const fieldsCommand: Command = {
  name: "fields",
  summary: "Field definitions: import an integration package's, pull a cluster's, show one field.",
  usage: "dac fields <import|pull|show> [options]",
  description:
    "Field definitions tell validation and the engines each field's type. dac ships ECS and the integrations Elastic's rules use; `import` adds an integration package's, `pull` a cluster's real mappings, `show` says what one field is, where its definition comes from and which rules use it.",
  options: {},
  subcommands: [importCommand, pullCommand, showCommand],
};
