import { describe, expect, it } from "vitest";
import {
  getPath,
  matchEvent,
  mergedEnrichments,
  threatEnrichments,
  threatMappingOf,
} from "./threat-match.js";
import { flattenEvent } from "./trim.js";
import type { IndicatorDocument, ThreatMapping, ThreatMatcher } from "./threat-match.js";

const K =
  "x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/indicator_match/threat_mapping";

const values = (source: Record<string, unknown>, field: string): unknown[] => {
  const v = flattenEvent(source)[field];
  return v === undefined || v === null ? [] : [v].flat().filter((x) => x !== null);
};

/** Exact matching, enough to pin the mapping logic (field semantics are the engine's, tested there). */
function matcherFor(events: Record<string, unknown>[], termsFields: string[] = []): ThreatMatcher {
  return {
    indicatorValues: (indicator, field) => values(indicator.source, field),
    eventMatches: (event, field, value) => values(events[event]!, field).includes(value),
    termsAllowed: (entry) => termsFields.includes(entry.field),
  };
}

const ip = (v: unknown, id = "i1"): IndicatorDocument => ({
  id,
  index: "logs-ti_abusech.url-default",
  source: { threat: { indicator: { ip: v, type: "ipv4-addr" } } },
});

const single: ThreatMapping = [{ entries: [{ field: "destination.ip", value: "threat.indicator.ip" }] }];
const pair: ThreatMapping = [
  {
    entries: [
      { field: "destination.ip", value: "threat.indicator.ip" },
      { field: "destination.port", value: "threat.indicator.port" },
    ],
  },
];

interface Row {
  name: string;
  source: string;
  mapping: ThreatMapping;
  event: Record<string, unknown>;
  indicators: IndicatorDocument[];
  termsFields?: string[];
  /** Matched (indicator position, entry field) pairs. */
  matched: [number, string][];
}

const rows: Row[] = [
  {
    name: "one entry, equal values: a match",
    source: `${K}/build_threat_mapping_filter.ts buildEntriesMappingFilter`,
    mapping: single,
    event: { destination: { ip: "203.0.113.7" } },
    indicators: [ip("203.0.113.7")],
    matched: [[0, "destination.ip"]],
  },
  {
    name: "one entry, other value: no match",
    source: `${K}/build_threat_mapping_filter.ts buildEntriesMappingFilter`,
    mapping: single,
    event: { destination: { ip: "203.0.113.8" } },
    indicators: [ip("203.0.113.7")],
    matched: [],
  },
  {
    name: "entries of one group AND: both must match the same indicator",
    source: `${K}/validate_complete_threat_matches.ts (split threat queries by id)`,
    mapping: pair,
    event: { destination: { ip: "203.0.113.7", port: 443 } },
    indicators: [
      { id: "a", index: "ti", source: { threat: { indicator: { ip: "203.0.113.7", port: 80 } } } },
      { id: "b", index: "ti", source: { threat: { indicator: { ip: "198.51.100.1", port: 443 } } } },
    ],
    matched: [],
  },
  {
    name: "entries of one group AND: a complete match",
    source: `${K}/build_threat_mapping_filter.ts createAndOrClauses (bool.filter per group)`,
    mapping: pair,
    event: { destination: { ip: "203.0.113.7", port: 443 } },
    indicators: [
      { id: "a", index: "ti", source: { threat: { indicator: { ip: "203.0.113.7", port: 443 } } } },
    ],
    matched: [
      [0, "destination.ip"],
      [0, "destination.port"],
    ],
  },
  {
    name: "groups OR: one complete group is enough",
    source: `${K}/build_threat_mapping_filter.ts buildEntriesMappingFilter (bool.should, minimum_should_match 1)`,
    mapping: [...pair, { entries: [{ field: "source.ip", value: "threat.indicator.ip" }] }],
    event: { source: { ip: "203.0.113.7" }, destination: { ip: "10.0.0.1", port: 443 } },
    indicators: [ip("203.0.113.7")],
    matched: [[0, "source.ip"]],
  },
  {
    name: "in a group of several entries, an indicator with several values for a field takes no part",
    source: `${K}/build_threat_mapping_filter.ts filterThreatMapping (itemValue.length !== 1)`,
    mapping: pair,
    event: { destination: { ip: "203.0.113.7", port: 443 } },
    indicators: [
      {
        id: "a",
        index: "ti",
        source: { threat: { indicator: { ip: ["203.0.113.7", "203.0.113.9"], port: 443 } } },
      },
    ],
    matched: [],
  },
  {
    name: "a single-entry terms group matches on the indicator's first value only",
    source: `${K}/build_threat_mapping_filter.ts buildEntriesMappingFilter terms branch (.map((val) => val[0]))`,
    mapping: single,
    termsFields: ["destination.ip"],
    event: { destination: { ip: "203.0.113.9" } },
    indicators: [ip(["203.0.113.7", "203.0.113.9"])],
    matched: [],
  },
  {
    name: "an indicator without the mapped field takes no part",
    source: `${K}/get_mapping_filters.ts indicatorMappingFilter (exists on every entry's value)`,
    mapping: single,
    event: { destination: { ip: "203.0.113.7" } },
    indicators: [{ id: "a", index: "ti", source: { threat: { indicator: { domain: "x.example" } } } }],
    matched: [],
  },
  {
    name: "every indicator that matches is listed",
    source: `${K}/get_signal_id_to_matched_queries_map.ts addMatchedQueryToMaps`,
    mapping: single,
    event: { destination: { ip: "203.0.113.7" } },
    indicators: [ip("203.0.113.7", "a"), ip("203.0.113.7", "b")],
    matched: [
      [0, "destination.ip"],
      [1, "destination.ip"],
    ],
  },
];

