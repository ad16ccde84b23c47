/**
 * The rule survey: the repository's rules against a cluster's existing indices, read-only. Per rule it reads the
 * real field types of the rule's indices (`_field_caps`, as Kibana does before translating KQL), sends the
 * detection engine's search over the survey window, and reports:
 *
 * - hits: the events the rule's query matches in the window;
 * - would-be alerts: what the rule would have written had it run every `interval` over the window, each run
 *   writing at most `max_signals` (hits counted per interval with a `date_histogram` on the rule's timestamps);
 * - the time it took (wall clock, and Elasticsearch's `took`);
 * - errors: a search Elasticsearch refuses, a query field the real mapping types differently from the rule's
 *   field catalogue (or does not map), an index pattern that matches no index.
 *
 * Per type, what "would-be alerts" means (the executors are those of `dac test --engine elasticsearch`):
 * - query and saved_query (KQL or Lucene): the hits of each interval, at most `max_signals`;
 * - threshold: per interval, the groups of `threshold.field` values with at least `threshold.value` events (and
 *   `cardinality.value` distinct values), at most `max_signals` (a `terms` aggregation per field under the
 *   histogram, with the `cardinality` sub-aggregation);
 * - new_terms and threat_match: an upper bound, the hits of each interval at most `max_signals` (whether a term
 *   is new, or an event matches an indicator, is not checked), said in the rule's warnings;
 * - eql: Kibana's `_eql/search` over the survey window (size 1000): the results (events, or sequences, per
 *   interval of their first event) at most `max_signals` per interval; a cluster without EQL gets
 *   `unsupported: eql on this cluster`;
 * - esql and machine_learning: unsupported.
 *
 * Only `_field_caps`, `_search` with `size: 0` and `_eql/search` are sent: nothing is written to the cluster.
 */
import { performance } from "node:perf_hooks";
import type { Client, estypes } from "@elastic/elasticsearch";
import { fieldsOf } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";
import { EngineError, languageOf, maxSignalsOf, thresholdOf } from "@dac/harness";
import type { EngineRule } from "@dac/harness";
import { describeError } from "./connection.js";
import { isMissingEql } from "./engine.js";
import { eqlSearchRequest } from "./eql-request.js";
import { dslFieldsFromFieldCaps, fieldTypeMismatches } from "./field-caps.js";
import type { FieldCapsResponse } from "./field-caps.js";
import { eventsSearchRequest, parseQuery, ruleFilter, timestampsOf } from "./request.js";

export interface SurveyRule extends EngineRule {
  name: string;
  catalog: FieldCatalog;
}

export interface SurveyOptions {
  /** Index patterns to search instead of each rule's `index`. */
  index?: readonly string[];
  /** Start of the window: date math or a date (default `now-7d`). */
  from?: string;
  /** End of the window (default `now`). */
  to?: string;
  /** Rules surveyed at once (default 4). */
  concurrency?: number;
  redact?: (text: string) => string;
  /** Called after each rule. */
  onProgress?: (done: number, total: number) => void;
}

export interface SurveyRuleResult {
  file: string;
  name: string;
  ruleId?: string;
  /** `ok`; `error` when the search could not run; `unsupported` for rule types the survey cannot run. */
  status: "ok" | "error" | "unsupported";
  index: string[];
  hits: number;
  /** True when `hits` is a lower bound (Elasticsearch stopped counting). */
  hitsLowerBound?: boolean;
  alerts: number;
  /** True when `alerts` is an upper bound (new_terms, threat_match: the hits, not checked further). */
  alertsUpperBound?: boolean;
  /** Rule intervals with at least one hit. */
  executionsWithHits: number;
  interval: string;
  maxSignals: number;
  durationMs: number;
  /** Elasticsearch's own `took` for the search. */
  esTookMs?: number;
  errors: string[];
  warnings: string[];
}

export interface SurveyResult {
  window: { from: string; to: string };
  /** The index patterns given with `--index`, if any. */
  index?: string[];
  rules: SurveyRuleResult[];
  summary: {
    rules: number;
    withHits: number;
    hits: number;
    alerts: number;
    errors: number;
    unsupported: number;
  };
  durationMs: number;
}

