// A rule's exceptions in the requests the Elasticsearch engine sends, as Kibana's detection engine builds them
// (elastic/kibana, x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/):
// - `utils/get_query_filter.ts` (`getQueryFilter`): `getAllFilters(filters, exceptionFilter)` appends the
//   exception filter (`negate: true`, from `buildExceptionFilter`) after the rule's filters, and `buildEsQuery`
//   puts a negated filter in the rule filter's `bool.must_not`. Every search built on that filter carries it:
//   the query rule's events search (`buildEventsSearchQuery`), threshold's aggregation, new_terms' and
//   indicator match's searches.
// - `eql/build_eql_search_request.ts` and `esql/build_esql_search_request.ts`: `esFilter = getQueryFilter({query:
//   '', language, filters, exceptionFilter})`, sent as `filter: {bool: {filter: [rangeFilter, esFilter]}}`: the
//   exceptions are the `must_not` of the request filter's `esFilter`.
// No node: the bodies are what the engine hands to the client.
import { describe, expect, it } from "vitest";
import type { Client } from "@elastic/elasticsearch";
import { exceptionsQuery } from "@dac/exceptions";
import type { ExceptionItem } from "@dac/exceptions";
import { fieldCatalog } from "@dac/fields";
import type { EngineRule } from "@dac/harness";
import type { DslQuery, JsonValue } from "@dac/kql";
import { eqlSearchRequest } from "./eql-request.js";
import { esqlQueryRequest } from "./esql-request.js";
import { executeOnNode } from "./execution.js";
import { recentTermsRequest } from "./new-terms-search.js";
import { eventsSearchRequest, parseQuery, ruleFilter } from "./request.js";
import { threatEventsRequest } from "./threat-match-search.js";
import { exceptionClauses } from "./engine.js";

const rule = (data: Record<string, unknown>): EngineRule => ({
  file: "rules/r.yaml",
  data: { index: ["logs-*"], ...data } as EngineRule["data"],
});

const item = (item_id: string, entries: ExceptionItem["entries"], extra: Partial<ExceptionItem> = {}) =>
  ({ item_id, name: item_id, description: "d", entries, ...extra }) as ExceptionItem;

// One item of one `match` entry: `buildExceptionFilter`'s `bool.should` of one clause, a `match_phrase` in a
// `bool.should` with `minimum_should_match: 1` (as `buildMatchClause` builds it).
const operator = item("operator", [
  { field: "user.name", type: "match", operator: "included", value: "svc-backup" },
]);
const recorded = {
  bool: {
    should: [
      { bool: { minimum_should_match: 1, should: [{ match_phrase: { "user.name": "svc-backup" } }] } },
    ],
  },
};
const clause = exceptionsQuery([operator], {}) as DslQuery;
const range = { from: "2026-03-01T09:00:00.000Z", to: "2026-03-01T10:00:00.000Z" };

describe("the exception clause in the rule's filter (getQueryFilter → buildEsQuery)", () => {
  it("is the recorded buildExceptionFilter query", () => {
    expect(clause).toEqual(recorded);
  });

  it("goes in bool.must_not, after the rule's negated filters, and nowhere else", () => {
    const r = rule({
      type: "query",
      query: "event.action: denied",
      filters: [{ meta: { negate: true }, query: { match_phrase: { "host.name": "lab" } } }],
    });
    const filter = ruleFilter(r, parseQuery(r), [], clause) as { bool: Record<string, JsonValue[]> };
    expect(filter.bool.must_not).toEqual([{ match_phrase: { "host.name": "lab" } }, recorded]);
    const without = ruleFilter(r, parseQuery(r), []) as { bool: Record<string, JsonValue[]> };
    expect({ ...filter.bool, must_not: without.bool.must_not }).toEqual(without.bool);
  });

  it("reaches the query rule's events search (buildEventsSearchQuery)", () => {
    const r = rule({ type: "query", query: "event.action: denied" });
    const request = eventsSearchRequest(r, ruleFilter(r, parseQuery(r), [], clause), ["logs-x"], range);
    const query = request.query as { bool: { filter: { bool: { must_not: JsonValue[] } }[] } };
    expect(query.bool.filter[0]!.bool.must_not).toEqual([recorded]);
  });

  it("reaches new_terms' recent-terms search and indicator match's events search", () => {
    const r = rule({ type: "new_terms", query: "*", new_terms_fields: ["user.name"] });
    const filter = ruleFilter(r, parseQuery(r), [], clause);
    const window = { historyStart: "2026-02-22T10:00:00.000Z", ...range };
    const recent = recentTermsRequest(r, ["user.name"], filter, ["logs-x"], window);
    expect((recent.query.bool.filter[0] as { bool: { must_not: JsonValue[] } }).bool.must_not).toEqual([
      recorded,
    ]);
    const threat = threatEventsRequest(r, filter, ["logs-x"], range, 100);
    expect((threat.query.bool.filter[0] as { bool: { must_not: JsonValue[] } }).bool.must_not).toEqual([
      recorded,
    ]);
  });

  it("reaches threshold's aggregation search (find_threshold_signals)", async () => {
    const r = rule({ type: "threshold", query: "*", threshold: { field: ["user.name"], value: 2 } });
    const sent: { query: { bool: { filter: JsonValue[] } }; aggregations?: Record<string, unknown> }[] = [];
    const client = {
      search: (request: (typeof sent)[number]) => {
        sent.push(request);
        return Promise.resolve({ hits: { hits: [], total: { value: 0, relation: "eq" } }, aggregations: {} });
      },
    } as unknown as Client;
    await executeOnNode({
      client,
      index: "logs-x",
      rule: r,
      filter: ruleFilter(r, parseQuery(r), [], clause),
      ids: ["0-0"],
      execution: {
        events: [{}],
        catalog: fieldCatalog({ ecs: true }),
        range: { from: new Date(range.from), to: new Date(range.to) },
      },
      catalog: fieldCatalog({ ecs: true }),
      executedAt: new Date(range.to),
      notes: new Set(),
      fail: (what) => {
        throw new Error(what);
      },
    });
    expect(sent.some((request) => request.aggregations && "thresholdTerms" in request.aggregations)).toBe(
      true,
    );
    for (const request of sent) {
      // The execution's events (`ids`) and the rule filter, whose must_not holds the exceptions.
      const scoped = request.query.bool.filter[0] as {
        bool: { filter: [{ bool: { must_not: JsonValue[] } }] };
      };
      expect(scoped.bool.filter[0].bool.must_not).toEqual([recorded]);
    }
  });
});

