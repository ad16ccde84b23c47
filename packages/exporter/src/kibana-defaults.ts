/**
 * What Kibana fills in when a field is absent (`RULE_DEFAULTS` in apply_rule_defaults.ts). The exporter
 * writes these out, so a payload means the same thing whatever the server's defaults; the importer removes
 * them again, so YAML only says what differs.
 */
export const kibanaDefaults: Readonly<Record<string, unknown>> = {
  enabled: false,
  interval: "5m",
  from: "now-6m",
  to: "now",
  max_signals: 100,
  risk_score_mapping: [],
  severity_mapping: [],
  exceptions_list: [],
  false_positives: [],
  references: [],
  threat: [],
  tags: [],
  author: [],
  actions: [],
  setup: "",
  related_integrations: [],
  required_fields: [],
};

/** Rule types whose `language` is KQL or Lucene and defaults to `kuery`. */
export const kqlFamilyTypes: ReadonlySet<string> = new Set([
  "query",
  "saved_query",
  "threshold",
  "threat_match",
  "new_terms",
]);

/** Defaults that depend on the rule type. */
export function typeDefaults(type: unknown): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  if (typeof type === "string" && kqlFamilyTypes.has(type)) defaults.language = "kuery";
  if (type === "query") defaults.query = "";
  return defaults;
}

/**
 * Fields only the server sets (ResponseFields, and the saved-object resolve fields): never published,
 * dropped when reading rules back.
 */
export const serverOnlyFields: readonly string[] = [
  "id",
  "immutable",
  "rule_source",
  "created_at",
  "created_by",
  "updated_at",
  "updated_by",
  "revision",
  "execution_summary",
  "outcome",
  "alias_target_id",
  "alias_purpose",
];

/** Deprecated fields the server reports with an empty value; an empty value means "not set". */
export const emptyMeansAbsent: Readonly<Record<string, unknown>> = { output_index: "" };

/**
 * Top-level key order of a payload: identity, query, scoring, schedule, description, the rest. Keys not
 * listed follow in alphabetical order; nested objects are sorted alphabetically.
 */
export const payloadKeyOrder: readonly string[] = [
  "rule_id",
  "name",
  "description",
  "type",
  "language",
  "query",
  "index",
  "data_view_id",
  "filters",
  "saved_id",
  "event_category_override",
  "tiebreaker_field",
  "timestamp_field",
  "threshold",
  "threat_query",
  "threat_mapping",
  "threat_index",
  "threat_filters",
  "threat_indicator_path",
  "threat_language",
  "concurrent_searches",
  "items_per_search",
  "anomaly_threshold",
  "machine_learning_job_id",
  "new_terms_fields",
  "history_window_start",
  "alert_suppression",
  "severity",
  "severity_mapping",
  "risk_score",
  "risk_score_mapping",
  "enabled",
  "interval",
  "from",
  "to",
  "max_signals",
  "timestamp_override",
  "timestamp_override_fallback_disabled",
  "version",
  "tags",
  "author",
  "license",
  "references",
  "false_positives",
  "threat",
  "note",
  "setup",
  "related_integrations",
  "required_fields",
  "rule_name_override",
  "building_block_type",
  "investigation_fields",
  "timeline_id",
  "timeline_title",
  "exceptions_list",
  "actions",
  "throttle",
  "response_actions",
  "meta",
  "namespace",
];
