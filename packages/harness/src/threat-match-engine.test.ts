import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import type { EngineRule, Execution, IndicatorInput } from "./engine.js";
import { threatMatchEngine } from "./threat-match-engine.js";

const catalog = fieldCatalog({ ecs: true });

const rule = (data: Record<string, unknown> = {}): EngineRule => ({
  file: "rules/im.yaml",
  data: {
    type: "threat_match",
    query: "destination.ip: *",
    index: ["logs-network_traffic.*"],
    threat_index: ["logs-ti_*"],
    threat_query: 'threat.indicator.type: "ipv4-addr"',
    threat_mapping: [
      { entries: [{ field: "destination.ip", type: "mapping", value: "threat.indicator.ip" }] },
    ],
    from: "now-1h",
    ...data,
  } as unknown as EngineRule["data"],
});

const flow = (at: string, ip: unknown) => ({ "@timestamp": at, destination: { ip } });
const ioc = (ip: unknown, type = "ipv4-addr", feed = "AbuseCH"): IndicatorInput => ({
  document: {
    "@timestamp": "2026-01-01T00:00:00Z",
    threat: { feed: { name: feed }, indicator: { ip, type } },
  },
});

async function run(
  events: Record<string, unknown>[],
  indicators: IndicatorInput[],
  data?: Record<string, unknown>,
) {
  const execution: Execution = { events, catalog, indicators, indicatorCatalog: catalog };
  const { executions } = await threatMatchEngine.execute(rule(data), [execution]);
  return executions[0]!;
}

describe("threatMatchEngine", () => {
  it("alerts on an event whose destination is in the feed, enriched as Kibana writes it", async () => {
    const result = await run(
      [flow("2026-03-01T09:00:00Z", "198.51.100.1"), flow("2026-03-01T09:10:00Z", "203.0.113.7")],
      [ioc("203.0.113.7")],
    );
    expect(
      result.alerts.map((a) => ({
        events: a.events,
        fields: { "threat.enrichments": a.document["threat.enrichments"] },
      })),
    ).toEqual([
      {
        events: [1],
        fields: {
          "threat.enrichments": [
            {
              indicator: { ip: "203.0.113.7", type: "ipv4-addr" },
              feed: { name: "AbuseCH" },
              matched: {
                atomic: "203.0.113.7",
                field: "destination.ip",
                id: "indicator-1",
                index: "logs-ti_*",
                type: "indicator_match_rule",
              },
            },
          ],
        },
      },
    ]);
    expect(result.events[0]!.explain()).toMatch(/no indicator matches a threat_mapping group/);
  });

  it("matches ip fields as Elasticsearch does: IPv4-mapped addresses; a value that is no address is not indexed", async () => {
    const result = await run(
      [flow("2026-03-01T09:00:00Z", "::ffff:203.0.113.7"), flow("2026-03-01T09:10:00Z", "10.1.2.3")],
      [ioc("203.0.113.7"), ioc("::ffff:10.1.2.3"), ioc("10.0.0.0/8")],
    );
    expect(result.alerts.map((a) => a.events)).toEqual([[1], [0]]);
  });

  it("writes no enrichment where Kibana's lookup by the event's first value, as text, misses", async () => {
    // get_signal_id_to_matched_queries_map.ts: the event's `fields` value "10.1.2.3" is looked up by the
    // indicator's `_source` text "::ffff:10.1.2.3"; the alert is written, without the enrichment.
    const result = await run(
      [
        flow("2026-03-01T09:10:00Z", "10.1.2.3"),
        flow("2026-03-01T09:11:00Z", ["198.51.100.9", "203.0.113.7"]),
      ],
      [ioc("::ffff:10.1.2.3"), ioc("203.0.113.7")],
    );
    expect(
      result.alerts.map((a) => [a.events, { "threat.enrichments": a.document["threat.enrichments"] }]),
    ).toEqual([
      [[1], { "threat.enrichments": [] }],
      [[0], { "threat.enrichments": [] }],
    ]);
  });

  it("keeps the event's own enrichments first, in threat.enrichments, and the rest of its threat object", async () => {
    const event = {
      ...flow("2026-03-01T09:10:00Z", "203.0.113.7"),
      threat: { framework: "MITRE ATT&CK", enrichments: { matched: { id: "earlier" } } },
    };
    const result = await run([event], [ioc("203.0.113.7")]);
    const doc = result.alerts[0]!.document;
    expect((doc["threat.enrichments"] as { matched: { id: string } }[]).map((e) => e.matched.id)).toEqual([
      "earlier",
      "indicator-1",
    ]);
    expect(doc.threat).toEqual({ framework: "MITRE ATT&CK" });
  });

  it("uses only indicators that match threat_query", async () => {
    const result = await run(
      [flow("2026-03-01T09:10:00Z", "203.0.113.7")],
      [ioc("203.0.113.7", "domain-name")],
    );
    expect(result.alerts).toEqual([]);
    expect(result.events[0]!.explain().split("\n")[0]).toBe(
      "✗ no indicator matches threat_query and has the mapped fields",
    );
  });

  it("applies threat_filters to the indicators (Kibana filter objects)", async () => {
    const filters = [{ meta: { negate: true }, query: { match_phrase: { "threat.feed.name": "Noisy" } } }];
    const result = await run(
      [flow("2026-03-01T09:10:00Z", "203.0.113.7"), flow("2026-03-01T09:11:00Z", "198.51.100.1")],
      [ioc("203.0.113.7", "ipv4-addr", "Noisy"), ioc("198.51.100.1")],
      { threat_filters: filters },
    );
    expect(result.alerts.map((a) => a.events)).toEqual([[1]]);
  });

  it("ignores events outside the lookback window", async () => {
    const result = await run(
      [flow("2026-03-01T07:00:00Z", "203.0.113.7"), flow("2026-03-01T09:10:00Z", "198.51.100.1")],
      [ioc("203.0.113.7")],
    );
    expect(result.alerts).toEqual([]);
    expect(result.events[0]!.explain()).toMatch(/outside the lookback window/);
  });

  it("reads the indicator object at threat_indicator_path", async () => {
    const indicator: IndicatorInput = {
      id: "x1",
      index: "logs-ti_custom-default",
      document: { ioc: { ip: "203.0.113.7", kind: "c2" } },
    };
    const result = await run([flow("2026-03-01T09:10:00Z", "203.0.113.7")], [indicator], {
      threat_query: "",
      threat_indicator_path: "ioc",
      threat_mapping: [{ entries: [{ field: "destination.ip", type: "mapping", value: "ioc.ip" }] }],
    });
    const [enrichment] = result.alerts[0]!.document["threat.enrichments"] as {
      indicator: unknown;
      matched: unknown;
    }[];
    expect(enrichment!.indicator).toEqual({ ip: "203.0.113.7", kind: "c2" });
    expect(enrichment!.matched).toMatchObject({ id: "x1", index: "logs-ti_custom-default" });
  });

  it("keeps the newest events when more match than max_signals (sortOrder desc)", async () => {
    const result = await run(
      [
        flow("2026-03-01T09:00:00Z", "203.0.113.7"),
        flow("2026-03-01T09:20:00Z", "203.0.113.7"),
        flow("2026-03-01T09:10:00Z", "203.0.113.7"),
      ],
      [ioc("203.0.113.7")],
      { max_signals: 2 },
    );
    expect(result.alerts.map((a) => a.events)).toEqual([[1], [2]]);
  });
});
