/**
 * `dac fields pull`: a cluster's real field definitions as a compact catalogue (dac-fields/1).
 *
 * Types come from `_field_caps`, which is how Kibana's data views type fields (`readFieldCapsResponse` in
 * data_views/server/fetcher/lib/field_capabilities/field_caps_response.ts: `fields: '*'`, metadata fields marked
 * `metadata_field`, a field searchable or aggregatable when any index says so, a sub-field of a non-object field a
 * multi-field). What `_field_caps` does not say (an alias's target, `ignore_above`, date formats, normalizers,
 * objects with `enabled: false`) comes from `GET _mapping` when every index that maps the field agrees.
 *
 * Where the indices disagree on a field's type the catalogue records it: `esTypes` holds each type and its indices
 * (Kibana's `conflictDescriptions`), and `type` is `conflict` unless all the types search alike (`long`/`integer`,
 * `date`/`date_nanos`, `keyword`/`constant_keyword`), when it is the family's type.
 */
import type { Client } from "@elastic/elasticsearch";
import { COMPACT_FORMAT, compactFields, fieldsFromMappings } from "@dac/fields";
import type { CompactCatalog, FieldInfo } from "@dac/fields";
import { describeError, ElasticsearchError, esEnv } from "./connection.js";
import { kibanaType, typeFamily } from "./field-caps.js";
import type { FieldCapability, FieldCapsResponse } from "./field-caps.js";

export interface PulledConflict {
  field: string;
  /** What the catalogue records: `conflict`, or the family's type. */
  type: string;
  /** Kibana's data view type (`conflict` when the Kibana types differ). */
  kibanaType: string;
  /** Each Elasticsearch type and the indices that map the field so. */
  esTypes: Record<string, string[]>;
}

export interface PulledFields {
  catalog: CompactCatalog;
  /** The indices the patterns matched. */
  indices: string[];
  /** Fields in the catalogue (ECS fields the cluster maps as ECS does are left out: ECS is always there). */
  fields: number;
  /** Fields the cluster maps (metadata fields left out), before leaving out those identical to ECS. */
  mapped: number;
  conflicts: PulledConflict[];
  /** Fields some matched indices do not map: they match nothing there. */
  partlyUnmapped: { field: string; unmappedIn: string[] }[];
  /** Fields no index can search (no index and no doc values). */
  unsearchable: string[];
  /** What was left out or could not be decided, one line each. */
  notes: string[];
}

export interface PullOptions {
  /** The catalogue's `source` text. */
  source: string;
  /** The index patterns pulled: the catalogue applies to the rules whose index patterns overlap them. */
  indexPatterns: readonly string[];
}

function asList(value: string[] | string | null | undefined): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Types that a field_caps `aggregatable: false` says nothing unusual about. */
const neverAggregatable = new Set(["text", "match_only_text", "annotated_text", "object", "nested"]);
const floating = new Set(["double", "float", "half_float", "scaled_float"]);

/** The catalogue type for several types that search alike; undefined when they do not. */
function familyType(types: readonly string[]): string | undefined {
  const families = new Set(types.map((t) => typeFamily[t] ?? t));
  if (families.size !== 1) return undefined;
  const family = [...families][0]!;
  switch (family) {
    case "keyword":
      return "keyword";
    case "text":
      return "text";
    case "date":
      return "date";
    case "number":
      return types.some((t) => floating.has(t)) ? "double" : "long";
    default:
      return undefined;
  }
}

/** Mapping attributes `_field_caps` does not report, taken when every index mapping the field agrees. */
const mappingAttributes = [
  "ignoreAbove",
  "format",
  "normalizer",
  "analyzer",
  "searchAnalyzer",
  "value",
  "scalingFactor",
  "dynamic",
  "enabled",
  "objectType",
] as const;

/** Per field, per index, what the index's mapping says. */
function mappingsByField(body: unknown, notes: string[]): Map<string, Map<string, FieldInfo>> {
  const out = new Map<string, Map<string, FieldInfo>>();
  if (typeof body !== "object" || body === null) return out;
  for (const [index, value] of Object.entries(body as Record<string, unknown>)) {
    const mappings = (value as { mappings?: Record<string, unknown> } | null)?.mappings;
    if (!mappings) continue;
    const converted = fieldsFromMappings([{ mappings }]);
    if (converted.dynamicFalse)
      notes.push(`${index}: its mapping sets dynamic: false, so fields it does not map are not searchable`);
    for (const info of converted.fields) {
      let perIndex = out.get(info.name);
      if (!perIndex) out.set(info.name, (perIndex = new Map()));
      perIndex.set(index, info);
    }
  }
  return out;
}

