/**
 * A new_terms rule's searches, as Kibana's detection engine sends them
 * (`rule_types/new_terms/execute_new_terms_aggregation_approach.ts`, `multi_terms_composite.ts`,
 * `build_new_terms_aggregation.ts`):
 *
 * 1. `buildRecentTermsAgg`: over the lookback window, a composite aggregation with a `terms` source per field,
 *    paged 10,000 buckets at a time with `after`;
 * 2. and 3. `buildCompositeDocFetchAgg`: over `[history_window_start, to]`, restricted to a batch of those terms
 *    (500 at a time, a `bool.should` of one `bool.must` of `match` per key), the same composite aggregation with
 *    the earliest time of each term (`min`) and its earliest document (`top_hits`, size 1, ascending).
 *
 * Two departures, because the test node has no scripting: Kibana keeps the new terms with a `bucket_selector`
 * script (`first_seen_value > start_time`), which is applied here to the `min` the node returns; and where a
 * `timestamp_override` falls back to `@timestamp`, Kibana aggregates on a runtime field
 * (`kibana.combined_timestamp`), which is split here into the documents with the override and those without.
 */
import type { Client, estypes } from "@elastic/elasticsearch";
import type { DslQuery, JsonValue } from "@dac/kql";
import { EngineError } from "@dac/harness";
import type { EngineRule } from "@dac/harness";
import { timeRangeFilter, timestampsOf } from "./request.js";
import type { Timestamps } from "./request.js";

/** `PAGE_SIZE` of build_new_terms_aggregation.ts. */
export const NEW_TERMS_PAGE_SIZE = 10_000;
/** `BATCH_SIZE` of multi_terms_composite.ts. */
export const NEW_TERMS_BATCH_SIZE = 500;

export type CompositeKey = Record<string, string | number | boolean | null>;

interface Window {
  historyStart: string;
  from: string;
  to: string;
}

function searchBody(
  index: string[],
  filter: DslQuery,
  timestamps: Timestamps,
  range: { from: string; to: string },
  aggregations: Record<string, JsonValue>,
) {
  return {
    index,
    ignore_unavailable: true,
    allow_no_indices: true,
    size: 0,
    query: { bool: { filter: [filter, timeRangeFilter(timestamps, range.from, range.to)] } },
    aggregations,
  };
}

const sources = (fields: readonly string[]) => fields.map((field) => ({ [field]: { terms: { field } } }));

/** Phase 1: `buildRecentTermsAgg` over the lookback window. */
export function recentTermsRequest(
  rule: EngineRule,
  fields: readonly string[],
  filter: DslQuery,
  index: string[],
  window: Window,
  after?: CompositeKey,
) {
  const composite: Record<string, JsonValue> = { sources: sources(fields), size: NEW_TERMS_PAGE_SIZE };
  if (after) composite.after = after;
  return searchBody(index, filter, timestampsOf(rule), window, { new_terms: { composite } });
}

/** The earliest time and document of a bucket, on the rule's timestamp (with its fallback split in two). */
function firstSeenAggregations(timestamps: Timestamps): Record<string, JsonValue> {
  const earliest = (field: string): Record<string, JsonValue> => ({
    first_seen: { min: { field } },
    docs: { top_hits: { size: 1, sort: [{ [field]: "asc" }], _source: false } },
  });
  if (!timestamps.secondary) return earliest(timestamps.primary);
  return {
    with_override: { filter: { exists: { field: timestamps.primary } }, aggs: earliest(timestamps.primary) },
    without_override: {
      filter: { bool: { must_not: { exists: { field: timestamps.primary } } } },
      aggs: earliest(timestamps.secondary),
    },
  };
}

