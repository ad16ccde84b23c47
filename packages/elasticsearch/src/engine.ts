/**
 * The Elasticsearch engine: a rule's executions run on a real node or cluster.
 *
 * For each rule, and each distinct field catalogue among its executions (fixture cases with field overrides get
 * their own), it creates a temporary index `dac-test-<run>-<n>` mapped from the catalogue, bulk-indexes every
 * event with `_id` `<execution>-<position>`, refreshes, reads the index's fields back (`_field_caps`, as Kibana
 * 8.15+ does before it translates KQL), sends the search Kibana's detection engine sends for a query rule, and
 * maps the hits back to the events. It deletes its indices when the rule is done, whatever happened; `cleanup`
 * deletes whatever is left (Ctrl-C), and `sweepStaleIndices` removes those of runs that crashed.
 *
 * The first search is Kibana's request as it is (`size` = `max_signals`): its hits are the alerts. An
 * `expect: match | no-match` case judges every event on its own, so when more events match than `max_signals`,
 * the engine reads the remaining hits with the same query (`from`, `_source: false`) to judge them too.
 *
 * A rule's exceptions (`ExecuteOptions.exceptions`) go in the `must_not` of every search it sends for the rule,
 * as Kibana's `getQueryFilter` adds `exceptionFilter` (EQL and ES|QL: in the request `filter`). The query is also
 * searched without them, so that each event says whether the query matches and whether the exceptions removed
 * it (`excepted`); the harness checks that against its in-memory evaluation of the same items.
 */
import { randomBytes } from "node:crypto";
import type { Client, estypes } from "@elastic/elasticsearch";
import { fieldsOf } from "@dac/kql";
import { resolveDateMath } from "@dac/fields";
import type { DslField, DslQuery } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";
import {
  EngineError,
  eventAlert,
  executeNewTerms,
  executeThreatMatch,
  executionWindow,
  kqlEngine,
  languageOf,
  maxSignalsOf,
  newTermsAlert,
  newTermsSettings,
  parseEqlRule,
  parseEsqlRule,
  esqlAlerts,
  groupAlerts,
  executeRule,
  threatMatchAlert,
  threatSettings,
} from "@dac/harness";
import type { ThreatSettings } from "@dac/harness";
import { fieldsOf as eqlFieldsOf } from "@dac/eql";
import type { EqlQuery } from "@dac/eql";
import { eqlSearchRequest } from "./eql-request.js";
import { esqlQueryRequest, isMissingEsql, isUnrecognizedParameter } from "./esql-request.js";
import type { EsqlQueryRequest } from "./esql-request.js";
import { fieldsOf as esqlFieldsOf, isAggregating } from "@dac/esql";
import type { EsqlQuery } from "@dac/esql";
import type {
  Engine,
  EventDocument,
  EngineRule,
  Evaluation,
  ExecuteOptions,
  Execution,
  ExecutionResult,
  RuleExecutions,
} from "@dac/harness";
import { exceptionsQuery } from "@dac/exceptions";
import { describeError } from "./connection.js";
import { dslFieldsFromFieldCaps } from "./field-caps.js";
import type { FieldCapsResponse } from "./field-caps.js";
import {
  describeSubstitution,
  documentPaths,
  expandWildcardName,
  hasValue,
  mappingFor,
  missingFromError,
} from "./mapping.js";
import type { Substitution } from "./mapping.js";
import { executeOnNode } from "./execution.js";
import { searchNewTerms } from "./new-terms-search.js";
import {
  eventsSearchRequest,
  parseQuery,
  pinNow,
  ruleFilter,
  timelessRange,
  timestampsOf,
} from "./request.js";
import { matchedFields, searchThreatMatches, termsAllowedFields } from "./threat-match-search.js";

export const testIndexPrefix = "dac-test-";

export interface ElasticsearchEngineOptions {
  client: Client;
  /** Part of every index name; default: a fresh random id. */
  runId?: string;
  /** Removes secrets from error texts. */
  redact?: (text: string) => string;
  /** Rules in flight at once (default 4). */
  concurrency?: number;
}

export interface ElasticsearchEngine extends Engine {
  runId: string;
  /** Deletes every index this engine created and has not deleted yet. */
  cleanup(): Promise<void>;
  /** The indices created and not yet deleted (for tests and signal handlers). */
  liveIndices(): string[];
}

/**
 * Query, threshold, new_terms and indicator match rules (KQL or Lucene), EQL and ES|QL rules. Other types report
 * `unsupported: <type> on elasticsearch`.
 */
const supportedTypes = new Set(["query", "threshold", "new_terms", "threat_match"]);

function supports(rule: EngineRule): boolean {
  const language = languageOf(rule);
  if (rule.data.type === "eql") return language === "eql";
  if (rule.data.type === "esql") return language === "esql";
  return supportedTypes.has(String(rule.data.type)) && (language === "kuery" || language === "lucene");
}

/** Executions that share a field catalogue share one test index, with that catalogue's mappings. */
interface CatalogGroup {
  catalog: FieldCatalog;
  members: { position: number; execution: Execution }[];
}

function groupByCatalog(executions: readonly Execution[]): CatalogGroup[] {
  const groups = new Map<FieldCatalog, CatalogGroup>();
  executions.forEach((execution, position) => {
    let group = groups.get(execution.catalog);
    if (!group) groups.set(execution.catalog, (group = { catalog: execution.catalog, members: [] }));
    group.members.push({ position, execution });
  });
  return [...groups.values()];
}

/** What a node without the EQL module answers to `_eql/search` (the route does not exist). */
export function isMissingEql(text: string): boolean {
  return /no handler found for uri \[[^\]]*_eql\/search|incorrect HTTP method for uri \[[^\]]*_eql\/search/i.test(
    text,
  );
}

/**
 * The query with its FROM pointed at the test index (the rule's METADATA and the rest kept as written), and each
 * `LOOKUP JOIN <index>` named in `lookups` pointed at its test lookup index.
 */
