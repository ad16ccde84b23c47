/**
 * The query Kibana's detection engine sends for a Lucene rule. `getQueryFilter` (x-pack/…/detection_engine/
 * rule_types/utils/get_query_filter.ts) calls `buildEsQuery` with `queryStringOptions: {analyze_wildcard: true}`
 * and `dateFormatTZ: 'Zulu'`; kbn-es-query `buildQueryFromLucene` turns the query into `query_string` in
 * `bool.must` (`decorateQuery` adds the time zone).
 */
export interface LuceneDsl {
  query_string: { query: string; analyze_wildcard: true; time_zone: "Zulu" };
}

/** The `query_string` clause, or undefined for a blank query (Kibana then matches every event). */
export function toDsl(query: string): LuceneDsl | undefined {
  if (query.trim() === "") return undefined;
  return { query_string: { query, analyze_wildcard: true, time_zone: "Zulu" } };
}
