import type { FieldCatalog, FieldInfo } from "@dac/fields";
import type { DslField } from "./dsl.js";

const kibanaTypes: Record<string, string> = {
  keyword: "string",
  constant_keyword: "string",
  wildcard: "string",
  text: "string",
  match_only_text: "string",
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

function toDslField(field: FieldInfo): DslField {
  return {
    name: field.name,
    type: numeric.has(field.type) ? "number" : (kibanaTypes[field.type] ?? field.type),
    esTypes: [field.type],
    ...(field.nestedPath ? { subType: { nested: { path: field.nestedPath } } } : {}),
  };
}

/**
 * The data-view field list Kibana builds from an index's mapping (`fields` of `toDsl`), taken from a catalogue.
 * Since Kibana 8.15 the query rule executor loads the index's fields, so this is what makes `toDsl` produce
 * `term`/`wildcard` for keyword fields and ranges for dates, as the detection engine does.
 */
export function dslFieldsFromCatalog(catalog: FieldCatalog): DslField[] {
  return [...catalog.fields.values()].filter((f) => f.type !== "object").map(toDslField);
}
