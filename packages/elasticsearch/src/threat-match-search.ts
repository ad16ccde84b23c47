/**
 * An indicator match rule's searches, as Kibana's detection engine sends them on its indicator-first path
 * (`rule_types/indicator_match/threat_mapping/create_threat_signals.ts` → `create_threat_signal.ts`):
 *
 * 1. the indicators (`get_threat_list.ts`): `threat_query` with `threat_filters` and the indicator mapping filter
 *    (`get_mapping_filters.ts`: every indicator field of one group exists), no time range, `fields` = the mapped
 *    indicator fields;
 * 2. the source events: the rule's query and filters, the event mapping filter, and the threat mapping filter
 *    built from the indicators (`build_threat_mapping_filter.ts`, `entryKey: 'value'`), newest first
 *    (`sortOrder: 'desc'` without suppression), at most `max_signals`;
 * 3. the enrichment (`build_threat_enrichment.ts` → `get_signal_id_to_matched_queries_map.ts`): the indicator
 *    index searched again with a threat mapping filter built from the alerted events (`entryKey: 'field'`), whose
 *    named queries (`encodeThreatMatchNamedQuery`) say which event each indicator matched and through which entry;
 *    `validate_complete_threat_matches.ts` keeps the complete groups; `enrich_signal_threat_matches.ts` writes
 *    `threat.enrichments`.
 */
import type { Client, estypes } from "@elastic/elasticsearch";
import type { DslQuery, JsonValue } from "@dac/kql";
import type { EngineRule } from "@dac/harness";
import { getPath, mergedEnrichments, threatEnrichments } from "@dac/harness";
import type { IndicatorDocument, ThreatMapping, ThreatMappingEntry, ThreatMatch } from "@dac/harness";
import { timeRangeFilter, timestampsOf } from "./request.js";

const SEPARATOR = "__SEP__";

/** `encodeThreatMatchNamedQuery`. */
export function encodeNamedQuery(q: {
  id?: string;
  index?: string;
  field: string;
  value: string;
  queryType: "mq" | "tq";
}): string {
  return [q.id, q.index, q.field, q.value, q.queryType].map((v) => v ?? "").join(SEPARATOR);
}

export function decodeNamedQuery(encoded: string) {
  const [id, index, field, value, queryType] = encoded.split(SEPARATOR);
  return {
    id: id ?? "",
    index: index ?? "",
    field: field ?? "",
    value: value ?? "",
    queryType: queryType ?? "",
  };
}

/** Field types Kibana searches with a `terms` query (`get_allowed_fields_for_terms_query.ts`). */
const TERMS_TYPES = new Set(["keyword", "constant_keyword", "wildcard", "ip"]);

/** `getAllowedFieldForTermQueryFromMapping` over a `_field_caps` answer: every type of the field allows terms. */
export function termsAllowedFields(
  caps: { fields: Record<string, Record<string, { type: string }>> },
  fields: readonly string[],
): Set<string> {
  return new Set(
    fields.filter((f) => {
      const byType = caps.fields[f];
      return byType !== undefined && Object.values(byType).every((c) => TERMS_TYPES.has(c.type));
    }),
  );
}

export interface Allowed {
  source: Set<string>;
  threat: Set<string>;
}

/** A document as the search returns it: `_id`, `_index`, `fields` (the fields API) and `_source`. */
export interface Hit {
  _id: string;
  _index: string;
  fields?: Record<string, unknown[]>;
  _source?: Record<string, unknown>;
  matched_queries?: string[] | Record<string, number>;
}

/**
 * `buildEntriesMappingFilter`: per group, a `terms` query on the values of all items (a single entry on fields
 * that allow it), or per item a `bool.filter` of one `match` per entry (only items with exactly one value for
 * every entry: `filterThreatMapping`). `entryKey` says which side the items are: `value` for indicators (the query
 * then runs on events), `field` for events (it then runs on indicators).
 */