function intervalOf(rule: EngineRule): string {
  const value = rule.data.interval;
  return typeof value === "string" && /^\d+[smhd]$/.test(value) ? value : "5m";
}

function indexOf(rule: EngineRule): string[] {
  return Array.isArray(rule.data.index)
    ? rule.data.index.filter((p): p is string => typeof p === "string")
    : [];
}

export async function surveyRules(
  client: Client,
  rules: readonly SurveyRule[],
  options: SurveyOptions = {},
): Promise<SurveyResult> {
  const started = performance.now();
  const window = { from: options.from ?? "now-7d", to: options.to ?? "now" };
  const results: SurveyRuleResult[] = new Array<SurveyRuleResult>(rules.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rules.length) {
      const i = next++;
      results[i] = await surveyRule(client, rules[i]!, window, options);
      options.onProgress?.(++done, rules.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, rules.length) }, worker));
  return {
    window,
    ...(options.index?.length ? { index: [...options.index] } : {}),
    rules: results,
    summary: {
      rules: results.length,
      withHits: results.filter((r) => r.hits > 0).length,
      hits: results.reduce((n, r) => n + r.hits, 0),
      alerts: results.reduce((n, r) => n + r.alerts, 0),
      errors: results.filter((r) => r.status === "error").length,
      unsupported: results.filter((r) => r.status === "unsupported").length,
    },
    durationMs: performance.now() - started,
  };
}

