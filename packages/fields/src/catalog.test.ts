import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { distance } from "fastest-levenshtein";
import { describe, expect, it } from "vitest";
import { fieldsFromCompact } from "./catalog-compact.js";
import type { CompactCatalog } from "./catalog-compact.js";
import {
  FieldCatalogError,
  fieldCatalog,
  fieldLayer,
  leafFields,
  leafFieldsNamed,
  lookupField,
  resolveField,
  suggestFields,
} from "./catalog.js";

const FIELDS_DIR = fileURLToPath(new URL("../../../schemas/fields/", import.meta.url));

describe("ECS", () => {
  const ecs = fieldCatalog({ ecs: true });

  it("carries type, ignore_above and multi-fields", () => {
    expect(lookupField(ecs, "process.name")).toMatchObject({
      type: "keyword",
      ignoreAbove: 1024,
      multiFields: [{ name: "process.name.text", type: "match_only_text" }],
      source: "ecs",
    });
    expect(lookupField(ecs, "process.name.text")).toMatchObject({
      type: "match_only_text",
      sourcePath: "process.name",
    });
    expect(lookupField(ecs, "process.command_line")?.type).toBe("wildcard");
    expect(lookupField(ecs, "data_stream.dataset")?.type).toBe("constant_keyword");
    expect(lookupField(ecs, "host.cpu.usage")).toMatchObject({ type: "scaled_float", scalingFactor: 1000 });
    expect(lookupField(ecs, "event.original")?.searchable).toBe(false);
    expect(lookupField(ecs, "@timestamp")?.format).toBeUndefined();
  });

  it("resolves nested, flattened and object_type fields", () => {
    expect(lookupField(ecs, "threat.enrichments.indicator.ip")).toMatchObject({
      type: "ip",
      nestedPath: "threat.enrichments",
    });
    expect(lookupField(ecs, "file.elf.imports.name")).toMatchObject({
      type: "keyword",
      flattenedKeyOf: "file.elf.imports",
    });
    expect(lookupField(ecs, "labels.env")).toMatchObject({ type: "keyword", source: "dynamic" });
    expect(lookupField(ecs, "process")).toMatchObject({ type: "object" });
    expect(lookupField(ecs, "process.nam")).toBeUndefined();
  });

  it("is cheap to build repeatedly", () => {
    fieldCatalog({ ecs: true, overrides: { x: "keyword" } });
    const start = performance.now();
    for (let i = 0; i < 20; i++) fieldCatalog({ ecs: true, overrides: { x: "keyword" } });
    expect((performance.now() - start) / 20).toBeLessThan(25);
  });
});

describe("the Kubernetes audit_logs field file", () => {
  const k8s = fieldCatalog({ fieldFiles: [FIELDS_DIR], unknownFields: "unmapped" });

  it.each([
    ["kubernetes.audit.verb", "keyword"],
    ["kubernetes.audit.user.username", "keyword"],
    ["kubernetes.audit.user.groups", "text"],
    ["kubernetes.audit.userAgent", "text"],
    ["kubernetes.audit.annotations.authorization_k8s_io/decision", "keyword"],
    ["kubernetes.audit.annotations.authorization_k8s_io/reason", "text"],
    ["kubernetes.audit.responseStatus.code", "integer"],
    ["kubernetes.audit.requestObject.spec.containers.image", "keyword"],
    ["kubernetes.audit.requestObject.spec.containers.securityContext.privileged", "boolean"],
    ["kubernetes.audit.requestReceivedTimestamp", "date"],
    ["kubernetes.audit.requestObject.rules", "nested"],
    ["event.dataset", "keyword"],
    ["data_stream.dataset", "constant_keyword"],
    ["source.ip", "ip"],
    ["user_agent.original.text", "match_only_text"],
    ["host.os.name.text", "text"],
    ["kubernetes.audit.user.extra.scopes", "keyword"],
  ])("%s is %s", (name, type) => expect(lookupField(k8s, name)?.type).toBe(type));

  it("gives keywords Fleet's ignore_above 1024", () => {
    expect(lookupField(k8s, "kubernetes.audit.verb")?.ignoreAbove).toBe(1024);
  });

  it("marks what is not searchable", () => {
    expect(
      resolveField(k8s, "kubernetes.audit.annotations.pod-security_kubernetes_io/enforce-policy").kind,
    ).toBe("unmapped");
    expect(resolveField(k8s, "kubernetes.audit.requestObject.metadata.name")).toMatchObject({
      kind: "unmapped",
      reason: expect.stringContaining("dynamic: false"),
    });
    expect(resolveField(k8s, "kubernetes.audit.requestObject.spec.volumes.hostPath.path")).toMatchObject({
      kind: "mapped",
      info: { flattenedKeyOf: "kubernetes.audit.requestObject.spec.volumes.hostPath" },
    });
    expect(resolveField(k8s, "kubernetes.audit.requestObject.rules.verbs")).toMatchObject({
      kind: "mapped",
      info: { type: "keyword", nestedPath: "kubernetes.audit.requestObject.rules" },
    });
  });

  it("suggests close names for a misspelt field", () => {
    expect(suggestFields(k8s, "kubernetes.audit.objectref.resource")[0]).toBe(
      "kubernetes.audit.objectRef.resource",
    );
    expect(suggestFields(k8s, "kubernetes.audit.verbs", 1)).toEqual(["kubernetes.audit.verb"]);
    expect(suggestFields(k8s, "kubernetes.audit.user.usrname")[0]).toBe("kubernetes.audit.user.username");
    expect(suggestFields(k8s, "user.username")).toContain("kubernetes.audit.user.username");
    expect(suggestFields(k8s, "zzzzzz")).toEqual([]);
  });
});

