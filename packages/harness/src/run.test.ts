import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig } from "@dac/schema";
import type { FieldCatalog } from "@dac/fields";
import type { Rule } from "@dac/schema";
import { runTests } from "./run.js";
import type { RunTestsOptions } from "./run.js";
import { seenCatalogs, toyEngine, toyRule, toyRuleYaml } from "./test-support/toy-engine.js";
import { casesHeader, tempTree } from "./test-support/tree.js";
import type { Tree } from "./test-support/tree.js";

const fakeCatalog = (overrides: Record<string, string>): FieldCatalog => ({
  fields: new Map(
    Object.entries(overrides).map(([name, type]) => [name, { name, type, source: "override" as const }]),
  ),
  unknownFields: "keyword",
});

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

/** A repository in a temp folder: rule files from `rules` (toy engine), fixtures from `tree`. */
function repo(rules: Record<string, string>, tree: Tree) {
  const t = tempTree({
    ...Object.fromEntries(Object.entries(rules).map(([f, text]) => [`rules/${f}`, text])),
    ...tree,
  });
  cleanups.push(t.cleanup);
  const loaded: Rule[] = Object.entries(rules).map(([f, text]) => toyRule(`rules/${f}`, text));
  const run = (extra: Partial<RunTestsOptions> = {}) =>
    runTests({
      rules: loaded,
      config: defaultConfig(t.root),
      engines: [toyEngine],
      cwd: t.root,
      catalogFor: (_rule, overrides) => fakeCatalog(overrides),
      ...extra,
    });
  return { root: t.root, rules: loaded, run };
}

// verb=create and (user=sa or user=node)
const query = {
  and: [{ eq: ["verb", "create"] }, { or: [{ eq: ["user", "sa"] }, { eq: ["user", "node"] }] }],
};
const rule = toyRuleYaml({ name: "review", query, index: ["logs-kubernetes.*"] });

