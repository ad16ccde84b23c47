// The `_eql/search` body of an EQL rule, against requests written out from Kibana's build_eql_search_request.ts
// and buildTimeRangeFilter (elastic/kibana x-pack/solutions/security/plugins/security_solution/server/lib/
// detection_engine/rule_types/eql/ and utils/build_events_query.ts). They are not captured from a live Kibana:
// the CI node has no EQL module.
import { describe, expect, it } from "vitest";
import type { EngineRule } from "@dac/harness";
import { eqlSearchRequest } from "./index.js";

const rule = (data: Record<string, unknown>): EngineRule => ({
  file: "rules/r.yaml",
  data: { type: "eql", language: "eql", ...data } as EngineRule["data"],
});
const range = { from: "2026-12-07T11:54:00.000Z", to: "2026-12-07T12:00:00.000Z" };
const emptyFilter = { bool: { must: [], filter: [], should: [], must_not: [] } };
const fields = (...stamps: string[]) => [
  { field: "*", include_unmapped: true },
  ...stamps.map((field) => ({ field, format: "strict_date_optional_time" })),
];

describe("eqlSearchRequest", () => {
  it("an EQL rule with Kibana's defaults", () => {
    expect(
      eqlSearchRequest(
        rule({ query: 'process where process.name == "cmd.exe"' }),
        ["logs-endpoint.*"],
        range,
      ),
    ).toEqual({
      index: ["logs-endpoint.*"],
      allow_no_indices: true,
      body: {
        size: 100,
        query: 'process where process.name == "cmd.exe"',
        filter: {
          bool: {
            filter: [
              {
                range: {
                  "@timestamp": { lte: range.to, gte: range.from, format: "strict_date_optional_time" },
                },
              },
              emptyFilter,
            ],
          },
        },
        allow_partial_search_results: true,
        fields: fields("@timestamp"),
      },
    });
  });

  it("max_signals, timestamp_field, tiebreaker_field, event_category_override, filters and timestamp_override", () => {
    const request = eqlSearchRequest(
      rule({
        query: "sequence by host.id [process where true] [file where true]",
        max_signals: 5,
        timestamp_field: "event.created",
        tiebreaker_field: "event.sequence",
        event_category_override: "event.type",
        timestamp_override: "event.ingested",
        filters: [
          { meta: { negate: true }, query: { term: { "host.name": "build-1" } } },
          { meta: { disabled: true }, query: { term: { a: 1 } } },
          { query: { term: { "event.module": "endpoint" } } },
        ],
      }),
      ["logs-*"],
      range,
    );
    expect(request.body).toEqual({
      size: 5,
      query: "sequence by host.id [process where true] [file where true]",
      filter: {
        bool: {
          filter: [
            {
              bool: {
                minimum_should_match: 1,
                should: [
                  {
                    range: {
                      "event.ingested": {
                        lte: range.to,
                        gte: range.from,
                        format: "strict_date_optional_time",
                      },
                    },
                  },
                  {
                    bool: {
                      filter: [
                        {
                          range: {
                            "@timestamp": {
                              lte: range.to,
                              gte: range.from,
                              format: "strict_date_optional_time",
                            },
                          },
                        },
                        { bool: { must_not: { exists: { field: "event.ingested" } } } },
                      ],
                    },
                  },
                ],
              },
            },
            {
              bool: {
                must: [],
                filter: [{ term: { "event.module": "endpoint" } }],
                should: [],
                must_not: [{ term: { "host.name": "build-1" } }],
              },
            },
          ],
        },
      },
      allow_partial_search_results: true,
      timestamp_field: "event.created",
      event_category_field: "event.type",
      tiebreaker_field: "event.sequence",
      fields: fields("event.ingested", "@timestamp"),
    });
  });
});
