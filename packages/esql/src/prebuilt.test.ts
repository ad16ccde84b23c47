// The yardstick in miniature: ES|QL queries of Elastic's prebuilt rules (elastic/detection-rules, each entry of
// test-support/prebuilt-sample.json names its file; the commit is in the file) parse, print stably and validate
// against ECS with no errors. With DAC_DETECTION_RULES set (an export with prod.ndjson), every ES|QL rule does.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { fieldsOf, parseEsql, printEsql, validateEsql } from "./index.js";

interface Sample {
  commit: string;
  queries: { path: string; name: string; features: string[]; query: string }[];
}
const sample = JSON.parse(
  readFileSync(new URL("./test-support/prebuilt-sample.json", import.meta.url), "utf8"),
) as Sample;
const catalog = fieldCatalog({ ecs: true });

function check(query: string): void {
  const ast = parseEsql(query);
  const printed = printEsql(ast);
  expect(printEsql(parseEsql(printed))).toBe(printed);
  expect(validateEsql(ast, { catalog }).filter((f) => f.severity === "error")).toEqual([]);
  // The printed form means the same: same source fields.
  expect(fieldsOf(parseEsql(printed)).map((f) => f.name)).toEqual(fieldsOf(ast).map((f) => f.name));
}

describe(`prebuilt ES|QL rules at detection-rules ${sample.commit.slice(0, 12)}`, () => {
  it("covers the syntax the prebuilt rules use", () => {
    const features = new Set(sample.queries.flatMap((q) => q.features));
    for (const f of [
      "stats",
      "inline_stats",
      "stats_where",
      "keep",
      "rename",
      "sort",
      "limit",
      "mv_expand",
      "dissect",
      "grok",
      "completion",
      "metadata",
      "kql",
      "like",
      "rlike",
      "in",
      "cast",
      "case",
      "comments",
    ])
      expect(features).toContain(f);
  });

  it.each(sample.queries.map((q) => [q.path, q.query] as const))("%s", (_path, query) => check(query));
});

const corpus = process.env["DAC_DETECTION_RULES"];
const prod = corpus ? join(corpus, "prod.ndjson") : "";
describe.skipIf(!corpus || !existsSync(prod))("every ES|QL rule of DAC_DETECTION_RULES/prod.ndjson", () => {
  it("parses, prints stably and validates with no errors", () => {
    const rules = readFileSync(prod, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { language?: string; query?: string; name?: string })
      .filter((r) => r.language === "esql" && typeof r.query === "string");
    expect(rules.length).toBeGreaterThan(100);
    for (const r of rules) check(r.query!);
  });
});
