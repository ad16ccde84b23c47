import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { toDsl } from "./dsl.js";
import { dslFieldsFromCatalog } from "./dsl-fields.js";

describe("dslFieldsFromCatalog", () => {
  const catalog = fieldCatalog({
    ecs: false,
    mappings: [
      {
        properties: {
          user: { properties: { name: { type: "keyword" } } },
          bytes: { type: "long" },
          ts: { type: "date" },
        },
      },
    ],
  });
  const fields = dslFieldsFromCatalog(catalog);

  it("gives Kibana field types and the ES types", () => {
    expect(fields).toEqual(
      expect.arrayContaining([
        { name: "user.name", type: "string", esTypes: ["keyword"] },
        { name: "bytes", type: "number", esTypes: ["long"] },
        { name: "ts", type: "date", esTypes: ["date"] },
      ]),
    );
  });

  it("makes toDsl use term for keyword fields and a range for dates, as the typed detection engine does", () => {
    expect(toDsl("user.name:root and ts:2024-01-01", { fields }).bool.filter).toEqual([
      {
        bool: {
          filter: [
            { bool: { should: [{ term: { "user.name": { value: "root" } } }], minimum_should_match: 1 } },
            {
              bool: {
                should: [{ range: { ts: { gte: "2024-01-01", lte: "2024-01-01", time_zone: "Zulu" } } }],
                minimum_should_match: 1,
              },
            },
          ],
        },
      },
    ]);
  });
});