async function surveyRule(
  client: Client,
  rule: SurveyRule,
  window: { from: string; to: string },
  options: SurveyOptions,
): Promise<SurveyRuleResult> {
  const started = performance.now();
  const redact = options.redact ?? ((t: string) => t);
  const index = options.index?.length ? [...options.index] : indexOf(rule);
  const result: SurveyRuleResult = {
    file: rule.file,
    name: rule.name,
    ...(typeof rule.data.rule_id === "string" ? { ruleId: rule.data.rule_id } : {}),
    status: "ok",
    index,
    hits: 0,
    alerts: 0,
    executionsWithHits: 0,
    interval: intervalOf(rule),
    maxSignals: maxSignalsOf(rule),
    durationMs: 0,
    errors: [],
    warnings: [],
  };
  const finish = () => {
    result.durationMs = performance.now() - started;
    return result;
  };
  const kind = surveyKind(rule);
  if (kind === undefined) {
    result.status = "unsupported";
    result.errors.push(`unsupported: ${String(rule.data.type)}/${languageOf(rule)} on elasticsearch`);
    return finish();
  }
  if (index.length === 0) {
    result.status = "error";
    result.errors.push("the rule names no index pattern (a data view rule needs --index)");
    return finish();
  }
  if (kind === "eql") return surveyEql(client, rule, index, window, result, redact).then(finish);
  if (kind === "upper-bound") {
    result.alertsUpperBound = true;
    result.warnings.push(
      `would-be alerts are an upper bound: the query's hits per interval, at most max_signals (${rule.data.type === "new_terms" ? "whether a term is new is not checked" : "indicator matches are not checked"})`,
    );
  }
  const threshold = kind === "threshold" ? thresholdOf(rule) : undefined;
  try {
    const query = parseQuery(rule);
    const caps = (await client.fieldCaps({
      index,
      fields: "*",
      ignore_unavailable: true,
      allow_no_indices: true,
    })) as unknown as FieldCapsResponse;
    const indices = Array.isArray(caps.indices) ? caps.indices : caps.indices ? [caps.indices] : [];
    if (indices.length === 0) result.warnings.push(`no index matches ${index.join(", ")}`);
    // With no index, there is no mapping to compare the catalogue with.
    if (query.language === "kuery" && indices.length > 0) {
      for (const m of fieldTypeMismatches(
        rule.catalog,
        caps,
        fieldsOf(query.ast).map((f) => f.name),
      )) {
        const message = m.cluster.includes("unmapped")
          ? `field ${m.field} is ${m.catalogue} in the rule's field catalogue but not mapped in ${index.join(", ")}`
          : `field ${m.field} is ${m.catalogue} in the rule's field catalogue but ${m.cluster.join(" and ")} in ${index.join(", ")}`;
        result.errors.push(message);
      }
    }
    const filter = ruleFilter(rule, query, dslFieldsFromFieldCaps(caps));
    const request = eventsSearchRequest(rule, filter, index, window);
    const timestamps = timestampsOf(rule);
    const histogram = (field: string) => ({
      date_histogram: { field, fixed_interval: result.interval, min_doc_count: 1 },
      ...(threshold && (threshold.fields.length > 0 || threshold.cardinality)
        ? { aggs: thresholdAggs(threshold, result.maxSignals) }
        : {}),
    });
    const response = await client.search({
      index: request.index,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 0,
      track_total_hits: true,
      query: request.query,
      aggs: {
        primary: histogram(timestamps.primary),
        ...(timestamps.secondary
          ? {
              fallback: {
                filter: { bool: { must_not: { exists: { field: timestamps.primary } } } },
                aggs: { secondary: histogram(timestamps.secondary) },
              },
            }
          : {}),
      },
    } as unknown as estypes.SearchRequest);
    const total = response.hits.total;
    result.hits = typeof total === "number" ? total : (total?.value ?? 0);
    if (typeof total === "object" && total.relation === "gte") result.hitsLowerBound = true;
    result.esTookMs = response.took;
    type Buckets = { buckets: ({ key: number; doc_count: number } & Record<string, unknown>)[] };
    const aggs = response.aggregations as
      { primary?: Buckets; fallback?: { secondary?: Buckets } } | undefined;
    const perInterval = new Map<number, number>();
    // Threshold: per interval, each group's count and distinct values (summed over the fallback histogram).
    const groups = new Map<number, Map<string, { count: number; distinct: number }>>();
    for (const b of [...(aggs?.primary?.buckets ?? []), ...(aggs?.fallback?.secondary?.buckets ?? [])]) {
      perInterval.set(b.key, (perInterval.get(b.key) ?? 0) + b.doc_count);
      if (!threshold) continue;
      let into = groups.get(b.key);
      if (!into) groups.set(b.key, (into = new Map()));
      collectGroups(b, threshold.fields.length, [], into);
    }
    result.executionsWithHits = perInterval.size;
    if (threshold)
      for (const interval of groups.values()) {
        const reached = [...interval.values()].filter(
          (g) =>
            g.count >= threshold.value &&
            (threshold.cardinality === undefined || g.distinct >= threshold.cardinality.value),
        ).length;
        result.alerts += Math.min(reached, result.maxSignals);
      }
    else for (const count of perInterval.values()) result.alerts += Math.min(count, result.maxSignals);
  } catch (error) {
    result.status = "error";
    result.errors.push(
      error instanceof EngineError
        ? `the query cannot run: ${error.message}`
        : `the search failed: ${describeError(error, redact)}`,
    );
  }
  if (result.errors.length > 0) result.status = "error";
  return finish();
}

type SurveyKind = "query" | "threshold" | "upper-bound" | "eql";

/** How the survey runs a rule, or undefined when it cannot (ES|QL, machine learning, another language). */
function surveyKind(rule: EngineRule): SurveyKind | undefined {
  const language = languageOf(rule);
  const type = rule.data.type;
  if (type === "eql") return language === "eql" ? "eql" : undefined;
  if (language !== "kuery" && language !== "lucene") return undefined;
  if (type === "query") return "query";
  // A saved_query rule is surveyed when its query is inline (else the saved object holds it).
  if (type === "saved_query") return typeof rule.data.query === "string" ? "query" : undefined;
  if (type === "threshold") return "threshold";
  if (type === "new_terms" || type === "threat_match") return "upper-bound";
  return undefined;
}

