/**
 * The in-memory indicator match engine: the rule's KQL query picks the source events of the lookback window,
 * `threat_query` picks the indicators (with the indicator index's field types, and no time range: Kibana's
 * `getThreatList` searches the whole `threat_index`), and `matchEvent` pairs them through `threat_mapping`, each
 * entry judged as Elasticsearch's `match` query on the event's field would judge the indicator's value.
 */
import { compile, KqlEvaluationError, KqlSyntaxError, parse } from "@dac/kql";
import { docValuesReader, lookupField } from "@dac/fields";
import type { IsNode, KqlNode } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";
import { EngineError, languageOf, maxSignalsOf } from "./engine.js";
import type {
  CompiledRule,
  Engine,
  EngineRule,
  Evaluation,
  Execution,
  ExecutionResult,
  ExecuteOptions,
} from "./engine.js";
import type { EventDocument } from "./event-files.js";
import { ALERT, eventAlert } from "./alerts/document.js";
import { compileFilters, FilterError } from "./alerts/filters.js";
import type { CompiledFilters } from "./alerts/filters.js";
import type { Alert, AlertDocument } from "./alerts/document.js";
import { compileKql } from "./kql-engine.js";
import { compileLucene, parseLucene, ruleQueryEngine, ruleQueryFields } from "./lucene-engine.js";
import { eventTimeReader, executionWindow } from "./new-terms-engine.js";
import { shortTime } from "./new-terms.js";
import {
  DEFAULT_INDICATOR_PATH,
  enrichedMatches,
  matchEvent,
  mergedEnrichments,
  threatEnrichments,
  threatMappingOf,
} from "./threat-match.js";
import type { IndicatorDocument, ThreatMapping, ThreatMatcher, ThreatMappingEntry } from "./threat-match.js";
import { flattenEvent } from "./trim.js";

/** Field types Kibana searches with a `terms` query (`get_allowed_fields_for_terms_query.ts`). */
const TERMS_TYPES = new Set(["keyword", "constant_keyword", "wildcard", "ip"]);

export interface ThreatSettings {
  mapping: ThreatMapping;
  indicatorPath: string;
  threatQuery: string;
  /** `threat_language`: how `threat_query` is read (default kuery). */
  threatLanguage: "kuery" | "lucene";
  threatIndex: string[];
}

export function threatSettings(rule: EngineRule): ThreatSettings {
  let mapping: ThreatMapping;
  try {
    mapping = threatMappingOf(rule.data.threat_mapping);
  } catch (error) {
    throw new EngineError((error as Error).message);
  }
  const language = typeof rule.data.threat_language === "string" ? rule.data.threat_language : "kuery";
  if (language !== "kuery" && language !== "lucene")
    throw new EngineError(`threat_language ${language} is not evaluated in memory`);
  const index = Array.isArray(rule.data.threat_index)
    ? rule.data.threat_index.filter((i): i is string => typeof i === "string")
    : [];
  return {
    mapping,
    indicatorPath:
      typeof rule.data.threat_indicator_path === "string"
        ? rule.data.threat_indicator_path
        : DEFAULT_INDICATOR_PATH,
    threatQuery: typeof rule.data.threat_query === "string" ? rule.data.threat_query : "",
    threatLanguage: language,
    threatIndex: index,
  };
}

const span = { start: 0, end: 0 };

/** `field: value` as an unquoted KQL literal: the `match` query Kibana builds for a mapping entry. */
function matchNode(field: string, value: unknown): IsNode {
  return {
    type: "is",
    field: { type: "field", name: field, wildcard: null, quoted: false, span },
    value: { type: "literal", value: String(value), quoted: false, span },
    span,
  };
}

function fieldsApiValues(document: EventDocument, field: string): unknown[] {
  const v = flattenEvent(document)[field];
  return v === undefined || v === null ? [] : [v].flat().filter((x) => x !== null && typeof x !== "object");
}

/**
 * An indicator's values as the fields API returns them: ip fields in their usual text (an address that is not
 * one is not indexed: logs-* data streams set ignore_malformed), other fields as the document holds them.
 */
function indicatorFieldValues(catalog: FieldCatalog, document: EventDocument, field: string): unknown[] {
  if (lookupField(catalog, field)?.type === "ip") return docValuesReader(catalog, field)(document);
  return fieldsApiValues(document, field);
}