function same(values: readonly unknown[]): boolean {
  const first = JSON.stringify(values[0]);
  return values.every((v) => JSON.stringify(v) === first);
}

/** Builds the catalogue from a `_field_caps` response (`include_unmapped: true`) and the `GET _mapping` body. */
export function catalogFromFieldCaps(
  caps: FieldCapsResponse,
  mappingBody: unknown,
  options: PullOptions,
): PulledFields {
  const indices = asList(caps.indices);
  const notes: string[] = [];
  const byField = mappingsByField(mappingBody, notes);
  const conflicts: PulledConflict[] = [];
  const partlyUnmapped: PulledFields["partlyUnmapped"] = [];
  const unsearchable: string[] = [];
  const infos: FieldInfo[] = [];
  const names = Object.keys(caps.fields).sort();
  const typeOf = new Map<string, string>();
  for (const name of names) {
    const entries = caps.fields[name]!;
    if (Object.values(entries).some((c) => c.metadata_field)) continue;
    const mappedTypes = Object.keys(entries)
      .filter((t) => t !== "unmapped")
      .sort();
    if (mappedTypes.length === 0) continue;
    typeOf.set(name, mappedTypes.length === 1 ? mappedTypes[0]! : "conflict");
  }
  for (const name of names) {
    const entries = caps.fields[name]!;
    if (!typeOf.has(name)) continue;
    const mappedTypes = Object.keys(entries)
      .filter((t) => t !== "unmapped")
      .sort();
    const capabilities = mappedTypes.map((t) => entries[t]!);
    const container = mappedTypes.every((t) => t === "object" || t === "nested");
    let type = mappedTypes[0]!;
    const info: FieldInfo = { name, type, source: "mapping" };
    if (mappedTypes.length > 1) {
      const esTypes: Record<string, string[]> = {};
      for (const t of mappedTypes) esTypes[t] = asList(entries[t]!.indices).sort();
      type = familyType(mappedTypes) ?? "conflict";
      info.type = type;
      info.esTypes = esTypes;
      conflicts.push({ field: name, type, kibanaType: kibanaType(mappedTypes), esTypes });
    }
    const unmappedIn = asList(entries.unmapped?.indices).sort();
    if (unmappedIn.length > 0 && !container) partlyUnmapped.push({ field: name, unmappedIn });
    // As Kibana: searchable (aggregatable) when some index can search (aggregate) it.
    const some = (key: "searchable" | "aggregatable", partial: keyof FieldCapability) =>
      capabilities.some((c) => c[key] === true || asList(c[partial] as string[] | undefined).length > 0);
    if (!container && !some("searchable", "non_searchable_indices")) {
      info.searchable = false;
      unsearchable.push(name);
    } else {
      const notIn = capabilities.flatMap((c) => asList(c.non_searchable_indices));
      if (notIn.length > 0)
        notes.push(
          `\`${name}\` is not searchable in ${notIn.length} index(es) (${notIn.slice(0, 3).join(", ")}${notIn.length > 3 ? ", …" : ""}); recorded as searchable, as Kibana's data view does`,
        );
    }
    if (
      !container &&
      type !== "conflict" &&
      !neverAggregatable.has(type) &&
      !some("aggregatable", "non_aggregatable_indices")
    )
      info.aggregatable = false;
    // The mapping: aliases (field_caps reports the target's type), multi-field parents, what field_caps omits.
    const mapped = [...(byField.get(name)?.values() ?? [])];
    if (mapped.length > 0 && type !== "conflict") {
      if (mapped.every((m) => m.type === "alias") && same(mapped.map((m) => m.sourcePath))) {
        info.type = "alias";
        info.sourcePath = mapped[0]!.sourcePath!;
        delete info.aggregatable;
        delete info.searchable;
      } else if (mapped.some((m) => m.type === "alias")) {
        notes.push(`\`${name}\` is an alias in some indices and a field in others; recorded as ${type}`);
      } else {
        if (same(mapped.map((m) => m.sourcePath)) && mapped[0]!.sourcePath !== undefined)
          info.sourcePath = mapped[0]!.sourcePath;
        for (const key of mappingAttributes) {
          const values = mapped.map((m) => m[key]);
          if (values.every((v) => v === undefined)) continue;
          if (same(values)) (info as unknown as Record<string, unknown>)[key] = values[0];
          else notes.push(`\`${name}\`: the indices disagree on ${key}; left out`);
        }
      }
    }
    if (info.sourcePath === undefined && info.type !== "alias") {
      // Kibana's rule without a mapping: a sub-field whose nearest listed parent is not an object is a multi-field.
      const dot = name.lastIndexOf(".");
      const parent = dot > 0 ? name.slice(0, dot) : undefined;
      const parentType = parent !== undefined ? typeOf.get(parent) : undefined;
      if (
        parent !== undefined &&
        parentType !== undefined &&
        parentType !== "object" &&
        parentType !== "nested"
      )
        info.sourcePath = parent;
    }
    infos.push(info);
  }
  // Objects with `enabled: false` hold no searchable field, so `_field_caps` does not list them.
  for (const [name, perIndex] of byField) {
    if (typeOf.has(name)) continue;
    const disabled = [...perIndex.values()].filter((i) => i.enabled === false);
    if (disabled.length === 0) continue;
    if (infos.some((i) => name.startsWith(`${i.name}.`) && i.enabled === false)) continue;
    infos.push({ name, type: disabled[0]!.type, enabled: false, source: "mapping" });
    if (disabled.length < perIndex.size)
      notes.push(`\`${name}\` has enabled: false in some indices only; recorded as disabled`);
  }
  infos.sort((a, b) => a.name.localeCompare(b.name));
  // The most common keyword ignore_above becomes the file's default, so most keyword entries stay bare strings.
  const counts = new Map<number, number>();
  for (const i of infos)
    if (i.type === "keyword" && i.ignoreAbove !== undefined)
      counts.set(i.ignoreAbove, (counts.get(i.ignoreAbove) ?? 0) + 1);
  const keywordIgnoreAbove = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  const fields = compactFields(infos, keywordIgnoreAbove);
  const catalog: CompactCatalog = {
    format: COMPACT_FORMAT,
    source: options.source,
    indexPatterns: [...options.indexPatterns],
    ...(keywordIgnoreAbove !== undefined ? { keywordIgnoreAbove } : {}),
    fields,
  };
  return {
    catalog,
    indices,
    fields: Object.keys(fields).length,
    mapped: infos.length,
    conflicts,
    partlyUnmapped,
    unsearchable,
    notes,
  };
}

