import type { YamlSource } from "./yaml-source.js";

export interface ThreatEntry {
  framework: string;
  tactic: { id: string; name: string; reference: string };
  technique?: {
    id: string;
    name: string;
    reference: string;
    subtechnique?: { id: string; name: string; reference: string }[];
  }[];
}

export interface RuleMetadata {
  maturity: "development" | "production" | "deprecated";
  created: string;
  updated: string;
  integration: string | string[];
  /** The version the lock starts at for a new rule. */
  version?: number;
  tests?: { exempt?: string };
  /** Extra field types for this rule: name → Elasticsearch type. */
  fields?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * A rule as written in YAML: Kibana Detection Engine API field names plus repository-only `metadata`. Only the
 * fields dac reasons about are typed; the JSON Schema is the full definition.
 */
export interface RuleData {
  rule_id: string;
  name: string;
  description: string;
  type: string;
  language?: string;
  query?: string;
  index?: string[];
  data_view_id?: string;
  severity: "low" | "medium" | "high" | "critical";
  risk_score: number;
  interval?: string;
  from?: string;
  to?: string;
  tags?: string[];
  threat?: ThreatEntry[];
  related_integrations?: { package: string; version: string; integration?: string }[];
  required_fields?: { name: string; type: string }[];
  enabled?: boolean;
  metadata: RuleMetadata;
  [key: string]: unknown;
}

/** A rule file after loading: its data, and the YAML source every diagnostic points into. */
export interface Rule {
  /** Path of the YAML file, as given (relative paths stay relative). */
  file: string;
  source: YamlSource;
  data: RuleData;
  /** False when the file had schema errors: later stages should not trust its shape. */
  valid: boolean;
  /** What `LoadRulesOptions.extras` computed for the rule where it was checked, by name. */
  extras?: Record<string, unknown>;
}
