/**
 * The compact catalogue format: what `dac fields import` and `dac fields pull` write and what validation loads,
 * a flat `{field: type}` object with the few attributes that change how a field is searched. Small and fast to
 * parse: a field that only has a type is a bare string.
 *
 * ```json
 * { "format": "dac-fields/1", "package": "okta", "source": "…", "keywordIgnoreAbove": 1024,
 *   "dataStreams": { "system": { "okta.actor.id": "keyword", "okta.request.ip_chain": { "type": "nested" } } } }
 * ```
 *
 * A bare `"keyword"` gets the file's `keywordIgnoreAbove` (Fleet's default of 1024 for fields.yml sources; absent
 * for `_field_caps`, which does not report it). Fields that ECS defines identically are left out: ECS is always
 * in the catalogue.
 */
import { ecsField } from "./catalog-ecs.js";
import type { EsFieldType, FieldInfo } from "./catalog-types.js";

export const COMPACT_FORMAT = "dac-fields/1";

/** A field's attributes besides its name, with the same names as `FieldInfo`. */
export interface CompactFieldObject {
  type: EsFieldType;
  ignoreAbove?: number | null;
  format?: string;
  sourcePath?: string;
  objectType?: EsFieldType;
  dynamic?: boolean;
  enabled?: boolean;
  searchable?: boolean;
  aggregatable?: boolean;
  esTypes?: Record<string, string[]>;
  value?: string;
  scalingFactor?: number;
  analyzer?: string;
  searchAnalyzer?: string;
  normalizer?: string;
}

export type CompactField = string | CompactFieldObject;
export type CompactFields = Record<string, CompactField>;

/** One catalogue file: a package's data streams, or (with no package) one set of fields in `fields`. */
export interface CompactCatalog {
  format: typeof COMPACT_FORMAT;
  /** Integration package name (`okta`); absent for user or cluster catalogues that apply to every rule. */
  package?: string;
  /** Where the definitions came from (a package folder, a cluster and index pattern). */
  source?: string;
  /** The ignore_above of a bare `"keyword"` entry. */
  keywordIgnoreAbove?: number;
  /** Per data stream (`system` for `okta.system`), its fields. */
  dataStreams?: Record<string, CompactFields>;
  /** A partial list (non-ECS fields that rules use): its fields do not make their objects' definitions complete. */
  partial?: boolean;
  /** When set, the catalogue applies to the rules whose index patterns match one of these (`winlogbeat-*`). */
  indexPatterns?: string[];
  /** Fields that apply whatever the data stream. */
  fields?: CompactFields;
}

const ATTRIBUTES = [
  "format",
  "sourcePath",
  "objectType",
  "dynamic",
  "enabled",
  "searchable",
  "aggregatable",
  "esTypes",
  "value",
  "scalingFactor",
  "analyzer",
  "searchAnalyzer",
  "normalizer",
] as const;

function sameAsEcs(info: FieldInfo): boolean {
  const ecs = ecsField(info.name);
  if (!ecs) return false;
  return (
    ecs.type === info.type &&
    ecs.ignoreAbove === info.ignoreAbove &&
    ATTRIBUTES.every((key) => ecs[key] === info[key])
  );
}

/**
 * Compacts converted field definitions (from `fieldsFromDocs`, `fieldsFromMappings`, …). Implicit parent objects
 * are left for the catalogue to add again; multi-fields are kept as entries of their own (`sourcePath` set).
 */
export function compactFields(fields: readonly FieldInfo[], keywordIgnoreAbove?: number): CompactFields {
  const out: CompactFields = {};
  for (const info of fields) {
    if (sameAsEcs(info)) continue;
    const isDefaultKeyword = info.type === "keyword" && info.ignoreAbove === keywordIgnoreAbove;
    const hasAttributes = ATTRIBUTES.some((key) => info[key] !== undefined);
    if (!hasAttributes && (isDefaultKeyword || (info.type !== "keyword" && info.ignoreAbove === undefined))) {
      // A plain object with nothing else to say is implied by its children.
      if (info.type === "object" && fields.some((f) => f.name.startsWith(`${info.name}.`))) continue;
      out[info.name] = info.type;
      continue;
    }
    const entry: CompactFieldObject = { type: info.type };
    if (info.type === "keyword" && info.ignoreAbove !== keywordIgnoreAbove)
      entry.ignoreAbove = info.ignoreAbove ?? null;
    else if (info.type !== "keyword" && info.ignoreAbove !== undefined) entry.ignoreAbove = info.ignoreAbove;
    for (const key of ATTRIBUTES) {
      const value = info[key];
      if (value !== undefined) (entry as unknown as Record<string, unknown>)[key] = value;
    }
    out[info.name] = entry;
  }
  return out;
}

/** Expands compact fields into `FieldInfo`s (multi-field lists rebuilt on their parents). */
export function fieldsFromCompact(
  fields: CompactFields,
  keywordIgnoreAbove?: number,
  origin?: string,
  partial?: boolean,
): FieldInfo[] {
  const out = new Map<string, FieldInfo>();
  for (const [name, raw] of Object.entries(fields)) {
    const info: FieldInfo =
      typeof raw === "string"
        ? { name, type: raw, source: "catalogue" }
        : { name, type: raw.type, source: "catalogue" };
    if (typeof raw === "string") {
      if (raw === "keyword" && keywordIgnoreAbove !== undefined) info.ignoreAbove = keywordIgnoreAbove;
    } else {
      if (typeof raw.ignoreAbove === "number") info.ignoreAbove = raw.ignoreAbove;
      else if (raw.ignoreAbove === undefined && raw.type === "keyword" && keywordIgnoreAbove !== undefined)
        info.ignoreAbove = keywordIgnoreAbove;
      for (const key of ATTRIBUTES) {
        const value = raw[key];
        if (value !== undefined) (info as unknown as Record<string, unknown>)[key] = value;
      }
    }
    if (origin !== undefined) info.origin = origin;
    if (partial) info.partial = true;
    out.set(name, info);
  }
  for (const info of out.values()) {
    const parent = info.sourcePath !== undefined ? out.get(info.sourcePath) : undefined;
    if (!parent || info.type === "alias" || !info.name.startsWith(`${parent.name}.`)) continue;
    const multi = parent.multiFields ? [...parent.multiFields] : [];
    multi.push({ name: info.name, type: info.type });
    out.set(parent.name, { ...parent, multiFields: multi });
  }
  return [...out.values()];
}

/** Whether a parsed JSON value is a compact catalogue. */
export function isCompactCatalog(value: unknown): value is CompactCatalog {
  return (
    typeof value === "object" && value !== null && (value as { format?: unknown }).format === COMPACT_FORMAT
  );
}
