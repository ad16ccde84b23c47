/**
 * Exception lists, items and value lists in Kibana's own shapes (the exception list and lists APIs), so that what
 * the repository holds is what publish sends. Only `file` and `rule_id` on a list, and `file` on a value list, are
 * the repository's: where the YAML lives, and the rule a rule-default list belongs to.
 */
import type { Diagnostic, YamlSource } from "@dac/schema";

export type EntryOperator = "included" | "excluded";

/** Kibana's value list types (`POST /api/lists`, `type`). */
export type ValueListType =
  | "binary"
  | "boolean"
  | "byte"
  | "date"
  | "date_nanos"
  | "date_range"
  | "double"
  | "double_range"
  | "float"
  | "float_range"
  | "geo_point"
  | "geo_shape"
  | "half_float"
  | "integer"
  | "integer_range"
  | "ip"
  | "ip_range"
  | "keyword"
  | "long"
  | "long_range"
  | "shape"
  | "short"
  | "text";

export const valueListTypes: readonly ValueListType[] = [
  "binary",
  "boolean",
  "byte",
  "date",
  "date_nanos",
  "date_range",
  "double",
  "double_range",
  "float",
  "float_range",
  "geo_point",
  "geo_shape",
  "half_float",
  "integer",
  "integer_range",
  "ip",
  "ip_range",
  "keyword",
  "long",
  "long_range",
  "shape",
  "short",
  "text",
];

export type OsType = "linux" | "macos" | "windows";

export type ExceptionEntry =
  | { type: "match"; field: string; operator: EntryOperator; value: string }
  | { type: "match_any"; field: string; operator: EntryOperator; value: string[] }
  | { type: "wildcard"; field: string; operator: EntryOperator; value: string }
  | { type: "exists"; field: string; operator: EntryOperator }
  | { type: "list"; field: string; operator: EntryOperator; list: { id: string; type: ValueListType } }
  | { type: "nested"; field: string; entries: ExceptionEntry[] /* match | match_any | exists */ };

export interface ExceptionItem {
  item_id: string;
  name: string;
  description: string;
  type: "simple";
  entries: ExceptionEntry[];
  comments?: { comment: string }[];
  /** ISO 8601; Kibana stops applying the item after it. */
  expire_time?: string;
  os_types?: OsType[];
  tags?: string[];
}

export type ExceptionListType = "detection" | "rule_default" | "endpoint";
export type NamespaceType = "single" | "agnostic";

export interface ExceptionList {
  list_id: string;
  name: string;
  description: string;
  type: ExceptionListType;
  namespace_type: NamespaceType;
  tags?: string[];
  os_types?: OsType[];
  items: ExceptionItem[];
  /** Repository-relative path of its YAML (forward slashes). */
  file: string;
  /** For a rule-default list kept next to its rule: that rule's `rule_id`. */
  rule_id?: string;
}

export interface ValueList {
  id: string;
  type: ValueListType;
  name: string;
  description: string;
  values: string[];
  /** Repository-relative path of its file (forward slashes). */
  file: string;
}

export interface ExceptionSet {
  lists: ExceptionList[];
  valueLists: ValueList[];
  diagnostics: Diagnostic[];
  /**
   * The parsed YAML of each list file, by `ExceptionList.file`, so that later checks (fields, expiry, the
   * harness) can point at an item or entry. Value lists have no YAML: their diagnostics point at lines.
   */
  sources: ReadonlyMap<string, YamlSource>;
}

/**
 * The exceptions that apply to one rule, as plain data (they cross into worker threads with the rule): the items
 * of every list it attaches, with the list each came from, and the value lists their `list` entries name.
 */
export interface RuleExceptions {
  items: RuleExceptionItem[];
  valueLists: Record<string, ValueList>;
}

export interface RuleExceptionItem {
  item: ExceptionItem;
  list_id: string;
  /** Where the item is written, for reports (`exceptions/k8s.yaml:12:5`). */
  location: { file: string; line: number; column: number };
}