export function esqlQueryOn(
  text: string,
  ast: EsqlQuery,
  index: string,
  lookups: ReadonlyMap<string, string> = new Map(),
): string {
  const edits: { start: number; end: number; text: string }[] = [];
  if (ast.source.type === "from" && ast.source.indices.length > 0)
    edits.push({
      start: ast.source.indices[0]!.span.start,
      end: ast.source.indices.at(-1)!.span.end,
      text: index,
    });
  for (const c of ast.commands) {
    const to = c.type === "lookup_join" ? lookups.get(c.index) : undefined;
    if (to !== undefined && c.type === "lookup_join")
      edits.push({ start: c.indexSpan.start, end: c.indexSpan.end, text: to });
  }
  // From the end, so that each edit's offsets still hold.
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start))
    out = `${out.slice(0, e.start)}${e.text}${out.slice(e.end)}`;
  return out;
}

/**
 * Why an execution's LOOKUP JOIN and ENRICH cannot run on the cluster as the fixture says, if they cannot: every
 * LOOKUP JOIN index needs the case's `lookups:` rows (the engine never reads the user's own lookup indices, whose
 * rows are not the fixture's), and ENRICH needs an enrich policy, which the engine does not create.
 */
export function esqlLookupProblem(ast: EsqlQuery, execution: Execution): string | undefined {
  for (const c of ast.commands) {
    if (c.type === "enrich")
      return `ENRICH ${c.policy} on elasticsearch: dac does not create enrich policies on the cluster, so the case's \`lookups:\` rows are not sent; test the rule with the in-memory engine`;
    if (c.type === "lookup_join" && !(execution.lookups && Object.hasOwn(execution.lookups, c.index)))
      return `no lookup data for lookup index [${c.index}]; give its rows under the case's \`lookups:\``;
  }
  return undefined;
}

interface EsqlResponse {
  id?: string;
  is_running?: boolean;
  columns?: { name: string; type: string }[];
  values?: unknown[][];
}

interface EqlHit {
  _id?: string | null;
}
interface EqlResponse {
  hits: { events?: EqlHit[]; sequences?: { events?: EqlHit[] }[] };
}

export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

