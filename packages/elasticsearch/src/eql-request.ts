/**
 * The `_eql/search` request Kibana's EQL executor sends for an EQL rule (elastic/kibana
 * x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/eql/
 * build_eql_search_request.ts): the rule's query as it is, `size` = `max_signals`, a `filter` of the lookback
 * range on the rule's timestamps (`buildTimeRangeFilter`) and the rule's `filters` (`getQueryFilter` with an
 * empty EQL query: only the filters, negated ones under `must_not`), `allow_partial_search_results: true`,
 * `timestamp_field`, `event_category_field` (`event_category_override`), `tiebreaker_field` when set, and
 * `fields: [{field: "*", include_unmapped: true}, …timestamps]`. The rule's exceptions (`exceptionFilter`) go
 * through the same `getQueryFilter`, so they are in the `must_not` of that filter: Elasticsearch drops the events
 * they match before EQL sequences them.
 */
import type { DslQuery, JsonValue } from "@dac/kql";
import { maxSignalsOf } from "@dac/harness";
import type { EngineRule } from "@dac/harness";
import { ruleFilter, timeRangeFilter, timestampsOf } from "./request.js";

export interface EqlSearchRequest {
  index: string[];
  allow_no_indices: true;
  body: {
    size: number;
    query: string;
    filter: { bool: { filter: JsonValue[] } };
    allow_partial_search_results: true;
    timestamp_field?: string;
    event_category_field?: string;
    tiebreaker_field?: string;
    fields: JsonValue[];
  };
}

export function eqlSearchRequest(
  rule: EngineRule,
  index: string[],
  range: { from: string; to: string },
  /** `exceptionsQuery` of the rule's exception items. */
  exceptions?: DslQuery,
): EqlSearchRequest {
  const d = rule.data as Record<string, unknown>;
  const timestamps = timestampsOf(rule);
  const stamps = timestamps.secondary ? [timestamps.primary, timestamps.secondary] : [timestamps.primary];
  // getQueryFilter({query: "", language: "eql", filters}) keeps only the filters.
  const filters = ruleFilter(rule, { language: "lucene", text: "" }, [], exceptions);
  const str = (key: string) => (typeof d[key] === "string" && d[key] !== "" ? (d[key] as string) : undefined);
  const timestampField = str("timestamp_field");
  const categoryField = str("event_category_override");
  const tiebreaker = str("tiebreaker_field");
  return {
    index,
    allow_no_indices: true,
    body: {
      size: maxSignalsOf(rule),
      query: typeof d.query === "string" ? d.query : "",
      filter: {
        bool: { filter: [timeRangeFilter(timestamps, range.from, range.to), filters] as JsonValue[] },
      },
      allow_partial_search_results: true,
      ...(timestampField ? { timestamp_field: timestampField } : {}),
      ...(categoryField ? { event_category_field: categoryField } : {}),
      ...(tiebreaker ? { tiebreaker_field: tiebreaker } : {}),
      fields: [
        { field: "*", include_unmapped: true },
        ...stamps.map((field) => ({ field, format: "strict_date_optional_time" })),
      ],
    },
  };
}
