/**
 * Indicator match, as Kibana's detection engine matches source events with indicators
 * (`rule_types/indicator_match/threat_mapping/`), over events already known to match the rule's query and filters
 * in the lookback window, and indicators already known to match `threat_query` and `threat_filters`:
 *
 * - `threat_mapping` is a list of groups: the entries of a group must all match the same indicator
 *   (`build_threat_mapping_filter.ts`: a `bool.filter` per group and indicator; `validate_complete_threat_matches.ts`
 *   drops partial matches), and the groups are alternatives (`bool.should`);
 * - an entry `{field, value}` matches when the event's `field` matches the indicator's `value` as a `match` query
 *   (or a `terms` query, for single-entry groups of keyword-like or ip fields: the same verdict on such fields);
 * - the indicator's value is read as the fields API gives it: in a group of several entries, an indicator with
 *   several values for an entry's field takes no part (`filterThreatMapping`: `value.length !== 1`); a single-entry
 *   group matches on the indicator's first value (`buildEntriesMappingFilter`: `val[0]`) when a `terms` query is
 *   allowed, and otherwise like a group of several entries;
 * - each source event with at least one complete match becomes an alert, enriched with one `threat.enrichments`
 *   entry per matched entry and indicator, at most 200 (`MAX_NUMBER_OF_SIGNAL_MATCHES`), after the event's own
 *   enrichments (`enrich_signal_threat_matches.ts`).
 */

export interface ThreatMappingEntry {
  field: string;
  value: string;
}

export type ThreatMapping = readonly { entries: readonly ThreatMappingEntry[] }[];

/** `DEFAULT_INDICATOR_SOURCE_PATH`. */
export const DEFAULT_INDICATOR_PATH = "threat.indicator";

/** `ENRICHMENT_TYPES.IndicatorMatchRule`. */
export const INDICATOR_MATCH_TYPE = "indicator_match_rule";

/** `MAX_NUMBER_OF_SIGNAL_MATCHES`: enrichments per alert. */
export const MAX_ENRICHMENTS = 200;

/** `FEED_NAME_PATH`. */
const FEED_NAME_PATH = "threat.feed.name";

export interface IndicatorDocument {
  id: string;
  index: string;
  source: Record<string, unknown>;
}

export interface ThreatMatcher {
  /** The indicator's values for a field, as the fields API returns them (arrays flattened, nulls dropped). */
  indicatorValues(indicator: IndicatorDocument, field: string): unknown[];
  /** Whether the event's `field` matches `value` as a `match` query would. */
  eventMatches(event: number, field: string, value: unknown): boolean;
  /** Whether the group's single entry is searched with a `terms` query (both fields keyword-like or ip). */
  termsAllowed(entry: ThreatMappingEntry): boolean;
}

/** One entry of a group that an indicator matched for an event (a named query in Kibana's terms). */
export interface ThreatMatch {
  indicator: number;
  group: number;
  entry: ThreatMappingEntry;
  /** The indicator value the event matched. */
  value: unknown;
}

/** Why an indicator did not match an event through a group, for explanations. */
export interface GroupMiss {
  indicator: number;
  group: number;
  reason: string;
}

/** The indicator's value for an entry, or why it has none to match with. */
function indicatorValue(
  indicator: IndicatorDocument,
  entry: ThreatMappingEntry,
  single: boolean,
  matcher: ThreatMatcher,
): { value: unknown } | { reason: string } {
  const values = matcher.indicatorValues(indicator, entry.value);
  if (values.length === 0) return { reason: `indicator ${indicator.id} has no ${entry.value}` };
  if (single && matcher.termsAllowed(entry)) return { value: values[0] };
  if (values.length !== 1)
    return {
      reason: `indicator ${indicator.id} has ${values.length} values for ${entry.value}; Kibana matches an entry of this group only on an indicator with exactly one`,
    };
  return { value: values[0] };
}

/** The complete matches of one event against the indicators, and why each other pair missed. */
export function matchEvent(
  event: number,
  indicators: readonly IndicatorDocument[],
  mapping: ThreatMapping,
  matcher: ThreatMatcher,
): { matches: ThreatMatch[]; misses: GroupMiss[] } {
  const matches: ThreatMatch[] = [];
  const misses: GroupMiss[] = [];
  indicators.forEach((indicator, i) => {
    mapping.forEach((group, g) => {
      const found: ThreatMatch[] = [];
      for (const entry of group.entries) {
        const v = indicatorValue(indicator, entry, group.entries.length === 1, matcher);
        if ("reason" in v) {
          misses.push({ indicator: i, group: g, reason: v.reason });
          return;
        }
        if (!matcher.eventMatches(event, entry.field, v.value)) {
          misses.push({
            indicator: i,
            group: g,
            reason: `${entry.field} does not match ${JSON.stringify(v.value)} (${entry.value} of indicator ${indicator.id})`,
          });
          return;
        }
        found.push({ indicator: i, group: g, entry, value: v.value });
      }
      if (group.entries.length > 0) matches.push(...found);
    });
  });
  return { matches, misses };
}

