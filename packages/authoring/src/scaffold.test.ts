import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { testRepository } from "@dac/harness";
import { loadConfig, schemasDir, severityBands, validateRuleFile } from "@dac/schema";
import { formatYaml } from "./format.js";
import {
  defaultRiskScores,
  existingFiles,
  scaffoldRule,
  ScaffoldError,
  scaffoldTypes,
  snakeName,
  writeNewFiles,
} from "./scaffold.js";
import type { ScaffoldContext, ScaffoldRequest } from "./scaffold.js";
import { findTactic } from "./tactics.js";
import { tempRepo } from "./test-support/temp-repo.js";

const request: ScaffoldRequest = {
  name: "Kubernetes Pod Exec By Service Account",
  type: "query",
  index: ["logs-kubernetes.*"],
  severity: "high",
  tactic: "execution",
  dir: "kubernetes",
};

function contextFor(root: string): ScaffoldContext {
  return {
    rulesDir: join(root, "rules"),
    fixturesDir: join(root, "fixtures"),
    schemasDir,
    ruleId: "8f3c2a51-6d0e-4b7a-9c1e-2f4d5a6b7c8d",
    today: "2026-11-23",
  };
}

describe("scaffoldRule", () => {
  it("places the rule and its fixture folder by domain and snake-case name", () => {
    const root = tempRepo();
    const s = scaffoldRule(request, contextFor(root));
    expect(s.rule.path).toBe(
      join(root, "rules", "kubernetes", "kubernetes_pod_exec_by_service_account.yaml"),
    );
    expect(s.cases.path).toBe(
      join(root, "fixtures", "kubernetes", "kubernetes_pod_exec_by_service_account", "cases.yaml"),
    );
  });

  it("writes the schema header, the UUID, the severity band and the ATT&CK tactic", () => {
    const root = tempRepo();
    const s = scaffoldRule(request, contextFor(root));
    const firstLine = s.rule.content.split("\n")[0];
    expect(firstLine).toMatch(/^# yaml-language-server: \$schema=(\.\.\/)+.*schemas\/rule\.schema\.json$/);
    const data = parse(s.rule.content) as Record<string, unknown>;
    expect(data.rule_id).toBe("8f3c2a51-6d0e-4b7a-9c1e-2f4d5a6b7c8d");
    expect(data).toMatchObject({
      type: "query",
      language: "kuery",
      severity: "high",
      risk_score: 73,
      index: ["logs-kubernetes.*"],
      threat: [
        {
          framework: "MITRE ATT&CK",
          tactic: { id: "TA0002", name: "Execution", reference: "https://attack.mitre.org/tactics/TA0002/" },
        },
      ],
      metadata: {
        maturity: "development",
        created: "2026-11-23",
        updated: "2026-11-23",
        integration: "kubernetes",
      },
    });
  });

  it.each(Object.entries(defaultRiskScores))("keeps the %s risk score inside its band", (severity, score) => {
    const [lo, hi] = severityBands[severity]!;
    expect(score).toBeGreaterThanOrEqual(lo);
    expect(score).toBeLessThanOrEqual(hi);
  });

  it.each(["TA0007", "Discovery", "discovery", "ta0007"])("finds the tactic %s", (query) => {
    expect(findTactic(query)?.id).toBe("TA0007");
  });

  it.each([
    ["a missing tactic", { tactic: "Lateral Moves" }, /not an ATT&CK Enterprise tactic/],
    ["a language the type does not take", { type: "eql", language: "kuery" } as const, /written in eql/],
    ["an unsupported type", { type: "machine_learning" as never }, /scaffolds query, eql/],
    ["a folder outside the rules", { dir: "../elsewhere" }, /inside the rules folder/],
    ["no index pattern", { index: [" "] }, /at least one index pattern/],
    ["a name without letters", { name: "!!!" }, /no letters or digits/],
  ])("rejects %s", (_label, change, message) => {
    expect(() => scaffoldRule({ ...request, ...change }, contextFor(tempRepo()))).toThrow(ScaffoldError);
    expect(() => scaffoldRule({ ...request, ...change }, contextFor(tempRepo()))).toThrow(message);
  });

  it.each(scaffoldTypes)("a new %s rule passes validation with no error", (type) => {
    const root = tempRepo();
    const s = scaffoldRule({ ...request, type }, contextFor(root));
    const config = loadConfig(root);
    const { rule, diagnostics } = validateRuleFile("rules/new.yaml", s.rule.content, config);
    expect(rule?.valid).toBe(true);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    // KQL is checked locally, so a new KQL rule has nothing at all to report.
    if (type !== "eql" && type !== "esql") expect(diagnostics).toEqual([]);
  });

  it("produces files that are already in canonical form", () => {
    const s = scaffoldRule(request, contextFor(tempRepo()));
    expect(formatYaml(s.rule.content, { kind: "rule" }).changed).toBe(false);
    expect(formatYaml(s.cases.content, { kind: "cases" }).changed).toBe(false);
  });

  it("makes snake-case file names", () => {
    expect(snakeName("Kubernetes Denied Service Account Request")).toBe(
      "kubernetes_denied_service_account_request",
    );
    expect(snakeName("  AWS IAM: Root login (console) ")).toBe("aws_iam_root_login_console");
    expect(snakeName("Café Exfil")).toBe("cafe_exfil");
  });
});

describe("writing a scaffold", () => {
  it("never overwrites a file", () => {
    const root = tempRepo();
    const s = scaffoldRule(request, contextFor(root));
    writeNewFiles([s.rule, s.cases]);
    expect(existingFiles([s.rule, s.cases])).toEqual([s.rule.path, s.cases.path]);
    writeFileSync(s.rule.path, "edited\n");
    expect(() => writeNewFiles([s.rule])).toThrow(/EEXIST/);
    expect(readFileSync(s.rule.path, "utf8")).toBe("edited\n");
  });
});

describe("the fixture cases of a new rule", () => {
  const positive = {
    "@timestamp": "2025-03-04T06:22:18.819Z",
    event: { dataset: "kubernetes.audit_logs", action: "create" },
  };
  const nearMiss = { ...positive, event: { dataset: "kubernetes.audit_logs", action: "get" } };

  function newRepo() {
    const root = tempRepo();
    const s = scaffoldRule(
      { ...request, query: 'event.dataset: "kubernetes.audit_logs" and event.action: "create"' },
      contextFor(root),
    );
    writeNewFiles([s.rule, s.cases]);
    return { root, s };
  }

  it("fail until they are filled in, saying so", async () => {
    const { root } = newRepo();
    const run = await testRepository({ cwd: root });
    expect(run.result.summary.ok).toBe(false);
    expect(run.result.diagnostics).toEqual([]);
    expect(run.result.rules[0]?.cases.map((c) => [c.expect, c.status, c.message])).toEqual([
      ["match", "failed", "not filled in yet: paste an event the rule must match"],
      [
        "no-match",
        "failed",
        "not filled in yet: paste an event like a positive with one condition changed, which the rule must not match",
      ],
    ]);
  });

  it("pass once a matching and a near-miss event are pasted in", async () => {
    const { root, s } = newRepo();
    // What the comment in the file asks: paste an event under `events:`, delete the `todo:` line.
    const text = readFileSync(s.cases.path, "utf8")
      .replace(/todo: paste an event the rule must match/, `events:\n      - ${JSON.stringify(positive)}`)
      .replace(/todo: paste an event like a positive[^\n]*/, `events:\n      - ${JSON.stringify(nearMiss)}`);
    writeFileSync(s.cases.path, text);
    const run = await testRepository({ cwd: root });
    expect(run.result.diagnostics).toEqual([]);
    expect(run.result.summary.ok).toBe(true);
    expect(run.result.rules[0]?.cases.map((c) => [c.expect, c.status])).toEqual([
      ["match", "passed"],
      ["no-match", "passed"],
    ]);
    expect(existsSync(s.rule.path)).toBe(true);
  });
});

describe("the alert cases of a new threshold, new_terms, threat_match or EQL rule", () => {
  const at = (minute: number, second = 0) =>
    `2026-03-01T10:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}Z`;
  const event = (time: string, extra: Record<string, unknown> = {}) => ({
    "@timestamp": time,
    event: { dataset: "kubernetes.audit_logs", action: "create" },
    host: { name: "h1" },
    ...extra,
  });
  /** What each case's `todo:` asks for, per type: [positive events, near-miss events, indicators?]. */
  const filled: Record<string, { positive: unknown[]; nearMiss: unknown[]; indicators?: unknown[] }> = {
    threshold: {
      positive: Array.from({ length: 10 }, (_, i) => event(at(1, i * 5))),
      nearMiss: Array.from({ length: 9 }, (_, i) => event(at(1, i * 5))),
    },
    new_terms: {
      positive: [event(at(1))],
      nearMiss: [event("2026-02-28T10:01:00Z"), event(at(1))],
    },
    threat_match: {
      positive: [event(at(1), { destination: { ip: "203.0.113.7" } })],
      nearMiss: [event(at(1), { destination: { ip: "203.0.113.8" } })],
      indicators: [{ "@timestamp": at(0), threat: { indicator: { type: "ipv4-addr", ip: "203.0.113.7" } } }],
    },
    eql: {
      positive: [event(at(1))],
      nearMiss: [event(at(1), { event: { dataset: "kubernetes.audit_logs", action: "get" } })],
    },
  };
  const queries: Record<string, string> = {
    eql: 'any where event.dataset == "kubernetes.audit_logs" and event.action == "create"',
  };

  for (const type of ["threshold", "new_terms", "threat_match", "eql"] as const)
    it(`${type}: fails while a todo is left, passes once the events the todo asks for are pasted`, async () => {
      const root = tempRepo();
      const s = scaffoldRule(
        {
          ...request,
          type,
          query: queries[type] ?? 'event.dataset: "kubernetes.audit_logs" and event.action: "create"',
        },
        contextFor(root),
      );
      writeNewFiles([s.rule, s.cases]);
      const cases = parse(readFileSync(s.cases.path, "utf8")) as {
        cases: { expect: string; alerts?: number; todo?: string }[];
      };
      expect(cases.cases.map((c) => [c.expect, c.alerts])).toEqual([
        ["alert", 1],
        ["no-alert", undefined],
      ]);
      const before = await testRepository({ cwd: root });
      expect(before.result.rules[0]?.cases.map((c) => c.status)).toEqual(["failed", "failed"]);

      const f = filled[type]!;
      const replace = (todo: string, events: unknown[]) =>
        `events: ${JSON.stringify(events)}${f.indicators ? `\n    indicators: ${JSON.stringify(f.indicators)}` : ""}`;
      // The `todo:` of each case (plain, or a folded block) becomes its events.
      const text = readFileSync(s.cases.path, "utf8").replace(
        /todo: (>-\n(?: {6}.*\n)+|.*\n)/g,
        (() => {
          let n = 0;
          return (todo: string) => `${replace(todo, n++ === 0 ? f.positive : f.nearMiss)}\n`;
        })(),
      );
      writeFileSync(s.cases.path, text);
      const after = await testRepository({ cwd: root });
      expect(after.result.diagnostics).toEqual([]);
      expect(
        after.result.rules[0]?.cases.map((c) => [c.expect, c.status, c.message]),
        text,
      ).toEqual([
        ["alert", "passed", undefined],
        ["no-alert", "passed", undefined],
      ]);
    });
});
