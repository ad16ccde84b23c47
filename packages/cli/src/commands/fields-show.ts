/**
 * `dac fields show FIELD`: what a field is (type, multi-fields, ignore_above, searchable), every definition of it
 * and which one a rule gets, and which rules of the repository use it (from their queries and field settings).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { resolveField, suggestFields } from "@dac/fields";
import type { FieldInfo } from "@dac/fields";
import { fieldsOf, parse } from "@dac/kql";
import {
  fieldDefinitions,
  kqlQueries,
  knownFieldNames,
  loadRules,
  ruleFieldCatalog,
  ruleIntegrations,
  scalarOffsetToPosition,
  shownDefinitionFile,
} from "@dac/schema";
import type { FieldDefinition, Rule, YamlPath } from "@dac/schema";
import type { Command } from "../command.js";
import { formatOption, stringOption, UsageError } from "../command.js";

/** A field's attributes as plain data (for JSON), without the bookkeeping. */
function attributes(info: FieldInfo): Record<string, unknown> {
  const { name: _name, source: _source, origin: _origin, partial, ...rest } = info;
  void _name;
  void _source;
  void _origin;
  return { ...rest, ...(partial ? { partial } : {}) };
}

/** `keyword, ignore_above 1024, multi-fields process.name.text (match_only_text)`. */
export function describeField(info: FieldInfo): string {
  const parts: string[] = [info.type];
  if (info.esTypes)
    parts.push(
      `indices disagree: ${Object.entries(info.esTypes)
        .map(([t, idx]) => `${t} in ${idx.join(", ")}`)
        .join("; ")}`,
    );
  if (info.ignoreAbove !== undefined) parts.push(`ignore_above ${info.ignoreAbove}`);
  if (info.flattenedKeyOf) parts.push(`a key of flattened field \`${info.flattenedKeyOf}\``);
  else if (info.source === "dynamic")
    parts.push("mapped dynamically below an object that types its unknown children");
  else if (info.sourcePath && info.multiFields === undefined)
    parts.push(`reads \`${info.sourcePath}\`${info.type === "alias" ? "" : " (a multi-field or alias)"}`);
  if (info.nestedPath) parts.push(`inside nested \`${info.nestedPath}\``);
  if (info.multiFields?.length)
    parts.push(`multi-fields ${info.multiFields.map((m) => `${m.name} (${m.type})`).join(", ")}`);
  if (info.objectType) parts.push(`unknown children are ${info.objectType}`);
  if (info.dynamic !== undefined) parts.push(`dynamic: ${info.dynamic}`);
  if (info.enabled === false) parts.push("enabled: false (nothing below it is indexed)");
  if (info.format) parts.push(`format ${info.format}`);
  if (info.normalizer) parts.push(`normalizer ${info.normalizer}`);
  if (info.analyzer) parts.push(`analyzer ${info.analyzer}`);
  if (info.value !== undefined) parts.push(`value ${JSON.stringify(info.value)}`);
  if (info.searchable === false) parts.push("not searchable (Elasticsearch refuses queries on it)");
  if (info.aggregatable === false) parts.push("not aggregatable");
  if (info.partial) parts.push("from a partial list");
  return parts.join(", ");
}

export interface FieldUse {
  file: string;
  line?: number;
  column?: number;
  /** The rule setting that names the field: `query`, `threat_query`, `threshold.field`, … */
  key: string;
  /** Set when the query names a wildcard that covers the field (`process.*`). */
  via?: string;
}

function wildcardMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  return re.test(name);
}

function position(rule: Rule, path: YamlPath, offset = 0): { line: number; column: number } | undefined {
  try {
    return scalarOffsetToPosition(rule.source, path, offset);
  } catch {
    return undefined;
  }
}

/** The query language of a rule that KQL parsing does not cover, if any. */
function unscannedLanguage(rule: Rule): string | undefined {
  const data = rule.data as { type?: string; language?: string; query?: unknown };
  if (data.type === "eql" || data.type === "esql") return data.type;
  if (data.type === "machine_learning") return undefined;
  if (data.language && data.language !== "kuery" && typeof data.query === "string") return data.language;
  return undefined;
}

