/**
 * One execution of a rule on the node (`expect: alert | no-alert` cases): the searches Kibana's detection engine
 * sends for it, restricted to the execution's events (`ids`) and its lookback window.
 *
 * - query rules: `buildEventsSearchQuery` with the window (`range gte from lte to` on the rule's timestamps),
 *   sorted ascending, `size: max_signals`: the hits are the alerts. With `alert_suppression` the node's hits
 *   (every one, not only the first page) are grouped in process, as `group_and_bulk_create.ts` groups the
 *   composite aggregation's buckets (same group keys, `top_hits` = the earliest).
 * - threshold rules (`rule_types/threshold/find_threshold_signals.ts`, `build_threshold_aggregation.ts`): the
 *   composite aggregation over `threshold.field` with `max_timestamp`/`min_timestamp`, the `cardinality`
 *   sub-aggregation and the `bucket_selector`s, paged by `after_key`; without fields, the single-bucket
 *   aggregation and `hits.total`. A node without scripting (no painless) cannot run `bucket_selector`: the
 *   buckets are then read whole and the same comparisons (`doc_count >= value`, `cardinality >= value`) are
 *   made on the node's numbers, and the run says so.
 */
import type { Client, estypes } from "@elastic/elasticsearch";
import type { FieldCatalog } from "@dac/fields";
import type { DslQuery, JsonValue } from "@dac/kql";
import {
  eventAlert,
  executeRule,
  maxSignalsOf,
  ruleEventTime,
  thresholdAlert,
  thresholdBuckets,
  thresholdOf,
  withSuppression,
} from "@dac/harness";
import type { Alert, EngineRule, Execution } from "@dac/harness";
import { eventsSearchRequest, timestampsOf } from "./request.js";

export interface NodeExecution {
  client: Client;
  index: string;
  rule: EngineRule;
  /** The rule's filter (query and `filters`), as `ruleFilter` builds it. */
  filter: DslQuery;
  /** `_id` of each of the execution's events. */
  ids: string[];
  execution: Execution & { range: { from: Date; to: Date } };
  catalog: FieldCatalog;
  executedAt: Date;
  notes: Set<string>;
  fail: (what: string, error: unknown) => never;
}

type Search = (request: object) => Promise<estypes.SearchResponse>;

export async function executeOnNode(run: NodeExecution): Promise<Alert[]> {
  const search: Search = (request) =>
    run.client
      .search(request as estypes.SearchRequest)
      .catch((e: unknown) => run.fail("the rule's search failed", e));
  const scoped: DslQuery = { bool: { filter: [run.filter as JsonValue, { ids: { values: run.ids } }] } };
  const window = { from: run.execution.range.from.toISOString(), to: run.execution.range.to.toISOString() };
  const base = eventsSearchRequest(run.rule, scoped, [run.index], window);
  const position = new Map(run.ids.map((id, i) => [id, i]));
  const { rule, execution, executedAt } = run;

  if (rule.data.type === "threshold") return thresholdOnNode(run, base, search, position);

  const suppressed = Array.isArray((rule.data.alert_suppression as { group_by?: unknown })?.group_by);
  if (!suppressed) {
    // Kibana's first page is the alerts: sorted ascending by the rule's timestamps, at most max_signals.
    const page = await search({ ...base, _source: false, fields: [] });
    return page.hits.hits.map((hit) => {
      const i = position.get(String(hit._id))!;
      return { events: [i], document: eventAlert(rule, execution.events[i]!, executedAt) };
    });
  }
  run.notes.add(
    "alert suppression: the node's hits in the window are grouped in process (Kibana sends a composite aggregation with the same keys)",
  );
  const all = await search({ ...base, size: run.ids.length, _source: false, fields: [] });
  const returned = new Set(all.hits.hits.map((h) => String(h._id)));
  return executeRule({
    rule,
    events: execution.events,
    matched: run.ids.map((id) => returned.has(id)),
    // The node has applied the window already.
    executedAt,
    catalog: run.catalog,
  }).alerts;
}

interface Bucket {
  key: Record<string, string | number | boolean | null>;
  doc_count: number;
  max_timestamp?: { value: number | null; value_as_string?: string };
  min_timestamp?: { value: number | null; value_as_string?: string };
  cardinality_count?: { value: number };
}

