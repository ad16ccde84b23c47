// The yardstick in miniature: EQL queries of Elastic's prebuilt rules (elastic/detection-rules, cited per entry in
// test-support/prebuilt-sample.json) parse, print stably and validate against ECS with no errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { parse, print, validate } from "./index.js";

interface Sample {
  commit: string;
  queries: { path: string; name: string; features: string[]; query: string }[];
}
const sample = JSON.parse(
  readFileSync(new URL("./test-support/prebuilt-sample.json", import.meta.url), "utf8"),
) as Sample;
const catalog = fieldCatalog({ ecs: true });

describe(`prebuilt rules at detection-rules ${sample.commit.slice(0, 12)}`, () => {
  it("covers every syntax feature the prebuilt rules use", () => {
    const features = new Set(sample.queries.flatMap((q) => q.features));
    for (const f of [
      "until",
      "runs",
      "missing",
      "sample",
      "maxspan",
      "optional",
      "raw",
      "inI",
      "likeI",
      "regex",
      "fn",
    ])
      expect(features).toContain(f);
  });

  it.each(sample.queries.map((q) => [q.path, q.query] as const))("%s", (_path, query) => {
    const ast = parse(query);
    const printed = print(ast);
    expect(print(parse(printed))).toBe(printed);
    const errors = validate(ast, { catalog }).filter((f) => f.severity === "error");
    expect(errors).toEqual([]);
  });
});
