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
 */
import { randomBytes } from "node:crypto";
import type { Client, estypes } from "@elastic/elasticsearch";
import { fieldsOf } from "@dac/kql";
import type { DslField } from "@dac/kql";
import type { FieldCatalog } from "@dac/fields";
import {
  EngineError,
  eventAlert,
  kqlEngine,
  languageOf,
  maxSignalsOf,
  parseEqlRule,
  sequenceAlerts,
} from "@dac/harness";
import { fieldsOf as eqlFieldsOf } from "@dac/eql";
import type { EqlQuery } from "@dac/eql";
import { eqlSearchRequest } from "./eql-request.js";
import type {
  Engine,
  EventDocument,
  EngineRule,
  Evaluation,
  Execution,
  ExecutionResult,
  RuleExecutions,
} from "@dac/harness";
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
import { eventsSearchRequest, parseQuery, ruleFilter, timelessRange, timestampsOf } from "./request.js";

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

/** Query rules (KQL or Lucene) and EQL rules. Other types report `unsupported: <type> on elasticsearch`. */
function supports(rule: EngineRule): boolean {
  const language = languageOf(rule);
  if (rule.data.type === "eql") return language === "eql";
  return rule.data.type === "query" && (language === "kuery" || language === "lucene");
}

/** What a node without the EQL module answers to `_eql/search` (the route does not exist). */
export function isMissingEql(text: string): boolean {
  return /no handler found for uri \[[^\]]*_eql\/search|incorrect HTTP method for uri \[[^\]]*_eql\/search/i.test(
    text,
  );
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
    group: { catalog: FieldCatalog; members: { position: number; execution: Execution }[] },
    results: ExecutionResult[],
    notes: Set<string>,
    now: Date,
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
      const request = eventsSearchRequest(rule, filter, [name], timelessRange);
      const hits = await searchAll(request, documents);
      const maxSignals = maxSignalsOf(rule);
      for (const { position, execution } of group.members) {
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
          return hit === undefined
            ? {
                matched: false,
                explain: () => `✗ the rule's search on Elasticsearch did not return this event${reading()}`,
              }
            : {
                matched: true,
                explain: () =>
                  `✓ the rule's search on Elasticsearch returned this event (hit ${hit + 1})${reading()}`,
              };
        });
        // Alerts: the hits of the first page (Kibana's order, at most max_signals), listed in event order.
        const alerts = execution.events
          .map((_, i) => ({ i, rank: hits.order.get(`${position}-${i}`) }))
          .filter((x) => x.rank !== undefined && x.rank < maxSignals)
          .map((x) => ({
            events: [x.i],
            document: eventAlert(rule, execution.events[x.i]!, execution.now ?? now),
          }));
        results[position] = { events, alerts };
      }
    } finally {
      await deleteIndex(name).catch(() => undefined);
    }
  }

  /**
   * An EQL rule's executions: one index for the group, one `_eql/search` per execution (Kibana's request plus an
   * `ids` filter, so that one execution's events never join another's in a sequence).
   */
  async function runEqlGroup(
    rule: EngineRule,
    ast: EqlQuery,
    group: { catalog: FieldCatalog; members: { position: number; execution: Execution }[] },
    results: ExecutionResult[],
    notes: Set<string>,
    now: Date,
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
        const request = eqlSearchRequest(rule, [name], range);
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
        const groups: number[][] = response.hits.sequences
          ? response.hits.sequences.map((s) => (s.events ?? []).map((e) => position0(e._id)))
          : (response.hits.events ?? []).map((e) => [position0(e._id)]);
        const returned = new Set(groups.flat());
        const events: Evaluation[] = execution.events.map((_, i) => {
          const error = refused.get(`${position}-${i}`);
          if (error !== undefined)
            return {
              matched: false,
              error: `Elasticsearch refused to index the event: ${error}`,
              explain: () => `✗ Elasticsearch refused to index the event: ${error}`,
            };
          const hit = returned.has(i);
          return {
            matched: hit,
            explain: () =>
              hit
                ? "✓ the rule's EQL search on Elasticsearch returned this event"
                : "✗ the rule's EQL search on Elasticsearch did not return this event",
          };
        });
        const executedAt = execution.now ?? now;
        const alerts =
          ast.body.type === "event"
            ? groups.map(([i]) => ({
                events: [i!],
                document: eventAlert(rule, execution.events[i!]!, executedAt),
              }))
            : groups.flatMap((g) => sequenceAlerts(rule, execution.events, g, executedAt));
        results[position] = { events, alerts };
      }
    } finally {
      await deleteIndex(name).catch(() => undefined);
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
  ): Promise<RuleExecutions> {
    const ast = parseEqlRule(rule);
    const results: ExecutionResult[] = new Array<ExecutionResult>(executions.length);
    const notes = new Set<string>();
    const groups = new Map<
      FieldCatalog,
      { catalog: FieldCatalog; members: { position: number; execution: Execution }[] }
    >();
    executions.forEach((execution, position) => {
      let group = groups.get(execution.catalog);
      if (!group) groups.set(execution.catalog, (group = { catalog: execution.catalog, members: [] }));
      group.members.push({ position, execution });
    });
    for (const group of groups.values()) await runEqlGroup(rule, ast, group, results, notes, now);
    const fields = [...new Set(eqlFieldsOf(ast).map((f) => f.name))];
    return { executions: results, fields, ...(notes.size > 0 ? { notes: [...notes] } : {}) };
  }

  return {
    name: "elasticsearch",
    runId,
    concurrency: options.concurrency ?? 4,
    supports,
    async execute(rule, executions, executeOptions = {}): Promise<RuleExecutions> {
      if (rule.data.type === "eql") return executeEql(rule, executions, executeOptions.now ?? new Date());
      const query = parseQuery(rule);
      const now = executeOptions.now ?? new Date();
      const results: ExecutionResult[] = new Array<ExecutionResult>(executions.length);
      const notes = new Set<string>();
      if (Array.isArray(rule.data.exceptions_list) && rule.data.exceptions_list.length > 0)
        notes.add("exceptions_list is not applied: the exception lists' items are not in the repository");
      const groups = new Map<
        FieldCatalog,
        { catalog: FieldCatalog; members: { position: number; execution: Execution }[] }
      >();
      executions.forEach((execution, position) => {
        let group = groups.get(execution.catalog);
        if (!group) groups.set(execution.catalog, (group = { catalog: execution.catalog, members: [] }));
        group.members.push({ position, execution });
      });
      for (const group of groups.values()) await runGroup(rule, query, group, results, notes, now);
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