describe("field documents, mappings and overrides", () => {
  it("reads fields.yml groups, dotted names, external ECS and multi-fields", () => {
    const catalog = fieldCatalog({
      fieldDocs: [
        [
          {
            name: "app",
            type: "group",
            fields: [
              { name: "a.b", type: "long" },
              { name: "msg", type: "keyword", multi_fields: [{ name: "text", type: "text" }] },
            ],
          },
          { name: "source.ip", external: "ecs" },
          { name: "untyped" },
          { name: "c", type: "constant_keyword", value: "fixed" },
        ],
      ],
    });
    expect(lookupField(catalog, "app.a.b")?.type).toBe("long");
    expect(lookupField(catalog, "app.msg.text")).toMatchObject({ type: "text", sourcePath: "app.msg" });
    expect(lookupField(catalog, "source.ip")?.type).toBe("ip");
    expect(lookupField(catalog, "untyped")).toMatchObject({ type: "keyword", ignoreAbove: 1024 });
    expect(lookupField(catalog, "c")?.value).toBe("fixed");
    expect(lookupField(catalog, "app.a")?.type).toBe("object");
  });

  it("maps keyword multi-fields as Fleet does: ignore_above 1024 unless set, and their normalizer", () => {
    // Elastic Defend's fields.yml: `process.name` with a lowercase-normalised `caseless` multi-field.
    const catalog = fieldCatalog({
      fieldDocs: [
        [
          {
            name: "process.name",
            type: "keyword",
            multi_fields: [
              { name: "caseless", type: "keyword", normalizer: "lowercase" },
              { name: "short", type: "keyword", ignore_above: 16 },
              { name: "text", type: "text", analyzer: "simple" },
            ],
          },
        ],
      ],
    });
    expect(lookupField(catalog, "process.name.caseless")).toMatchObject({
      type: "keyword",
      normalizer: "lowercase",
      ignoreAbove: 1024,
      sourcePath: "process.name",
    });
    expect(lookupField(catalog, "process.name.short")?.ignoreAbove).toBe(16);
    expect(lookupField(catalog, "process.name.text")?.analyzer).toBe("simple");
  });

  it("reads GET _mapping bodies, dynamic templates and aliases", () => {
    const catalog = fieldCatalog({
      mappings: [
        {
          "logs-x": {
            mappings: {
              dynamic: "false",
              dynamic_templates: [{ extra: { path_match: "meta.*", mapping: { type: "keyword" } } }],
              properties: {
                ts: { type: "date", format: "epoch_second" },
                name: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } },
                deps: { type: "nested", properties: { n: { type: "keyword" } } },
                off: { type: "object", enabled: false },
                al: { type: "alias", path: "name.keyword" },
              },
            },
          },
        },
      ],
    });
    expect(catalog.unknownFields).toBe("unmapped");
    expect(lookupField(catalog, "ts")).toMatchObject({ type: "date", format: "epoch_second" });
    expect(lookupField(catalog, "name.keyword")).toMatchObject({
      type: "keyword",
      ignoreAbove: 256,
      sourcePath: "name",
    });
    expect(lookupField(catalog, "deps.n")?.nestedPath).toBe("deps");
    expect(lookupField(catalog, "meta.anything")?.type).toBe("keyword");
    expect(resolveField(catalog, "off.x").kind).toBe("unmapped");
    expect(lookupField(catalog, "al")).toMatchObject({ type: "keyword", sourcePath: "name" });
    expect(resolveField(catalog, "other").kind).toBe("unmapped");
  });

  it("applies the unknown-field policy", () => {
    expect(resolveField(fieldCatalog({ unknownFields: "keyword" }), "x.y")).toMatchObject({
      kind: "policy",
      info: { type: "keyword", ignoreAbove: 1024 },
    });
    expect(lookupField(fieldCatalog({ unknownFields: "keyword" }), "x.y")).toBeUndefined();
  });

  it("lets overrides have the last word", () => {
    const catalog = fieldCatalog({
      ecs: true,
      overrides: { "process.name": "text", "my.count": { type: "long" } },
    });
    expect(lookupField(catalog, "process.name")).toMatchObject({ type: "text", source: "override" });
    expect(lookupField(catalog, "my.count")?.type).toBe("long");
  });

  it("reports unreadable sources", () => {
    const dir = mkdtempSync(join(tmpdir(), "dac-fields-"));
    writeFileSync(join(dir, "bad.yml"), "- name: a\n  type: [unclosed");
    expect(() => fieldCatalog({ fieldFiles: [dir] })).toThrow(FieldCatalogError);
    expect(() => fieldCatalog({ fieldFiles: [join(dir, "missing.yml")] })).toThrow(/not found/);
    expect(() => fieldCatalog({ fieldDocs: [{ name: "x" }] })).toThrow(/list of fields/);
    expect(() => fieldCatalog({ fieldDocs: [[{ name: "process.nope", external: "ecs" }]] })).toThrow(
      /not an ECS field/,
    );
    expect(() => fieldCatalog({ mappings: [{ nothing: 1 }] })).toThrow(FieldCatalogError);
  });
});

