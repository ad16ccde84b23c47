/** A rule as loaded from YAML: Kibana API field names plus repository-only `metadata`. */
export interface RuleData {
  rule_id?: string;
  name?: string;
  type?: string;
  language?: string;
  query?: string;
  tags?: string[];
  metadata?: { version?: number; [key: string]: unknown };
  [field: string]: unknown;
}

/** What the exporter needs of a loaded rule: its data and the file it came from. */
export interface RuleSource {
  file: string;
  data: RuleData;
}

/** The body sent to Kibana (and written to ndjson): a rule create body with `version`. */
export interface KibanaPayload {
  rule_id: string;
  name: string;
  type: string;
  version: number;
  tags: string[];
  [field: string]: unknown;
}

export interface RequiredField {
  name: string;
  type: string;
}

/**
 * The fields a query uses, with their Elasticsearch types (from the field catalogue). Injected so that the
 * exporter does not depend on how catalogues are built; `rule` lets it pick the rule's own catalogue.
 */
export type RequiredFieldsFn = (query: string, language: string, rule: RuleData) => RequiredField[];

/** A rule as Kibana returns it (RuleResponse): a payload plus server-side fields. */
export interface RemoteRule {
  id: string;
  rule_id: string;
  name: string;
  version: number;
  tags?: string[];
  immutable?: boolean;
  rule_source?: { type?: string; [key: string]: unknown };
  revision?: number;
  [field: string]: unknown;
}

/** A per-rule failure, reported without stopping the other rules. */
export interface RuleError {
  rule_id: string;
  file?: string;
  message: string;
}