export function elasticsearchEngine(options: ElasticsearchEngineOptions): ElasticsearchEngine {
  const client = options.client;
  const redact = options.redact ?? ((t: string) => t);
  const runId = options.runId ?? newRunId();
  const live = new Set<string>();
  const missingTypes = new Set<string>();
  const missingAnalyzers = new Set<string>();
  let counter = 0;
  /** Set by `cleanup`: an index created after it is deleted at once (a Ctrl-C during a create). */
  let closing = false;
  /** Creates the node has not answered yet: cleanup waits for them, so none outlives it. */
  const creating = new Set<Promise<unknown>>();

  const fail = (what: string, error: unknown): never => {
    throw new EngineError(`${what}: ${describeError(error, redact)}`);
  };

  async function createIndex(
    name: string,
    catalog: FieldCatalog,
    fieldNames: Set<string>,
    documents: number,
    /** `lookup`: an index LOOKUP JOIN can join (`index.mode: lookup`, one shard). */
    mode?: "lookup",
  ): Promise<Substitution[]> {
    // Types the node refuses are learnt from its answer, once per run, and mapped to their nearest type.
    for (let attempt = 0; attempt < 12; attempt++) {
      // Rules run concurrently: another may learn of a missing type while this one builds its mapping.
      const knownTypes = new Set(missingTypes);
      const knownAnalyzers = new Set(missingAnalyzers);
      const { mappings, substitutions } = mappingFor(catalog, fieldNames, {
        missingTypes: knownTypes,
        missingAnalyzers: knownAnalyzers,
      });
      if (closing) throw new EngineError("the run was interrupted");
      try {
        const create = client.indices.create({
          index: name,
          settings: {
            number_of_shards: 1,
            number_of_replicas: 0,
            refresh_interval: "-1",
            "mapping.total_fields.limit": Math.max(1000, fieldNames.size * 4 + 100),
            max_result_window: Math.max(10_000, documents + 1),
            ...(mode ? { mode } : {}),
          },
          mappings,
        });
        creating.add(create);
        try {
          await create;
        } finally {
          creating.delete(create);
        }
        live.add(name);
        if (closing) {
          await deleteIndex(name).catch(() => undefined);
          throw new EngineError("the run was interrupted");
        }
        return substitutions;
      } catch (error) {
        const missing = missingFromError(describeError(error));
        if (missing && "type" in missing && !knownTypes.has(missing.type)) {
          missingTypes.add(missing.type);
          continue;
        }
        if (missing && "analyzer" in missing && !knownAnalyzers.has(missing.analyzer)) {
          missingAnalyzers.add(missing.analyzer);
          continue;
        }
        return fail(`cannot create the test index ${name}`, error);
      }
    }
    throw new EngineError(`cannot create the test index ${name}: too many field types missing on the node`);
  }

  async function deleteIndex(name: string): Promise<void> {
    try {
      await client.indices.delete({ index: name, ignore_unavailable: true });
    } finally {
      live.delete(name);
    }
  }

  /** One group of executions sharing a catalogue: one index, one search. */
  async function runGroup(
    rule: EngineRule,
    query: ReturnType<typeof parseQuery>,
    group: CatalogGroup,
    results: ExecutionResult[],
    notes: Set<string>,
    now: Date,
    exceptionsFor: (execution: Execution) => DslQuery | undefined,
  ): Promise<void> {
    const name = `${testIndexPrefix}${runId}-${++counter}`;
    const timestamps = timestampsOf(rule);
    const fieldNames = new Set<string>([
      timestamps.primary,
      ...(timestamps.secondary ? [timestamps.secondary] : []),
    ]);
    if (query.language === "kuery")
      for (const f of fieldsOf(query.ast))
        for (const n of expandWildcardName(group.catalog, f.name)) fieldNames.add(n);
    for (const f of typeFields(rule)) fieldNames.add(f);
    let documents = 0;
    for (const { execution } of group.members) {
      for (const event of execution.events) documentPaths(event, fieldNames);
      documents += execution.events.length;
    }
    const substitutions = await createIndex(name, group.catalog, fieldNames, documents);
    try {
      for (const line of summarize(substitutions)) notes.add(line);
      const refused = await indexEvents(name, group.members, timestamps, now);
      await client.indices.refresh({ index: name }).catch((e: unknown) => fail(`cannot refresh ${name}`, e));
      const caps = (await client
        .fieldCaps({ index: name, fields: "*" })
        .catch((e: unknown) => fail(`cannot read the fields of ${name}`, e))) as FieldCapsResponse;
      const fields: DslField[] = dslFieldsFromFieldCaps(caps);
      let filter;
      try {
        filter = ruleFilter(rule, query, fields);
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        for (const { position } of group.members)
          results[position] = { error: error.message, events: [], alerts: [] };
        return;
      }
      // The query alone (the runner's "matched"), then per distinct exception clause the same search with the
      // clause in the filter's must_not (Kibana's search): an event in the first and not the second is excepted.
      const bare = filter;
      const hits = await searchAll(eventsSearchRequest(rule, bare, [name], timelessRange), documents);
      const keptBy = new Map<string, Map<string, number>>();
      const applied = async (execution: Execution) => {
        const clause = exceptionsFor(execution);
        if (!clause) return { filter: bare };
        const withExceptions = ruleFilter(rule, query, fields, clause);
        const key = JSON.stringify(clause);
        let kept = keptBy.get(key);
        if (!kept) {
          const request = eventsSearchRequest(rule, withExceptions, [name], timelessRange);
          keptBy.set(key, (kept = (await searchAll(request, documents)).order));
        }
        return { filter: withExceptions, kept };
      };
      if (rule.data.type === "new_terms") {
        await runNewTerms(rule, name, applied, group, results, now, hits.order, refused);
        return;
      }
      if (rule.data.type === "threat_match") {
        await runThreatMatch(rule, name, applied, group, results, notes, now, hits.order, refused);
        return;
      }
      const maxSignals = maxSignalsOf(rule);
      for (const { position, execution } of group.members) {
        const { filter, kept } = await applied(execution);
        const order = kept ?? hits.order;
        const events: Evaluation[] = execution.events.map((_, i) => {
          const id = `${position}-${i}`;
          const error = refused.get(id);
          if (error !== undefined)
            return {
              matched: false,
              error: `Elasticsearch refused to index the event: ${error}`,
              explain: () => `✗ Elasticsearch refused to index the event: ${error}`,
            };
          const hit = hits.order.get(id);
          // Why, clause by clause: the in-memory engine's reading of the same event, as a guide.
          const reading = () => inMemoryReading(rule, group.catalog, execution.events[i]!, now);
          if (hit === undefined)
            return {
              matched: false,
              explain: () => `✗ the rule's search on Elasticsearch did not return this event${reading()}`,
            };
          if (kept && !kept.has(id))
            return {
              matched: true,
              excepted: true,
              explain: () =>
                `✓ the rule's query on Elasticsearch returns this event (hit ${hit + 1}), ✗ the rule's exceptions in the search's must_not remove it${reading()}`,
            };
          return {
            matched: true,
            ...(kept ? { excepted: false } : {}),
            explain: () =>
              `✓ the rule's search on Elasticsearch returned this event (hit ${hit + 1})${reading()}`,
          };
        });
        // Alerts: the hits of the first page, in Kibana's order (ascending time), at most max_signals.
        const alerts = execution.events
          .map((_, i) => ({ i, rank: order.get(`${position}-${i}`) }))
          .filter((x) => x.rank !== undefined && x.rank < maxSignals)
          .sort((a, b) => a.rank! - b.rank!)
          .map((x) => ({
            events: [x.i],
            document: eventAlert(rule, execution.events[x.i]!, execution.now ?? now),
          }));
        if (!execution.range) {
          results[position] = { events, alerts };
          continue;
        }
        // An alert case: one execution at its `now`, over its window, with the rule type's searches.
        results[position] = {
          events,
          alerts: await executeOnNode({
            client,
            index: name,
            rule,
            filter,
            ids: execution.events.map((_, i) => `${position}-${i}`),
            execution: { ...execution, range: execution.range },
            catalog: group.catalog,
            executedAt: execution.now ?? now,
            notes,
            fail,
          }),
        };
      }
    } finally {
      await deleteIndex(name).catch(() => undefined);
    }
  }

  /** The new_terms searches of each execution of a group, each restricted to its own events. */
  async function runNewTerms(
    rule: EngineRule,
    name: string,
    applied: Applied,
    group: CatalogGroup,
    results: ExecutionResult[],
    now: Date,
    queried: Map<string, number>,
    refused: Map<string, string>,
  ): Promise<void> {
    for (const { position, execution } of group.members) {
      try {
        const { filter, kept } = await applied(execution);
        const { fields, historyWindowStart } = newTermsSettings(rule);
        const window = executionWindow(rule, execution, { now });
        const historyStart = resolveDateMath(historyWindowStart, new Date(window.to));
        if (!historyStart)
          throw new EngineError(`history_window_start \`${historyWindowStart}\` is not valid date math`);
        const ids = { ids: { values: execution.events.map((_, i) => `${position}-${i}`) } };
        const found = await searchNewTerms(
          client,
          rule,
          fields,
          { bool: { filter: [pinNow(filter, window.now), ids] } },
          [name],
          {
            historyStart: historyStart.toISOString(),
            from: new Date(window.from).toISOString(),
            to: new Date(window.to).toISOString(),
          },
          maxSignalsOf(rule),
          fail,
        );
        const alerts = found.alerts.map((a) => {
          const i = Number(a.id.slice(`${position}-`.length));
          return {
            events: [i],
            document: newTermsAlert(rule, execution.events[i]!, a.terms, execution.now ?? now),
          };
        });
        const alerted = new Set(alerts.map((a) => a.events[0]!));
        const reading = lazyReading(() => {
          if (!kqlEngine.compile || languageOf(rule) !== "kuery") return undefined;
          const compiled = kqlEngine.compile(rule, { catalog: execution.catalog, now: window.now });
          return executeNewTerms(rule, execution, compiled, { now }).events;
        });
        results[position] = {
          events: verdicts(execution, position, queried, refused, alerted, "new_terms", reading, kept),
          alerts,
        };
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        results[position] = { error: error.message, events: [], alerts: [] };
      }
    }
  }

  /** The indicator match searches of each execution of a group, on an indicator index of its own. */
  async function runThreatMatch(
    rule: EngineRule,
    name: string,
    applied: Applied,
    group: CatalogGroup,
    results: ExecutionResult[],
    notes: Set<string>,
    now: Date,
    queried: Map<string, number>,
    refused: Map<string, string>,
  ): Promise<void> {
    let settings: ThreatSettings;
    try {
      settings = threatSettings(rule);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      for (const { position } of group.members)
        results[position] = { error: error.message, events: [], alerts: [] };
      return;
    }
    const threatName = `${name}-indicators`;
    const indicatorCatalog = group.members[0]?.execution.indicatorCatalog ?? group.catalog;
    const threatRule: EngineRule = {
      file: rule.file,
      data: {
        ...rule.data,
        query: settings.threatQuery,
        language: typeof rule.data.threat_language === "string" ? rule.data.threat_language : "kuery",
        filters: Array.isArray(rule.data.threat_filters) ? rule.data.threat_filters : [],
      } as EngineRule["data"],
    };
    const threatQuery = parseQuery(threatRule);
    const fieldNames = new Set<string>([
      "@timestamp",
      ...settings.mapping.flatMap((g) => g.entries.map((e) => e.value)),
    ]);
    if (threatQuery.language === "kuery")
      for (const f of fieldsOf(threatQuery.ast))
        for (const n of expandWildcardName(indicatorCatalog, f.name)) fieldNames.add(n);
    let count = 0;
    for (const { execution } of group.members)
      for (const indicator of execution.indicators ?? []) {
        documentPaths(indicator.document, fieldNames);
        count++;
      }
    const substitutions = await createIndex(threatName, indicatorCatalog, fieldNames, count);
    try {
      for (const line of summarize(substitutions)) notes.add(line);
      const operations: unknown[] = [];
      for (const { position, execution } of group.members)
        (execution.indicators ?? []).forEach((indicator, k) =>
          operations.push({ index: { _index: threatName, _id: `${position}-${k}` } }, indicator.document),
        );
      if (operations.length > 0) {
        const response = await client
          .bulk({ operations, refresh: true })
          .catch((e: unknown) => fail(`cannot index the indicators into ${threatName}`, e));
        const refused = response.items.find((item) => item.index?.error);
        if (refused?.index?.error)
          throw new EngineError(
            `Elasticsearch refused to index indicator ${refused.index._id}: ${redact(`${refused.index.error.type}: ${refused.index.error.reason ?? ""}`)}`,
          );
      }
      const { source, threat } = matchedFields(settings.mapping);
      const [eventCaps, threatCaps] = (await Promise.all([
        client.fieldCaps({ index: name, fields: source }),
        client.fieldCaps({ index: threatName, fields: "*" }),
      ]).catch((e: unknown) => fail("cannot read the fields of the test indices", e))) as [
        FieldCapsResponse,
        FieldCapsResponse,
      ];
      const allowed = {
        source: termsAllowedFields(eventCaps, source),
        threat: termsAllowedFields(threatCaps, threat),
      };
      const threatFilter = ruleFilter(threatRule, threatQuery, dslFieldsFromFieldCaps(threatCaps));
      for (const { position, execution } of group.members) {
        try {
          const { filter, kept } = await applied(execution);
          const window = executionWindow(rule, execution, { now });
          const indicators = execution.indicators ?? [];
          const found = await searchThreatMatches(
            client,
            rule,
            settings.mapping,
            {
              eventsIndex: name,
              threatIndex: threatName,
              eventFilter: {
                bool: {
                  filter: [
                    pinNow(filter, window.now),
                    { ids: { values: execution.events.map((_, i) => `${position}-${i}`) } },
                  ],
                },
              },
              threatFilter: {
                bool: {
                  filter: [
                    pinNow(threatFilter, window.now),
                    { ids: { values: indicators.map((_, k) => `${position}-${k}`) } },
                  ],
                },
              },
              range: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
              maxSignals: maxSignalsOf(rule),
              indicatorPath: settings.indicatorPath,
              allowed,
            },
            indicators.length,
            fail,
          );
          // The test index's ids and name stand for the case's indicators, as the in-memory engine names them.
          const named = (e: unknown): unknown => {
            const m = (e as { matched?: { id?: unknown; index?: unknown; type?: unknown } }).matched;
            if (!m || m.type !== "indicator_match_rule" || m.index !== threatName) return e;
            const k = Number(String(m.id).slice(`${position}-`.length));
            const input = indicators[k];
            return {
              ...(e as object),
              matched: {
                ...m,
                id: input?.id ?? `indicator-${k + 1}`,
                index: input?.index ?? settings.threatIndex[0] ?? "threat-index",
              },
            };
          };
          const alerts = found.map((f) => {
            const i = Number(f.id.slice(`${position}-`.length));
            return {
              events: [i],
              document: threatMatchAlert(
                rule,
                execution.events[i]!,
                f.enrichments.map(named),
                execution.now ?? now,
              ),
            };
          });
          const alerted = new Set(alerts.map((a) => a.events[0]!));
          const reading = lazyReading(() => {
            if (!kqlEngine.compile || languageOf(rule) !== "kuery") return undefined;
            const compiled = kqlEngine.compile(rule, { catalog: execution.catalog, now: window.now });
            return executeThreatMatch(rule, execution, compiled, { now }).events;
          });
          results[position] = {
            events: verdicts(
              execution,
              position,
              queried,
              refused,
              alerted,
              "indicator match",
              reading,
              kept,
            ),
            alerts,
          };
        } catch (error) {
          if (!(error instanceof EngineError)) throw error;
          results[position] = { error: error.message, events: [], alerts: [] };
        }
      }
    } finally {
      await deleteIndex(threatName).catch(() => undefined);
    }
  }

  /**
   * An EQL rule's executions: one index for the group, one `_eql/search` per execution (Kibana's request plus an
   * `ids` filter, so that one execution's events never join another's in a sequence).
   */
  async function runEqlGroup(
    rule: EngineRule,
    ast: EqlQuery,
    group: CatalogGroup,
    results: ExecutionResult[],
    notes: Set<string>,
    now: Date,
    exceptionsFor: (execution: Execution) => DslQuery | undefined,
  ): Promise<void> {
    const name = `${testIndexPrefix}${runId}-${++counter}`;
    const timestamps = timestampsOf(rule);
    const d = rule.data as Record<string, unknown>;
    const fieldNames = new Set<string>([
      timestamps.primary,
      ...(timestamps.secondary ? [timestamps.secondary] : []),
      ...["timestamp_field", "tiebreaker_field", "event_category_override"]
        .map((k) => d[k])
        .filter((v): v is string => typeof v === "string" && v !== ""),
      "@timestamp",
      "event.category",
    ]);
    for (const f of eqlFieldsOf(ast))
      for (const n of expandWildcardName(group.catalog, f.name)) fieldNames.add(n);
    let documents = 0;
    for (const { execution } of group.members) {
      for (const event of execution.events) documentPaths(event, fieldNames);
      documents += execution.events.length;
    }
    const substitutions = await createIndex(name, group.catalog, fieldNames, documents);
    try {
      for (const line of summarize(substitutions)) notes.add(line);
      const refused = await indexEvents(name, group.members, timestamps, now);
      await client.indices.refresh({ index: name }).catch((e: unknown) => fail(`cannot refresh ${name}`, e));
      for (const { position, execution } of group.members) {
        const ids = execution.events.map((_, i) => `${position}-${i}`);
        const range = execution.range
          ? { from: execution.range.from.toISOString(), to: execution.range.to.toISOString() }
          : timelessRange;
        const send = async (clause: DslQuery | undefined): Promise<number[][]> => {
          const request = eqlSearchRequest(rule, [name], range, clause);
          request.body.filter.bool.filter.push({ ids: { values: ids } });
          let response: EqlResponse;
          try {
            response = (await client.eql.search({
              index: name,
              allow_no_indices: true,
              ...request.body,
            } as unknown as estypes.EqlSearchRequest)) as unknown as EqlResponse;
          } catch (error) {
            const text = describeError(error, redact);
            if (isMissingEql(text)) throw new EngineError(`unsupported: eql on this cluster (${text})`);
            return fail("the rule's EQL search failed", error);
          }
          const position0 = (id: string | null | undefined) => (id ? Number(id.split("-")[1]) : NaN);
          return response.hits.sequences
            ? response.hits.sequences.map((s) => (s.events ?? []).map((e) => position0(e._id)))
            : (response.hits.events ?? []).map((e) => [position0(e._id)]);
        };
        // Kibana's request, with the exceptions in its filter's must_not: its answer makes the alerts.
        const clause = exceptionsFor(execution);
        const groups = await send(clause);
        const kept = new Set(groups.flat());
        // With exceptions, what the query alone returns (the runner's "matched"), and which events the node's
        // exception clause itself matches: in a sequence, a partner of an excepted event drops out with it, so
        // "excepted" needs the clause's own answer, not only the difference.
        const returned = clause ? new Set((await send(undefined)).flat()) : kept;
        const clauseHits = clause ? await idsMatching(name, ids, clause) : undefined;
        const events: Evaluation[] = execution.events.map((_, i) => {
          const error = refused.get(`${position}-${i}`);
          if (error !== undefined)
            return {
              matched: false,
              error: `Elasticsearch refused to index the event: ${error}`,
              explain: () => `✗ Elasticsearch refused to index the event: ${error}`,
            };
          const hit = returned.has(i);
          const excepted = clauseHits && hit ? clauseHits.has(`${position}-${i}`) && !kept.has(i) : undefined;
          return {
            matched: hit,
            ...(excepted !== undefined ? { excepted } : {}),
            explain: () =>
              hit
                ? `✓ the rule's EQL search on Elasticsearch returned this event${excepted ? ", ✗ the rule's exceptions in the request's filter remove it" : ""}`
                : "✗ the rule's EQL search on Elasticsearch did not return this event",
          };
        });
        const executedAt = execution.now ?? now;
        const alerts =
          ast.body.type === "event"
            ? // The returned events through the executor's alert model: max_signals, alert_suppression.
              executeRule({
                rule,
                events: execution.events,
                matched: execution.events.map((_, i) => kept.has(i)),
                executedAt,
                catalog: group.catalog,
              }).alerts
            : groupAlerts(rule, ast, execution.events, groups, executedAt);
        results[position] = { events, alerts };
      }
    } finally {
      await deleteIndex(name).catch(() => undefined);
    }
  }

  /** `POST /_query/async` as Kibana sends it, polled while it runs (`esql_request.ts`). */
  async function sendEsql(request: EsqlQueryRequest, notes: Set<string>): Promise<EsqlResponse> {
    const send = (querystring: Record<string, unknown>) =>
      client.transport.request<EsqlResponse>({
        method: request.method,
        path: request.path,
        querystring,
        body: request.body,
      });
    let response: EsqlResponse;
    try {
      response = await send(request.querystring);
    } catch (error) {
      const text = describeError(error, redact);
      if (isMissingEsql(text)) throw new EngineError(`unsupported: esql on this cluster (${text})`);
      if (!isUnrecognizedParameter(text, "allow_partial_results"))
        return fail("the rule's ES|QL query failed", error);
      // An older cluster (before 8.19/9.1): the same request without the parameter it does not know.
      notes.add("the cluster does not know allow_partial_results: the ES|QL query was sent without it");
      const { allow_partial_results: _partial, ...rest } = request.querystring;
      void _partial;
      response = await send(rest).catch((e: unknown) => fail("the rule's ES|QL query failed", e));
    }
    for (let polls = 0; response.is_running && response.id; polls++) {
      if (polls > 600) throw new EngineError("the ES|QL query did not complete");
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await client.transport
        .request<EsqlResponse>({
          method: "GET",
          path: `/_query/async/${encodeURIComponent(response.id)}`,
          querystring: { wait_for_completion_timeout: "4m", drop_null_columns: true },
        })
        .catch((e: unknown) => fail("the rule's ES|QL query failed", e));
    }
    return response;
  }

  /**
   * An ES|QL rule's executions: one index for the group, the rule's query with FROM pointed at it, one request
   * per execution (Kibana's body plus an `ids` filter, so that one execution's events never meet another's in a
   * STATS).
   */
  async function runEsqlGroup(
    rule: EngineRule,
    ast: EsqlQuery,
    group: CatalogGroup,
    results: ExecutionResult[],
    notes: Set<string>,
    now: Date,
    exceptionsFor: (execution: Execution) => DslQuery | undefined,
  ): Promise<void> {
    const name = `${testIndexPrefix}${runId}-${++counter}`;
    const timestamps = timestampsOf(rule);
    const fieldNames = new Set<string>([
      timestamps.primary,
      ...(timestamps.secondary ? [timestamps.secondary] : []),
      "@timestamp",
    ]);
    for (const f of esqlFieldsOf(ast)) {
      for (const n of expandWildcardName(group.catalog, f.name)) fieldNames.add(n);
    }
    let documents = 0;
    for (const { execution } of group.members) {
      for (const event of execution.events) documentPaths(event, fieldNames);
      documents += execution.events.length;
    }
    const aggregating = isAggregating(ast);
    const text = typeof rule.data.query === "string" ? rule.data.query : "";
    const substitutions = await createIndex(name, group.catalog, fieldNames, documents);
    try {
      for (const line of summarize(substitutions)) notes.add(line);
      const refused = await indexEvents(name, group.members, timestamps, now);
      await client.indices.refresh({ index: name }).catch((e: unknown) => fail(`cannot refresh ${name}`, e));
      for (const { position, execution } of group.members) {
        const range = execution.range
          ? { from: execution.range.from.toISOString(), to: execution.range.to.toISOString() }
          : timelessRange;
        const problem = esqlLookupProblem(ast, execution);
        if (problem !== undefined) {
          results[position] = { error: problem, events: [], alerts: [] };
          continue;
        }
        const lookups = new Map<string, string>();
        const clause = exceptionsFor(execution);
        let response: EsqlResponse;
        /** With exceptions: the same query without them, for the runner's "matched" (the query alone). */
        let bare: EsqlResponse | undefined;
        try {
          await createLookupIndices(
            ast,
            execution,
            group.catalog,
            `${name}-lookup-${position}`,
            lookups,
            notes,
          );
          const send = (exceptions: DslQuery | undefined) => {
            const request = esqlQueryRequest(rule, range, {
              aggregating,
              query: esqlQueryOn(text, ast, name, lookups),
              ...(exceptions ? { exceptions } : {}),
            });
            request.body.filter.bool.filter.push({
              ids: { values: execution.events.map((_, i) => `${position}-${i}`) },
            });
            return sendEsql(request, notes);
          };
          response = await send(clause);
          if (clause) bare = await send(undefined);
        } finally {
          for (const index of lookups.values()) await deleteIndex(index).catch(() => undefined);
        }
        const table = { columns: response.columns ?? [], values: response.values ?? [] };
        const sources = new Map(
          execution.events.map((document, i) => [`${position}-${i}`, { position: i, document }]),
        );
        const expanded = ast.commands.flatMap((c) => (c.type === "mv_expand" ? [c.column.name] : []));
        const executedAt = execution.now ?? now;
        const alerts = esqlAlerts({
          rule,
          table,
          aggregating,
          sources,
          expandedFields: expanded.filter((f) => table.columns.some((c) => c.name === f)),
          ...(execution.range ? { window: execution.range } : {}),
          executedAt,
        });
        const idColumn = table.columns.findIndex((c) => c.name === "_id");
        const idsOf = (r: EsqlResponse) => {
          const column = (r.columns ?? []).findIndex((c) => c.name === "_id");
          return new Set(column < 0 ? [] : (r.values ?? []).map((row) => String(row[column])));
        };
        const kept = idsOf(response);
        const returned = bare ? idsOf(bare) : kept;
        const events: Evaluation[] = execution.events.map((_, i) => {
          const id = `${position}-${i}`;
          const error = refused.get(id);
          if (error !== undefined)
            return {
              matched: false,
              error: `Elasticsearch refused to index the event: ${error}`,
              explain: () => `✗ Elasticsearch refused to index the event: ${error}`,
            };
          const hit = returned.has(id);
          const excepted = bare && hit ? !kept.has(id) : undefined;
          return {
            matched: hit,
            ...(excepted !== undefined ? { excepted } : {}),
            explain: () =>
              hit
                ? `✓ the rule's ES|QL query on Elasticsearch returned a row for this event${excepted ? ", ✗ the rule's exceptions in the request's filter remove it" : ""}`
                : idColumn < 0
                  ? `✗ the rule's ES|QL query on Elasticsearch returned ${table.values.length} row(s) without _id: they name no event`
                  : "✗ the rule's ES|QL query on Elasticsearch returned no row for this event",
          };
        });
        results[position] = { events, alerts };
      }
    } finally {
      await deleteIndex(name).catch(() => undefined);
    }
  }

  /**
   * One lookup index (`index.mode: lookup`) per LOOKUP JOIN index of the query, holding the execution's
   * `lookups:` rows, mapped with the execution's field types so that the join key has the events' type (LOOKUP
   * JOIN needs the same type on both sides). `created` gets each rule index name's test index as it is made.
   */
  async function createLookupIndices(
    ast: EsqlQuery,
    execution: Execution,
    catalog: FieldCatalog,
    prefix: string,
    created: Map<string, string>,
    notes: Set<string>,
  ): Promise<void> {
    let k = 0;
    for (const c of ast.commands) {
      if (c.type !== "lookup_join" || created.has(c.index)) continue;
      const rows = execution.lookups?.[c.index] ?? [];
      const index = `${prefix}-${++k}`;
      const fieldNames = new Set(c.on.map((o) => o.name));
      for (const row of rows) documentPaths(row, fieldNames);
      const substitutions = await createIndex(index, catalog, fieldNames, rows.length, "lookup");
      created.set(c.index, index);
      for (const line of summarize(substitutions)) notes.add(line);
      if (rows.length === 0) continue;
      const response = await client
        .bulk({
          operations: rows.flatMap((row, i) => [{ index: { _index: index, _id: String(i) } }, row]),
          refresh: true,
        })
        .catch((e: unknown) => fail(`cannot index the lookup rows of ${c.index} into ${index}`, e));
      const refused = response.items.find((item) => item.index?.error);
      if (refused?.index?.error)
        throw new EngineError(
          `Elasticsearch refused lookup row ${Number(refused.index._id) + 1} of ${c.index}: ${redact(`${refused.index.error.type}: ${refused.index.error.reason ?? ""}`)}`,
        );
    }
  }

  /** Bulk-indexes the events; returns the refusals by `_id`. */
  async function indexEvents(
    name: string,
    members: { position: number; execution: Execution }[],
    timestamps: { primary: string; secondary?: string },
    now: Date,
  ): Promise<Map<string, string>> {
    const operations: unknown[] = [];
    for (const { position, execution } of members) {
      execution.events.forEach((event, i) => {
        // Data streams require @timestamp; an event with no timestamp the rule reads gets the run's `now`.
        const stamped =
          hasValue(event, timestamps.primary) ||
          (timestamps.secondary && hasValue(event, timestamps.secondary))
            ? event
            : { ...event, "@timestamp": now.toISOString() };
        operations.push({ index: { _index: name, _id: `${position}-${i}` } }, stamped);
      });
    }
    const refused = new Map<string, string>();
    if (operations.length === 0) return refused;
    const response = await client
      .bulk({ operations, refresh: false })
      .catch((e: unknown) => fail(`cannot index the events into ${name}`, e));
    if (response.errors) {
      for (const item of response.items) {
        const result = item.index;
        if (result?.error)
          refused.set(String(result._id), redact(`${result.error.type}: ${result.error.reason ?? ""}`));
      }
    }
    return refused;
  }

  /** The `_id`s among `ids` that `clause` matches on the node (an EQL rule's exception clause on its own). */
  async function idsMatching(index: string, ids: string[], clause: DslQuery): Promise<Set<string>> {
    const response = await client
      .search({
        index,
        size: Math.max(ids.length, 1),
        _source: false,
        query: { bool: { filter: [{ ids: { values: ids } }, clause] } },
      } as unknown as estypes.SearchRequest)
      .catch((e: unknown) => fail("the search for the rule's exceptions failed", e));
    return new Set(response.hits.hits.map((h) => String(h._id)));
  }

  /** Kibana's first page, then the rest of the hits (ids only) so that every event can be judged. */
  async function searchAll(
    request: ReturnType<typeof eventsSearchRequest>,
    documents: number,
  ): Promise<{ order: Map<string, number> }> {
    const order = new Map<string, number>();
    const first = await client
      .search(request as unknown as estypes.SearchRequest)
      .catch((e: unknown) => fail("the rule's search failed", e));
    first.hits.hits.forEach((hit, i) => order.set(String(hit._id), i));
    const total = typeof first.hits.total === "number" ? first.hits.total : (first.hits.total?.value ?? 0);
    if (first.hits.hits.length === request.size && (total > request.size || documents > request.size)) {
      const rest = await client
        .search({
          ...request,
          from: request.size,
          size: documents,
          _source: false,
          fields: [],
        } as unknown as estypes.SearchRequest)
        .catch((e: unknown) => fail("the rule's search failed", e));
      rest.hits.hits.forEach((hit, i) => order.set(String(hit._id), request.size + i));
    }
    return { order };
  }

  async function executeEql(
    rule: EngineRule,
    executions: readonly Execution[],
    now: Date,
    exceptionsFor: (execution: Execution) => DslQuery | undefined,
  ): Promise<RuleExecutions> {
    const ast = parseEqlRule(rule);
    const results: ExecutionResult[] = new Array<ExecutionResult>(executions.length);
    const notes = new Set<string>();
    for (const group of groupByCatalog(executions))
      await runEqlGroup(rule, ast, group, results, notes, now, exceptionsFor);
    const fields = [...new Set(eqlFieldsOf(ast).map((f) => f.name))];
    return { executions: results, fields, ...(notes.size > 0 ? { notes: [...notes] } : {}) };
  }

  async function executeEsqlRule(
    rule: EngineRule,
    executions: readonly Execution[],
    now: Date,
    exceptionsFor: (execution: Execution) => DslQuery | undefined,
  ): Promise<RuleExecutions> {
    const ast = parseEsqlRule(rule);
    const results: ExecutionResult[] = new Array<ExecutionResult>(executions.length);
    const notes = new Set<string>();
    for (const group of groupByCatalog(executions))
      await runEsqlGroup(rule, ast, group, results, notes, now, exceptionsFor);
    const fields = [...new Set(esqlFieldsOf(ast).map((f) => f.name))];
    return { executions: results, fields, ...(notes.size > 0 ? { notes: [...notes] } : {}) };
  }

  return {
    name: "elasticsearch",
    runId,
    concurrency: options.concurrency ?? 4,
    supports,
    appliesExceptions: true,
    async execute(rule, executions, executeOptions = {}): Promise<RuleExecutions> {
      const exceptionsFor = exceptionClauses(executeOptions);
      if (rule.data.type === "eql")
        return executeEql(rule, executions, executeOptions.now ?? new Date(), exceptionsFor);
      if (rule.data.type === "esql")
        return executeEsqlRule(rule, executions, executeOptions.now ?? new Date(), exceptionsFor);
      const query = parseQuery(rule);
      const now = executeOptions.now ?? new Date();
      const results: ExecutionResult[] = new Array<ExecutionResult>(executions.length);
      const notes = new Set<string>();
      for (const group of groupByCatalog(executions))
        await runGroup(rule, query, group, results, notes, now, exceptionsFor);
      const fields = query.language === "kuery" ? [...new Set(fieldsOf(query.ast).map((f) => f.name))] : [];
      return { executions: results, fields, ...(notes.size > 0 ? { notes: [...notes] } : {}) };
    },
    async cleanup() {
      closing = true;
      await Promise.allSettled([...creating]);
      // What this engine knows it created, and what the cluster lists for this run (a create just answered).
      const listed = await testIndices(client)
        .then((all) => all.filter((i) => i.startsWith(`${testIndexPrefix}${runId}-`)))
        .catch(() => [] as string[]);
      const names = [...new Set([...live, ...listed])];
      if (names.length === 0) return;
      await client.indices
        .delete({ index: names.join(","), ignore_unavailable: true })
        .catch(() => undefined);
      for (const n of names) live.delete(n);
    },
    liveIndices: () => [...live],
  };
}

