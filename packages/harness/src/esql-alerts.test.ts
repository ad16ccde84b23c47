// How ES|QL result rows become alerts. Each case cites the Kibana source it follows (paths under elastic/kibana
// x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/esql/).
import { describe, expect, it } from "vitest";
import type { EngineRule } from "./engine.js";
import type { EventDocument } from "./event-files.js";
import { esqlAlerts, mergeEsqlResultInSource, rowToDocument } from "./esql-alerts.js";
import type { EsqlAlertInput, EsqlTable } from "./esql-alerts.js";

const rule = (data: Record<string, unknown> = {}): EngineRule => ({
  file: "rules/esql/r.yaml",
  data: {
    rule_id: "8d3c1c4e-0000-4000-8000-000000000001",
    type: "esql",
    language: "esql",
    query: "FROM logs-* METADATA _id",
    ...data,
  } as EngineRule["data"],
});
const executedAt = new Date("2026-03-01T10:10:00Z");
const window = { from: new Date("2026-03-01T10:04:00Z"), to: new Date("2026-03-01T10:10:00Z") };
const sources = (docs: EventDocument[]) =>
  new Map(docs.map((document, position) => [`doc-${position}`, { position, document }]));
const run = (input: Partial<EsqlAlertInput> & { table: EsqlTable }) =>
  esqlAlerts({ rule: rule(), aggregating: false, sources: new Map(), executedAt, window, ...input });

const docs: EventDocument[] = [
  { "@timestamp": "2026-03-01T10:05:00Z", user: { name: "alice" }, source: { ip: "203.0.113.5" } },
  { "@timestamp": "2026-03-01T10:06:00Z", user: { name: "bob" }, source: { ip: "203.0.113.6" } },
];

describe("rowToDocument and mergeEsqlResultInSource", () => {
  it("skips null cells (utils/row_to_document.ts: ES|QL returns null for each mapped field)", () => {
    const table: EsqlTable = {
      columns: [
        { name: "a", type: "keyword" },
        { name: "b", type: "long" },
      ],
      values: [[null, 3]],
    };
    expect(rowToDocument(table, table.values[0]!)).toEqual({ b: 3 });
  });
  it("a column replaces the source's field, nested or dotted (utils/merge_esql_result_in_source.ts)", () => {
    const merged = mergeEsqlResultInSource(
      { user: { name: "alice", id: "1" }, x: 1 },
      { "user.name": "ALICE" },
    );
    expect(merged).toEqual({ user: { id: "1" }, x: 1, "user.name": "ALICE" });
  });
});