export function threatMappingFilter(
  mapping: ThreatMapping,
  items: readonly Hit[],
  entryKey: "field" | "value",
  allowed: Allowed,
): { bool: { should: JsonValue[]; minimum_should_match: 1 } } {
  const other = (e: ThreatMappingEntry) => (entryKey === "field" ? e.value : e.field);
  const should: JsonValue[] = [];
  for (const group of mapping) {
    const termsGroup =
      group.entries.length === 1 &&
      group.entries.every((e) => allowed.source.has(e.field) && allowed.threat.has(e.value));
    if (!termsGroup) {
      for (const item of items) {
        const values = group.entries.map((e) => item.fields?.[e[entryKey]]);
        if (values.some((v) => v === undefined || v.length !== 1)) continue;
        should.push({
          bool: {
            filter: group.entries.map((e, i) => ({
              bool: {
                should: [
                  {
                    match: {
                      [other(e)]: {
                        query: values[i]![0] as JsonValue,
                        _name: encodeNamedQuery({
                          id: item._id,
                          index: item._index,
                          field: e.field,
                          value: e.value,
                          queryType: "mq",
                        }),
                      },
                    },
                  },
                ],
                minimum_should_match: 1,
              },
            })),
          },
        });
      }
    } else {
      const entry = group.entries[0]!;
      const values = items
        .map((i) => i.fields?.[entry[entryKey]]?.[0])
        .filter((v) => v !== undefined && v !== null);
      if (values.length > 0)
        should.push({
          terms: {
            _name: encodeNamedQuery({ field: entry.field, value: entry.value, queryType: "tq" }),
            [other(entry)]: values as JsonValue[],
          },
        });
    }
  }
  return { bool: { should, minimum_should_match: 1 } };
}

/** `getMappingFilters`: every field of at least one group exists, on one side. */
export function mappingExistsFilter(mapping: ThreatMapping, side: "field" | "value"): DslQuery {
  return {
    bool: {
      should: mapping.map((g) => ({
        bool: { must: g.entries.map((e) => ({ exists: { field: e[side] } })) },
      })),
    },
  };
}

/** The event search: the rule's filter and the threat mapping filter, newest first, at most `max_signals`. */
export function threatEventsRequest(
  rule: EngineRule,
  filter: DslQuery,
  index: string[],
  range: { from: string; to: string },
  size: number,
) {
  const timestamps = timestampsOf(rule);
  const stamps = timestamps.secondary ? [timestamps.primary, timestamps.secondary] : [timestamps.primary];
  return {
    index,
    ignore_unavailable: true,
    allow_no_indices: true,
    size,
    query: { bool: { filter: [filter, timeRangeFilter(timestamps, range.from, range.to)] } },
    fields: [
      { field: "*", include_unmapped: true },
      ...stamps.map((field) => ({ field, format: "strict_date_optional_time" })),
    ],
    sort: stamps.map((field) => ({ [field]: { order: "desc", unmapped_type: "date" } })),
  };
}

/** `getMatchedFields`. */
export function matchedFields(mapping: ThreatMapping): { source: string[]; threat: string[] } {
  const source = [...new Set(mapping.flatMap((g) => g.entries.map((e) => e.field)))];
  const threat = [...new Set(mapping.flatMap((g) => g.entries.map((e) => e.value)))];
  return { source, threat };
}

interface NamedMatch {
  id: string;
  index: string;
  field: string;
  value: string;
}

/**
 * `getSignalIdToMatchedQueriesMap` then `validateCompleteThreatMatches`: per event, the named queries of the
 * indicators that matched it, kept only where one indicator completes a whole group.
 */
export function matchedQueriesByEvent(
  events: readonly Hit[],
  threats: readonly Hit[],
  mapping: ThreatMapping,
): Map<string, NamedMatch[]> {
  const { source } = matchedFields(mapping);
  // getFieldAndValueToDocIdsMap: the event's first value of each source field.
  const byValue = new Map<string, Map<string, string[]>>();
  for (const event of events)
    for (const field of source) {
      const v = event.fields?.[field]?.[0];
      if (v === undefined || v === null || v === "" || v === 0 || v === false) continue;
      const m = byValue.get(field) ?? new Map<string, string[]>();
      byValue.set(field, m);
      m.set(String(v), [...(m.get(String(v)) ?? []), event._id]);
    }
  const byEvent = new Map<string, NamedMatch[]>();
  const add = (event: string, q: NamedMatch) => {
    const list = byEvent.get(event) ?? [];
    byEvent.set(event, list);
    if (list.length < 200) list.push(q);
  };
  for (const threat of threats) {
    const named = Array.isArray(threat.matched_queries)
      ? threat.matched_queries
      : Object.keys(threat.matched_queries ?? {});
    for (const encoded of named) {
      const q = decodeNamedQuery(encoded);
      const match = { id: threat._id, index: threat._index, field: q.field, value: q.value };
      if (q.queryType === "tq") {
        const raw = getPath(threat._source, q.value);
        for (const value of Array.isArray(raw) ? raw : [raw]) {
          if (!value) continue;
          for (const id of byValue.get(q.field)?.get(String(value)) ?? []) add(id, match);
        }
      } else if (q.id) add(q.id, match);
    }
  }
  const valid = new Map<string, NamedMatch[]>();
  for (const [event, queries] of byEvent) {
    const kept = new Set<NamedMatch>();
    const perThreat = new Map<string, NamedMatch[]>();
    for (const q of queries) perThreat.set(q.id, [...(perThreat.get(q.id) ?? []), q]);
    for (const list of perThreat.values())
      for (const group of mapping) {
        const found = group.entries.map((e) =>
          list.filter((q) => q.field === e.field && q.value === e.value),
        );
        if (found.every((f) => f.length > 0)) for (const f of found) for (const q of f) kept.add(q);
      }
    if (kept.size > 0) valid.set(event, [...kept]);
  }
  return valid;
}

