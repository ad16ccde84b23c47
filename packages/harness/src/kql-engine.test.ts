import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig } from "@dac/schema";
import { EngineError, languageOf } from "./engine.js";
import { engineFor } from "./index.js";
import { kqlEngine } from "./kql-engine.js";
import { runTests } from "./run.js";
import { casesHeader, tempTree } from "./test-support/tree.js";
import { ruleFromData } from "./test-support/rule.js";

const rule = ruleFromData;

describe("engineFor", () => {
  it.each([
    [{ type: "query", language: "kuery" }, "kql"],
    [{ type: "query" }, "kql"],
    [{ type: "query", language: "lucene" }, "lucene"],
    [{ type: "threshold", language: "kuery" }, "kql"],
    [{ type: "threshold", language: "lucene" }, "lucene"],
    [{ type: "new_terms" }, "new_terms"],
    [{ type: "new_terms", language: "lucene" }, "new_terms"],
    [{ type: "threat_match", language: "kuery" }, "threat_match"],
    [{ type: "threat_match", language: "lucene" }, "threat_match"],
    [{ type: "eql", language: "eql" }, "eql"],
    [{ type: "eql" }, "eql"],
    [{ type: "esql", language: "esql" }, "esql"],
    [{ type: "machine_learning" }, "unsupported: machine_learning/none"],
  ])("%j → %s", (data, expected) => {
    const choice = engineFor(rule(data));
    expect("unsupported" in choice ? `unsupported: ${choice.unsupported}` : choice.name).toBe(expected);
  });

  it("defaults the language the way Kibana does", () => {
    expect(languageOf(rule({ type: "eql" }))).toBe("eql");
  });
});

describe("kqlEngine", () => {
  const context = { catalog: { fields: new Map(), unknownFields: "keyword" as const } };

  it("evaluates with Elasticsearch semantics and explains", () => {
    const compiled = kqlEngine.compile!(
      rule({ type: "query", query: 'user.name:(root or "admin") and not event.outcome:success' }),
      context,
    );
    expect(compiled.evaluate({ user: { name: "root" }, event: { outcome: "failure" } }).matched).toBe(true);
    expect(compiled.evaluate({ "user.name": "Root" }).matched).toBe(false);
    const miss = compiled.evaluate({ user: { name: "root" }, event: { outcome: "success" } });
    expect(miss.matched).toBe(false);
    expect(miss.explain()).toMatch(/^✗ /);
    expect(compiled.fields).toEqual(["user.name", "event.outcome"]);
  });

  it("turns a syntax error into an engine error with its place", () => {
    expect(() => kqlEngine.compile!(rule({ type: "query", query: "a:(b" }), context)).toThrow(EngineError);
    expect(() => kqlEngine.compile!(rule({ type: "query", query: "a:\n  b and (" }), context)).toThrow(
      /line 2, column/,
    );
  });

  it("treats a missing query as Kibana does: every event matches", () => {
    expect(kqlEngine.compile!(rule({ type: "query" }), context).evaluate({}).matched).toBe(true);
  });
});

describe("coverage and mutation of a small KQL rule", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("finds the uncovered branch and the mutants the fixtures let through", async () => {
    const t = tempTree({
      "fixtures/r/cases.yaml":
        casesHeader +
        `cases:
  - {name: root logs in, expect: match, events: [{process: {name: sshd}, user: {name: root}, event: {outcome: failure}}]}
  - {name: other process, expect: no-match, events: [{process: {name: cron}, user: {name: root}, event: {outcome: failure}}]}
  - {name: success, expect: no-match, events: [{process: {name: sshd}, user: {name: root}, event: {outcome: success}}]}
`,
    });
    cleanup = t.cleanup;
    const r = rule({
      name: "r",
      type: "query",
      language: "kuery",
      index: ["logs-*"],
      query: 'process.name:"sshd" and user.name:(root or admin) and not event.outcome:success',
    });
    const result = await runTests({
      rules: [r],
      config: defaultConfig(t.root),
      cwd: t.root,
      coverage: true,
      mutate: true,
    });
    const [only] = result.rules;
    expect(only!.status).toBe("passed");
    expect(only!.coverage!.branches.map((b) => [b.branch, b.positives])).toEqual([
      ["user.name:root", 1],
      ["user.name:admin", 0],
    ]);
    expect(only!.coverage!.branchPercent).toBe(50);
    const survivors = only!.mutation!.survivors.map((s) => [s.operator, s.query]);
    // Nothing tells `root` alone from `root or admin`, nor pins the `admin` literal.
    expect(survivors).toContainEqual([
      "drop-clause",
      'process.name:"sshd" and user.name:root and not event.outcome:success',
    ]);
    expect(survivors).toContainEqual([
      "change-literal",
      'process.name:"sshd" and user.name:(root or admin_mutant) and not event.outcome:success',
    ]);
    // The near misses kill the mutants on the process name and the outcome.
    expect(survivors.map(([, q]) => q)).not.toContain(
      "user.name:(root or admin) and not event.outcome:success",
    );
    expect(survivors.map(([, q]) => q)).not.toContain(
      'process.name:"sshd" and user.name:(root or admin) and event.outcome:success',
    );
    expect(result.diagnostics.map((d) => d.code)).toEqual(["DAC507", ...survivors.map(() => "DAC508")]);
    expect(result.diagnostics[0]).toMatchObject({ file: "rules/r.yaml", line: 6, severity: "warning" });
  });
});