describe("the exception clause in the EQL and ES|QL request filter (exceptionFilter)", () => {
  it("EQL: the must_not of esFilter, next to the time range", () => {
    const r = rule({ type: "eql", language: "eql", query: "process where true" });
    const request = eqlSearchRequest(r, ["logs-x"], range, clause);
    const [time, esFilter] = request.body.filter.bool.filter as [
      JsonValue,
      { bool: { must_not: JsonValue[] } },
    ];
    expect(time).toHaveProperty("range");
    expect(esFilter.bool.must_not).toEqual([recorded]);
    expect(eqlSearchRequest(r, ["logs-x"], range).body.filter.bool.filter[1]).toEqual({
      bool: { must: [], filter: [], should: [], must_not: [] },
    });
  });

  it("ES|QL: the must_not of esFilter, next to the time range", () => {
    const r = rule({ type: "esql", language: "esql", query: "FROM logs-* METADATA _id" });
    const request = esqlQueryRequest(r, range, { aggregating: false, exceptions: clause });
    const [time, esFilter] = request.body.filter.bool.filter as [
      JsonValue,
      { bool: { must_not: JsonValue[] } },
    ];
    expect(time).toHaveProperty("range");
    expect(esFilter.bool.must_not).toEqual([recorded]);
  });
});

describe("exceptionClauses: the clause per execution", () => {
  const expiring = item(
    "until-march",
    [{ field: "user.name", type: "match", operator: "included", value: "contractor" }],
    { expire_time: "2026-03-01T00:00:00.000Z" },
  );
  const items = [operator, expiring].map((i) => ({
    item: i,
    list_id: "l",
    location: { file: "exceptions/l.yaml", line: 1, column: 1 },
  }));
  const catalog = fieldCatalog({ ecs: true });

  it("none without exceptions", () => {
    expect(exceptionClauses({})({ events: [], catalog })).toBeUndefined();
  });

  it("an item expired at the execution's now is left out, as Kibana's executor leaves it out then", () => {
    const clauses = exceptionClauses({
      exceptions: { items, valueLists: {}, now: new Date("2026-02-01T00:00:00Z") },
    });
    const before = clauses({ events: [], catalog }) as { bool: { should: unknown[] } };
    expect(before.bool.should).toHaveLength(2);
    const after = clauses({ events: [], catalog, now: new Date("2026-03-02T00:00:00Z") });
    expect(after).toEqual(recorded);
  });

  it("a value list entry is terms of the list's values (dsl.ts; Kibana filters large lists after the search)", () => {
    const listed = item("known-hosts", [
      { field: "host.name", type: "list", operator: "included", list: { id: "hosts.txt", type: "keyword" } },
    ]);
    const clauses = exceptionClauses({
      exceptions: {
        items: [{ item: listed, list_id: "l", location: { file: "f", line: 1, column: 1 } }],
        valueLists: { "hosts.txt": { id: "hosts.txt", type: "keyword", values: ["a", "b"] } as never },
        now: new Date("2026-02-01T00:00:00Z"),
      },
    });
    expect(clauses({ events: [], catalog })).toEqual({
      bool: { should: [{ bool: { filter: { terms: { "host.name": ["a", "b"] } } } }] },
    });
  });
});