/** The indicators `threat_query` and `threat_filters` select, with their ids and indices. */
function selectIndicators(
  rule: EngineRule,
  settings: ThreatSettings,
  execution: Execution,
  now: Date,
): IndicatorDocument[] {
  const inputs = execution.indicators ?? [];
  const catalog = execution.indicatorCatalog ?? execution.catalog;
  let query: CompiledRule;
  if (settings.threatLanguage === "lucene")
    query = compileLucene(parseLucene(settings.threatQuery, "threat_query"), settings.threatQuery, {
      catalog,
      now,
    });
  else {
    let ast: KqlNode;
    try {
      ast = parse(settings.threatQuery);
    } catch (error) {
      if (error instanceof KqlSyntaxError)
        throw new EngineError(
          `threat_query: syntax error at line ${error.line}, column ${error.column}: ${error.message}`,
        );
      throw error;
    }
    query = compileKql(ast, settings.threatQuery, { catalog, now });
  }
  // `getThreatList`: threat_filters with threat_query, as the rule's filters go with its query.
  let filters: CompiledFilters | undefined;
  try {
    filters = compileFilters(rule.data.threat_filters ?? [], catalog, now);
  } catch (error) {
    if (error instanceof FilterError) throw new EngineError(`threat_filters: ${error.message}`);
    throw error;
  }
  // `getMappingFilters`: an indicator needs every indicator field of at least one group.
  const complete = (doc: EventDocument) =>
    settings.mapping.some((g) =>
      g.entries.every((e) => indicatorFieldValues(catalog, doc, e.value).length > 0),
    );
  const out: IndicatorDocument[] = [];
  inputs.forEach((input, i) => {
    if (
      !query.evaluate(input.document).matched ||
      filters?.rejects(input.document) ||
      !complete(input.document)
    )
      return;
    out.push({
      id: input.id ?? `indicator-${i + 1}`,
      index: input.index ?? settings.threatIndex[0] ?? "threat-index",
      source: input.document,
    });
  });
  return out;
}

function matcherFor(
  events: readonly EventDocument[],
  catalog: FieldCatalog,
  indicatorCatalog: FieldCatalog,
  now: Date,
): ThreatMatcher {
  const predicates = new Map<string, ((doc: EventDocument) => boolean) | null>();
  const termsType = (c: FieldCatalog, f: string) => TERMS_TYPES.has(lookupField(c, f)?.type ?? "keyword");
  return {
    indicatorValues: (indicator, field) => indicatorFieldValues(indicatorCatalog, indicator.source, field),
    termsAllowed: (entry: ThreatMappingEntry) =>
      termsType(catalog, entry.field) && termsType(indicatorCatalog, entry.value),
    eventMatches(event, field, value) {
      const key = JSON.stringify([field, value]);
      let test = predicates.get(key);
      if (test === undefined) {
        try {
          test = compile(matchNode(field, value), { catalog, now: () => now });
        } catch (error) {
          // A value the field cannot hold (not an address for an ip field): Elasticsearch's match fails; no match.
          if (!(error instanceof KqlEvaluationError)) throw error;
          test = null;
        }
        predicates.set(key, test);
      }
      if (!test) return false;
      try {
        return test(events[event]!);
      } catch (error) {
        if (error instanceof KqlEvaluationError) return false;
        throw error;
      }
    },
  };
}