async function thresholdOnNode(
  run: NodeExecution,
  base: ReturnType<typeof eventsSearchRequest>,
  search: Search,
  position: Map<string, number>,
): Promise<Alert[]> {
  const { rule, execution, executedAt } = run;
  const settings = thresholdOf(rule);
  const timestamps = timestampsOf(rule);
  // Kibana aggregates on a runtime field `kibana.combined_timestamp` when the override falls back to
  // @timestamp; that needs painless. Without a fallback the primary timestamp is the field.
  const timeField = timestamps.secondary ? undefined : timestamps.primary;
  if (!timeField)
    run.notes.add(
      "threshold with a timestamp override and fallback: the bucket times come from the events (the node cannot run Kibana's painless runtime field kibana.combined_timestamp)",
    );
  const timeAggs = timeField
    ? { max_timestamp: { max: { field: timeField } }, min_timestamp: { min: { field: timeField } } }
    : {};
  const cardinalityAgg = settings.cardinality
    ? { cardinality_count: { cardinality: { field: settings.cardinality.field } } }
    : {};
  const request = { ...base, size: 0, track_total_hits: true, _source: false, fields: [], sort: undefined };

  let buckets: Bucket[] = [];
  if (settings.fields.length === 0) {
    const response = await search({ ...request, aggregations: { ...timeAggs, ...cardinalityAgg } });
    const total = response.hits.total;
    const count = typeof total === "number" ? total : (total?.value ?? 0);
    const aggs = (response.aggregations ?? {}) as Partial<Bucket>;
    buckets.push({ key: {}, doc_count: count, ...aggs });
  } else {
    const selectors = {
      ...(settings.cardinality
        ? {
            cardinality_check: {
              bucket_selector: {
                buckets_path: { cardinalityCount: "cardinality_count" },
                script: `params.cardinalityCount >= ${settings.cardinality.value}`,
              },
            },
          }
        : {}),
      count_check: {
        bucket_selector: {
          buckets_path: { docCount: "_count" },
          script: `params.docCount >= ${settings.value}`,
        },
      },
    };
    const page = async (after: unknown, withSelectors: boolean) =>
      run.client.search({
        ...request,
        aggregations: {
          thresholdTerms: {
            composite: {
              sources: settings.fields.map((field) => ({ [field]: { terms: { field } } })),
              ...(after ? { after } : {}),
              size: 10000,
            },
            aggs: { ...timeAggs, ...cardinalityAgg, ...(withSelectors ? selectors : {}) },
          },
        },
      } as unknown as estypes.SearchRequest);
    let withSelectors = true;
    let after: unknown;
    for (let pages = 0; pages < 1000; pages++) {
      let response: estypes.SearchResponse;
      try {
        response = await page(after, withSelectors);
      } catch (error) {
        const text = String((error as Error).message ?? error);
        if (withSelectors && /script|painless|lang/i.test(text)) {
          withSelectors = false;
          run.notes.add(
            "threshold: the node cannot run bucket_selector scripts (no painless); its buckets are compared with the threshold in process",
          );
          pages--;
          continue;
        }
        return run.fail("the threshold aggregation failed", error);
      }
      const terms = (response.aggregations?.thresholdTerms ?? {}) as {
        buckets?: Bucket[];
        after_key?: unknown;
      };
      buckets.push(...(terms.buckets ?? []));
      after = terms.after_key;
      if (!after || (terms.buckets ?? []).length === 0 || buckets.length > maxSignalsOf(rule)) break;
    }
  }
  buckets = buckets.filter(
    (b) =>
      b.doc_count > 0 &&
      b.doc_count >= settings.value &&
      (!settings.cardinality || (b.cardinality_count?.value ?? 0) >= settings.cardinality.value),
  );

  // Which events each bucket holds (for reports): the events the node returns in the window, grouped by key.
  const all = await search({ ...base, size: position.size, _source: false, fields: [] });
  const returned = new Set(all.hits.hits.map((h) => String(h._id)));
  const hits = run.ids.flatMap((id, i) => (returned.has(id) ? [i] : []));
  const members = new Map(
    thresholdBuckets(rule, execution.events, hits, run.catalog).map((b) => [JSON.stringify(b.key), b.events]),
  );
  const suppressed = typeof rule.data.alert_suppression === "object" && rule.data.alert_suppression !== null;
  return buckets.slice(0, maxSignalsOf(rule)).map((bucket) => {
    const values = settings.fields.map((f) => bucket.key[f] ?? null);
    const events = members.get(JSON.stringify(values)) ?? [];
    const times = events.flatMap((i) => {
      const t = ruleEventTime(rule, execution.events[i]!).time;
      return t === undefined ? [] : [t];
    });
    const min =
      bucket.min_timestamp?.value_as_string ??
      (times.length ? new Date(Math.min(...times)).toISOString() : undefined);
    const max =
      bucket.max_timestamp?.value_as_string ??
      (times.length ? new Date(Math.max(...times)).toISOString() : undefined);
    const terms = settings.fields.map((field, j) => ({ field, value: values[j] }));
    const from = min ? new Date(min).toISOString() : run.execution.range.from.toISOString();
    const latest = max ? new Date(max).toISOString() : executedAt.toISOString();
    let document = thresholdAlert(
      rule,
      {
        terms,
        ...(settings.cardinality
          ? {
              cardinality: [
                { field: settings.cardinality.field, value: bucket.cardinality_count?.value ?? 0 },
              ],
            }
          : {}),
        count: bucket.doc_count,
        from,
      },
      latest,
      executedAt,
    );
    if (suppressed) document = withSuppression(document, { terms, start: from, end: latest, docsCount: 0 });
    return { events, document };
  });
}
