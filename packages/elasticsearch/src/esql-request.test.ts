// The ES|QL request of an ES|QL rule, against requests written out from Kibana's source (elastic/kibana
// x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/esql/
// build_esql_search_request.ts, esql.ts, esql_request.ts, and utils/build_events_query.ts for the time range).
// They are not captured from a live Kibana: the CI node has no ES|QL.
import { describe, expect, it } from "vitest";
import type { EngineRule } from "@dac/harness";
import { esqlQueryRequest, isMissingEsql, isUnrecognizedParameter } from "./esql-request.js";

const rule = (data: Record<string, unknown>): EngineRule => ({
  file: "rules/r.yaml",
  data: { type: "esql", language: "esql", ...data } as EngineRule["data"],
});
const range = { from: "2026-12-07T11:54:00.000Z", to: "2026-12-07T12:00:00.000Z" };
const emptyFilter = { bool: { must: [], filter: [], should: [], must_not: [] } };
const rangeOn = (field: string) => ({
  range: { [field]: { lte: range.to, gte: range.from, format: "strict_date_optional_time" } },
});

describe("esqlQueryRequest", () => {
  it("an aggregating rule with Kibana's defaults: limit max_signals + 1, the time range, no partial results", () => {
    const query =
      "FROM logs-okta.system-* | STATS ips = COUNT_DISTINCT(source.ip) BY user.name | WHERE ips >= 5";
    expect(esqlQueryRequest(rule({ query }), range, { aggregating: true })).toEqual({
      method: "POST",
      path: "/_query/async",
      querystring: { drop_null_columns: true, allow_partial_results: false },
      body: {
        query: `${query} | limit 101`,
        filter: { bool: { filter: [rangeOn("@timestamp"), emptyFilter] } },
        wait_for_completion_timeout: "4m",
      },
    });
  });

  it("a non-aggregating rule with max_signals and timestamp_override: the override with the @timestamp fallback", () => {
    const request = esqlQueryRequest(
      rule({
        query: "FROM logs-* METADATA _id | WHERE a == 1",
        max_signals: 5,
        timestamp_override: "event.ingested",
      }),
      range,
      { aggregating: false },
    );
    expect(request.querystring).toEqual({ drop_null_columns: true, allow_partial_results: true });
    expect(request.body.query).toBe("FROM logs-* METADATA _id | WHERE a == 1 | limit 6");
    expect(request.body.filter.bool.filter[0]).toEqual({
      bool: {
        minimum_should_match: 1,
        should: [
          rangeOn("event.ingested"),
          {
            bool: {
              filter: [
                rangeOn("@timestamp"),
                { bool: { must_not: { exists: { field: "event.ingested" } } } },
              ],
            },
          },
        ],
      },
    });
  });

  it("the query the engine sends instead of the rule's (FROM pointed at a test index)", () => {
    const request = esqlQueryRequest(rule({ query: "FROM logs-*" }), range, {
      aggregating: false,
      query: "FROM dac-test-1",
    });
    expect(request.body.query).toBe("FROM dac-test-1 | limit 101");
  });
});

describe("ES|QL errors", () => {
  it("a node without ES|QL", () => {
    expect(
      isMissingEsql("no handler found for uri [/_query/async?drop_null_columns=true] and method [POST]"),
    ).toBe(true);
    // What the CI node (Elasticsearch 9.5.3 without the esql plugin) answers, for both routes.
    expect(
      isMissingEsql(
        "Incorrect HTTP method for uri [/_query] and method [POST], allowed: [GET, PUT, DELETE, HEAD]",
      ),
    ).toBe(true);
    expect(isMissingEsql("verification_exception: Unknown column [x]")).toBe(false);
  });
  it("a parameter an older node does not know", () => {
    expect(
      isUnrecognizedParameter(
        "illegal_argument_exception: request [/_query/async] contains unrecognized parameter: [allow_partial_results]",
        "allow_partial_results",
      ),
    ).toBe(true);
  });
});
