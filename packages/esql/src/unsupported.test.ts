// Functions dac does not model are validation errors (DAC443) naming the function at its name, in every context a
// function can appear: EVAL, STATS, WHERE. A name Elasticsearch does not have either gets its verifier's wording,
// `Unknown function [name]` (x-pack/plugin/esql/.../expression/function/UnresolvedFunction.java; the analyzer and
// parser tests, e.g. StatementParserTests, assert that message).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { evaluateEsql, FUNCTIONS, parseEsql, UNSUPPORTED_FUNCTIONS, validateEsql } from "./index.js";

const catalog = fieldCatalog({ ecs: true });

function unsupportedFindings(query: string) {
  return validateEsql(parseEsql(query), { catalog })
    .filter((f) => f.code === "DAC443")
    .map((f) => ({ message: f.message, at: query.slice(f.span.start, f.span.end), severity: f.severity }));
}

describe("unsupported functions", () => {
  it("the list and the modelled functions do not overlap", () => {
    for (const name of UNSUPPORTED_FUNCTIONS) expect(FUNCTIONS.has(name), name).toBe(false);
  });

  const contexts = [
    (f: string) => `FROM logs-* | EVAL x = ${f}(host.name)`,
    (f: string) => `FROM logs-* | STATS x = ${f}(host.name) BY host.name`,
    (f: string) => `FROM logs-* | WHERE ${f}(host.name, 1) IS NULL`,
  ];

  it.each([...UNSUPPORTED_FUNCTIONS])("%s is an error naming it, at its name", (name) => {
    for (const query of contexts.map((c) => c(name)))
      expect(unsupportedFindings(query), query).toEqual([
        { message: `function [${name}] is not supported by dac`, at: name, severity: "error" },
      ]);
  });

  it("is found whatever the case the query spells it in", () => {
    expect(unsupportedFindings("FROM logs-* | EVAL x = sin(1)")).toEqual([
      { message: "function [SIN] is not supported by dac", at: "sin", severity: "error" },
    ]);
  });

  it("an unknown function is Elasticsearch's `Unknown function [name]`, at its name", () => {
    expect(unsupportedFindings("FROM logs-* | EVAL a = TO_LOWERR(host.name), b = LENGTH(host.name)")).toEqual(
      [{ message: "Unknown function [to_lowerr]", at: "TO_LOWERR", severity: "error" }],
    );
    expect(unsupportedFindings("FROM logs-* | STATS n = COUNT_DISTINCTT(user.name) BY host.name")).toEqual([
      { message: "Unknown function [count_distinctt]", at: "COUNT_DISTINCTT", severity: "error" },
    ]);
  });

  it("evaluation refuses the query with the same error rather than answering null", () => {
    expect(() =>
      evaluateEsql(parseEsql("FROM logs-* | EVAL x = STD_DEV(1)"), { rows: [{ a: 1 }], catalog }),
    ).toThrow("function [STD_DEV] is not supported by dac");
  });
});

describe("docs/esql.md", () => {
  const doc = readFileSync(new URL("../../../docs/esql.md", import.meta.url), "utf8");
  const section = (title: string) => {
    const from = doc.indexOf(`### ${title}\n`);
    expect(from, title).toBeGreaterThan(0);
    const to = doc.indexOf("\n#", from + 4);
    return doc.slice(from, to < 0 ? undefined : to);
  };

  it("lists every function dac does not model, and only those, under its heading", () => {
    const text = section("Functions dac does not model");
    const bullets = text.slice(text.indexOf("\n- "));
    const listed = [...bullets.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]);
    expect(new Set(listed)).toEqual(new Set(UNSUPPORTED_FUNCTIONS));
  });

  it("lists every function dac models under Functions", () => {
    const listed = new Set([...section("Functions").matchAll(/`([A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1]));
    for (const name of FUNCTIONS.keys()) expect(listed.has(name), name).toBe(true);
  });
});
