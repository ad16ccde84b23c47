// EQL sequence rules through the runner: `--mutate` reruns each mutant of a sequence (a step dropped, maxspan
// widened, `==` swapped for `:`) through whole executions; a failing case says which step a sequence stopped at
// and which condition failed; `alert_suppression` groups sequences by the shell alert's fields, as Kibana's
// `bulkCreateSuppressedSequencesInMemory` does (rule_types/utils/bulk_create_suppressed_alerts_in_memory.ts,
// sequence suppression enabled by default since elastic/kibana#189725, `alertSuppressionForSequenceEqlRuleEnabled`).
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig } from "@dac/schema";
import type { Rule } from "@dac/schema";
import { runTests } from "./run.js";
import { casesHeader, tempTree } from "./test-support/tree.js";
import { ruleFromData } from "./test-support/rule.js";

const rule = ruleFromData;

const base = {
  rule_id: "r1",
  name: "R",
  type: "eql",
  language: "eql",
  index: ["logs-*"],
  from: "now-10m",
};
// A three-step `by` sequence with maxspan and a case-sensitive `==`.
const threeSteps = rule({
  ...base,
  query:
    'sequence by host.id with maxspan=1m [process where process.name == "cmd.exe"] [file where true] [network where true]',
});
const now = "2026-03-01T10:05:00Z";
const at = (s: number) => `2026-03-01T10:00:${String(s).padStart(2, "0")}Z`;
const ev = (s: number, category: string, extra = "", host = "h1") =>
  `{"@timestamp": "${at(s)}", event: {category: ${category}}, host: {id: ${host}}${extra ? `, ${extra}` : ""}}`;
const cmd = (s: number, name = "cmd.exe", host = "h1") => ev(s, "process", `process: {name: ${name}}`, host);
const alertCase = (name: string, expect: string, events: string[], extra = "") =>
  `  - name: ${name}\n    expect: ${expect}\n    now: "${now}"\n${extra}    events: [${events.join(", ")}]\n`;

async function run(r: Rule, cases: string, options: { mutate?: boolean; coverage?: boolean } = {}) {
  const t = tempTree({ "fixtures/r/cases.yaml": `${casesHeader}cases:\n${cases}` });
  cleanup = t.cleanup;
  return (await runTests({ rules: [r], config: defaultConfig(t.root), cwd: t.root, ...options })).rules[0]!;
}
let cleanup = () => {};

describe("EQL sequence mutants through the runner", () => {
  afterEach(() => cleanup());

  // No `alerts: 4`: a dropped step writes one building block fewer, and the count alone would kill it.
  const positive = alertCase("the three steps", "alert", [cmd(1), ev(2, "file"), ev(3, "network")]);

  it("generates drop-step, widen-maxspan and swap-equals-match; a positive and a far miss kill none", async () => {
    const weak = positive + alertCase("a registry event", "no-alert", [ev(1, "registry")]);
    const only = await run(threeSteps, weak, { mutate: true });
    expect(only.status).toBe("passed");
    const survived = only.mutation!.survivors.map((s) => `${s.operator}: ${s.description}`);
    expect(survived).toEqual(
      expect.arrayContaining([
        "drop-step: drop step 1",
        "drop-step: drop step 2",
        "drop-step: drop step 3",
        "widen-maxspan: maxspan=1m → maxspan=10m",
        'swap-equals-match: step 1: `process.name == "cmd.exe"` → `process.name : "cmd.exe"`',
      ]),
    );
    expect(only.mutation!.survivors.find((s) => s.operator === "drop-step")!.query).toBe(
      "sequence by host.id with maxspan=1m\n  [file where true]\n  [network where true]",
    );
  });

  it("near misses kill them: a step missing, the last step just outside maxspan, a case variant under ==", async () => {
    const cases =
      positive +
      // Without the file event the sequence is incomplete; dropping step 2 would alert.
      alertCase("no file event", "no-alert", [cmd(1), ev(3, "network")]) +
      // Dropping step 1 or 3 alerts on two of these events; the real query needs all three.
      alertCase("no cmd.exe", "no-alert", [ev(2, "file"), ev(3, "network")]) +
      alertCase("no connection", "no-alert", [cmd(1), ev(2, "file")]) +
      // 61 s after the first event: outside maxspan=1m, inside 10m.
      alertCase("the connection 61 s later", "no-alert", [
        cmd(1),
        ev(2, "file"),
        `{"@timestamp": "2026-03-01T10:01:02Z", event: {category: network}, host: {id: h1}}`,
      ]) +
      // `==` is case-sensitive on a keyword field; `:` is not.
      alertCase("CMD.EXE", "no-alert", [cmd(1, "CMD.EXE"), ev(2, "file"), ev(3, "network")]);
    const only = await run(threeSteps, cases, { mutate: true });
    expect(only.status).toBe("passed");
    const survived = only.mutation!.survivors.map((s) => s.operator);
    expect(survived).not.toContain("drop-step");
    expect(survived).not.toContain("widen-maxspan");
    expect(survived).not.toContain("drop-maxspan");
    expect(survived).not.toContain("swap-equals-match");
    // The category mutants are what these near misses leave (no event of another category with the same fields).
    expect(only.mutation!.mutants).toBeGreaterThan(survived.length + 5);
  });
});

