// The yardstick in miniature: ES|QL queries of Elastic's prebuilt rules (elastic/detection-rules, each entry of
// test-support/prebuilt-sample.json names its file; the commit is in the file) parse, print stably and validate
// against ECS with no errors. With DAC_DETECTION_RULES set (a directory with an export, prod.ndjson, or a
// detection-rules tree of TOML, rules/ and rules_building_block/), every ES|QL rule does.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
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

function tomlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return tomlFiles(full);
      return name.endsWith(".toml") ? [full] : [];
    });
}

/** The corpus's ES|QL rules: from a Kibana export (prod.ndjson) or a detection-rules TOML tree (not deprecated). */
function corpusRules(): { name: string; query: string }[] {
  if (existsSync(prod))
    return readFileSync(prod, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { language?: string; query?: string; name?: string })
      .filter((r) => r.language === "esql" && typeof r.query === "string")
      .map((r) => ({ name: r.name ?? "", query: r.query! }));
  const roots = ["rules", "rules_building_block"].map((d) => join(corpus!, d)).filter((d) => existsSync(d));
  return roots
    .flatMap(tomlFiles)
    .map((file) => ({
      file,
      doc: parseToml(readFileSync(file, "utf8")) as {
        rule?: { language?: string; query?: string };
        metadata?: { maturity?: string };
      },
    }))
    .filter(({ doc }) => doc.rule?.language === "esql" && doc.metadata?.maturity !== "deprecated")
    .map(({ file, doc }) => ({ name: file, query: doc.rule!.query! }));
}

describe.skipIf(!corpus || !existsSync(corpus))(
  "every ES|QL rule of DAC_DETECTION_RULES (prod.ndjson or TOML)",
  () => {
    it("parses, prints stably and validates with no errors", () => {
      const rules = corpusRules();
      expect(rules.length).toBeGreaterThan(100);
      for (const r of rules) {
        try {
          check(r.query);
        } catch (error) {
          throw new Error(`${r.name}: ${(error as Error).message}`);
        }
      }
    });
  },
);
