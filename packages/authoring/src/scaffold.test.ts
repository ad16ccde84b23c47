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
