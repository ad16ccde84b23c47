/**
 * Field files in the shape of Elastic integrations' `fields.yml`: a list of `{name, type, fields, ...}` where
 * `type: group` nests its `fields` under its name, names may be dotted, `external: ecs` borrows the ECS
 * definition, and `type: object` with `object_type` declares a dynamic template for the object's children.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ecsField } from "./catalog-ecs.js";
import type { EsFieldType, FieldInfo } from "./catalog-types.js";

/** A field file or mapping that cannot be read. */
export class FieldCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FieldCatalogError";
  }
}

/** Fleet's template generator gives keyword fields `ignore_above: 1024` unless the file sets one. */
const FLEET_DEFAULT_IGNORE_ABOVE = 1024;

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function convert(def: Raw, prefix: string, out: FieldInfo[], where: string, notes?: string[]): void {
  if (typeof def.name !== "string" || def.name === "") {
    throw new FieldCatalogError(`${where}: a field has no name`);
  }
  const name = prefix === "" ? def.name : `${prefix}.${def.name}`;
  const ecs = def.external === "ecs" ? ecsField(name) : undefined;
  if (def.external === "ecs" && !ecs) {
    const message = `${where}: \`${name}\` is declared external: ecs but is not an ECS field`;
    if (!notes) throw new FieldCatalogError(message);
    // Tolerant mode (`dac fields import`): a newer ECS than @elastic/ecs; keep the type the file gives, if any.
    if (typeof def.type !== "string") {
      notes.push(`${message} of this ECS version; left out`);
      return;
    }
    notes.push(`${message} of this ECS version; typed ${def.type} as the file says`);
  }
  if (ecs) {
    out.push({ ...ecs, source: "fields-file" });
    for (const m of ecs.multiFields ?? [])
      out.push({ name: m.name, type: m.type, sourcePath: name, source: "fields-file" });
    return;
  }
  const type = typeof def.type === "string" ? def.type : "keyword";
  if (
    type === "group" ||
    (type === "nested" && Array.isArray(def.fields)) ||
    (type === "object" && !def.object_type)
  ) {
    const container: FieldInfo = {
      name,
      type: type === "nested" ? "nested" : "object",
      source: "fields-file",
    };
    if (typeof def.dynamic === "boolean") container.dynamic = def.dynamic;
    if (def.enabled === false) container.enabled = false;
    out.push(container);
    const children = def.fields ?? [];
    if (!Array.isArray(children)) throw new FieldCatalogError(`${where}: \`${name}\`: fields must be a list`);
    for (const child of children) {
      if (!isRecord(child)) throw new FieldCatalogError(`${where}: \`${name}\`: a field must be a mapping`);
      convert(child, name, out, where, notes);
    }
    return;
  }
  if (type === "object") {
    // `extra.*` with object_type: a dynamic template for the children of `extra`.
    const objectName = name.endsWith(".*") ? name.slice(0, -2) : name;
    out.push({
      name: objectName,
      type: "object",
      objectType: def.object_type as EsFieldType,
      source: "fields-file",
    });
    return;
  }
  const info: FieldInfo = { name, type: type as EsFieldType, source: "fields-file" };
  if (type === "nested" && typeof def.dynamic === "boolean") info.dynamic = def.dynamic;
  if (typeof def.ignore_above === "number") info.ignoreAbove = def.ignore_above;
  else if (type === "keyword") info.ignoreAbove = FLEET_DEFAULT_IGNORE_ABOVE;
  if (typeof def.date_format === "string") info.format = def.date_format;
  if (typeof def.value === "string") info.value = def.value;
  if (typeof def.scaling_factor === "number") info.scalingFactor = def.scaling_factor;
  if (typeof def.analyzer === "string") info.analyzer = def.analyzer;
  if (typeof def.search_analyzer === "string") info.searchAnalyzer = def.search_analyzer;
  if (typeof def.normalizer === "string") info.normalizer = def.normalizer;
  if (type === "alias" && typeof def.path === "string") info.sourcePath = def.path;
  if (def.index === false && def.doc_values === false) info.searchable = false;
  const multi = Array.isArray(def.multi_fields) ? def.multi_fields.filter(isRecord) : [];
  if (multi.length > 0) {
    info.multiFields = multi.map((m) => ({
      name: `${name}.${String(m.name)}`,
      type: String(m.type ?? "keyword"),
    }));
  }
  out.push(info);
  for (const m of info.multiFields ?? [])
    out.push({ name: m.name, type: m.type, sourcePath: name, source: "fields-file" });
}

/**
 * Converts already-parsed fields.yml documents (each a list of field definitions). With `notes`, an
 * `external: ecs` field that this ECS version lacks is noted there instead of failing the conversion.
 */
export function fieldsFromDocs(
  docs: readonly unknown[],
  where = "field document",
  notes?: string[],
): FieldInfo[] {
  const out: FieldInfo[] = [];
  for (const doc of docs) {
    if (doc === null || doc === undefined) continue;
    if (!Array.isArray(doc))
      throw new FieldCatalogError(`${where}: a fields.yml document must be a list of fields`);
    for (const def of doc) {
      if (!isRecord(def)) throw new FieldCatalogError(`${where}: a field must be a mapping`);
      convert(def, "", out, where, notes);
    }
  }
  return out;
}

function yamlFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new FieldCatalogError(`field file or directory not found: ${path}`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = join(path, entry.name);
      if (entry.isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(entry.name) ? [full] : [];
    });
}

/** Converted field files by path; reused while the file's size and modification time stay the same. */
const fileCache = new Map<string, { mtimeMs: number; size: number; fields: FieldInfo[] }>();

function fieldsFromFile(file: string): FieldInfo[] {
  const stat = statSync(file);
  const cached = fileCache.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.fields;
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new FieldCatalogError(`${file}: ${(error as Error).message}`);
  }
  const fields = fieldsFromDocs([doc], file);
  fileCache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, fields });
  return fields;
}

/** Reads fields.yml files (or every .yml/.yaml under directories) and converts them. */
export function fieldsFromFiles(paths: readonly string[]): FieldInfo[] {
  return paths.flatMap(yamlFiles).flatMap(fieldsFromFile);
}
