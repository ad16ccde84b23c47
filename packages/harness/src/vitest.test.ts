import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig } from "@dac/schema";
import { toyEngine, toyRule, toyRuleYaml } from "./test-support/toy-engine.js";
import { tempTree } from "./test-support/tree.js";
import { defineRuleTests } from "./vitest.js";

let cleanup = () => {};
afterEach(() => cleanup());

/** Records what would be declared, and runs each test body to see whether it throws. */
function recorder() {
  const declared: { path: string; outcome: "pass" | "fail" | "skip"; error?: string }[] = [];
  const stack: string[] = [];
  const describeFn = (name: string, fn: () => void) => {
    stack.push(name);
    fn();
    stack.pop();
  };
  const itFn = Object.assign(
    (name: string, fn: () => void) => {
      try {
        fn();
        declared.push({ path: [...stack, name].join(" > "), outcome: "pass" });
      } catch (error) {
        declared.push({
          path: [...stack, name].join(" > "),
          outcome: "fail",
          error: (error as Error).message,
        });
      }
    },
    { skip: (name: string) => declared.push({ path: [...stack, name].join(" > "), outcome: "skip" }) },
  );
  return { declared, describe: describeFn, it: itFn };
}

describe("defineRuleTests", () => {
  it("declares a describe per rule and an it per case, failing with the explanation", async () => {
    const query = { and: [{ eq: ["verb", "create"] }] };
    const t = tempTree({
      "fixtures/a/positive/ok.json": { verb: "create" },
      "fixtures/a/negative/wrong.json": { verb: "create" },
      "fixtures/orphan/cases.yaml": "cases: []\n",
    });
    cleanup = t.cleanup;
    const rules = [
      toyRule("rules/a.yaml", toyRuleYaml({ name: "a", query })),
      toyRule("rules/b.yaml", toyRuleYaml({ name: "b", query, exempt: "no data" })),
      toyRule("rules/c.yaml", toyRuleYaml({ name: "c", query, type: "eql" })),
    ];
    const r = recorder();
    const run = await defineRuleTests({
      cwd: t.root,
      config: defaultConfig(t.root),
      loaded: { rules, diagnostics: [], files: rules.map((x) => join(t.root, x.file)) },
      engines: [toyEngine],
      catalogFor: () => ({ fields: new Map(), unknownFields: "keyword" }),
      describe: r.describe,
      it: r.it,
    });
    expect(r.declared.map(({ path, outcome }) => [path, outcome])).toEqual([
      ["a (rules/a.yaml) > positive/ok.json", "pass"],
      ["a (rules/a.yaml) > negative/wrong.json", "fail"],
      ["b (rules/b.yaml) > exempt: no data", "skip"],
      ["c (rules/c.yaml) > unsupported", "fail"],
      ["fixture diagnostics > DAC503 fixtures/orphan/cases.yaml:1:1", "fail"],
      ["fixture diagnostics > DAC505 rules/c.yaml:2:1", "fail"],
    ]);
    expect(r.declared[1]!.error).toMatch(
      /^rules\/a.yaml: expected no match, but the rule matched 1 of 1 event\nevent at fixtures\/a\/negative\/wrong.json:1:1/,
    );
    expect(r.declared[3]!.error).toBe("unsupported: eql/toy");
    expect(run.result.summary.ok).toBe(false);
  });
});
