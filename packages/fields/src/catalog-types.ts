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
  /**
   * Where the definition came from. `catalogue` is a compact catalogue file (`dac fields import`/`pull`). `dynamic` marks an entry that `lookupField` synthesised: a key inside a
   * `flattened` field, a child of an object with a dynamic template (`object_type`), or an unknown field under the
   * `keyword` policy.
   */
  source: "ecs" | "fields-file" | "mapping" | "override" | "dynamic" | "catalogue";
  /**
   * From a partial list (such as the non-ECS fields Elastic's rules use): it does not make the definitions of its
   * parent objects complete, so a sibling it lacks is "not known" rather than "not there".
   */
  partial?: boolean;
  /** Which file, package or cluster the definition came from, when known (for `dac fields show`). */
  origin?: string;
  /** Document path the field reads its values from when it is not `name`: a multi-field's parent, an alias's target. */
  sourcePath?: string;
  /** For an `object` with a dynamic template (`object_type` in fields.yml): the type its unknown children get. */
  objectType?: EsFieldType;
  /** For an `object`/`nested`: whether unknown children are mapped dynamically (`dynamic: true`) or not (`false`). */
  dynamic?: boolean;
  /** `false` for an object with `enabled: false`: nothing below it is indexed. */
  enabled?: boolean;
  /** `false` when the field has neither an index nor doc values: Elasticsearch refuses to search it. */
  searchable?: boolean;
  /** `false` when a cluster reports the field cannot be aggregated on (no doc values): no terms, no threshold. */
  aggregatable?: boolean;
  /**
   * From a cluster whose indices map the field differently (`dac fields pull`): each Elasticsearch type and the
   * indices that map it so, as Kibana's data views keep them (`conflictDescriptions`). `type` is then `conflict`,
   * or one type of the family when they all search alike (`long` and `integer`, `date` and `date_nanos`).
   */
  esTypes?: Record<string, string[]>;
  /** For a key inside a `flattened` field (`labels.env`): the flattened field's name. */
  flattenedKeyOf?: string;
  /** `constant_keyword`: the value every document of the index has, when the mapping fixes it. */
  value?: string;
  /** `scaled_float`: the scaling factor. */
  scalingFactor?: number;
  /** Text analysis settings from a mapping, when not the default `standard` analyzer. */
  analyzer?: string;
  searchAnalyzer?: string;
  /** keyword `normalizer` from a mapping. */
  normalizer?: string;
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