/**
 * Per execution, the clause of the rule's exception items that its searches put in `must_not` (undefined: no
 * live item). An execution's own `now` decides which items have expired, as Kibana's executor at that time.
 * Value-list entries are `terms` (dsl.ts): Kibana filters events against large value lists after the search
 * (`filterEventsAgainstList`), with the same outcome for the lists a fixture holds.
 */
export function exceptionClauses(options: ExecuteOptions): (execution: Execution) => DslQuery | undefined {
  const exceptions = options.exceptions;
  if (!exceptions || exceptions.items.length === 0) return () => undefined;
  const byNow = new Map<number, DslQuery | undefined>();
  return (execution) => {
    const now = execution.now ?? exceptions.now;
    if (!byNow.has(now.getTime()))
      byNow.set(
        now.getTime(),
        exceptionsQuery(exceptions.items, exceptions.valueLists, { now }) as DslQuery | undefined,
      );
    return byNow.get(now.getTime());
  };
}

/** An execution's rule filter with its exceptions in the `must_not`, and what that search returned (by `_id`). */
type Applied = (execution: Execution) => Promise<{ filter: DslQuery; kept?: Map<string, number> }>;

/** The in-memory engine's explanation of a KQL rule on one event, indented under the node's verdict. */
function inMemoryReading(rule: EngineRule, catalog: FieldCatalog, event: EventDocument, now: Date): string {
  if (!kqlEngine.supports(rule) || !kqlEngine.compile) return "";
  try {
    const text = kqlEngine.compile(rule, { catalog, now }).evaluate(event).explain();
    return `\n  the in-memory engine reads it so:\n${text
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n")}`;
  } catch {
    return "";
  }
}