describe("runTests", () => {
  it("passes a rule whose positives match and negatives do not", async () => {
    const r = await repo(
      { "k8s/review.yaml": rule },
      {
        "fixtures/k8s/review/positive/sa.json": { verb: "create", user: "sa" },
        "fixtures/k8s/review/positive/node.ndjson": '{"verb":"create","user":"node"}\n',
        "fixtures/k8s/review/negative/get.json": { verb: "get", user: "sa" },
      },
    ).run();
    expect(r.summary).toMatchObject({ rules: 1, cases: 3, passed: 3, failed: 0, ok: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.rules[0]).toMatchObject({
      file: "rules/k8s/review.yaml",
      name: "review",
      engine: "query/toy",
      status: "passed",
      fixtures: "fixtures/k8s/review",
      location: { file: "rules/k8s/review.yaml", line: 7 },
    });
  });

  it("reports a failed case with the trimmed event and the explanation", async () => {
    const r = await repo(
      { "k8s/review.yaml": rule },
      {
        "fixtures/k8s/review/positive/human.json": {
          verb: "create",
          user: "alice",
          extra: "dropped from the report",
        },
        "fixtures/k8s/review/negative/node.json": { verb: "create", user: "node" },
      },
    ).run();
    expect(r.summary).toMatchObject({ cases: 2, passed: 0, failed: 2, ok: false });
    const [positive, negative] = r.rules[0]!.cases;
    expect(positive).toMatchObject({
      status: "failed",
      message: "expected a match, but the rule did not match 1 of 1 event",
      failures: [
        {
          matched: false,
          location: { file: "fixtures/k8s/review/positive/human.json", line: 1, column: 1 },
          event: { verb: "create", user: "alice" },
          explanation: expect.stringMatching(/^✗ /),
        },
      ],
    });
    expect(negative!.message).toBe("expected no match, but the rule matched 1 of 1 event");
    expect(r.rules[0]!.status).toBe("failed");
  });

  it("does not match an event from an index the rule does not search, and says why", async () => {
    const r = await repo(
      { "k8s/review.yaml": rule },
      {
        "fixtures/k8s/review/cases.yaml":
          casesHeader +
          `cases:
  - name: other data stream
    expect: match
    index: logs-system.auth-default
    events: [{verb: create, user: sa}]
  - name: backing index of a covered stream
    expect: match
    events: [{file: hit.json}]
  - name: excluded index is a negative
    expect: no-match
    index: metrics-kubernetes.x-default
    events: [{verb: create, user: sa}]
`,
        "fixtures/k8s/review/hit.json": {
          hits: {
            hits: [
              {
                _index: ".ds-logs-kubernetes.audit_logs-default-2025.03.04-000001",
                _id: "x",
                _source: { verb: "create", user: "node" },
              },
            ],
          },
        },
      },
    ).run();
    const [other, backing, excluded] = r.rules[0]!.cases;
    expect(other!.status).toBe("failed");
    expect(other!.message).toContain("(index not covered by logs-kubernetes.*)");
    expect(other!.failures[0]!.explanation).toMatch(
      /^✗ index logs-system.auth-default is not covered by the rule's index patterns \(logs-kubernetes\.\*\)[^\n]*\n {2}the query alone would match:/,
    );
    expect(backing!.status).toBe("passed");
    expect(excluded!.status).toBe("passed");
  });

  it("requires a positive and a negative unless the rule is exempt, and lists exemptions", async () => {
    const r = await repo(
      {
        "a.yaml": toyRuleYaml({ name: "a", query }),
        "b.yaml": toyRuleYaml({ name: "b", query, exempt: "no lab can produce these events" }),
      },
      { "fixtures/a/positive/sa.json": { verb: "create", user: "sa" } },
    ).run();
    expect(r.diagnostics).toMatchObject([
      {
        code: "DAC505",
        file: "rules/a.yaml",
        line: 2,
        severity: "error",
        message: "the rule has no negative fixture (looked in fixtures/a/)",
      },
    ]);
    expect(r.rules.map((x) => [x.name, x.status, x.exempt])).toEqual([
      // Its one positive passes, but a rule that lacks a negative has not passed.
      ["a", "failed", undefined],
      ["b", "exempt", "no lab can produce these events"],
    ]);
    expect(r.summary).toMatchObject({ exempt: 1, diagnosticErrors: 1, ok: false });
  });

  it("fails unsupported rule types instead of skipping them", async () => {
    const r = await repo(
      { "t.yaml": toyRuleYaml({ name: "t", query, type: "threshold" }) },
      { "fixtures/t/positive/a.json": { verb: "create" }, "fixtures/t/negative/b.json": { verb: "get" } },
    ).run();
    expect(r.rules[0]).toMatchObject({ status: "unsupported", message: "unsupported: threshold/toy" });
    expect(r.rules[0]!.cases.map((c) => [c.status, c.message])).toEqual([
      ["failed", "unsupported: threshold/toy"],
      ["failed", "unsupported: threshold/toy"],
    ]);
    expect(r.summary).toMatchObject({ unsupported: 1, failed: 2, ok: false });
  });

  it("never passes an event the engine cannot evaluate, not even a negative", async () => {
    const r = await repo(
      { "k8s/review.yaml": rule },
      {
        "fixtures/k8s/review/positive/sa.json": { verb: "create", user: "sa" },
        "fixtures/k8s/review/negative/broken.json": { verb: "get", fail: "date field holds `yesterday`" },
      },
    ).run();
    expect(r.rules[0]!.cases[1]).toMatchObject({
      status: "failed",
      message: "the query cannot be evaluated on 1 of 1 event: date field holds `yesterday`",
    });
  });

  it("reports a query that does not compile as an error of the rule", async () => {
    const r = await repo(
      { "bad.yaml": toyRuleYaml({ name: "bad", query: "{not json" }) },
      { "fixtures/bad/positive/a.json": {} },
    ).run();
    expect(r.rules[0]).toMatchObject({
      status: "error",
      message: expect.stringMatching(/^the query cannot be evaluated: /),
    });
    expect(r.summary.ok).toBe(false);
  });

  it("reports orphan fixture folders on a full run only", async () => {
    const r = repo(
      { "a.yaml": toyRuleYaml({ name: "a", query }) },
      {
        "fixtures/a/positive/x.json": { verb: "create", user: "sa" },
        "fixtures/a/negative/x.json": {},
        "fixtures/gone/cases.yaml": casesHeader + "cases: []\n",
      },
    );
    expect((await r.run()).diagnostics).toMatchObject([
      {
        code: "DAC503",
        file: "fixtures/gone/cases.yaml",
        message: expect.stringContaining("fixture folder fixtures/gone belongs to no rule"),
      },
    ]);
    expect((await r.run({ selection: ["rules/a.yaml"] })).diagnostics).toEqual([]);
  });

  it("runs only the selected rules", async () => {
    const r = repo(
      { "a.yaml": toyRuleYaml({ name: "a", query }), "b.yaml": toyRuleYaml({ name: "b", query }) },
      {},
    );
    expect((await r.run({ selection: ["rules/b.yaml"] })).rules.map((x) => x.name)).toEqual(["b"]);
  });

  it("reads extra fixture roots with the same layout", async () => {
    const r = repo(
      { "a.yaml": toyRuleYaml({ name: "a", query }) },
      {
        "fixtures/a/positive/x.json": { verb: "create", user: "sa" },
        "private/a/negative/y.json": { verb: "get" },
      },
    );
    const result = await r.run({ fixturesRoot: [join(r.root, "fixtures"), join(r.root, "private")] });
    expect(result.rules[0]!.cases.map((c) => c.location.file)).toEqual([
      "fixtures/a/positive/x.json",
      "private/a/negative/y.json",
    ]);
    expect(result.summary.ok).toBe(true);
  });

  it("compiles with the fixture's and the case's field overrides", async () => {
    seenCatalogs.length = 0;
    repo(
      { "a.yaml": toyRuleYaml({ name: "a", query }) },
      {
        "fixtures/a/cases.yaml":
          casesHeader +
          `fields: {x.file: keyword}
cases:
  - {name: p, expect: match, fields: {x.case: long}, events: [{verb: create, user: sa}]}
  - {name: n, expect: no-match, events: [{verb: get}]}
`,
      },
    ).run();
    expect(seenCatalogs.map((c) => [...c.fields.keys()])).toEqual([[], ["x.file", "x.case"], ["x.file"]]);
  });
});

describe("coverage", () => {
  const fixtures = {
    "fixtures/r/positive/sa.json": { verb: "create", user: "sa" },
    "fixtures/r/negative/get.json": { verb: "get", user: "sa" },
  };

  it("reports the branch no positive goes through as a warning at its place in the query", async () => {
    const r = await repo({ "r.yaml": toyRuleYaml({ name: "r", query }) }, fixtures).run({ coverage: true });
    expect(r.rules[0]!.coverage).toMatchObject({
      branchPercent: 50,
      branches: [
        { branch: "user=sa", positives: 1 },
        { branch: "user=node", positives: 0, location: { file: "rules/r.yaml", line: 7 } },
      ],
      clauses: [
        { clause: "verb=create", positives: 1, negatives: 1 },
        { clause: "user=sa", positives: 1, negatives: 0 },
        { clause: "user=node", positives: 0, negatives: 0 },
      ],
    });
    expect(r.diagnostics).toMatchObject([
      { code: "DAC507", severity: "warning", message: "no positive fixture matches through `user=node`" },
    ]);
    expect(r.summary.ok).toBe(true);
  });

  it("turns uncovered branches into failures below --min-branch-coverage", async () => {
    const rules = { "r.yaml": toyRuleYaml({ name: "r", query }) };
    expect(
      (await repo(rules, fixtures).run({ coverage: true, minBranchCoverage: 80 })).summary,
    ).toMatchObject({
      diagnosticErrors: 1,
      ok: false,
    });
    expect((await repo(rules, fixtures).run({ coverage: true, minBranchCoverage: 50 })).summary.ok).toBe(
      true,
    );
  });
});

describe("mutation", () => {
  it("reports the mutants no fixture kills", async () => {
    const r = await repo(
      { "r.yaml": toyRuleYaml({ name: "r", query }) },
      {
        "fixtures/r/positive/sa.json": { verb: "create", user: "sa" },
        "fixtures/r/positive/node.json": { verb: "create", user: "node" },
        "fixtures/r/negative/human.json": { verb: "create", user: "alice" },
      },
    ).run({ mutate: true });
    // Dropping `verb=create` survives: no negative differs from a positive in the verb alone.
    expect(r.rules[0]!.mutation).toEqual({
      mutants: 4,
      killed: 3,
      survivors: [
        {
          operator: "drop-clause",
          description: 'dropped {"eq":["verb","create"]}',
          query: '{"and":[{"or":[{"eq":["user","sa"]},{"eq":["user","node"]}]}]}',
          location: expect.objectContaining({ file: "rules/r.yaml", line: 7 }),
        },
      ],
    });
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([["DAC508", "warning"]]);
  });

  it("kills every mutant once a near miss pins each clause", async () => {
    const r = await repo(
      { "r.yaml": toyRuleYaml({ name: "r", query }) },
      {
        "fixtures/r/positive/sa.json": { verb: "create", user: "sa" },
        "fixtures/r/positive/node.json": { verb: "create", user: "node" },
        "fixtures/r/negative/human.json": { verb: "create", user: "alice" },
        "fixtures/r/negative/get.json": { verb: "get", user: "sa" },
      },
    ).run({ mutate: true });
    expect(r.rules[0]!.mutation).toEqual({ mutants: 4, killed: 4, survivors: [] });
  });
});
