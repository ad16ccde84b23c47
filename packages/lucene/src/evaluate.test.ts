import { describe, expect, it } from "vitest";
import { fieldCatalog, QueryEvaluationError } from "@dac/fields";
import { cases, documents, mappings } from "./conformance/lucene.cases.js";
import { buildPlan, compile, explainPlan } from "./evaluate.js";
import { parse } from "./parser.js";

const catalog = fieldCatalog({ mappings: [mappings], unknownFields: "unmapped" });
const now = () => new Date("2026-03-04T00:00:00Z");

describe("query_string conformance (in memory)", () => {
  it.each(cases)("$query", ({ query, matches }) => {
    const test = compile(parse(query), { catalog, now });
    const got = Object.entries(documents)
      .filter(([, doc]) => test(doc))
      .map(([id]) => id);
    expect(got).toEqual(matches);
  });
});

describe("what the engine refuses rather than guesses", () => {
  it.each([
    ["process.args:/2[0-9]{3}/", /regular expression/],
    ["user.name:alic~", /fuzzy/],
    ['message:"permission file"~3', /proximity/],
    ["user.name:al?ce", /`\?` wildcard/],
  ])("%s", (query, message) => {
    expect(() => compile(parse(query), { catalog, now })).toThrow(QueryEvaluationError);
    expect(() => compile(parse(query), { catalog, now })).toThrow(message);
  });

  it("a value the field type cannot parse on a named field is an error with the clause's span", () => {
    const query = "event.category:process AND event.code:abc";
    try {
      compile(parse(query), { catalog, now });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QueryEvaluationError);
      const span = (error as QueryEvaluationError).span!;
      expect(query.slice(span.start, span.end)).toBe("event.code:abc");
    }
  });
});

describe("explain", () => {
  it("marks each clause and says why per field", () => {
    const query = "process.name:chmod AND NOT user.name:root";
    const text = explainPlan(buildPlan(parse(query), { catalog, now }), documents.root, query);
    expect(text.split("\n")[0]).toBe(`✗ ${query}`);
    expect(text).toMatch(/✗ MUST process\.name:chmod/);
    expect(text).toMatch(/✓ MUST_NOT user\.name:root/);
  });
});