/**
 * The matches Kibana's enrichment finds again (`get_signal_id_to_matched_queries_map.ts`, searching the indicators
 * with the alerted events as items, `entryKey: 'field'`): in a group of several entries (or one without a `terms`
 * query), only an event with exactly one value for each entry's field (`filterThreatMapping`); in a `terms` group,
 * only where the event's first value, as text, equals one of the indicator's `_source` values
 * (`getFieldAndValueToDocIdsMap` takes `fields[field][0]`; the lookup is `value.toString()`). An alert whose
 * matches are all lost here is still written, with no enrichment for them.
 */
export function enrichedMatches(
  matches: readonly ThreatMatch[],
  mapping: ThreatMapping,
  indicators: readonly IndicatorDocument[],
  eventValues: (field: string) => unknown[],
  termsAllowed: (entry: ThreatMappingEntry) => boolean,
): ThreatMatch[] {
  return matches.filter((m) => {
    const group = mapping[m.group]!;
    if (group.entries.length === 1 && termsAllowed(m.entry)) {
      const first = eventValues(m.entry.field)[0];
      if (first === undefined || first === null || first === "" || first === 0 || first === false)
        return false;
      const raw = getPath(indicators[m.indicator]!.source, m.entry.value);
      return (Array.isArray(raw) ? raw : [raw]).some((v) => Boolean(v) && String(v) === String(first));
    }
    return group.entries.every((e) => eventValues(e.field).length === 1);
  });
}

export interface ThreatEnrichment {
  indicator: Record<string, unknown>;
  feed: { name?: string };
  matched: { atomic: unknown; field: string; id: string; index: string; type: string };
}

/** `_.get`: a dotted path through objects, where a literal dotted key at any level also counts. */
export function getPath(source: unknown, path: string): unknown {
  if (source === null || typeof source !== "object") return undefined;
  const record = source as Record<string, unknown>;
  if (Object.hasOwn(record, path)) return record[path];
  const dot = path.indexOf(".");
  if (dot === -1) return undefined;
  let i = dot;
  while (i !== -1) {
    const head = path.slice(0, i);
    if (Object.hasOwn(record, head)) {
      const found = getPath(record[head], path.slice(i + 1));
      if (found !== undefined) return found;
    }
    i = path.indexOf(".", i + 1);
  }
  return undefined;
}

/**
 * `buildEnrichments` and `enrichSignalWithThreatMatches`: one enrichment per matched entry and indicator (the
 * same pair once), `matched.atomic` being the event's own value of the field, `indicator` the first object at the
 * indicator path, `feed.name` the indicator's `threat.feed.name`.
 */
export function threatEnrichments(
  eventSource: Record<string, unknown>,
  matches: readonly ThreatMatch[],
  indicators: readonly IndicatorDocument[],
  indicatorPath: string,
): ThreatEnrichment[] {
  const seen = new Set<string>();
  const out: ThreatEnrichment[] = [];
  for (const m of matches) {
    const indicator = indicators[m.indicator]!;
    const key = JSON.stringify([indicator.index, indicator.id, m.entry.field, m.entry.value]);
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.length >= MAX_ENRICHMENTS) break;
    const value = [getPath(indicator.source, indicatorPath)].flat()[0];
    const feedName = getPath(indicator.source, FEED_NAME_PATH);
    out.push({
      indicator: value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {},
      feed: typeof feedName === "string" && feedName !== "" ? { name: feedName } : {},
      matched: {
        atomic: getPath(eventSource, m.entry.field),
        field: m.entry.field,
        id: indicator.id,
        index: indicator.index,
        type: INDICATOR_MATCH_TYPE,
      },
    });
  }
  return out;
}

/** The event's `threat.enrichments` after enrichment: its own first (as an array), then the new ones. */
export function mergedEnrichments(
  eventSource: Record<string, unknown>,
  enrichments: readonly ThreatEnrichment[],
): unknown[] {
  const existing = getPath(eventSource, "threat.enrichments");
  return [...(existing === undefined || existing === null ? [] : [existing].flat()), ...enrichments];
}

/** Reads `threat_mapping` from rule data, or says what is wrong with it. */
export function threatMappingOf(value: unknown): ThreatMapping {
  if (!Array.isArray(value) || value.length === 0)
    throw new TypeError("threat_mapping must be a non-empty list of groups");
  return value.map((group: unknown, g) => {
    const entries = (group as { entries?: unknown } | null)?.entries;
    if (!Array.isArray(entries) || entries.length === 0)
      throw new TypeError(`threat_mapping[${g}].entries must be a non-empty list`);
    return {
      entries: entries.map((e: unknown, i) => {
        const { field, value } = (e ?? {}) as { field?: unknown; value?: unknown };
        if (typeof field !== "string" || typeof value !== "string")
          throw new TypeError(`threat_mapping[${g}].entries[${i}] needs a field and a value`);
        return { field, value };
      }),
    };
  });
}