/** One note per substituted field; the logs-* templates' substitutions in one line. */
function summarize(substitutions: Substitution[]): string[] {
  const templates = substitutions.filter((s) => s.field.startsWith("dynamic template "));
  const fields = substitutions.filter((s) => !s.field.startsWith("dynamic template "));
  const byType = new Map<string, Substitution[]>();
  for (const s of fields) byType.set(`${s.from}\0${s.to}`, [...(byType.get(`${s.from}\0${s.to}`) ?? []), s]);
  const out = [...byType.values()].map((list) =>
    describeSubstitution({ ...list[0]!, field: list.map((s) => s.field).join(", ") }),
  );
  if (templates.length > 0) {
    const pairs = [...new Set(templates.map((s) => `${s.from} → ${s.to}`))];
    out.push(`logs-* dynamic templates for unknown fields: ${pairs.join(", ")} (the node lacks them)`);
  }
  return out;
}

/**
 * Deletes `dac-test-*` indices older than `olderThanMinutes` (default 60): what runs that crashed or were
 * killed left behind. Younger ones may belong to a run in progress and are kept. Returns the deleted names.
 */
export async function sweepStaleIndices(
  client: Client,
  options: { olderThanMinutes?: number; now?: Date; pattern?: string } = {},
): Promise<string[]> {
  const cutoff = (options.now ?? new Date()).getTime() - (options.olderThanMinutes ?? 60) * 60_000;
  const rows = (await client.cat.indices({
    index: options.pattern ?? `${testIndexPrefix}*`,
    format: "json",
    h: ["index", "creation.date"],
    expand_wildcards: "all",
  })) as { index?: string; "creation.date"?: string }[];
  const stale = rows
    .filter((r) => r.index?.startsWith(testIndexPrefix) && Number(r["creation.date"]) < cutoff)
    .map((r) => r.index!);
  if (stale.length > 0) await client.indices.delete({ index: stale.join(","), ignore_unavailable: true });
  return stale;
}

