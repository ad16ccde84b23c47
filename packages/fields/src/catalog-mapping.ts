/** Elasticsearch mappings: a `GET <index>/_mapping` body, a `{mappings: …}` object or a bare `{properties: …}`. */
import { FieldCatalogError } from "./catalog-fields-file.js";
import type { EsFieldType, FieldInfo } from "./catalog-types.js";

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface MappingFields {
  fields: FieldInfo[];
  /** The root `dynamic` setting when one of the mappings sets it to false (or "false"). */
  dynamicFalse: boolean;
}

function dynamicOf(value: unknown): boolean | undefined {
  if (value === false || value === "false") return false;
  if (value === true || value === "true") return true;
  return undefined;
}

function convertProperties(properties: Raw, prefix: string, out: FieldInfo[]): void {
  for (const [key, raw] of Object.entries(properties)) {
    if (!isRecord(raw)) continue;
    const name = prefix === "" ? key : `${prefix}.${key}`;
    const type = typeof raw.type === "string" ? raw.type : "object";
    if (type === "object" || type === "nested") {
      const info: FieldInfo = { name, type, source: "mapping" };
      const dynamic = dynamicOf(raw.dynamic);
      if (dynamic !== undefined) info.dynamic = dynamic;
      if (raw.enabled === false) info.enabled = false;
      out.push(info);
      if (isRecord(raw.properties)) convertProperties(raw.properties, name, out);
      continue;
    }
    const info: FieldInfo = { name, type: type as EsFieldType, source: "mapping" };
    if (typeof raw.ignore_above === "number") info.ignoreAbove = raw.ignore_above;
    if (typeof raw.format === "string") info.format = raw.format;
    if (typeof raw.value === "string") info.value = raw.value;
    if (typeof raw.scaling_factor === "number") info.scalingFactor = raw.scaling_factor;
    if (typeof raw.analyzer === "string") info.analyzer = raw.analyzer;
    if (typeof raw.search_analyzer === "string") info.searchAnalyzer = raw.search_analyzer;
    if (typeof raw.normalizer === "string") info.normalizer = raw.normalizer;
    if (type === "alias" && typeof raw.path === "string") info.sourcePath = raw.path;
    if (raw.index === false && raw.doc_values === false) info.searchable = false;
    const multi = isRecord(raw.fields) ? Object.entries(raw.fields).filter(([, v]) => isRecord(v)) : [];
    if (multi.length > 0) {
      info.multiFields = multi.map(([sub, def]) => ({
        name: `${name}.${sub}`,
        type: String((def as Raw).type ?? "object"),
      }));
    }
    out.push(info);
    for (const [sub, def] of multi) {
      const child: FieldInfo = {
        name: `${name}.${sub}`,
        type: String((def as Raw).type),
        sourcePath: name,
        source: "mapping",
      };
      if (typeof (def as Raw).ignore_above === "number")
        child.ignoreAbove = (def as Raw).ignore_above as number;
      if (typeof (def as Raw).analyzer === "string") child.analyzer = (def as Raw).analyzer as string;
      out.push(child);
    }
  }
}

/** `path_match: "a.b.*"` dynamic templates with a concrete mapping type become object_type objects. */
function convertDynamicTemplates(templates: unknown, out: FieldInfo[]): void {
  if (!Array.isArray(templates)) return;
  for (const entry of templates) {
    if (!isRecord(entry)) continue;
    for (const template of Object.values(entry)) {
      if (!isRecord(template) || !isRecord(template.mapping)) continue;
      const pathMatch = template.path_match;
      const type = template.mapping.type;
      if (typeof pathMatch !== "string" || typeof type !== "string" || type.includes("{")) continue;
      if (!/^[^*]+\.\*$/.test(pathMatch)) continue;
      out.push({ name: pathMatch.slice(0, -2), type: "object", objectType: type, source: "mapping" });
    }
  }
}

function mappingsOf(body: Raw): Raw[] {
  if (isRecord(body.properties) || Array.isArray(body.dynamic_templates)) return [body];
  if (isRecord(body.mappings)) return [body.mappings];
  const perIndex = Object.values(body).filter((v): v is Raw => isRecord(v) && isRecord(v.mappings));
  if (perIndex.length > 0) return perIndex.map((v) => v.mappings as Raw);
  throw new FieldCatalogError("a mapping must be a GET _mapping body, {mappings: …} or {properties: …}");
}

export function fieldsFromMappings(bodies: readonly unknown[]): MappingFields {
  const fields: FieldInfo[] = [];
  let dynamicFalse = false;
  for (const body of bodies) {
    if (!isRecord(body)) throw new FieldCatalogError("a mapping must be a JSON object");
    for (const mappings of mappingsOf(body)) {
      if (dynamicOf(mappings.dynamic) === false) dynamicFalse = true;
      convertDynamicTemplates(mappings.dynamic_templates, fields);
      if (isRecord(mappings.properties)) convertProperties(mappings.properties, "", fields);
    }
  }
  return { fields, dynamicFalse };
}
