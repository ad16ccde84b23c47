import { join, resolve } from "node:path";
import { FieldCatalogError, importFieldDefinitions, type CompactCatalog } from "@dac/fields";
import { writeFileAtomic } from "@dac/schema";
import type { Command, CommandContext, OptionValues } from "../command.js";
import { listOption, stringOption, UsageError } from "../command.js";

/** Where a catalogue is written: --out, else `<first fields folder>/<name>.json`. */
function outputPath(values: OptionValues, ctx: CommandContext, name: string): string {
  const out = stringOption(values, "out");
  if (out) return resolve(ctx.cwd, out);
  const folder = ctx.config().fields[0];
  if (!folder)
    throw new UsageError("no fields folder is configured (`fields:` in dac.config.yaml); pass --out");
  return join(folder, `${name}.json`);
}

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
    "PATH is an integration package folder or zip in Fleet's layout (data_stream/*/fields/*.yml; *.yml.link files are followed, `external: ecs` takes the ECS definition), one fields.yml, or a JSON object of field → type. Writes a compact catalogue (dac-fields/1) to <fields folder>/<package>.json, or --out. A package catalogue applies to the rules whose related_integrations, index patterns (logs-<package>.<dataset>-*) or metadata.integration name the package; one with --index-pattern to the rules searching a matching index; any other to every rule. Exit codes: 0 written, 2 unreadable input or usage error (nothing written).",
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
    writeFileAtomic(file, catalogJson(catalog));
    for (const note of imported.notes) ctx.stderr(`note: ${note}\n`);
    const streams = Object.keys(catalog.dataStreams ?? {});
    ctx.stdout(
      `wrote ${file}: ${fieldCount(catalog)} field(s)${streams.length ? ` in ${streams.length} data stream(s) (${streams.join(", ")})` : ""}${imported.notes.length ? `, ${imported.notes.length} note(s)` : ""}\n`,
    );
    return 0;
  },
};

export const fieldsCommand: Command = {
  name: "fields",
  summary: "Field definitions: import an integration package's, pull a cluster's, show one field.",
  usage: "dac fields <import|pull|show> [options]",
  options: {},
  subcommands: [importCommand],
};