/** The `dac-test-*` indices on the cluster now. */
export async function testIndices(client: Client): Promise<string[]> {
  const rows = (await client.cat.indices({
    index: `${testIndexPrefix}*`,
    format: "json",
    h: ["index"],
    expand_wildcards: "all",
  })) as { index?: string }[];
  return rows
    .map((r) => r.index!)
    .filter(Boolean)
    .sort();
}

/** The fields a rule type reads besides its query: the new terms fields, the threat mapping's source fields. */
function typeFields(rule: EngineRule): string[] {
  if (rule.data.type === "new_terms" && Array.isArray(rule.data.new_terms_fields))
    return rule.data.new_terms_fields.filter((f): f is string => typeof f === "string");
  if (rule.data.type === "threat_match") {
    try {
      return matchedFields(threatSettings(rule).mapping).source;
    } catch {
      return [];
    }
  }
  return [];
}

/** The in-memory engine's explanation of event `i`, computed once and only when asked, indented. */
function lazyReading(run: () => readonly Evaluation[] | undefined): (i: number) => string {
  let events: readonly Evaluation[] | undefined | null = null;
  return (i) => {
    if (events === null) {
      try {
        events = run();
      } catch {
        events = undefined;
      }
    }
    const text = events?.[i]?.explain();
    if (!text) return "";
    return `\n  the in-memory engine reads it so:\n${text
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n")}`;
  };
}