describe("matchEvent conformance (Kibana indicator match)", () => {
  it.each(rows)("$name", (row) => {
    const { matches } = matchEvent(0, row.indicators, row.mapping, matcherFor([row.event], row.termsFields));
    expect(row.source).not.toBe("");
    expect(matches.map((m) => [m.indicator, m.entry.field])).toEqual(row.matched);
  });

  it("says why a pair missed", () => {
    const { misses } = matchEvent(
      0,
      [ip("203.0.113.7")],
      single,
      matcherFor([{ destination: { ip: "1.1.1.1" } }]),
    );
    expect(misses[0]!.reason).toBe(
      'destination.ip does not match "203.0.113.7" (threat.indicator.ip of indicator i1)',
    );
  });
});

describe("threatEnrichments (enrich_signal_threat_matches.ts buildEnrichments)", () => {
  const indicator: IndicatorDocument = {
    id: "abc",
    index: "logs-ti_abusech.malware-default",
    source: {
      threat: {
        feed: { name: "AbuseCH Malware" },
        indicator: [{ ip: "203.0.113.7", type: "ipv4-addr" }, { ip: "x" }],
      },
    },
  };
  const event = { destination: { ip: "203.0.113.7" }, threat: { enrichments: { matched: { id: "old" } } } };
  // Two indicator objects give two values for threat.indicator.ip: the terms branch matches on the first.
  const { matches } = matchEvent(0, [indicator], single, matcherFor([event], ["destination.ip"]));

  it("writes matched.atomic, field, id, index, type, the first indicator object and the feed name", () => {
    expect(threatEnrichments(event, matches, [indicator], "threat.indicator")).toEqual([
      {
        indicator: { ip: "203.0.113.7", type: "ipv4-addr" },
        feed: { name: "AbuseCH Malware" },
        matched: {
          atomic: "203.0.113.7",
          field: "destination.ip",
          id: "abc",
          index: "logs-ti_abusech.malware-default",
          type: "indicator_match_rule",
        },
      },
    ]);
  });

  it("gives an empty indicator object when the path holds none, and no feed without a name", () => {
    const [e] = threatEnrichments(event, matches, [indicator], "threat.elsewhere");
    expect(e!.indicator).toEqual({});
    expect(
      threatEnrichments(event, matches, [{ ...indicator, source: {} }], "threat.indicator")[0]!.feed,
    ).toEqual({});
  });

  it("keeps the event's own enrichments first (enrichSignalWithThreatMatches)", () => {
    const merged = mergedEnrichments(
      event,
      threatEnrichments(event, matches, [indicator], "threat.indicator"),
    );
    expect(merged.map((e) => (e as { matched: { id: string } }).matched.id)).toEqual(["old", "abc"]);
  });
});

describe("getPath (lodash get)", () => {
  it.each([
    [{ a: { b: 1 } }, "a.b", 1],
    [{ "a.b": 2 }, "a.b", 2],
    [{ a: { "b.c": 3 } }, "a.b.c", 3],
    [{ a: [{ b: 1 }] }, "a.b", undefined],
  ])("%j at %s", (source, path, want) => {
    expect(getPath(source, path)).toEqual(want);
  });
});

describe("threatMappingOf", () => {
  it("reads groups and refuses malformed ones", () => {
    expect(threatMappingOf([{ entries: [{ field: "a", type: "mapping", value: "b" }] }])).toEqual([
      { entries: [{ field: "a", value: "b" }] },
    ]);
    expect(() => threatMappingOf([])).toThrow(/non-empty/);
    expect(() => threatMappingOf([{ entries: [{ field: "a" }] }])).toThrow(/entries\[0\]/);
  });
});