describe("EQL sequence coverage", () => {
  afterEach(() => cleanup());

  it("counts each step as a branch and its clauses by the events that reached it", async () => {
    const cases =
      alertCase("the three steps", "alert", [cmd(1), ev(2, "file"), ev(3, "network")]) +
      alertCase("a registry event and CMD.EXE", "no-alert", [ev(1, "registry"), cmd(2, "CMD.EXE")]);
    const only = await run(threeSteps, cases, { coverage: true });
    expect(only.status).toBe("passed");
    expect(only.coverage!.branches.map((b) => [b.branch, b.positives])).toEqual([
      ['process where process.name == "cmd.exe"', 1],
      ["file where true", 1],
      ["network where true", 1],
    ]);
    expect(only.coverage!.branchPercent).toBe(100);
    // CMD.EXE is rejected by `==` (its category holds); the registry event by every step's category, and by
    // `==` too (it has no process.name): a false `and` is decided by all its false children.
    expect(only.coverage!.clauses.map((c) => [c.clause, c.positives, c.negatives])).toEqual([
      ["process where", 1, 1],
      ['process.name == "cmd.exe"', 1, 2],
      ["file where", 1, 2],
      ["true", 1, 0],
      ["network where", 1, 2],
      ["true", 1, 0],
    ]);
  });
});

describe("EQL sequence failures in dac test's output", () => {
  afterEach(() => cleanup());

  it("names the step a sequence stopped at and the condition the events failed", async () => {
    const only = await run(
      threeSteps,
      alertCase("cmd.exe, then a connection", "alert", [cmd(1), ev(3, "network"), ev(4, "registry")]),
    );
    const [c] = only.cases;
    expect(c!.status).toBe("failed");
    expect(c!.message).toContain(
      'no sequence: key ["h1"]: reached step 2, no later event with this key matched [file where true]',
    );
    expect(c!.failures[0]!.explanation).toContain("reached step 2");
    // The registry event matches no step: each step's explanation shows the failing clause.
    expect(c!.failures[2]!.explanation).toContain("✗ matches no step of the sequence:");
    expect(c!.failures[2]!.explanation).toContain('✗ event.category == "process"');
  });

  it("names maxspan and the late event", async () => {
    const only = await run(
      threeSteps,
      alertCase("too slow", "alert", [
        cmd(1),
        ev(2, "file"),
        `{"@timestamp": "2026-03-01T10:01:30Z", event: {category: network}, host: {id: h1}}`,
      ]),
    );
    expect(only.cases[0]!.message).toContain(
      'key ["h1"]: the event at 2026-03-01T10:01:30Z matched step 3 [network where true] but falls outside maxspan=1m from the sequence\'s first event (the event at 2026-03-01T10:00:01Z)',
    );
  });

  it("a first step no event matches: the condition that failed", async () => {
    const only = await run(
      threeSteps,
      alertCase("CMD.EXE", "alert", [cmd(1, "CMD.EXE"), ev(2, "file"), ev(3, "network")]),
    );
    const [c] = only.cases;
    expect(c!.message).toContain('no event matched step 1 [process where process.name == "cmd.exe"]');
    expect(c!.failures[0]!.explanation).toContain('✗ process.name == "cmd.exe"');
  });
});

