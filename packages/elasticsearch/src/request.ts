/**
 * The search request Kibana's detection engine sends for a custom query rule, built from the rule's data:
 *
 * - the rule's filter (`get_query_filter.ts`, `buildEsQuery`): the KQL query translated as Kibana does (`toDsl`,
 *   with the index's fields, as Kibana 8.15+ loads them), or a Lucene query as `query_string`, plus the rule's
 *   enabled `filters` (negated ones under `must_not`);
 * - `buildEventsSearchQuery` (`rule_types/utils/build_events_query.ts`): that filter and the time range on the
 *   primary timestamp (`timestamp_override`, else `@timestamp`), falling back to `@timestamp` for documents
 *   without the override unless `timestamp_override_fallback_disabled`; `size`, sorted ascending by the
 *   timestamps (`unmapped_type: date`), `fields: [{field: "*", include_unmapped: true}, …]`,
 *   `ignore_unavailable: true`, `allow_no_indices: true`.
 */
import { KqlDslError, KqlSyntaxError, parse, toDsl } from "@dac/kql";
import type { DslField, DslQuery, JsonValue, KqlNode } from "@dac/kql";
import { dateFormat, parseDateMath } from "@dac/fields";
import { EngineError, languageOf, maxSignalsOf } from "@dac/harness";
import { LuceneSyntaxError, parse as parseLucene, toDsl as luceneDsl } from "@dac/lucene";
import type { EngineRule } from "@dac/harness";

export interface Timestamps {
  primary: string;
  secondary?: string;
}

/** `getPrimaryTimestamp`/`getSecondaryTimestamp` of the detection engine. */
export function timestampsOf(rule: EngineRule): Timestamps {
  const override =
    typeof rule.data.timestamp_override === "string" ? rule.data.timestamp_override : undefined;
  const fallbackDisabled = rule.data.timestamp_override_fallback_disabled === true;
  if (!override || override === "@timestamp") return { primary: "@timestamp" };
  return fallbackDisabled ? { primary: override } : { primary: override, secondary: "@timestamp" };
}

/** The rule's query, parsed once: KQL as a tree, Lucene as its text. */
export type RuleQuery = { language: "kuery"; ast: KqlNode } | { language: "lucene"; text: string };

export function parseQuery(rule: EngineRule): RuleQuery {
  const text = typeof rule.data.query === "string" ? rule.data.query : "";
  const language = languageOf(rule);
  if (language === "lucene") {
    // Syntax errors are reported here, with their place, rather than as the node's search failure.
    try {
      parseLucene(text);
    } catch (error) {
      if (error instanceof LuceneSyntaxError)
        throw new EngineError(`syntax error at line ${error.line}, column ${error.column}: ${error.message}`);
      throw error;
    }
    return { language, text };
  }
  try {
    return { language: "kuery", ast: parse(text, { allowLeadingWildcards: true }) };
  } catch (error) {
    if (error instanceof KqlSyntaxError)
      throw new EngineError(`syntax error at line ${error.line}, column ${error.column}: ${error.message}`);
    throw error;
  }
}

interface KibanaFilter {
  meta?: { disabled?: boolean; negate?: boolean };
  query?: DslQuery;
  [key: string]: unknown;
}

/** `buildQueryFromFilters`: an enabled filter's query, cleaned of `meta` and `$state`. */
function filterQuery(filter: KibanaFilter): DslQuery {
  if (filter.query && typeof filter.query === "object") return filter.query;
  const { meta: _meta, $state: _state, ...rest } = filter;
  void _meta;
  void _state;
  return rest as DslQuery;
}

/**
 * The rule's filter: query and filters combined as `buildEsQuery` does. Throws `EngineError`. `exceptions` is the
 * clause of the rule's exception items (`exceptionsQuery` of @dac/exceptions): Kibana's `getQueryFilter` adds the
 * exception filter (`negate: true`) to the rule's filters, so `buildEsQuery` puts it in this `bool.must_not`, and
 * every search built on the filter (events, threshold, new_terms, indicator match) carries it.
 */