describe("esqlAlerts", () => {
  const idTable = (
    ids: string[],
    extra: { name: string; type: string; values: unknown[] }[] = [],
  ): EsqlTable => ({
    columns: [{ name: "_id", type: "keyword" }, ...extra.map(({ name, type }) => ({ name, type }))],
    values: ids.map((id, i) => [id, ...extra.map((e) => e.values[i])]),
  });

  it("a non-aggregating row with _id is its source document, with the row's columns over it (esql.ts, fetch_source_documents.ts)", () => {
    const alerts = run({
      sources: sources(docs),
      table: idTable(["doc-1", "doc-0"], [{ name: "risk", type: "long", values: [7, 9] }]),
    });
    expect(alerts.map((a) => a.events)).toEqual([[1], [0]]);
    expect(alerts[0]!.document).toMatchObject({
      user: { name: "bob" },
      risk: 7,
      "kibana.alert.original_time": "2026-03-01T10:06:00.000Z",
      "kibana.alert.rule.type": "esql",
      "@timestamp": executedAt.toISOString(),
    });
  });

  it("rows of one _id are one alert (utils/generate_alert_id.ts: the id hashes _id, _version, _index and the rule)", () => {
    const alerts = run({ sources: sources(docs), table: idTable(["doc-0", "doc-0", "doc-1"]) });
    expect(alerts.map((a) => a.events)).toEqual([[0], [1]]);
  });

  it("after MV_EXPAND the expanded column's values are part of the id (generate_alert_id.ts, get_mv_expand_usage.ts)", () => {
    const table = idTable(["doc-0", "doc-0"], [{ name: "tag", type: "keyword", values: ["a", "b"] }]);
    expect(run({ sources: sources(docs), table, expandedFields: ["tag"] })).toHaveLength(2);
    expect(run({ sources: sources(docs), table })).toHaveLength(1);
  });

  it("an aggregating query makes one alert per row, the row's columns are the alert's source (esql.ts, generate_alert_id.ts)", () => {
    const table: EsqlTable = {
      columns: [
        { name: "ips", type: "long" },
        { name: "user.name", type: "keyword" },
      ],
      values: [
        [4, "alice"],
        [4, "alice"],
      ],
    };
    const alerts = run({ aggregating: true, table });
    expect(alerts).toHaveLength(2);
    expect(alerts[0]!.document).toMatchObject({ ips: 4, "user.name": "alice" });
    expect(alerts[0]!.document).not.toHaveProperty("kibana.alert.original_time");
    expect(alerts[0]!.document["kibana.alert.uuid"]).not.toBe(alerts[1]!.document["kibana.alert.uuid"]);
  });

  it("at most max_signals alerts (esql.ts: `maxAlerts: tuple.maxSignals - createdSignalsCount`)", () => {
    const many = { columns: [{ name: "n", type: "long" }], values: [[1], [2], [3]] };
    expect(run({ rule: rule({ max_signals: 2 }), aggregating: true, table: many })).toHaveLength(2);
  });

  it("alert suppression: the first row of each group, docs_count the others (wrap_suppressed_esql_alerts.ts, bulk_create_suppressed_alerts_in_memory.ts)", () => {
    const three: EventDocument[] = [
      ...docs,
      { "@timestamp": "2026-03-01T10:07:00Z", user: { name: "alice" } },
      { "@timestamp": "2026-03-01T10:08:00Z" },
    ];
    const table = idTable(["doc-0", "doc-1", "doc-2", "doc-3"]);
    const suppressed = (strategy?: string) =>
      run({
        rule: rule({
          alert_suppression: {
            group_by: ["user.name"],
            ...(strategy ? { missing_fields_strategy: strategy } : {}),
          },
        }),
        sources: sources(three),
        table,
      });
    const alerts = suppressed();
    expect(alerts.map((a) => a.events)).toEqual([[0, 2], [1], [3]]);
    expect(alerts[0]!.document).toMatchObject({
      "kibana.alert.suppression.terms": [{ field: "user.name", value: "alice" }],
      "kibana.alert.suppression.docs_count": 1,
      "kibana.alert.suppression.start": "2026-03-01T10:05:00.000Z",
      "kibana.alert.suppression.end": "2026-03-01T10:07:00.000Z",
    });
    expect(alerts[2]!.document["kibana.alert.suppression.terms"]).toEqual([
      { field: "user.name", value: null },
    ]);
    // doNotSuppress: the row without user.name alerts on its own, before the groups.
    const apart = suppressed("doNotSuppress");
    expect(apart.map((a) => a.events)).toEqual([[3], [0, 2], [1]]);
    expect(apart[0]!.document).not.toHaveProperty("kibana.alert.suppression.terms");
  });

  it("a multi-valued group-by field is one term with its values sorted (getSuppressionTerms)", () => {
    const table: EsqlTable = {
      columns: [{ name: "host.ip", type: "ip" }],
      values: [[["10.0.0.2", "10.0.0.1"]], [["10.0.0.1", "10.0.0.2"]]],
    };
    const alerts = run({
      rule: rule({ alert_suppression: { group_by: ["host.ip"] } }),
      aggregating: true,
      table,
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.document["kibana.alert.suppression.terms"]).toEqual([
      { field: "host.ip", value: ["10.0.0.1", "10.0.0.2"] },
    ]);
  });
});