describe("suggestions over stacked layers", () => {
  // The vendored catalogues of two integrations, each data stream a layer, stacked on ECS as rules use them.
  const layersOf = (pkg: string) => {
    const file = join(FIELDS_DIR, "integrations", `${pkg}.json`);
    const catalog = JSON.parse(readFileSync(file, "utf8")) as CompactCatalog;
    return Object.entries(catalog.dataStreams ?? {}).map(([, fields]) =>
      fieldLayer(fieldsFromCompact(fields, catalog.keywordIgnoreAbove, pkg)),
    );
  };
  const stacked = fieldCatalog({ ecs: true, layers: [...layersOf("okta"), ...layersOf("aws")] });
  // The same fields as one plain map: suggestions are scored over its leaves directly.
  const flat = { ...stacked, fields: new Map(stacked.fields) };

  it.each([
    "okta.actor.alternate_id",
    "okta.client.user_agent.raw_user_agnet",
    "aws.cloudtrail.user_identiy.arn",
    "aws.cloudtrail.flattened.request_parameter",
    "proces.name",
    "user.nmae",
    "event.acton",
    "source.ip",
    "zzzzzz",
  ])("are those of the whole stack for %s", (name) => {
    expect(suggestFields(stacked, name)).toEqual(suggestFields(flat, name));
    expect(suggestFields(stacked, name, 1)).toEqual(suggestFields(flat, name, 1));
  });

  it("list the leaves a wildcard names as the whole stack does", () => {
    const fresh = () => fieldCatalog({ ecs: true, layers: [...layersOf("okta"), ...layersOf("aws")] });
    for (const pattern of [/^okta\.actor\./, /^aws\.cloudtrail\..*arn$/, /^process\./, /^nothing\./]) {
      const named = leafFieldsNamed(fresh(), (n) => pattern.test(n));
      expect(named).toEqual(leafFields(fresh()).filter((f) => pattern.test(f.name)));
    }
    expect(leafFieldsNamed(fresh(), (n) => n.startsWith("okta.actor.")).length).toBeGreaterThan(2);
  });

  it("are what scoring every leaf gives (the letter-count bound only skips what is too far)", () => {
    const leaves = leafFields(flat).map((f) => f.name);
    const reference = (name: string, max = 3) => {
      const limit = Math.max(2, Math.ceil(name.length * 0.34));
      const scored = leaves
        .map((candidate) => {
          const d = distance(name.toLowerCase(), candidate.toLowerCase());
          return { name: candidate, score: candidate.endsWith(`.${name}`) ? Math.min(d, 1) : d };
        })
        .filter((s) => s.score <= limit)
        .sort((a, b) => a.score - b.score || a.name.length - b.name.length || a.name.localeCompare(b.name));
      const best = scored[0]?.score ?? 0;
      return scored
        .filter((s) => s.score <= best + 2)
        .slice(0, max)
        .map((s) => s.name);
    };
    // Misspellings of real names: a letter dropped, doubled, swapped or changed, and a digit changed.
    const names = leaves.filter((_, i) => i % 97 === 0);
    for (const [i, real] of names.entries()) {
      const at = (i * 7) % real.length;
      const variants = [
        real.slice(0, at) + real.slice(at + 1),
        real.slice(0, at) + real[at] + real.slice(at),
        real.slice(0, at) + "x" + real.slice(at + 1),
        real.replace(/\d/, "9"),
        `${real}s`,
      ];
      for (const name of variants) expect(suggestFields(stacked, name), name).toEqual(reference(name));
    }
  });

  it("still find names of every layer", () => {
    expect(suggestFields(stacked, "okta.actor.alternate_idd")).toContain("okta.actor.alternate_id");
    expect(suggestFields(stacked, "proces.name")).toContain("process.name");
  });
});