/**
 * Per event: whether the rule's query on the node returns it (the runner's "matched"), and, in words, whether
 * the type's searches alerted on it, with the in-memory engine's reading as a guide.
 */
function verdicts(
  execution: Execution,
  position: number,
  queried: Map<string, number>,
  refused: Map<string, string>,
  alerted: Set<number>,
  type: string,
  reading: (i: number) => string,
  /** The search with the rule's exceptions in its must_not, when the rule has any. */
  kept?: Map<string, number>,
): Evaluation[] {
  return execution.events.map((_, i) => {
    const error = refused.get(`${position}-${i}`);
    if (error !== undefined)
      return {
        matched: false,
        error: `Elasticsearch refused to index the event: ${error}`,
        explain: () => `✗ Elasticsearch refused to index the event: ${error}`,
      };
    const matched = queried.has(`${position}-${i}`);
    const excepted = kept && matched ? !kept.has(`${position}-${i}`) : undefined;
    return {
      matched,
      ...(excepted !== undefined ? { excepted } : {}),
      explain: () =>
        `${matched ? "✓ the rule's query on Elasticsearch returns this event" : "✗ the rule's query on Elasticsearch does not return this event"}${excepted ? ", ✗ the rule's exceptions in the search's must_not remove it" : ""}; the ${type} searches ${alerted.has(i) ? "alerted on it" : "did not alert on it"}${reading(i)}`,
    };
  });
}
