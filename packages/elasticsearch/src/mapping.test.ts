import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { documentPaths, expandWildcardName, hasValue, mappingFor, missingFromError } from "./mapping.js";

const catalog = fieldCatalog({
  ecs: true,
  overrides: {
    "labels.custom": { type: "flattened" },
    "k8s.audit.sourceIPs": "ip",
    "app.version": "version",
  },
  unknownFields: "unmapped",
});

describe("mappingFor", () => {
  it("maps the named fields from the catalogue, with multi-fields, parents and ignore_above", () => {
    const { mappings, substitutions } = mappingFor(catalog, ["user.name", "@timestamp", "source.port"]);
    expect(mappings).toEqual({
      date_detection: false,
      dynamic: false,
      properties: {
        "@timestamp": { type: "date" },
        source: { properties: { port: { type: "long" } } },
        user: {
          properties: {
            name: { type: "keyword", ignore_above: 1024, fields: { text: { type: "match_only_text" } } },
          },
        },
      },
    });
    expect(substitutions).toEqual([]);
  });

  it("maps a type the node lacks to its nearest and reports it", () => {
    const { mappings, substitutions } = mappingFor(
      catalog,
      ["user.name", "app.version", "data_stream.type"],
      {
        missingTypes: new Set(["match_only_text", "version", "constant_keyword"]),
      },
    );
    const props = mappings.properties as Record<string, { properties: Record<string, unknown> }>;
    expect(props.user!.properties.name).toMatchObject({
      type: "keyword",
      fields: { text: { type: "text" } },
    });
    expect(props.app!.properties.version).toEqual({ type: "keyword" });
    expect(props.data_stream!.properties.type).toEqual({ type: "keyword" });
    expect(substitutions).toEqual([
      { field: "app.version", from: "version", to: "keyword" },
      { field: "data_stream.type", from: "constant_keyword", to: "keyword" },
      { field: "user.name.text", from: "match_only_text", to: "text" },
    ]);
  });

  it("maps a flattened container once for the keys inside it", () => {
    const { mappings } = mappingFor(catalog, ["labels.custom.env", "labels.custom.team"]);
    expect(mappings.properties).toEqual({ labels: { properties: { custom: { type: "flattened" } } } });
  });

  it("gives unknown fields Elastic's logs-* dynamic templates under the keyword policy", () => {
    const keyword = fieldCatalog({ ecs: true, unknownFields: "keyword" });
    const { mappings, substitutions } = mappingFor(keyword, ["x.y"], {
      missingTypes: new Set(["wildcard", "match_only_text", "scaled_float"]),
    });
    expect(mappings.dynamic).toBeUndefined();
    const templates = mappings.dynamic_templates as Record<string, { mapping: { type: string } }>[];
    const names = templates.map((t) => Object.keys(t)[0]);
    // ecs@mappings, in order; the last one maps every other string as keyword (ignore_above 1024).
    expect(names[0]).toBe("ecs_timestamp");
    expect(templates.at(-1)).toEqual({
      all_strings_to_keywords: {
        mapping: { ignore_above: 1024, type: "keyword" },
        match_mapping_type: "string",
      },
    });
    expect(templates.find((t) => "ecs_wildcard" in t)!.ecs_wildcard!.mapping.type).toBe("keyword");
    expect(substitutions.map((s) => s.from).sort()).toEqual(
      expect.arrayContaining(["match_only_text", "scaled_float", "wildcard"]),
    );
  });
});

describe("documentPaths and hasValue", () => {
  it("lists the dotted paths of an event, arrays merged, dotted keys kept", () => {
    expect([...documentPaths({ a: { b: 1, c: [{ d: 2 }, { e: null }] }, "f.g": "x", h: [] })].sort()).toEqual(
      ["a.b", "a.c.d", "a.c.e", "f.g", "h"],
    );
  });

  it.each([
    [{ "@timestamp": "2025-01-01" }, "@timestamp", true],
    [{ event: { ingested: "2025-01-01" } }, "event.ingested", true],
    [{ "event.ingested": "2025-01-01" }, "event.ingested", true],
    [{ event: { ingested: null } }, "event.ingested", false],
    [{ event: [{ ingested: "x" }] }, "event.ingested", true],
    [{}, "@timestamp", false],
  ])("%j has %s: %s", (doc, path, expected) => {
    expect(hasValue(doc, path)).toBe(expected);
  });
});

describe("expandWildcardName", () => {
  it("expands a wildcard field name against the catalogue", () => {
    expect(expandWildcardName(catalog, "user.nam*")).toEqual(expect.arrayContaining(["user.name"]));
    expect(expandWildcardName(catalog, "user.name")).toEqual(["user.name"]);
  });
});

describe("missingFromError", () => {
  it.each([
    [
      "400 mapper_parsing_exception: The mapper type [constant_keyword] declared on field [namespace] does not exist.",
      { type: "constant_keyword" },
    ],
    ["No handler for type [wildcard] declared on field [x]", { type: "wildcard" }],
    ["analyzer [english] has not been configured in mappings", { analyzer: "english" }],
    ["something else", undefined],
  ])("%s", (message, expected) => {
    expect(missingFromError(message)).toEqual(expected);
  });
});
