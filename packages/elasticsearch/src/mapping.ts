/**
 * An index mapping from a rule's field catalogue: the fields the events hold and the query names, typed as the
 * catalogue says (ECS, integration field files, `metadata.fields`, fixture overrides), with what the catalogue
 * does not know left to the unknown-field policy: `unmapped` is a root `dynamic: false` (as the Kubernetes
 * integration maps), `keyword` is the dynamic templates of Elastic's `logs-*` index template.
 *
 * A node may lack a field type (the Maven-built test node has no `wildcard`, `constant_keyword`,
 * `match_only_text`, `scaled_float`, `version`, `unsigned_long`): those map to their nearest type, and each
 * substitution is reported.
 */
import type { EsFieldType, FieldCatalog, FieldInfo } from "@dac/fields";

export type Mapping = Record<string, unknown>;

/** The type a missing one is replaced by, and what that changes. */
export const nearestType: Record<string, { type: string; caveat?: string }> = {
  wildcard: { type: "keyword" },
  constant_keyword: {
    type: "keyword",
    caveat: "a constant_keyword field also matches documents that lack it; a keyword field does not",
  },
  match_only_text: { type: "text" },
  scaled_float: { type: "double", caveat: "values are not rounded to the scaling factor" },
  version: { type: "keyword", caveat: "ranges compare as strings, not as versions" },
  unsigned_long: { type: "long", caveat: "values above 2^63-1 are refused" },
};

/** Analyzers every node has; others come from modules a node may lack (analysis-common). */
const builtInAnalyzers = new Set(["standard", "simple", "whitespace", "keyword", "stop"]);

export interface Substitution {
  field: string;
  from: string;
  to: string;
}

export interface MappingOptions {
  /** Field types the node refuses; mapped to `nearestType`. */
  missingTypes?: ReadonlySet<string>;
  /** Analyzers the node refuses; replaced by `standard`. */
  missingAnalyzers?: ReadonlySet<string>;
}

export interface BuiltMapping {
  mappings: Mapping;
  substitutions: Substitution[];
}

/**
 * The dynamic templates of `ecs@mappings`, the component template of Elastic's `logs-*-*` index template
 * (elasticsearch `x-pack/plugin/core/template-resources/src/main/resources/ecs@mappings.json`), in order. They
 * type the fields a mapping does not declare; `logs@mappings` adds `date_detection: false`.
 */
export const logsDynamicTemplates: readonly Record<string, Mapping>[] = [
  { ecs_timestamp: { mapping: { ignore_malformed: false, type: "date" }, match: "@timestamp" } },
  {
    ecs_message_match_only_text: {
      mapping: { type: "match_only_text" },
      path_match: ["message", "*.message"],
    },
  },
  {
    ecs_ip: { mapping: { type: "ip" }, path_match: ["ip", "*.ip", "*_ip"], match_mapping_type: "string" },
  },
  {
    ecs_wildcard: {
      mapping: { type: "wildcard" },
      path_match: ["*.io.text", "*.message_id", "*registry.data.strings", "*url.path"],
    },
  },
  {
    ecs_path_match_wildcard_and_match_only_text: {
      mapping: { fields: { text: { type: "match_only_text" } }, type: "wildcard" },
      path_match: ["*.body.content", "*url.full", "*url.original"],
    },
  },
  {
    ecs_match_wildcard_and_match_only_text: {
      mapping: { fields: { text: { type: "match_only_text" } }, type: "wildcard" },
      match: ["*command_line", "*stack_trace"],
    },
  },
  {
    ecs_path_match_keyword_and_match_only_text: {
      mapping: { fields: { text: { type: "match_only_text" } }, type: "keyword" },
      path_match: [
        "*.title",
        "*.executable",
        "*.name",
        "*.working_directory",
        "*.full_name",
        "*file.path",
        "*file.target_path",
        "*os.full",
        "email.subject",
        "vulnerability.description",
        "user_agent.original",
      ],
    },
  },
  {
    ecs_date: {
      mapping: { type: "date" },
      path_match: [
        "*.timestamp",
        "*_timestamp",
        "*.not_after",
        "*.not_before",
        "*.accessed",
        "created",
        "*.created",
        "*.installed",
        "*.creation_date",
        "*.ctime",
        "*.mtime",
        "ingested",
        "*.ingested",
        "*.start",
        "*.end",
      ],
    },
  },
  {
    ecs_path_match_float: {
      mapping: { type: "float" },
      path_match: ["*.score.*", "*_score*"],
      path_unmatch: "*.version",
    },
  },
  {
    ecs_usage_double_scaled_float: {
      mapping: { type: "scaled_float", scaling_factor: 1000 },
      path_match: "*.usage",
      match_mapping_type: "double",
    },
  },
  {
    ecs_usage_long_scaled_float: {
      mapping: { type: "scaled_float", scaling_factor: 1000 },
      path_match: "*.usage",
      match_mapping_type: "long",
    },
  },
  { ecs_geo_point: { mapping: { type: "geo_point" }, path_match: ["location", "*.location"] } },
  {
    ecs_flattened: {
      mapping: { type: "flattened" },
      path_match: ["*structured_data", "*exports", "*imports"],
    },
  },
  {
    all_strings_to_keywords: {
      mapping: { ignore_above: 1024, type: "keyword" },
      match_mapping_type: "string",
    },
  },
];

