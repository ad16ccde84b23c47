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
 * Only `_field_caps` and `_search` with `size: 0` are sent: nothing is written to the cluster.
 */
import { performance } from "node:perf_hooks";
import type { Client, estypes } from "@elastic/elasticsearch";
import { fieldsOf } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";
import { EngineError, languageOf, maxSignalsOf } from "@dac/harness";
import type { EngineRule } from "@dac/harness";
import { describeError } from "./connection.js";
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
  const language = languageOf(rule);
  if (rule.data.type !== "query" || (language !== "kuery" && language !== "lucene")) {
    result.status = "unsupported";
    result.errors.push(`unsupported: ${String(rule.data.type)} on elasticsearch`);
    return finish();
  }
  if (index.length === 0) {
    result.status = "error";
    result.errors.push("the rule names no index pattern (a data view rule needs --index)");
    return finish();
  }
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
    type Buckets = { buckets: { key: number; doc_count: number }[] };
    const aggs = response.aggregations as
      { primary?: Buckets; fallback?: { secondary?: Buckets } } | undefined;
    const perInterval = new Map<number, number>();
    for (const b of [...(aggs?.primary?.buckets ?? []), ...(aggs?.fallback?.secondary?.buckets ?? [])])
      perInterval.set(b.key, (perInterval.get(b.key) ?? 0) + b.doc_count);
    result.executionsWithHits = perInterval.size;
    for (const count of perInterval.values()) result.alerts += Math.min(count, result.maxSignals);
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
