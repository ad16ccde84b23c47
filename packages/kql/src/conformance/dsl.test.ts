import { describe, expect, it } from "vitest";
import { toDsl } from "../dsl.js";
import { dslCases } from "./dsl.cases.js";

describe("DSL conformance (detection-rules lib/kql cases, Kibana's DSL)", () => {
  it("transcribes all 50 upstream cases", () => {
    expect(dslCases).toHaveLength(50);
  });

  for (const c of dslCases) {
    it(`${c.source} ${JSON.stringify(c.query)}`, () => {
      const expected = { bool: { must: [], filter: [c.kibana], should: [], must_not: [] } };
      // Key order too: the DSL is compared as Kibana would serialise it.
      expect(JSON.stringify(toDsl(c.query))).toBe(JSON.stringify(expected));
    });
  }
});