export function ruleFilter(
  rule: EngineRule,
  query: RuleQuery,
  fields: DslField[],
  exceptions?: DslQuery,
): DslQuery {
  const bool = {
    must: [] as JsonValue[],
    filter: [] as JsonValue[],
    should: [] as JsonValue[],
    must_not: [] as JsonValue[],
  };
  if (query.language === "kuery") {
    try {
      const dsl = toDsl(query.ast, { fields });
      bool.filter.push(...dsl.bool.filter);
      bool.must.push(...dsl.bool.must);
    } catch (error) {
      if (error instanceof KqlDslError) throw new EngineError(error.message);
      throw error;
    }
  } else {
    const dsl = luceneDsl(query.text);
    if (dsl) bool.must.push(dsl as unknown as JsonValue);
  }
  const filters = Array.isArray(rule.data.filters) ? (rule.data.filters as KibanaFilter[]) : [];
  for (const filter of filters) {
    if (!filter || typeof filter !== "object" || filter.meta?.disabled) continue;
    (filter.meta?.negate ? bool.must_not : bool.filter).push(filterQuery(filter));
  }
  // getAllFilters: the exception filter comes after the rule's own filters.
  if (exceptions) bool.must_not.push(exceptions as JsonValue);
  return { bool };
}

/** `buildTimeRangeFilter`. */
export function timeRangeFilter(timestamps: Timestamps, from: string, to: string): DslQuery {
  const range = (field: string): DslQuery => ({
    range: { [field]: { lte: to, gte: from, format: "strict_date_optional_time" } },
  });
  if (!timestamps.secondary) return range(timestamps.primary);
  return {
    bool: {
      minimum_should_match: 1,
      should: [
        range(timestamps.primary),
        {
          bool: {
            filter: [
              range(timestamps.secondary),
              { bool: { must_not: { exists: { field: timestamps.primary } } } },
            ],
          },
        },
      ],
    },
  };
}

export interface EventsSearchRequest {
  index: string[];
  ignore_unavailable: true;
  allow_no_indices: true;
  size: number;
  query: DslQuery;
  fields: JsonValue[];
  sort: JsonValue[];
}

/** `buildEventsSearchQuery` for a query rule's first page. */
export function eventsSearchRequest(
  rule: EngineRule,
  filter: DslQuery,
  index: string[],
  range: { from: string; to: string },
): EventsSearchRequest {
  const timestamps = timestampsOf(rule);
  const stamps = timestamps.secondary ? [timestamps.primary, timestamps.secondary] : [timestamps.primary];
  return {
    index,
    ignore_unavailable: true,
    allow_no_indices: true,
    size: maxSignalsOf(rule),
    query: { bool: { filter: [filter, timeRangeFilter(timestamps, range.from, range.to)] } },
    fields: [
      { field: "*", include_unmapped: true },
      ...stamps.map((field) => ({ field, format: "strict_date_optional_time" })),
    ],
    sort: stamps.map((field) => ({ [field]: { order: "asc", unmapped_type: "date" } })),
  };
}

/**
 * The range an `expect: match | no-match` case searches: it judges each event on its own, without time, so the
 * range spans every instant a `date_nanos` timestamp can hold (1970 to 2262), and every event with a timestamp
 * is inside it.
 */
export const timelessRange = { from: "1970-01-01T00:00:00.000Z", to: "2262-04-11T23:47:16.854Z" } as const;

/**
 * The query with every `now` of its date ranges resolved at `now`, as Elasticsearch would resolve it when the
 * execution runs: a fixture case runs at its own `now`, which the node's clock does not know. Bounds round as
 * Elasticsearch rounds them (`gt` and `lte` up, `gte` and `lt` down).
 */
export function pinNow(query: DslQuery, now: Date): DslQuery {
  const at = { ms: now.getTime(), ns: 0 };
  const format = dateFormat();
  const walk = (value: JsonValue, key?: string): JsonValue => {
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value === null || typeof value !== "object") return value;
    if (key === "range") {
      const out: Record<string, JsonValue> = {};
      for (const [field, bounds] of Object.entries(value)) {
        if (bounds === null || typeof bounds !== "object" || Array.isArray(bounds)) {
          out[field] = bounds;
          continue;
        }
        const pinned: Record<string, JsonValue> = { ...bounds };
        for (const op of ["gt", "gte", "lt", "lte"] as const) {
          const bound = pinned[op];
          if (typeof bound !== "string" || !bound.startsWith("now")) continue;
          try {
            const instant = parseDateMath(bound, format, at, op === "gt" || op === "lte");
            pinned[op] = new Date(instant.ms).toISOString();
          } catch {
            // Left as it is: the node reports the same error.
          }
        }
        out[field] = pinned;
      }
      return out;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
  };
  return walk(query as JsonValue) as DslQuery;
}
