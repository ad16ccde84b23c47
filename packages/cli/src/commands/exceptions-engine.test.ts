// `dac test --engine elasticsearch` with exceptions: the engine sends the rule's exception items in the
// `must_not` of its searches (Kibana's `getQueryFilter` with `exceptionFilter`, buildExceptionFilter's query),
// so on the node the seed rules' `expect: suppressed` cases pass because the node drops those events, and a
// broken exception (the item's value changed) fails the same case on the node as in memory.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { describeWithElasticsearch } from "@dac/es-test-node";
import { repoRoot, runCli } from "../test-support.js";

const seed = "kubernetes/kubernetes_denied_service_account_request";
const controller = "system:serviceaccount:argocd:argocd-application-controller";

/** The denied-request seed rule, its rule-default exceptions and fixtures, with `edit` applied to the list. */
function seedRepo(edit: (list: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), "dac-cli-exceptions-"));
  writeFileSync(
    join(dir, "dac.config.yaml"),
    `rules: rules\nfixtures: fixtures\nfields:\n  - ${join(repoRoot, "schemas", "fields")}\nunknown_fields: unmapped\n`,
  );
  cpSync(join(repoRoot, "rules", `${seed}.yaml`), join(dir, "rules", `${seed}.yaml`));
  const list = readFileSync(join(repoRoot, "rules", `${seed}.exceptions.yaml`), "utf8");
  writeFileSync(join(dir, "rules", `${seed}.exceptions.yaml`), edit(list));
  cpSync(join(repoRoot, "fixtures", seed), join(dir, "fixtures", seed), { recursive: true });
  return dir;
}

describeWithElasticsearch("dac test --engine elasticsearch with exceptions", ({ url }) => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const env = { DAC_ES_URL: url };

  it("passes the seed rules, their suppressed cases included, with the same per-item report as in memory", async () => {
    const onNode = await runCli(["test", "--engine", "elasticsearch", "rules/kubernetes"], repoRoot, env);
    expect(onNode.stdout).toContain("All fixtures pass.");
    expect(onNode.code).toBe(0);
    const inMemory = await runCli(["test", "rules/kubernetes"], repoRoot, {});
    const items = (out: string) => out.split("\n").filter((l) => /^ {4}[✓·] /.test(l));
    expect(items(onNode.stdout)).toEqual([
      "    ✓ argocd-application-controller (kubernetes-denied-service-account-request-exceptions) suppressed Argo CD controller probes cluster roles it may not read",
      "    ✓ datadog-cluster-agent-permission-check (kubernetes-suspicious-self-subject-review-exceptions) suppressed monitoring agent checks its own permissions",
    ]);
    expect(items(onNode.stdout)).toEqual(items(inMemory.stdout));
    // The node applied the exceptions: no note says otherwise.
    expect(onNode.stdout + onNode.stderr).not.toContain("exceptions_list is not applied");
  });

  it("fails the suppressed case on the node as in memory when the item's value no longer matches", async () => {
    const dir = seedRepo((list) => {
      expect(list).toContain(`value: ${controller}`);
      return list.replace(
        `value: ${controller}`,
        "value: system:serviceaccount:argocd:argocd-applicationset-controller",
      );
    });
    dirs.push(dir);
    const failing = (out: string) => out.split("\n").filter((l) => /^ {4}✗ /.test(l));
    const inMemory = await runCli(["test"], dir, {});
    const onNode = await runCli(["test", "--engine", "elasticsearch"], dir, env);
    for (const run of [inMemory, onNode]) {
      expect(run.code).toBe(1);
      expect(failing(run.stdout)).toEqual([
        "    ✗ Argo CD controller probes cluster roles it may not read fixtures/kubernetes/kubernetes_denied_service_account_request/cases.yaml:5:5",
      ]);
      expect(run.stdout).toContain(
        "expected the rule to match and exception item `argocd-application-controller` to remove every event, but no exception removes 1 of 1 event",
      );
      expect(run.stdout).toContain("Cases  16 (15 passed, 1 failed)");
    }
  });

  it("fails the near miss on the node as in memory when the item is widened to every Argo CD account", async () => {
    const dir = seedRepo((list) =>
      list.replace(
        `      - field: kubernetes.audit.user.username\n        type: match\n        operator: included\n        value: ${controller}`,
        "      - field: kubernetes.audit.user.username\n        type: wildcard\n        operator: included\n        value: system:serviceaccount:argocd:*",
      ),
    );
    dirs.push(dir);
    expect(readFileSync(join(dir, "rules", `${seed}.exceptions.yaml`), "utf8")).toContain("type: wildcard");
    const inMemory = await runCli(["test"], dir, {});
    const onNode = await runCli(["test", "--engine", "elasticsearch"], dir, env);
    const failing = (out: string) => out.split("\n").filter((l) => /^ {4}✗ /.test(l));
    expect(inMemory.code).toBe(1);
    expect(failing(inMemory.stdout).join("\n")).toContain("Argo CD server account refused");
    expect(onNode.code).toBe(1);
    expect(failing(onNode.stdout)).toEqual(failing(inMemory.stdout));
  });
});
