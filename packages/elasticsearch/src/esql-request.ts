/**
 * The ES|QL request Kibana's ES|QL rule executor sends (elastic/kibana
 * x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/esql/):
 *
 * - `build_esql_search_request.ts` (`buildEsqlSearchRequest`): the body is the rule's query with
 *   `| limit <size>` appended, a `filter` of `bool.filter: [<time range>, <esFilter>]`, where the time range is
 *   `buildTimeRangeFilter` on the rule's timestamps (the same range a query rule sends) and `esFilter` is
 *   `getQueryFilter({query: "", language: "esql", filters: <data tier and namespace filters>})` (an ES|QL rule
 *   has no `filters` of its own: with no data tier settings that is an empty `bool`), and
 *   `wait_for_completion_timeout: "4m"`; a `must_not` of already alerted ids only on later pages.
 * - `esql.ts` (`esqlExecutor`): `size` is `max_signals + 1` ("since pagination is not supported in ES|QL, we
 *   will use tuple.maxSignals + 1 to determine if search results are exhausted"), the query string is
 *   `drop_null_columns: true` and `allow_partial_results: !isRuleAggregating`.
 * - `esql_request.ts` (`performEsqlRequest`): `POST /_query/async` with that body and query string; a response
 *   with `is_running: true` is polled with `GET /_query/async/<id>`.
 *
 * The rule's exceptions (`exceptionFilter`) go through that `getQueryFilter` too: they are the `must_not` of
 * `esFilter`, so Elasticsearch drops the documents they match before the query's first command.
 *
 * The filter is how "the lookback applies to the FROM indices": Elasticsearch runs it on the source indices
 * before the first processing command.
 */
import type { DslQuery, JsonValue } from "@dac/kql";
import { maxSignalsOf } from "@dac/harness";
import type { EngineRule } from "@dac/harness";
import { ruleFilter, timeRangeFilter, timestampsOf } from "./request.js";

export interface EsqlQueryRequest {
  method: "POST";
  path: "/_query/async";
  querystring: { drop_null_columns: true; allow_partial_results: boolean };
  body: {
    query: string;
    filter: { bool: { filter: JsonValue[] } };
    wait_for_completion_timeout: "4m";
  };
}

export interface EsqlRequestOptions {
  /** `computeIsESQLQueryAggregating`: the query has `STATS` (partial results are refused for aggregations). */
  aggregating: boolean;
  /** The query to send instead of the rule's (the Elasticsearch engine points FROM at its test index). */
  query?: string;
  /** `exceptionsQuery` of the rule's exception items. */
  exceptions?: DslQuery;
}

export function esqlQueryRequest(
  rule: EngineRule,
  range: { from: string; to: string },
  options: EsqlRequestOptions,
): EsqlQueryRequest {
  const query = options.query ?? (typeof rule.data.query === "string" ? rule.data.query : "");
  // getQueryFilter with an empty query and no filters: the empty bool of `buildEsQuery`.
  const esFilter = ruleFilter(
    { file: rule.file, data: { ...rule.data, filters: [] } },
    { language: "lucene", text: "" },
    [],
    options.exceptions,
  );
  return {
    method: "POST",
    path: "/_query/async",
    querystring: { drop_null_columns: true, allow_partial_results: !options.aggregating },
    body: {
      query: `${query} | limit ${maxSignalsOf(rule) + 1}`,
      filter: {
        bool: {
          filter: [timeRangeFilter(timestampsOf(rule), range.from, range.to), esFilter] as JsonValue[],
        },
      },
      wait_for_completion_timeout: "4m",
    },
  };
}

/** What a node without ES|QL answers (the route does not exist, or the `esql` plugin is not installed). */
export function isMissingEsql(text: string): boolean {
  return /no handler found for uri \[[^\]]*_query|incorrect HTTP method for uri \[[^\]]*_query/i.test(text);
}

/** An older cluster refuses a query-string parameter it does not know (`allow_partial_results` came in 8.19/9.1). */
export function isUnrecognizedParameter(text: string, name: string): boolean {
  return new RegExp(`unrecognized parameter[s]?:? \\[[^\\]]*\\b${name}\\b`, "i").test(text);
}
