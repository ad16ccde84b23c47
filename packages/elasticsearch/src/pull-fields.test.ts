import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { describeWithElasticsearch, uniqueIndexName } from "@dac/es-test-node";
import { fieldCatalog, fieldsFromCompact, lookupField, resolveField } from "@dac/fields";
import { ElasticsearchError } from "./connection.js";
import { catalogFromFieldCaps, pullFields } from "./pull-fields.js";
import type { FieldCapsResponse } from "./field-caps.js";

// Recorded from Elasticsearch 9.5.3 (the @dac/es-test-node node) for the two indices of
// test-data/pull-indices.json: `GET dac-pull-*/_field_caps?fields=*&include_unmapped=true` and
// `GET dac-pull-*/_mapping`. The node-gated test in cli/src/commands/fields-pull.test.ts pulls the same live.
const recorded = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./test-data/${name}`, import.meta.url), "utf8"));
const caps = recorded("pull-field-caps.json") as FieldCapsResponse;
const mapping = recorded("pull-mapping.json");
const pulled = catalogFromFieldCaps(caps, mapping, { source: "test", indexPatterns: ["dac-pull-*"] });
const fields = pulled.catalog.fields!;
// The catalogue as validation loads it: ECS below, the pulled layer on top.
const catalog = fieldCatalog({
  ecs: true,
  definitions: [fieldsFromCompact(fields, pulled.catalog.keywordIgnoreAbove, "pulled")],
});

describe("catalogFromFieldCaps (recorded responses)", () => {
  it("writes the compact format, applying to the rules that search the pulled indices", () => {
    expect(pulled.catalog).toMatchObject({
      format: "dac-fields/1",
      source: "test",
      indexPatterns: ["dac-pull-*"],
    });
    expect(pulled.catalog.package).toBeUndefined();
    expect(pulled.indices).toEqual(["dac-pull-a", "dac-pull-b"]);
  });

  it("leaves out metadata fields (_id, _index, _source, …)", () => {
    expect(Object.keys(caps.fields).filter((n) => n.startsWith("_")).length).toBeGreaterThan(5);
    expect(Object.keys(fields).filter((n) => n.startsWith("_"))).toEqual([]);
  });

  it.each([
    // field, type, ignore_above (from _mapping: field_caps does not report it)
    ["host.name", "keyword", 256],
    ["chain.name", "keyword", undefined],
    ["message", "text", undefined],
    ["message.keyword", "keyword", 512],
    ["source.ip", "ip", undefined],
    ["event.duration", "long", undefined],
    ["chain.ip", "ip", undefined],
    ["labels", "flattened", undefined],
    ["app.seen", "date", undefined],
  ])("types %s as %s (ignore_above %s)", (name, type, ignoreAbove) => {
    const info = lookupField(catalog, name)!;
    expect(info.type).toBe(type);
    expect(info.ignoreAbove).toBe(ignoreAbove);
  });

  it("leaves out ECS fields the cluster maps as ECS does (ECS is always in the catalogue)", () => {
    expect(fields["user.name"]).toBeUndefined();
    expect(fields["source.ip"]).toBeUndefined();
    expect(lookupField(catalog, "user.name")?.source).toBe("ecs");
    // ECS has `labels` as an object of keywords: the cluster's flattened mapping is recorded.
    expect(fields.labels).toBe("flattened");
  });

  it("keeps multi-fields as entries reading their parent, and the parent lists them", () => {
    expect(fields["message.keyword"]).toMatchObject({ sourcePath: "message" });
    expect(lookupField(catalog, "message")?.multiFields).toEqual([
      { name: "message.keyword", type: "keyword" },
    ]);
  });

  it("keeps nested objects: their children get the nested path", () => {
    expect(fields.chain).toBe("nested");
    expect(lookupField(catalog, "chain.ip")?.nestedPath).toBe("chain");
  });

  it("records an alias (field_caps reports the target's type; the mapping says alias) and resolves it", () => {
    expect(caps.fields.src_ip).toHaveProperty("ip");
    expect(fields.src_ip).toEqual({ type: "alias", sourcePath: "source.ip" });
    expect(lookupField(catalog, "src_ip")).toMatchObject({ type: "ip", sourcePath: "source.ip" });
  });

  it("marks fields no index can search as unsearchable (index: false without doc values)", () => {
    expect(pulled.unsearchable.sort()).toEqual(["app.notes", "event.original"]);
    expect(lookupField(catalog, "event.original")?.searchable).toBe(false);
    expect(lookupField(catalog, "app.notes")?.searchable).toBe(false);
    // A keyword without doc values is still searchable (it has an index), but not aggregatable.
    const tags = lookupField(catalog, "app.tags")!;
    expect(tags.searchable).toBeUndefined();
    expect(tags.aggregatable).toBe(false);
  });

  it("records objects with enabled: false, which field_caps does not list", () => {
    expect(caps.fields.blob).toBeUndefined();
    expect(fields.blob).toEqual({ type: "object", enabled: false });
    expect(resolveField(catalog, "blob.anything")).toMatchObject({ kind: "unmapped" });
  });

  it("records type conflicts across indices with each type's indices, as Kibana's conflictDescriptions", () => {
    expect(pulled.conflicts).toEqual([
      {
        field: "@timestamp",
        type: "date",
        kibanaType: "date",
        esTypes: { date: ["dac-pull-a"], date_nanos: ["dac-pull-b"] },
      },
      {
        field: "count",
        type: "long",
        kibanaType: "number",
        esTypes: { integer: ["dac-pull-a"], long: ["dac-pull-b"] },
      },
      {
        field: "status",
        type: "conflict",
        kibanaType: "conflict",
        esTypes: { keyword: ["dac-pull-a"], long: ["dac-pull-b"] },
      },
    ]);
    expect(fields.status).toEqual({
      type: "conflict",
      esTypes: { keyword: ["dac-pull-a"], long: ["dac-pull-b"] },
    });
  });

  it("lists the fields some indices do not map (objects left out)", () => {
    const partly = Object.fromEntries(pulled.partlyUnmapped.map((p) => [p.field, p.unmappedIn]));
    expect(partly.only_a).toEqual(["dac-pull-b"]);
    expect(partly["message.keyword"]).toEqual(["dac-pull-b"]);
    expect(partly["host.name"]).toBeUndefined();
    expect(partly.chain).toBeUndefined();
    // Still typed from the indices that map it, as a data view does.
    expect(fields.only_a).toMatchObject({ type: "keyword" });
  });

  it("without the mapping, falls back to Kibana's rules: a sub-field of a non-object is a multi-field", () => {
    const bare = catalogFromFieldCaps(caps, undefined, { source: "t", indexPatterns: ["dac-pull-*"] });
    expect(bare.catalog.fields!["message.keyword"]).toMatchObject({ type: "keyword", sourcePath: "message" });
    // An alias cannot be told from its target without the mapping.
    expect(bare.catalog.fields!.src_ip).toBe("ip");
  });

  it("a field some indices cannot search stays searchable, as in Kibana's data view, with a note", () => {
    // field_caps: `searchable: false` with `non_searchable_indices` when only some indices cannot search it.
    const partial: FieldCapsResponse = {
      indices: ["x", "y"],
      fields: {
        k: {
          keyword: {
            type: "keyword",
            searchable: false,
            aggregatable: true,
            non_searchable_indices: ["y"],
          },
        },
      },
    };
    const out = catalogFromFieldCaps(partial, undefined, { source: "t", indexPatterns: ["*"] });
    expect(out.unsearchable).toEqual([]);
    expect(out.catalog.fields!.k).toBe("keyword");
    expect(out.notes).toEqual([
      "`k` is not searchable in 1 index(es) (y); recorded as searchable, as Kibana's data view does",
    ]);
  });

  it("notes attributes the indices disagree on, and leaves them out", () => {
    const twoWays = {
      x: { mappings: { properties: { k: { type: "keyword", ignore_above: 100 } } } },
      y: { mappings: { properties: { k: { type: "keyword", ignore_above: 200 } } } },
    };
    const kCaps: FieldCapsResponse = {
      indices: ["x", "y"],
      fields: { k: { keyword: { type: "keyword", searchable: true, aggregatable: true } } },
    };
    const out = catalogFromFieldCaps(kCaps, twoWays, { source: "t", indexPatterns: ["*"] });
    expect(out.notes).toEqual(["`k`: the indices disagree on ignoreAbove; left out"]);
    expect(out.catalog.fields!.k).toBe("keyword");
  });
});

describeWithElasticsearch("pullFields on a real node", ({ url, client }) => {
  const prefix = uniqueIndexName("dac-pull");
  const mappings = recorded("pull-indices.json") as Record<string, Record<string, unknown>>;
  afterAll(async () => {
    await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true });
  });

  it("pulls what the recorded responses hold (same mappings, live)", async () => {
    for (const [suffix, mapping] of Object.entries(mappings))
      await client.indices.create({ index: `${prefix}-${suffix}`, mappings: mapping });
    const live = await pullFields(client, { url, source: "test", indexPatterns: [`${prefix}-*`] });
    // The recorded responses name the indices dac-pull-a and dac-pull-b.
    const renamed = JSON.parse(JSON.stringify(live).replaceAll(prefix, "dac-pull")) as typeof live;
    expect(renamed.catalog.fields).toEqual(pulled.catalog.fields);
    expect(renamed.conflicts).toEqual(pulled.conflicts);
    expect(renamed.partlyUnmapped).toEqual(pulled.partlyUnmapped);
    expect(live.indices).toEqual([`${prefix}-a`, `${prefix}-b`]);
  });

  it("says so when the patterns match no index", async () => {
    const error = await pullFields(client, {
      url,
      source: "t",
      indexPatterns: [`${prefix}-none-*`],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ElasticsearchError);
    expect((error as Error).message).toBe(`no index at ${url} matches ${prefix}-none-*`);
  });
});
