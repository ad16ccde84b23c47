import { describe, expect, it } from "vitest";
import { compareTerms, describeSighting, findNewTerms, termCombinations } from "./new-terms.js";
import type { NewTermsEvent, TermValue } from "./new-terms.js";

const K =
  "x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/new_terms";

const t = (iso: string) => Date.parse(iso);
/** History from 02-20, lookback window 03-01T00:00 to 03-01T01:00. */
const window = {
  historyStart: t("2026-02-20T00:00:00Z"),
  from: t("2026-03-01T00:00:00Z"),
  to: t("2026-03-01T01:00:00Z"),
};

interface Row {
  name: string;
  /** Where Kibana decides it. */
  source: string;
  events: [string, TermValue[][]][];
  maxSignals?: number;
  alerts: { event: number; terms: TermValue[] }[];
}

const rows: Row[] = [
  {
    name: "a term seen only in the lookback window is new; the alert is its first event there",
    source: `${K}/build_new_terms_aggregation.ts buildDocFetchAgg (top_hits size 1, sort timestamp asc)`,
    events: [
      ["2026-03-01T00:30:00Z", [["alice"]]],
      ["2026-03-01T00:10:00Z", [["alice"]]],
    ],
    alerts: [{ event: 1, terms: ["alice"] }],
  },
  {
    name: "a term also seen in the history window is not new",
    source: `${K}/build_new_terms_aggregation.ts buildNewTermsAgg (min first_seen over history_window_start..to)`,
    events: [
      ["2026-02-27T10:00:00Z", [["alice"]]],
      ["2026-03-01T00:10:00Z", [["alice"]]],
    ],
    alerts: [],
  },
  {
    name: "a term first seen exactly at `from` is not new (first_seen > start_time)",
    source: `${K}/build_new_terms_aggregation.ts filtering_agg bucket_selector 'params.first_seen_value > params.start_time'`,
    events: [["2026-03-01T00:00:00Z", [["alice"]]]],
    alerts: [],
  },
  {
    name: "history before history_window_start is not searched",
    source: `${K}/execute_new_terms_aggregation_approach.ts phase 2 range from parsedHistoryWindowSize`,
    events: [
      ["2026-02-19T23:59:59Z", [["alice"]]],
      ["2026-03-01T00:10:00Z", [["alice"]]],
    ],
    alerts: [{ event: 1, terms: ["alice"] }],
  },
  {
    name: "an event after `to` is not searched",
    source: `${K}/execute_new_terms_aggregation_approach.ts phase 1 range tuple.from..tuple.to`,
    events: [["2026-03-01T01:00:01Z", [["alice"]]]],
    alerts: [],
  },
  {
    name: "an event exactly at `to` is searched (range lte)",
    source: "rule_types/utils/build_events_query.ts buildTimeRangeFilter (gte from, lte to)",
    events: [["2026-03-01T01:00:00Z", [["alice"]]]],
    alerts: [{ event: 0, terms: ["alice"] }],
  },
  {
    name: "an array gives one term per value, each judged on its own",
    source: `${K}/README.md (one alert per new value of an array); execute_new_terms_aggregation_approach.ts phase 3 comment`,
    events: [
      ["2026-02-25T00:00:00Z", [["10.0.0.1"]]],
      ["2026-03-01T00:10:00Z", [["10.0.0.1", "10.0.0.2"]]],
    ],
    alerts: [{ event: 1, terms: ["10.0.0.2"] }],
  },
  {
    name: "with several fields the combination must be new",
    source: `${K}/multi_terms_composite.ts (composite sources per field, match per key)`,
    events: [
      ["2026-02-25T00:00:00Z", [["alice"], ["host-1"]]],
      ["2026-02-25T00:00:00Z", [["bob"], ["host-2"]]],
      ["2026-03-01T00:10:00Z", [["alice"], ["host-2"]]],
    ],
    alerts: [{ event: 2, terms: ["alice", "host-2"] }],
  },
  {
    name: "arrays in several fields expand to every combination",
    source: `${K}/multi_terms_composite.ts (composite buckets: one per value combination)`,
    events: [
      ["2026-02-25T00:00:00Z", [["alice"], ["host-1"]]],
      [
        "2026-03-01T00:10:00Z",
        [
          ["alice", "bob"],
          ["host-1", "host-2"],
        ],
      ],
    ],
    alerts: [
      { event: 1, terms: ["alice", "host-2"] },
      { event: 1, terms: ["bob", "host-1"] },
      { event: 1, terms: ["bob", "host-2"] },
    ],
  },
  {
    name: "an event missing one of the fields has no term",
    source: `${K}/build_new_terms_aggregation.ts buildRecentTermsAgg (composite terms sources, no missing_bucket)`,
    events: [["2026-03-01T00:10:00Z", [["alice"], []]]],
    alerts: [],
  },
  {
    name: "alerts follow the composite key order and stop at max_signals",
    source: `${K}/execute_new_terms_aggregation_approach.ts (bulkCreate maxAlerts: maxSignals - createdSignalsCount)`,
    events: [
      ["2026-03-01T00:10:00Z", [["carol"]]],
      ["2026-03-01T00:11:00Z", [["alice"]]],
      ["2026-03-01T00:12:00Z", [["bob"]]],
    ],
    maxSignals: 2,
    alerts: [
      { event: 1, terms: ["alice"] },
      { event: 2, terms: ["bob"] },
    ],
  },
  {
    name: "numbers order numerically",
    source: "Elasticsearch composite aggregation: terms source keys sorted by the field's natural order",
    events: [
      ["2026-03-01T00:10:00Z", [[10]]],
      ["2026-03-01T00:11:00Z", [[9]]],
    ],
    alerts: [
      { event: 1, terms: [9] },
      { event: 0, terms: [10] },
    ],
  },
];

