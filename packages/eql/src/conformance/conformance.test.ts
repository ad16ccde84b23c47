// The EQL conformance table (cases.ts): each case's expectation comes from the Elasticsearch reference or
// source it cites.
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { evaluate, parse } from "../index.js";
import { CASES, EVENT_SETS, SEQUENCE_CASES, type ConformanceCase } from "./cases.js";

const catalog = fieldCatalog({ ecs: true });
const all = [...CASES, ...SEQUENCE_CASES];

function run(c: ConformanceCase): number[] | number[][] {
  const events = typeof c.events === "string" ? EVENT_SETS[c.events]! : c.events;
  const results = evaluate(parse(c.query), events, { catalog, ...c.options });
  const ast = parse(c.query);
  return ast.body.type === "event" ? results.map((r) => r.events[0]!) : results.map((r) => r.events);
}

describe("EQL conformance", () => {
  it("has at least 200 cases, each citing its source", () => {
    expect(all.length).toBeGreaterThanOrEqual(200);
    for (const c of all) expect(c.cite).toMatch(/elastic\.co|elastic\/elasticsearch/);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
  });

  it.each(all.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(run(c), `${c.query}\n(${c.cite})`).toEqual(c.expect);
  });
});
