/**
 * What `_field_caps` says about an index: the data-view field list Kibana builds from it (which `toDsl` needs
 * to translate KQL as the detection engine does), and where the real mapping types a field differently from the
 * rule's field catalogue.
 */
import { resolveField } from "@dac/fields";
import type { DslField } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";

/** One type of a field in a `_field_caps` response. */
export interface FieldCapability {
  type: string;
  searchable?: boolean;
  aggregatable?: boolean;
  metadata_field?: boolean;
  /** The indices mapping the field with this type; present only when the indices disagree. */
  indices?: string[] | string;
  /** The indices where the field is not searchable, when only some are. */
  non_searchable_indices?: string[] | string | null;
  non_aggregatable_indices?: string[] | string | null;
}

export interface FieldCapsResponse {
  indices?: string[] | string;
  fields: Record<string, Record<string, FieldCapability>>;
}

const kibanaTypes: Record<string, string> = {
  keyword: "string",
  constant_keyword: "string",
  wildcard: "string",
  text: "string",
  match_only_text: "string",
  version: "string",
  flattened: "string",
  date: "date",
  date_nanos: "date",
  boolean: "boolean",
  ip: "ip",
  geo_point: "geo_point",
  nested: "nested",
};

const numeric = new Set([
  "long",
  "integer",
  "short",
  "byte",
  "double",
  "float",
  "half_float",
  "scaled_float",
  "unsigned_long",
]);

/** Kibana's name for an Elasticsearch type (`castEsToKbnFieldTypeName`): `keyword` and `text` are `string`. */
export function kibanaTypeOf(esType: string): string {
  return numeric.has(esType) ? "number" : (kibanaTypes[esType] ?? esType);
}

/**
 * A data view field's type: `conflict` only when the types differ for Kibana (`keyword` in one index and `text` in
 * another is a `string`), as in Kibana's `readFieldCapsResponse` (data_views/server/fetcher/lib/field_capabilities/
 * field_caps_response.ts).
 */
export function kibanaType(esTypes: readonly string[]): string {
  const kinds = new Set(esTypes.map(kibanaTypeOf));
  return kinds.size > 1 ? "conflict" : kibanaTypeOf(esTypes[0]!);
}

/** Kibana's data-view fields from `_field_caps` (objects and metadata fields left out), with nested paths. */
export function dslFieldsFromFieldCaps(caps: FieldCapsResponse): DslField[] {
  const types = (name: string) => Object.keys(caps.fields[name] ?? {}).filter((t) => t !== "unmapped");
  const nestedPaths = Object.keys(caps.fields).filter((n) => types(n).includes("nested"));
  const out: DslField[] = [];
  for (const name of Object.keys(caps.fields).sort()) {
    const esTypes = types(name);
    if (esTypes.length === 0 || esTypes.every((t) => t === "object" || t === "nested")) continue;
    if (Object.values(caps.fields[name]!).some((c) => c.metadata_field)) continue;
    const nested = nestedPaths.filter((p) => name.startsWith(`${p}.`)).sort((a, b) => b.length - a.length)[0];
    out.push({
      name,
      type: kibanaType(esTypes),
      esTypes,
      ...(nested ? { subType: { nested: { path: nested } } } : {}),
    });
  }
  return out;
}

export interface FieldTypeMismatch {
  field: string;
  /** What the rule's catalogue says. */
  catalogue: string;
  /** What the cluster maps, per type (several when indices disagree). */
  cluster: string[];
}

/** Types that search alike: a catalogue `keyword` met by `constant_keyword` or `wildcard` is not a problem. */
export const typeFamily: Readonly<Record<string, string>> = {
  keyword: "keyword",
  constant_keyword: "keyword",
  wildcard: "keyword",
  text: "text",
  match_only_text: "text",
  long: "number",
  integer: "number",
  short: "number",
  byte: "number",
  double: "number",
  float: "number",
  half_float: "number",
  scaled_float: "number",
  unsigned_long: "number",
  date: "date",
  date_nanos: "date",
};

/**
 * The fields a query names whose real type (from `_field_caps`) differs from the catalogue's, and those the
 * cluster does not map at all while the catalogue does.
 */
export function fieldTypeMismatches(
  catalog: FieldCatalog,
  caps: FieldCapsResponse,
  fields: readonly string[],
): FieldTypeMismatch[] {
  const out: FieldTypeMismatch[] = [];
  for (const field of new Set(fields)) {
    if (field.includes("*")) continue;
    const resolution = resolveField(catalog, field);
    const expected =
      resolution.kind === "mapped"
        ? resolution.info.type
        : resolution.kind === "policy"
          ? "keyword"
          : "unmapped";
    const real = Object.keys(caps.fields[field] ?? {}).filter((t) => t !== "unmapped");
    if (real.length === 0) {
      if (expected !== "unmapped") out.push({ field, catalogue: expected, cluster: ["unmapped"] });
      continue;
    }
    const same = real.every((t) => (typeFamily[t] ?? t) === (typeFamily[expected] ?? expected));
    if (!same) out.push({ field, catalogue: expected, cluster: real });
  }
  return out;
}