/** Where a rule names `field`: its KQL queries (parsed), and its field settings. */
export function fieldUses(rule: Rule, field: string): { uses: FieldUse[]; unparsed: boolean } {
  const uses: FieldUse[] = [];
  let unparsed = false;
  const add = (key: string, path: YamlPath, offset?: number, via?: string) => {
    const at = position(rule, path, offset);
    uses.push({ file: rule.file, ...(at ?? {}), key, ...(via ? { via } : {}) });
  };
  for (const { key, text } of kqlQueries(rule)) {
    let refs;
    try {
      refs = fieldsOf(parse(text));
    } catch {
      unparsed = true;
      continue;
    }
    for (const ref of refs) {
      if (ref.name === field) add(key, [key], ref.span.start);
      else if (ref.name.includes("*") && wildcardMatches(ref.name, field))
        add(key, [key], ref.span.start, ref.name);
    }
  }
  const data = rule.data as unknown as Record<string, unknown>;
  const list = (value: unknown): unknown[] =>
    Array.isArray(value) ? value : value === undefined ? [] : [value];
  const threshold = data.threshold as { field?: unknown } | undefined;
  list(threshold?.field).forEach((f, i) => {
    if (f === field)
      add(
        "threshold.field",
        Array.isArray(threshold?.field) ? ["threshold", "field", i] : ["threshold", "field"],
      );
  });
  list(data.new_terms_fields).forEach((f, i) => {
    if (f === field) add("new_terms_fields", ["new_terms_fields", i]);
  });
  list(data.threat_mapping).forEach((m, i) => {
    list((m as { entries?: unknown }).entries).forEach((e, j) => {
      const entry = e as { field?: unknown; value?: unknown };
      if (entry.field === field) add("threat_mapping field", ["threat_mapping", i, "entries", j, "field"]);
      if (entry.value === field) add("threat_mapping value", ["threat_mapping", i, "entries", j, "value"]);
    });
  });
  return { uses, unparsed };
}

function shownDefinition(d: FieldDefinition): string {
  const where =
    d.kind === "ecs" ? d.label : d.file && d.file !== d.label ? `${d.label} (${d.file})` : d.label;
  const scope =
    d.kind === "catalogue"
      ? d.indexPatterns
        ? ` [rules searching ${d.indexPatterns.join(", ")}]`
        : " [every rule]"
      : d.package
        ? ` [rules using ${d.package}${d.dataStream ? `.${d.dataStream}` : ""}]`
        : " [every rule]";
  return `${where}${scope}: ${describeField(d.info)}${d.source ? `\n    read from ${d.source}` : ""}`;
}

/** Where a rule's resolved definition comes from. */
function winner(
  info: FieldInfo,
  defs: readonly FieldDefinition[],
  packages: ReadonlySet<string>,
  root: string,
): string {
  switch (info.source) {
    case "ecs":
      return defs.find((d) => d.kind === "ecs")?.label ?? "ECS";
    case "override":
      return "the rule's metadata.fields";
    case "catalogue": {
      // `okta.system (/abs/path/okta.json)`: shown with the file as the definitions list shows it.
      const m = /^(.*) \((.*)\)$/.exec(info.origin ?? "");
      return m ? `${m[1]} (${shownDefinitionFile(m[2]!, root)})` : (info.origin ?? "a field catalogue");
    }
    case "fields-file": {
      // The last fields.yml the rule reads (shared ones and those of its integrations) is the one that wins.
      const files = defs.filter((d) => d.kind === "fields-file" && (!d.package || packages.has(d.package)));
      return files.at(-1)?.file ?? "a fields.yml file";
    }
    case "dynamic":
      return info.flattenedKeyOf
        ? `a key of flattened field \`${info.flattenedKeyOf}\``
        : "a dynamic mapping (an object's dynamic template or dynamic: true)";
    default:
      return info.origin ?? info.source;
  }
}

