/**
 * The field catalogue: what Elasticsearch knows about each field of the indices a rule searches. Plain data,
 * built by `fieldCatalog()`; the evaluator, the validator and the exporter all read it.
 */

/** Elasticsearch field types the engine distinguishes. Anything else is carried as its ES name. */
export type EsFieldType =
  | "keyword"
  | "constant_keyword"
  | "wildcard"
  | "text"
  | "match_only_text"
  | "long"
  | "integer"
  | "short"
  | "byte"
  | "double"
  | "float"
  | "half_float"
  | "scaled_float"
  | "unsigned_long"
  | "date"
  | "date_nanos"
  | "boolean"
  | "ip"
  | "flattened"
  | "nested"
  | "object"
  | "geo_point"
  | (string & {});

export interface FieldInfo {
  /** Full dotted name, e.g. `kubernetes.audit.user.username`. */
  name: string;
  type: EsFieldType;
  /** Keyword values longer than this are not indexed and match nothing. */
  ignoreAbove?: number;
  /** Date formats from the mapping (`strict_date_optional_time||epoch_millis` when absent). */
  format?: string;
  /** Multi-fields, e.g. `process.name.text` (type `match_only_text`). Also catalogued under their full name. */
  multiFields?: { name: string; type: EsFieldType }[];
  /** Set when the field lies inside a `nested` object: the nested path. */
  nestedPath?: string;
  /** Where the definition came from. */
  source: "ecs" | "fields-file" | "mapping" | "override";
}

/**
 * How to treat a field the catalogue does not know:
 * - `keyword`: searchable as keyword (modern `logs-*` data streams map unknown strings through `ecs@mappings`);
 * - `unmapped`: not searchable at all, `exists` included (`dynamic: false` mappings, as in the Kubernetes integration).
 */
export type UnknownFieldPolicy = "keyword" | "unmapped";

export interface FieldCatalog {
  fields: ReadonlyMap<string, FieldInfo>;
  unknownFields: UnknownFieldPolicy;
}