/** One `terms` level per threshold field (the last one with `min_doc_count: value`), and the cardinality. */
function thresholdAggs(
  threshold: ReturnType<typeof thresholdOf>,
  maxSignals: number,
): Record<string, unknown> {
  const leaf: Record<string, unknown> = threshold.cardinality
    ? { distinct: { cardinality: { field: threshold.cardinality.field } } }
    : {};
  // Built inside out: the deepest field first.
  let aggs = leaf;
  for (let i = threshold.fields.length - 1; i >= 0; i--) {
    const last = i === threshold.fields.length - 1;
    aggs = {
      [`t${i}`]: {
        terms: {
          field: threshold.fields[i],
          size: Math.max(maxSignals, 1000),
          ...(last ? { min_doc_count: threshold.value } : {}),
        },
        ...(Object.keys(aggs).length > 0 ? { aggs } : {}),
      },
    };
  }
  return aggs;
}

/** The leaf groups of the nested `terms` buckets under one interval, keyed by their values. */
function collectGroups(
  bucket: Record<string, unknown>,
  depth: number,
  key: unknown[],
  into: Map<string, { count: number; distinct: number }>,
): void {
  if (key.length === depth) {
    const id = JSON.stringify(key);
    const distinct = (bucket.distinct as { value?: number } | undefined)?.value ?? 0;
    const seen = into.get(id);
    const count = Number(bucket.doc_count ?? 0);
    if (seen) {
      seen.count += count;
      seen.distinct = Math.max(seen.distinct, distinct);
    } else into.set(id, { count, distinct });
    return;
  }
  const level = bucket[`t${key.length}`] as { buckets?: Record<string, unknown>[] } | undefined;
  for (const b of level?.buckets ?? []) collectGroups(b, depth, [...key, b.key], into);
}

/** An EQL rule: Kibana's `_eql/search` over the survey window. */
async function surveyEql(
  client: Client,
  rule: SurveyRule,
  index: string[],
  window: { from: string; to: string },
  result: SurveyRuleResult,
  redact: (text: string) => string,
): Promise<void> {
  const size = 1000;
  const request = eqlSearchRequest(rule, index, window);
  type EqlEvent = { fields?: Record<string, unknown[]>; _source?: Record<string, unknown> };
  let response: {
    took?: number;
    hits: { events?: EqlEvent[]; sequences?: { events?: EqlEvent[] }[] };
  };
  try {
    response = (await client.eql.search({
      index: request.index,
      allow_no_indices: true,
      ignore_unavailable: true,
      ...request.body,
      size,
    } as unknown as estypes.EqlSearchRequest)) as unknown as typeof response;
  } catch (error) {
    const text = describeError(error, redact);
    if (isMissingEql(text)) {
      result.status = "unsupported";
      result.errors.push("unsupported: eql on this cluster (it has no EQL module)");
    } else {
      result.status = "error";
      result.errors.push(`the EQL search failed: ${text}`);
    }
    return;
  }
  if (typeof response.took === "number") result.esTookMs = response.took;
  const timestamps = timestampsOf(rule);
  const timeOf = (event: EqlEvent | undefined): number | undefined => {
    for (const field of [timestamps.primary, timestamps.secondary]) {
      const value = field ? event?.fields?.[field]?.[0] : undefined;
      const t = typeof value === "string" ? Date.parse(value) : Number.NaN;
      if (!Number.isNaN(t)) return t;
    }
    return undefined;
  };
  const firsts = response.hits.sequences
    ? response.hits.sequences.map((s) => s.events?.[0])
    : (response.hits.events ?? []);
  result.hits = firsts.length;
  if (firsts.length >= size) result.hitsLowerBound = true;
  const ms = intervalMs(result.interval);
  const perInterval = new Map<number, number>();
  for (const event of firsts) {
    const t = timeOf(event);
    const key = t === undefined ? -1 : Math.floor(t / ms);
    perInterval.set(key, (perInterval.get(key) ?? 0) + 1);
  }
  result.executionsWithHits = perInterval.size;
  for (const count of perInterval.values()) result.alerts += Math.min(count, result.maxSignals);
}

function intervalMs(interval: string): number {
  const m = /^(\d+)([smhd])$/.exec(interval);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m?.[2] ?? "m"]!;
  return Number(m?.[1] ?? 5) * unit;
}