export const showCommand: Command = {
  name: "show",
  summary: "Show a field: its type, where its definition comes from, and which rules use it.",
  usage: "dac fields show FIELD [--rule PATH] [options]",
  description: [
    "Prints the field's type (multi-fields, ignore_above, searchable), every definition of it (ECS, the integration catalogues, index-pattern and cluster catalogues, fields.yml files) and which rules each applies to. In a rule that gets several, the later kind wins: ECS, then integration catalogues, then index-pattern and cluster catalogues, then fields.yml files, then the rule's metadata.fields. With --rule, shows what that rule's catalogue makes of the field.",
    "Lists the rules that use the field: KQL queries are parsed; threshold.field, new_terms_fields and threat_mapping are read; Lucene, EQL and ES|QL queries are not scanned yet, and are counted.",
    "Exit codes: 0 the field is known, 1 it is not (with did-you-mean suggestions), 2 usage or configuration error.",
  ].join("\n"),
  options: {
    rule: {
      type: "string",
      valueName: "PATH",
      description:
        "Resolve the field in this rule's field catalogue (its integrations, index patterns, metadata.fields).",
    },
    format: formatOption(),
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length !== 1) throw new UsageError("give exactly one FIELD");
    const field = positionals[0]!;
    if (!/^[^\s:()"\\]+$/.test(field)) throw new UsageError(`\`${field}\` is not a field name`);
    const config = ctx.config();
    const defs = fieldDefinitions(field, config);
    const rulePath = stringOption(values, "rule");
    let ruleView: { file: string; resolution: ReturnType<typeof resolveField>; from?: string } | undefined;
    let ruleCatalog;
    if (rulePath !== undefined) {
      const loaded = loadRules([resolve(ctx.cwd, rulePath)], config, ctx.cwd);
      const rule = loaded.rules[0];
      if (!rule || loaded.rules.length !== 1)
        throw new UsageError(`--rule must name one rule file; ${rulePath} has ${loaded.rules.length}`);
      if (!rule.valid) {
        const error = new UsageError(`${rule.file} does not validate; run \`dac validate ${rule.file}\``);
        error.showUsage = false;
        throw error;
      }
      ruleCatalog = ruleFieldCatalog(rule.data, config);
      const resolution = resolveField(ruleCatalog, field);
      ruleView = {
        file: rule.file,
        resolution,
        ...(resolution.kind === "mapped"
          ? {
              from: winner(
                resolution.info,
                defs,
                new Set(ruleIntegrations(rule.data).map((r) => r.package)),
                config.root,
              ),
            }
          : {}),
      };
    }
    // Every rule of the repository: which use the field, and which could not be scanned.
    // (A repository with no rules folder yet has no rules that use it.)
    const all = existsSync(config.rules) ? loadRules([], config, ctx.cwd).rules.filter((r) => r.valid) : [];
    const usedBy: FieldUse[] = [];
    const notScanned: { file: string; language: string }[] = [];
    for (const rule of all) {
      const { uses, unparsed } = fieldUses(rule, field);
      usedBy.push(...uses);
      const language = unscannedLanguage(rule);
      if (language) notScanned.push({ file: rule.file, language });
      else if (unparsed) notScanned.push({ file: rule.file, language: "kuery that does not parse" });
    }
    const known = ruleView ? ruleView.resolution.kind === "mapped" : defs.length > 0;
    const suggestions = known
      ? []
      : suggestFields(ruleCatalog ?? { fields: knownFieldNames(config), unknownFields: "unmapped" }, field);
    if (stringOption(values, "format") === "json") {
      ctx.stdout(
        `${JSON.stringify(
          {
            field,
            known,
            definitions: defs.map(({ info, ...d }) => ({ ...d, ...attributes(info) })),
            ...(ruleView
              ? {
                  rule: {
                    file: ruleView.file,
                    resolution: ruleView.resolution.kind,
                    ...(ruleView.resolution.kind === "unmapped"
                      ? { reason: ruleView.resolution.reason }
                      : attributes(ruleView.resolution.info)),
                    ...(ruleView.from ? { from: ruleView.from } : {}),
                  },
                }
              : {}),
            usedBy,
            notScanned,
            ...(known ? {} : { suggestions }),
          },
          null,
          2,
        )}\n`,
      );
      return known ? 0 : 1;
    }
    const lines: string[] = [];
    if (ruleView) {
      const r = ruleView.resolution;
      lines.push(
        r.kind === "mapped"
          ? `${field} in ${ruleView.file}: ${describeField(r.info)}\n  from ${ruleView.from}`
          : r.kind === "policy"
            ? `${field} in ${ruleView.file}: not defined; the unknown-field policy (unknown_fields: keyword) searches it as keyword`
            : `${field} in ${ruleView.file}: not searchable: ${r.reason}`,
      );
    } else if (defs.length > 0) {
      const types = [...new Set(defs.map((d) => d.info.type))];
      lines.push(
        `${field}: ${types.join(" or ")}${types.length > 1 ? " (by definition; which applies depends on the rule: pass --rule PATH)" : ""}`,
      );
    } else lines.push(`${field}: no definition in ECS or any field file`);
    if (defs.length > 0) {
      lines.push(`definitions (${defs.length}):`);
      for (const d of defs) lines.push(`  ${shownDefinition(d)}`);
    }
    if (!known && suggestions.length > 0)
      lines.push(`did you mean ${suggestions.map((s) => `\`${s}\``).join(", ")}?`);
    if (usedBy.length > 0) {
      lines.push(`used by ${new Set(usedBy.map((u) => u.file)).size} rule(s):`);
      for (const u of usedBy)
        lines.push(
          `  ${u.file}${u.line !== undefined ? `:${u.line}:${u.column}` : ""} ${u.key}${u.via ? ` (via \`${u.via}\`)` : ""}`,
        );
    } else lines.push("used by no rule");
    if (notScanned.length > 0) {
      const byLanguage = new Map<string, number>();
      for (const n of notScanned) byLanguage.set(n.language, (byLanguage.get(n.language) ?? 0) + 1);
      lines.push(
        `not scanned: ${[...byLanguage].map(([l, n]) => `${n} ${l} rule(s)`).join(", ")} (dac has no parser for Lucene, EQL or ES|QL yet; \`dac validate\` reports a KQL query that does not parse)`,
      );
    }
    ctx.stdout(`${lines.join("\n")}\n`);
    return known ? 0 : 1;
  },
};