describe("findNewTerms conformance (Kibana new_terms executor)", () => {
  it.each(rows)("$name", (row) => {
    const events: NewTermsEvent[] = row.events.map(([at, values]) => ({ time: t(at), values }));
    const { alerts } = findNewTerms(events, window, row.maxSignals ?? 100);
    expect(row.source).not.toBe("");
    expect(alerts).toEqual(row.alerts);
  });
});

describe("termCombinations", () => {
  it("is the cartesian product, empty when a field has no value", () => {
    expect(
      termCombinations([
        ["a", "b"],
        [1, 2],
      ]),
    ).toEqual([
      ["a", 1],
      ["a", 2],
      ["b", 1],
      ["b", 2],
    ]);
    expect(termCombinations([["a"], []])).toEqual([]);
  });
});

describe("compareTerms", () => {
  it("orders strings by code point, as UTF-8 bytes sort", () => {
    // U+FF5E (one UTF-16 unit) sorts before U+1F600 (a surrogate pair) by code point, not by UTF-16 units.
    expect(compareTerms(["\u{FF5E}"], ["\u{1F600}"])).toBeLessThan(0);
    expect(compareTerms(["B"], ["a"])).toBeLessThan(0);
    expect(compareTerms([false], [true])).toBeLessThan(0);
  });
});

describe("describeSighting", () => {
  it("says where the term was seen", () => {
    const events: NewTermsEvent[] = [
      { time: t("2026-02-27T10:00:00Z"), values: [["alice"]] },
      { time: t("2026-03-01T00:10:00Z"), values: [["alice"]] },
    ];
    const { sightings } = findNewTerms(events, window, 100);
    expect(describeSighting(sightings[0]!, ["user.name"], window)).toBe(
      "term alice seen at 2026-02-27T10:00Z, inside the history window (from 2026-02-20T00:00Z)",
    );
  });
  it("names every field of a combination", () => {
    const events: NewTermsEvent[] = [{ time: t("2026-03-01T00:00:00Z"), values: [["alice"], ["h1"]] }];
    const { sightings } = findNewTerms(events, window, 100);
    expect(describeSighting(sightings[0]!, ["user.name", "host.name"], window)).toMatch(
      /^terms user.name=alice, host.name=h1 first seen at 2026-03-01T00:00Z, exactly the start/,
    );
  });
});