/** One execution of an indicator match rule whose query is compiled already. */
export function executeThreatMatch(
  rule: EngineRule,
  execution: Execution,
  compiled: CompiledRule,
  options: ExecuteOptions,
): ExecutionResult {
  const settings = threatSettings(rule);
  const window = executionWindow(rule, execution, options);
  const indicators = selectIndicators(rule, settings, execution, window.now);
  const matcher = matcherFor(
    execution.events,
    execution.catalog,
    execution.indicatorCatalog ?? execution.catalog,
    window.now,
  );
  const queried = execution.events.map((event) => compiled.evaluate(event));
  const times = execution.events.map(eventTimeReader(rule, window.now));
  const results = execution.events.map((_, i) => {
    const inWindow = times[i]! >= window.from && times[i]! <= window.to;
    if (!queried[i]!.matched || !inWindow) return undefined;
    return matchEvent(i, indicators, settings.mapping, matcher);
  });
  // Kibana searches the events newest first without suppression (`sortOrder: 'desc'`): the first max_signals.
  const matchedEvents = results
    .map((r, i) => (r && r.matches.length > 0 ? i : -1))
    .filter((i) => i >= 0)
    .sort((a, b) => times[b]! - times[a]! || a - b)
    .slice(0, maxSignalsOf(rule));
  const executedAt = execution.now ?? options.now ?? window.now;
  const alerts: Alert[] = matchedEvents.map((i) => {
    const source = execution.events[i]!;
    const found = enrichedMatches(
      results[i]!.matches,
      settings.mapping,
      indicators,
      (field) => indicatorFieldValues(execution.catalog, source, field),
      matcher.termsAllowed,
    );
    const enrichments = threatEnrichments(source, found, indicators, settings.indicatorPath);
    return {
      events: [i],
      document: threatMatchAlert(rule, source, mergedEnrichments(source, enrichments), executedAt),
    };
  });
  const alerted = new Set(matchedEvents);
  const events: Evaluation[] = execution.events.map((_, i) => {
    const q = queried[i]!;
    if (q.error !== undefined) return q;
    const reason = (): string => {
      const r = results[i];
      if (!r)
        return `✗ the event at ${shortTime(times[i]!)} is outside the lookback window ${shortTime(window.from)} to ${shortTime(window.to)}`;
      if (indicators.length === 0) return "✗ no indicator matches threat_query and has the mapped fields";
      if (r.matches.length > 0) {
        const pairs = r.matches.map(
          (m) => `${m.entry.field} = ${JSON.stringify(m.value)} (indicator ${indicators[m.indicator]!.id})`,
        );
        return `✓ matches ${[...new Set(pairs)].join(", ")}${alerted.has(i) ? "" : ", but max_signals was reached"}`;
      }
      return [
        "✗ no indicator matches a threat_mapping group:",
        ...new Set(r.misses.map((m) => `  ✗ group ${m.group + 1}: ${m.reason}`)),
      ].join("\n");
    };
    // `matched` is the query's verdict (the search returns the event); whether an indicator matches comes first.
    const explain = (): string =>
      q.matched
        ? `${reason()}\n  the query matches:\n${q
            .explain()
            .split("\n")
            .map((l) => `    ${l}`)
            .join("\n")}`
        : q.explain();
    return { matched: q.matched, explain };
  });
  return { events, alerts };
}

/** `enrichSignalWithThreatMatches`: the event's alert with `threat.enrichments` (its own first, then the new). */
export function threatMatchAlert(
  rule: EngineRule,
  event: EventDocument,
  enrichments: readonly unknown[],
  executedAt: Date,
): AlertDocument {
  const alert = eventAlert(rule, event, executedAt);
  // The enrichments replace the event's own (already merged in): one place, the dotted key, holds them all.
  delete alert["threat.enrichments"];
  const threat = alert.threat;
  if (threat !== null && typeof threat === "object" && !Array.isArray(threat) && "enrichments" in threat) {
    const { enrichments: _old, ...rest } = threat as Record<string, unknown>;
    alert.threat = rest;
  }
  return { ...alert, [ALERT.threatEnrichments]: [...enrichments] };
}

export const threatMatchEngine: Engine = {
  name: "threat_match",
  supports: (rule) => rule.data.type === "threat_match" && ["kuery", "lucene"].includes(languageOf(rule)),
  compile: (rule, context) => ruleQueryEngine(rule).compile!(rule, context),
  execute(rule, executions, options = {}) {
    const queryFields = ruleQueryFields(rule);
    const settings = threatSettings(rule);
    const results = executions.map((execution): ExecutionResult => {
      try {
        // Relative dates in the query resolve when the execution runs: at its `now`.
        const { now } = executionWindow(rule, execution, options);
        const compiled = ruleQueryEngine(rule).compile!(rule, { catalog: execution.catalog, now });
        return executeThreatMatch(rule, execution, compiled, options);
      } catch (error) {
        if (error instanceof EngineError) return { error: error.message, events: [], alerts: [] };
        throw error;
      }
    });
    const fields = [
      ...new Set([...queryFields, ...settings.mapping.flatMap((g) => g.entries.map((e) => e.field))]),
    ];
    return Promise.resolve({ executions: results, fields });
  },
};