/**
 * Reads `_field_caps` and `_mapping` of the index patterns (read-only) and builds the catalogue. Throws an
 * `ElasticsearchError` (no secret in it) when a request fails or the patterns match no index.
 */
export async function pullFields(
  client: Client,
  options: PullOptions & { url: string; redact?: (text: string) => string },
): Promise<PulledFields> {
  const index = [...options.indexPatterns];
  const redact = options.redact ?? ((t: string) => t);
  const fail = (what: string, error: unknown): never => {
    const status = (error as { meta?: { statusCode?: number } }).meta?.statusCode;
    if (status === 401)
      throw new ElasticsearchError(
        `Elasticsearch at ${options.url} refused the credentials (${describeError(error, redact)}); check ${esEnv.apiKey} or ${esEnv.username}/${esEnv.password}`,
      );
    if (status === 403)
      throw new ElasticsearchError(
        `Elasticsearch at ${options.url} does not allow ${what} on ${index.join(",")} (${describeError(error, redact)}); the user needs the view_index_metadata privilege on those indices`,
      );
    throw new ElasticsearchError(
      `${what} on ${index.join(",")} at ${options.url} failed: ${describeError(error, redact)}`,
    );
  };
  // As Kibana's data views (`fields: '*'`, `ignore_unavailable`), plus the unmapped entries, so that a field
  // some indices lack is known.
  const caps = (await client
    .fieldCaps({
      index,
      fields: "*",
      include_unmapped: true,
      ignore_unavailable: true,
      allow_no_indices: true,
    })
    .catch((e: unknown) => fail("_field_caps", e))) as unknown as FieldCapsResponse;
  if (asList(caps.indices).length === 0)
    throw new ElasticsearchError(`no index at ${options.url} matches ${index.join(", ")}`);
  const mapping = await client.indices
    .getMapping({ index, ignore_unavailable: true, allow_no_indices: true })
    .catch((e: unknown) => fail("GET _mapping", e));
  return catalogFromFieldCaps(caps, mapping, options);
}