/** The field names under which documents hold values, dotted (array elements merge into their field). */
export function documentPaths(doc: unknown, into = new Set<string>(), prefix = ""): Set<string> {
  if (Array.isArray(doc)) {
    for (const item of doc) documentPaths(item, into, prefix);
    return into;
  }
  if (doc !== null && typeof doc === "object") {
    for (const [key, value] of Object.entries(doc)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (value !== null && typeof value === "object") documentPaths(value, into, path);
      else into.add(path);
      if (Array.isArray(value) && value.length === 0) into.add(path);
    }
  }
  return into;
}

/** True when the document has a value (not null, not an empty array) at the dotted path. */
export function hasValue(doc: unknown, path: string): boolean {
  if (Array.isArray(doc)) return doc.some((d) => hasValue(d, path));
  if (doc === null || typeof doc !== "object") return false;
  const record = doc as Record<string, unknown>;
  if (path in record) {
    const v = record[path];
    return v !== null && v !== undefined && !(Array.isArray(v) && v.every((x) => x === null));
  }
  for (let i = path.indexOf("."); i > 0; i = path.indexOf(".", i + 1)) {
    const head = path.slice(0, i);
    if (head in record && hasValue(record[head], path.slice(i + 1))) return true;
  }
  return false;
}

function prefixesOf(name: string): string[] {
  const out: string[] = [];
  for (let i = name.indexOf("."); i > 0; i = name.indexOf(".", i + 1)) out.push(name.slice(0, i));
  return out;
}

/** Which catalogue entries to map for these field names: the field itself, or the container that swallows it. */
function entriesFor(catalog: FieldCatalog, names: Iterable<string>): Map<string, FieldInfo> {
  const chosen = new Map<string, FieldInfo>();
  const add = (info: FieldInfo) => {
    if (chosen.has(info.name)) return;
    chosen.set(info.name, info);
    // An alias needs its target, a multi-field its parent.
    if (info.sourcePath && catalog.fields.get(info.sourcePath)) add(catalog.fields.get(info.sourcePath)!);
  };
  for (const name of names) {
    const swallowing = prefixesOf(name)
      .map((p) => catalog.fields.get(p))
      .find((p) => p && (p.type === "flattened" || p.enabled === false));
    if (swallowing) {
      add(swallowing);
      continue;
    }
    const info = catalog.fields.get(name);
    if (info && info.source !== "dynamic") add(info);
  }
  return chosen;
}