export interface ThreatSearchPlan {
  eventsIndex: string;
  threatIndex: string;
  /** The rule's filter on the events (query and filters, restricted to this execution's events). */
  eventFilter: DslQuery;
  /** `threat_query` and `threat_filters` on the indicators (restricted to this execution's indicators). */
  threatFilter: DslQuery;
  range: { from: string; to: string };
  maxSignals: number;
  indicatorPath: string;
  allowed: Allowed;
}

/** Runs the three searches; returns the alerted events (newest first) with their enrichments. */
export async function searchThreatMatches(
  client: Client,
  rule: EngineRule,
  mapping: ThreatMapping,
  plan: ThreatSearchPlan,
  indicatorCount: number,
  fail: (what: string, error: unknown) => never,
): Promise<{ id: string; enrichments: unknown[] }[]> {
  const search = async (request: object, what: string) =>
    (await client
      .search(request as estypes.SearchRequest)
      .catch((e: unknown) => fail(what, e))) as unknown as { hits: { hits: Hit[] } };
  const { threat: threatFields } = matchedFields(mapping);
  const threatQuery = {
    bool: { filter: [plan.threatFilter, mappingExistsFilter(mapping, "value")] },
  };
  const threats = await search(
    {
      index: [plan.threatIndex],
      size: Math.max(1, indicatorCount),
      query: threatQuery,
      fields: threatFields,
      _source: false,
      sort: ["_doc"],
    },
    "the indicator search failed",
  );
  if (threats.hits.hits.length === 0) return [];
  const fromThreats = threatMappingFilter(mapping, threats.hits.hits, "value", plan.allowed);
  if (fromThreats.bool.should.length === 0) return [];
  const events = await search(
    threatEventsRequest(
      rule,
      { bool: { filter: [plan.eventFilter, fromThreats, mappingExistsFilter(mapping, "field")] } },
      [plan.eventsIndex],
      plan.range,
      plan.maxSignals,
    ),
    "the indicator match event search failed",
  );
  if (events.hits.hits.length === 0) return [];
  const fromEvents = threatMappingFilter(mapping, events.hits.hits, "field", plan.allowed);
  const matched =
    fromEvents.bool.should.length === 0
      ? { hits: { hits: [] as Hit[] } }
      : await search(
          {
            index: [plan.threatIndex],
            size: Math.max(1, indicatorCount),
            query: { bool: { filter: [threatQuery, fromEvents] } },
            sort: ["_doc"],
          },
          "the indicator enrichment search failed",
        );
  const queries = matchedQueriesByEvent(events.hits.hits, matched.hits.hits, mapping);
  const indicators: IndicatorDocument[] = matched.hits.hits.map((t) => ({
    id: t._id,
    index: t._index,
    source: t._source ?? {},
  }));
  const position = new Map(indicators.map((t, i) => [t.id, i]));
  return events.hits.hits.map((event) => {
    const source = event._source ?? {};
    const matches: ThreatMatch[] = (queries.get(event._id) ?? []).map((q) => ({
      indicator: position.get(q.id)!,
      group: 0,
      entry: { field: q.field, value: q.value },
      value: undefined,
    }));
    const enrichments = threatEnrichments(source, matches, indicators, plan.indicatorPath);
    return { id: event._id, enrichments: mergedEnrichments(source, enrichments) };
  });
}
