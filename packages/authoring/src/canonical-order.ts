/**
 * The canonical key order of rule and fixture files, by position in the document: `""` is the top level,
 * `threat[]` an entry of the `threat` list, `threat[].tactic` the mapping under it. Keys a list does not name
 * keep their relative order after the named ones. `docs/authoring.md` documents the rule order; a test checks
 * that every property of `schemas/rule.schema.json` appears here.
 */
export type KeyOrder = Readonly<Record<string, readonly string[]>>;

/** Top level of a rule: identity, query, severity, scheduling, context, documentation, repository metadata. */
export const ruleTopLevelOrder = [
  // Identity: what the rule is.
  "rule_id",
  "name",
  "description",
  "type",
  "language",
  // Query: what it searches and how (type-specific settings next to the query they shape).
  "index",
  "data_view_id",
  "query",
  "filters",
  "saved_id",
  "event_category_override",
  "tiebreaker_field",
  "timestamp_field",
  "threshold",
  "new_terms_fields",
  "history_window_start",
  "threat_query",
  "threat_language",
  "threat_index",
  "threat_filters",
  "threat_mapping",
  "threat_indicator_path",
  "concurrent_searches",
  "items_per_search",
  "anomaly_threshold",
  "machine_learning_job_id",
  "alert_suppression",
  // Severity.
  "severity",
  "severity_mapping",
  "risk_score",
  "risk_score_mapping",
  // Scheduling.
  "enabled",
  "interval",
  "from",
  "to",
  "max_signals",
  "timestamp_override",
  "timestamp_override_fallback_disabled",
  // Context: classification, provenance, what the alert carries.
  "tags",
  "threat",
  "references",
  "author",
  "license",
  "false_positives",
  "building_block_type",
  "rule_name_override",
  "timeline_id",
  "timeline_title",
  "related_integrations",
  "required_fields",
  "investigation_fields",
  "exceptions_list",
  "actions",
  "throttle",
  "response_actions",
  "meta",
  "namespace",
  "output_index",
  // Documentation shown in Kibana.
  "note",
  "setup",
  // Repository only; never sent to Kibana.
  "metadata",
] as const;

export const ruleKeyOrder: KeyOrder = {
  "": ruleTopLevelOrder,
  "threat[]": ["framework", "tactic", "technique"],
  "threat[].tactic": ["id", "name", "reference"],
  "threat[].technique[]": ["id", "name", "reference", "subtechnique"],
  "threat[].technique[].subtechnique[]": ["id", "name", "reference"],
  threshold: ["field", "value", "cardinality"],
  "threshold.cardinality[]": ["field", "value"],
  alert_suppression: ["group_by", "duration", "missing_fields_strategy"],
  "alert_suppression.duration": ["value", "unit"],
  "related_integrations[]": ["package", "integration", "version"],
  "required_fields[]": ["name", "type"],
  "exceptions_list[]": ["id", "list_id", "type", "namespace_type"],
  metadata: [
    "maturity",
    "created",
    "updated",
    "integration",
    "version",
    "tests",
    "fields",
    "min_stack_version",
  ],
};

/** A fixture `cases.yaml`. Events are data pasted from Discover: their keys are never reordered. */
export const casesKeyOrder: KeyOrder = {
  "": ["fields", "cases"],
  "cases[]": [
    "name",
    "description",
    "expect",
    "earlier_executions",
    "by",
    "now",
    "alerts",
    "alert",
    "todo",
    "index",
    "fields",
    "indicators",
    "lookups",
    "events",
  ],
};