/** The catalogue fields a field name with `*` may stand for (KQL expands it against the index's fields). */
export function expandWildcardName(catalog: FieldCatalog, name: string): string[] {
  if (!name.includes("*")) return [name];
  const pattern = new RegExp(
    `^${name
      .split("*")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return [...catalog.fields.keys()].filter((n) => pattern.test(n));
}

function isMultiFieldOf(info: FieldInfo, parent: FieldInfo | undefined): boolean {
  return Boolean(parent?.multiFields?.some((m) => m.name === info.name));
}

/** Builds the mapping for the given field names (from the events and the query). */
export function mappingFor(
  catalog: FieldCatalog,
  names: Iterable<string>,
  options: MappingOptions = {},
): BuiltMapping {
  const substitutions: Substitution[] = [];
  const missing = options.missingTypes ?? new Set<string>();
  const missingAnalyzers = options.missingAnalyzers ?? new Set<string>();
  const typeFor = (field: string, type: EsFieldType): string => {
    if (!missing.has(type)) return type;
    const to = nearestType[type]?.type ?? "keyword";
    substitutions.push({ field, from: type, to });
    return to;
  };
  const analyzerFor = (field: string, analyzer: string | undefined): string | undefined => {
    if (analyzer === undefined) return undefined;
    if (builtInAnalyzers.has(analyzer) || !missingAnalyzers.has(analyzer)) return analyzer;
    substitutions.push({ field, from: `analyzer ${analyzer}`, to: "analyzer standard" });
    return undefined;
  };

  const root: Mapping = { properties: {} };
  const dynamicTemplates: Record<string, Mapping>[] = [];
  /** The mapping object of a dotted path, creating `object` parents the catalogue describes (or plain ones). */
  const nodeAt = (name: string): Mapping => {
    let properties = root.properties as Record<string, Mapping>;
    const parts = name.split(".");
    let path = "";
    for (let i = 0; i < parts.length - 1; i++) {
      path = path ? `${path}.${parts[i]}` : parts[i]!;
      let node = properties[parts[i]!];
      if (!node) {
        node = containerMapping(catalog.fields.get(path));
        properties[parts[i]!] = node;
      }
      node.properties ??= {};
      properties = node.properties as Record<string, Mapping>;
    }
    const leaf = parts[parts.length - 1]!;
    properties[leaf] ??= {};
    return properties[leaf];
  };

  const entries = entriesFor(catalog, names);
  for (const info of [...entries.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const parent = info.sourcePath ? catalog.fields.get(info.sourcePath) : undefined;
    if (isMultiFieldOf(info, parent)) continue; // mapped under its parent's `fields`
    const node = nodeAt(info.name);
    if (info.sourcePath) {
      Object.assign(node, { type: "alias", path: info.sourcePath });
      continue;
    }
    Object.assign(node, leafMapping(info, typeFor, analyzerFor));
    if (info.objectType) {
      const type = typeFor(`${info.name}.*`, info.objectType);
      dynamicTemplates.push({
        [`${info.name}.*`]: {
          path_match: `${info.name}.*`,
          match_mapping_type: matchMappingType(info.objectType),
          mapping: { type },
        },
      });
    }
  }

  const mappings: Mapping = { date_detection: false };
  if (catalog.unknownFields === "unmapped") mappings.dynamic = false;
  else dynamicTemplates.push(...substituteTemplates(logsDynamicTemplates, typeFor));
  if (dynamicTemplates.length > 0) mappings.dynamic_templates = dynamicTemplates;
  mappings.properties = root.properties;
  return { mappings, substitutions: dedupe(substitutions) };
}

function containerMapping(info: FieldInfo | undefined): Mapping {
  const node: Mapping = {};
  if (info?.type === "nested") node.type = "nested";
  if (info?.dynamic !== undefined) node.dynamic = info.dynamic;
  if (info?.enabled === false) node.enabled = false;
  return node;
}

function leafMapping(
  info: FieldInfo,
  typeFor: (field: string, type: EsFieldType) => string,
  analyzerFor: (field: string, analyzer: string | undefined) => string | undefined,
): Mapping {
  if (info.type === "object" || info.type === "nested") {
    const node = containerMapping(info);
    return info.type === "nested" ? { ...node, type: "nested" } : node;
  }
  const type = typeFor(info.name, info.type);
  const node: Mapping = { type };
  if (type === "keyword") {
    if (info.ignoreAbove !== undefined) node.ignore_above = info.ignoreAbove;
    if (info.normalizer !== undefined) node.normalizer = info.normalizer;
  }
  if (type === "text") {
    const analyzer = analyzerFor(info.name, info.analyzer);
    if (analyzer) node.analyzer = analyzer;
    const search = analyzerFor(info.name, info.searchAnalyzer);
    if (search) node.search_analyzer = search;
  }
  if ((type === "date" || type === "date_nanos") && info.format) node.format = info.format;
  if (type === "constant_keyword" && info.value !== undefined) node.value = info.value;
  if (type === "scaled_float") node.scaling_factor = info.scalingFactor ?? 1000;
  if (info.searchable === false) node.index = false;
  if (info.multiFields?.length) {
    const fields: Record<string, Mapping> = {};
    for (const m of info.multiFields) {
      const sub = m.name.startsWith(`${info.name}.`) ? m.name.slice(info.name.length + 1) : m.name;
      fields[sub] = { type: typeFor(m.name, m.type) };
    }
    node.fields = fields;
  }
  return node;
}

function matchMappingType(type: EsFieldType): string {
  if (["long", "integer", "short", "byte", "unsigned_long"].includes(type)) return "long";
  if (["double", "float", "half_float", "scaled_float"].includes(type)) return "double";
  if (type === "boolean") return "boolean";
  return "string";
}

/** The logs-* templates with the types the node lacks replaced. */
function substituteTemplates(
  templates: readonly Record<string, Mapping>[],
  typeFor: (field: string, type: EsFieldType) => string,
): Record<string, Mapping>[] {
  return templates.map((entry) => {
    const [name, template] = Object.entries(entry)[0]!;
    const mapping = { ...(template.mapping as Mapping) };
    const where = `dynamic template ${name}`;
    mapping.type = typeFor(where, mapping.type as string);
    if (mapping.type !== "scaled_float") delete mapping.scaling_factor;
    if (mapping.fields) {
      mapping.fields = Object.fromEntries(
        Object.entries(mapping.fields as Record<string, Mapping>).map(([k, v]) => [
          k,
          { ...v, type: typeFor(where, v.type as string) },
        ]),
      );
    }
    return { [name]: { ...template, mapping } };
  });
}

function dedupe(list: Substitution[]): Substitution[] {
  const seen = new Set<string>();
  return list.filter((s) => {
    const key = `${s.field}\0${s.from}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reads a "type does not exist" refusal: the missing field type, or an analyzer that is not configured. */
export function missingFromError(message: string): { type: string } | { analyzer: string } | undefined {
  const type =
    /mapper type \[([^\]]+)\] declared on field \[[^\]]*\] does not exist/.exec(message) ??
    /No handler for type \[([^\]]+)\] declared on field/.exec(message);
  if (type) return { type: type[1]! };
  const analyzer = /analyzer \[([^\]]+)\] (?:has not been configured|not found)/i.exec(message);
  if (analyzer) return { analyzer: analyzer[1]! };
  return undefined;
}

/** One line per substitution, as the run reports it. */
export function describeSubstitution(s: Substitution): string {
  const caveat = nearestType[s.from]?.caveat;
  return `${s.field}: ${s.from} mapped as ${s.to} (the node lacks ${s.from})${caveat ? `; ${caveat}` : ""}`;
}