describe("EQL sequence alert suppression", () => {
  afterEach(() => cleanup());
  const twoSteps = (suppression: Record<string, unknown>) =>
    rule({
      ...base,
      query: "sequence by host.id [process where true] [network where true]",
      alert_suppression: suppression,
    });
  const sequences = (hostB: string) => [
    ev(1, "process"),
    ev(2, "network"),
    ev(3, "process", "", hostB),
    ev(4, "network", "", hostB),
    ev(5, "process"),
    ev(6, "network"),
  ];

  it("one shell alert per group of the shell alerts' fields, with the other sequences counted", async () => {
    const only = await run(
      twoSteps({ group_by: ["host.id"] }),
      alertCase("h1 twice, h2 once", "alert", sequences("h2"), "    alerts: 6\n") +
        alertCase(
          "h1 three times",
          "alert",
          sequences("h1"),
          [
            "    alerts: 3",
            "    alert:",
            '      - {"kibana.alert.suppression.docs_count": 2, "kibana.alert.suppression.terms": [{field: host.id, value: h1}]}',
            '      - {"kibana.alert.group.index": 0, "kibana.alert.building_block_type": default}',
            '      - {"kibana.alert.group.index": 1, "@timestamp": "2026-03-01T10:05:00Z"}',
            "",
          ].join("\n"),
        ),
    );
    expect(only.cases.map((c) => [c.name, c.status, c.message])).toEqual([
      ["h1 twice, h2 once", "passed", undefined],
      ["h1 three times", "passed", undefined],
    ]);
  });

  it("with a duration, a later execution's sequence of the group writes no shell and no building block", async () => {
    const r = rule({
      ...base,
      from: "now-5m",
      query: "sequence by host.id [process where true] [network where true]",
      alert_suppression: { group_by: ["host.id"], duration: { value: 1, unit: "h" } },
    });
    const late = (s: number, category: string) =>
      `{"@timestamp": "2026-03-01T10:06:0${s}Z", event: {category: ${category}}, host: {id: h1}}`;
    const events = [ev(1, "process"), ev(2, "network"), late(1, "process"), late(2, "network")];
    const earlier = '    earlier_executions: ["2026-03-01T10:04:00Z"]\n';
    const only = await run(
      r,
      // Executed at 10:04 the rule saw the first sequence; at 10:08 (window from 10:03) it sees the second.
      alertCase("suppressed into the earlier alert", "no-alert", events, earlier).replace(
        now,
        "2026-03-01T10:08:00Z",
      ) +
        alertCase("without the earlier execution", "alert", events, "    alerts: 3\n").replace(
          now,
          "2026-03-01T10:08:00Z",
        ),
    );
    expect(only.cases.map((c) => [c.name, c.status, c.message])).toEqual([
      ["suppressed into the earlier alert", "passed", undefined],
      ["without the earlier execution", "passed", undefined],
    ]);
  });

  it("doNotSuppress: sequences whose shell alert lacks a group-by field alert one by one", async () => {
    const only = await run(
      twoSteps({ group_by: ["user.name"], missing_fields_strategy: "doNotSuppress" }),
      alertCase("no user.name", "alert", sequences("h1"), "    alerts: 9\n"),
    );
    expect(only.cases[0]!.status).toBe("passed");
  });
});
