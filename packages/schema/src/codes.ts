import type { Severity } from "./diagnostic.js";

/**
 * Every diagnostic code dac emits, in one table: the reporters (SARIF rule metadata, docs) read it, and a code
 * never changes meaning once published.
 */
export interface CodeInfo {
  code: string;
  name: string;
  severity: Severity;
  summary: string;
}

const table: [code: string, name: string, severity: Severity, summary: string][] = [
  ["DAC001", "yaml-syntax", "error", "The file is not valid YAML."],
  ["DAC002", "duplicate-key", "error", "A mapping has the same key twice."],
  ["DAC003", "multiple-documents", "error", "A rule file holds more than one YAML document."],
  ["DAC004", "alias-bomb", "error", "Alias expansion exceeds the limit (a resource-exhaustion pattern)."],
  ["DAC005", "not-utf8", "error", "The file is not valid UTF-8."],
  ["DAC006", "file-too-large", "error", "The file is larger than the configured limit."],
  ["DAC007", "empty-file", "error", "The file holds no YAML content."],
  ["DAC008", "not-a-mapping", "error", "The top level of the file is not a mapping."],
  ["DAC009", "unreadable-file", "error", "The file cannot be read."],
  [
    "DAC010",
    "missing-schema-header",
    "warning",
    "The file does not start with the yaml-language-server schema header.",
  ],
  [
    "DAC011",
    "skipped-link",
    "warning",
    "A symbolic link to a folder, which folder walks do not follow (a link can loop).",
  ],
  [
    "DAC012",
    "yaml-merge-key",
    "error",
    "A YAML merge key (`<<`): YAML 1.2 reads it as an ordinary key, so dac refuses it rather than guess.",
  ],
  ["DAC101", "unknown-key", "error", "A key that the rule format does not define."],
  ["DAC102", "wrong-type", "error", "A value has the wrong type."],
  ["DAC103", "missing-key", "error", "A required key is missing."],
  ["DAC104", "invalid-value", "error", "A value is not one of the allowed values."],
  ["DAC105", "invalid-format", "error", "A value does not have the required format."],
  ["DAC106", "out-of-range", "error", "A value, string or list is too small, too large, or repeats items."],
  ["DAC107", "unknown-rule-type", "error", "The rule `type` is missing or not a Kibana rule type."],
  ["DAC199", "schema-violation", "error", "The rule does not match the rule schema."],
  ["DAC201", "rule-id-not-uuid", "error", "`rule_id` is not a UUID."],
  ["DAC202", "duplicate-rule-id", "error", "Two rules share a `rule_id`."],
  ["DAC203", "duplicate-name", "error", "Two rules share a `name`."],
  ["DAC204", "risk-score-band", "error", "`risk_score` lies outside the band of the rule's `severity`."],
  ["DAC205", "invalid-schedule", "error", "`interval`, `from` or `to` is not valid, or they leave gaps."],
  ["DAC206", "missing-index", "error", "The rule type needs index patterns (or a data view) and has none."],
  ["DAC207", "duplicate-tag", "error", "A tag is listed twice."],
  [
    "DAC208",
    "prebuilt-rule-id",
    "warning",
    "`rule_id` belongs to an Elastic prebuilt rule and would collide with it.",
  ],
  ["DAC209", "language-mismatch", "error", "`language` does not fit the rule type."],
  [
    "DAC210",
    "name-control-character",
    "error",
    "`name` holds a control character (or a bidirectional override), which would reach terminals and reports.",
  ],
  [
    "DAC211",
    "history-window-not-before-from",
    "error",
    "A new_terms rule's `history_window_start` is not earlier than its `from`: Kibana refuses to run it.",
  ],
  ["DAC301", "attack-malformed-id", "error", "An ATT&CK tactic, technique or subtechnique id is malformed."],
  [
    "DAC302",
    "attack-wrong-parent",
    "error",
    "A subtechnique is listed under a technique that is not its parent.",
  ],
  ["DAC303", "attack-reference-mismatch", "error", "An ATT&CK reference URL does not match its id."],
  ["DAC304", "attack-tactic-name", "error", "An ATT&CK tactic id and name do not match."],
  ["DAC305", "attack-technique-name", "error", "An ATT&CK technique name does not match the STIX data."],
  ["DAC306", "attack-unknown-id", "error", "An ATT&CK id is not in the configured STIX data."],
  [
    "DAC307",
    "attack-tactic-technique",
    "warning",
    "A technique is not part of the tactic it is listed under.",
  ],
  ["DAC308", "attack-framework", "error", "The threat framework is not `MITRE ATT&CK`."],
  ["DAC401", "query-syntax", "error", "The query does not parse."],
  ["DAC402", "unknown-field", "error", "The query uses a field that the field catalogue does not know."],
  ["DAC403", "field-type-misuse", "error", "The query compares a field in a way its type cannot support."],
  ["DAC404", "nested-misuse", "error", "A field inside a nested object is queried outside a nested group."],
  ["DAC405", "unsupported-language", "warning", "No local parser exists for the query language yet."],
  [
    "DAC406",
    "no-field-definitions",
    "warning",
    "The query uses a field in a namespace for which the catalogue has no definitions.",
  ],
  [
    "DAC410",
    "or-splitting",
    "warning",
    "An unquoted multi-word value with a wildcard is split into OR terms.",
  ],
  ["DAC411", "question-mark-literal", "warning", "`?` is not a wildcard in KQL."],
  [
    "DAC412",
    "case-sensitive-keyword",
    "warning",
    "A mixed-case literal is compared with a case-sensitive keyword field.",
  ],
  ["DAC413", "wildcard-on-text", "warning", "A wildcard on a text field matches single tokens only."],
  ["DAC414", "leading-wildcard", "warning", "A leading wildcard is slow and may be disabled in Kibana."],
  ["DAC415", "never-matches", "warning", "A clause can never match given the field catalogue."],
  ["DAC416", "keyword-in-value", "warning", "A trailing `and`/`or` is absorbed into the value."],
  ["DAC417", "unquoted-phrase", "warning", "An unquoted multi-word value; it probably should be quoted."],
  [
    "DAC420",
    "not-aggregatable",
    "error",
    "A new_terms field has no doc values (a text field): Elasticsearch cannot aggregate on it.",
  ],
  ["DAC430", "unknown-event-category", "warning", "An EQL event category that ECS does not define."],
  ["DAC431", "equals-on-text", "warning", "EQL `==` on a text field compares the whole value."],
  ["DAC432", "sequence-without-maxspan", "warning", "An EQL sequence without `maxspan`."],
  ["DAC433", "like-percent", "warning", "`%` in an EQL `like` pattern is not a wildcard."],
  ["DAC440", "esql-unknown-column", "error", "An ES|QL column that the previous commands do not produce."],
  ["DAC441", "esql-type-error", "error", "An ES|QL type, arity or argument error."],
  [
    "DAC442",
    "esql-aggregate-misuse",
    "error",
    "An ES|QL aggregate outside STATS, or a STATS field without one.",
  ],
  ["DAC443", "esql-unsupported", "error", "An ES|QL function or command dac does not model."],
  ["DAC444", "esql-time-unit", "warning", "An ES|QL time span with a unit Elasticsearch does not list."],
  [
    "DAC445",
    "esql-rlike-operator",
    "warning",
    "`&` or `~` in an RLIKE pattern is a Lucene operator, not a character.",
  ],
  ["DAC501", "fixture-unparsable", "error", "A fixture file cannot be parsed."],
  ["DAC502", "fixture-not-object", "error", "A fixture event is not a JSON object."],
  ["DAC503", "orphan-fixtures", "error", "A fixture folder has no rule."],
  ["DAC504", "case-missing-expect", "error", "A fixture case has no `expect`."],
  ["DAC505", "missing-fixtures", "error", "A rule lacks a positive or a negative fixture."],
  ["DAC506", "fixture-invalid", "error", "A fixture case does not match the fixture schema."],
  [
    "DAC507",
    "uncovered-branch",
    "warning",
    "No positive fixture exercises a clause or OR branch of the query.",
  ],
  [
    "DAC508",
    "surviving-mutant",
    "warning",
    "A mutated query still passes every fixture: the fixtures are too weak.",
  ],
  ["DAC601", "stale-lock", "error", "A rule changed without a version bump in the lock file."],
  ["DAC602", "missing-lock-entry", "error", "A rule has no entry in the lock file."],
  ["DAC701", "exception-schema", "error", "An exception list file does not match the exception list schema."],
  ["DAC702", "duplicate-exception-id", "error", "Two exception lists, items or value lists share an id."],
  [
    "DAC703",
    "unknown-exception-list",
    "error",
    "A rule attaches an exception list that the repository does not hold.",
  ],
  ["DAC704", "unknown-value-list", "error", "A `list` entry names a value list that does not exist."],
  [
    "DAC705",
    "exception-unknown-field",
    "error",
    "An exception entry names a field that the rule's field catalogue does not know.",
  ],
  [
    "DAC706",
    "exception-field-type",
    "error",
    "An exception entry cannot work on its field's type (`match` on text, `wildcard` on a number, a bad value).",
  ],
  ["DAC707", "expired-exception", "warning", "An exception item's `expire_time` has passed."],
  ["DAC708", "exception-never-matches", "error", "An exception item's entries contradict each other."],
  [
    "DAC709",
    "exception-removes-positives",
    "error",
    "The rule's exceptions remove every positive case of the rule.",
  ],
  [
    "DAC710",
    "untested-exception",
    "warning",
    "No fixture case shows an exception item suppressing an event.",
  ],
  [
    "DAC711",
    "misplaced-exception-list",
    "error",
    "A rule-default list file has no rule next to it, or a list's type does not fit where it lives.",
  ],
  [
    "DAC712",
    "invalid-value-list",
    "error",
    "A value list file is misnamed, unreadable, or holds an invalid value.",
  ],
  ["DAC901", "invalid-config", "error", "The configuration file is not valid."],
  ["DAC902", "unused-exclusion", "warning", "A configured exclusion matches no rule."],
  [
    "DAC903",
    "invalid-attack-bundle",
    "error",
    "`attack.stix` does not name a readable STIX bundle (a JSON file with `objects`).",
  ],
  ["DAC904", "unknown-check", "error", "An exclusion names a check code that does not exist."],
];

export const codes: ReadonlyMap<string, CodeInfo> = new Map(
  table.map(([code, name, severity, summary]) => [code, { code, name, severity, summary }]),
);

export function codeInfo(code: string): CodeInfo {
  const info = codes.get(code);
  if (!info) throw new Error(`unregistered diagnostic code ${code}`);
  return info;
}
