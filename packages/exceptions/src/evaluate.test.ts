// The conformance table in memory; node.test.ts holds a real node to the same table with the DSL of dsl.ts.
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { cases, documents, expiredItem, mappings, valueLists } from "./conformance/exceptions.cases.js";
import { compileExceptions, ExceptionEvaluationError, exceptionsQuery } from "./index.js";

const catalog = fieldCatalog({ mappings: [mappings], unknownFields: "unmapped" });

describe("compileExceptions", () => {
  it.each(cases)("$name", ({ item, removes }) => {
    const compiled = compileExceptions([item], valueLists, catalog);
    expect(Object.keys(documents).filter((id) => compiled.removedBy(documents[id]).length > 0)).toEqual(
      removes,
    );
  });

  it("names every item that removes an event, and skips expired items as Kibana does", () => {
    const items = [
      { ...cases[0]!.item, item_id: "alice" },
      { ...cases[13]!.item, item_id: "tagged" },
      expiredItem,
    ];
    const compiled = compileExceptions(items, valueLists, catalog, { now: new Date("2026-06-01T00:00:00Z") });
    expect(compiled.removedBy(documents["d1"])).toEqual(["alice", "tagged"]);
    expect(compiled.removedBy(documents["d4"])).toEqual([]);
    expect(compiled.expired).toEqual(["expired"]);
    expect(
      compileExceptions([expiredItem], valueLists, catalog, { now: new Date("2019-01-01") }).applied,
    ).toEqual(["expired"]);
  });

  it("refuses what Elasticsearch would refuse, naming the item", () => {
    const bad = {
      ...cases[0]!.item,
      item_id: "bad-ip",
      entries: [
        { type: "match" as const, field: "source.ip", operator: "included" as const, value: "not-an-ip" },
      ],
    };
    expect(() => compileExceptions([bad], valueLists, catalog)).toThrow(ExceptionEvaluationError);
    expect(() => compileExceptions([bad], valueLists, catalog)).toThrow(/bad-ip/);
  });
});

describe("exceptionsQuery", () => {
  it("is a should of one clause per item, with entries in bool.filter (Kibana's buildExceptionFilter)", () => {
    expect(exceptionsQuery([cases[16]!.item], valueLists)).toEqual({
      bool: {
        should: [
          {
            bool: {
              filter: [
                { bool: { minimum_should_match: 1, should: [{ match_phrase: { tags: "prod" } }] } },
                { bool: { minimum_should_match: 1, should: [{ match_phrase: { "user.name": "Bob" } }] } },
              ],
            },
          },
        ],
      },
    });
  });

  it("chunks items like Kibana (1,024 per bool.should) and leaves expired items out", () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ ...cases[0]!.item, item_id: `i${i}` }));
    const q = exceptionsQuery([...many, expiredItem], valueLists, { chunkSize: 2 }) as {
      bool: { should: { bool: { should: unknown[] } }[] };
    };
    expect(q.bool.should.map((c) => c.bool.should.length)).toEqual([2, 2, 1]);
    expect(exceptionsQuery([expiredItem], valueLists)).toBeUndefined();
  });
});
