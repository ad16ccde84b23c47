// The ES|QL conformance table (cases.ts): each case's expected table comes from the Elasticsearch reference page
// or source file it cites.
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { evaluateEsql, parseEsql } from "../index.js";
import { CASES, type ConformanceCase } from "./cases.js";

const catalog = fieldCatalog({ ecs: true });

function run(c: ConformanceCase) {
  return evaluateEsql(parseEsql(c.query), {
    rows: c.rows ?? [],
    catalog,
    now: new Date("2026-01-01T12:00:00Z"),
    ...(c.params ? { params: c.params } : {}),
    ...(c.lookups ? { lookups: c.lookups } : {}),
  });
}

describe("ES|QL conformance", () => {
  it("has at least 200 cases, each citing its source", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(200);
    for (const c of CASES) expect(c.cite).toMatch(/elastic\.co|elastic\/elasticsearch/);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const r = run(c);
    const where = `${c.query}\n(${c.cite})`;
    if (c.columns)
      expect(
        r.columns.map((x) => (c.columns!.some((y) => y.includes(":")) ? `${x.name}:${x.type}` : x.name)),
        where,
      ).toEqual(c.columns);
    expect(r.values, where).toEqual(c.values);
    if (c.warnings !== undefined)
      expect(r.warnings.length > 0, `${where}\n${r.warnings.join("\n")}`).toBe(c.warnings);
  });
});