/** Phases 2 and 3: `buildCompositeDocFetchAgg` over the history window, for one batch of recent terms. */
export function newTermsDocFetchRequest(
  rule: EngineRule,
  fields: readonly string[],
  filter: DslQuery,
  index: string[],
  window: Window,
  batch: readonly CompositeKey[],
) {
  // multi_terms_composite.ts: `{ bool: { should: batch.map((b) => ({ bool: { must: match per key } })) } }`.
  const batchFilter = {
    bool: {
      should: batch.map((key) => ({
        bool: { must: Object.entries(key).map(([field, value]) => ({ match: { [field]: value } })) },
      })),
    },
  };
  return searchBody(
    index,
    { bool: { filter: [filter, batchFilter] } },
    timestampsOf(rule),
    { from: window.historyStart, to: window.to },
    {
      new_terms: {
        // Kibana pages this with the batch's size; a document with arrays can also bring buckets outside the
        // batch, so the page is larger here and the caller keeps the batch's keys.
        composite: { sources: sources(fields), size: NEW_TERMS_PAGE_SIZE },
        aggs: firstSeenAggregations(timestampsOf(rule)),
      },
    },
  );
}

interface TopHits {
  hits: { hits: { _id?: string }[] };
}

interface EarliestAggs {
  first_seen?: { value: number | null };
  docs?: TopHits;
}

type DocFetchBucket = {
  key: CompositeKey;
  doc_count: number;
} & EarliestAggs & { with_override?: EarliestAggs; without_override?: EarliestAggs };

/** The earliest time and document of a bucket, from either shape of `firstSeenAggregations`. */
export function earliestOf(bucket: DocFetchBucket): { time: number; id: string } | undefined {
  const candidates = [bucket, bucket.with_override, bucket.without_override]
    .filter((b): b is EarliestAggs => b !== undefined)
    .map((b) => ({ time: b.first_seen?.value, id: b.docs?.hits.hits[0]?._id }))
    .filter((c): c is { time: number; id: string } => typeof c.time === "number" && typeof c.id === "string");
  return candidates.sort((a, b) => a.time - b.time)[0];
}

export interface NewTermsSearchResult {
  /** In composite order: the new terms and the `_id` of the document each alert is built from. */
  alerts: { id: string; terms: (string | number | boolean | null)[] }[];
  /** How many requests were sent. */
  searches: number;
}

/** Runs the new terms searches for one execution; `search` sends one request. */
export async function searchNewTerms(
  client: Client,
  rule: EngineRule,
  fields: readonly string[],
  filter: DslQuery,
  index: string[],
  window: Window,
  maxSignals: number,
  fail: (what: string, error: unknown) => never,
): Promise<NewTermsSearchResult> {
  const from = Date.parse(window.from);
  const alerts: NewTermsSearchResult["alerts"] = [];
  let searches = 0;
  let after: CompositeKey | undefined;
  const send = async (request: object) => {
    searches++;
    return (await client
      .search(request as estypes.SearchRequest)
      .catch((e: unknown) => fail("the new_terms search failed", e))) as unknown as {
      aggregations?: { new_terms?: { after_key?: CompositeKey; buckets: DocFetchBucket[] } };
    };
  };
  // `while (result.createdSignalsCount <= params.maxSignals)` pages through the recent terms.
  while (alerts.length < maxSignals) {
    const recent = await send(recentTermsRequest(rule, fields, filter, index, window, after));
    const page = recent.aggregations?.new_terms;
    if (!page) throw new EngineError("the new_terms search returned no aggregation");
    if (page.after_key === undefined || page.buckets.length === 0) break;
    const keys = page.buckets.map((b) => b.key);
    for (let i = 0; i < keys.length && alerts.length < maxSignals; i += NEW_TERMS_BATCH_SIZE) {
      const batch = keys.slice(i, i + NEW_TERMS_BATCH_SIZE);
      const fetched = await send(newTermsDocFetchRequest(rule, fields, filter, index, window, batch));
      const wanted = new Set(batch.map((k) => JSON.stringify(fields.map((f) => k[f]))));
      for (const bucket of fetched.aggregations?.new_terms?.buckets ?? []) {
        if (!wanted.has(JSON.stringify(fields.map((f) => bucket.key[f])))) continue;
        const earliest = earliestOf(bucket);
        // The bucket_selector of buildCompositeDocFetchAgg: `params.first_seen_value > params.start_time`.
        if (!earliest || !(earliest.time > from)) continue;
        if (alerts.length >= maxSignals) break;
        alerts.push({ id: earliest.id, terms: fields.map((f) => bucket.key[f] ?? null) });
      }
    }
    after = page.after_key;
  }
  return { alerts, searches };
}
