/** Exceptions through plan, publish, export and import, as a user runs them (against the Kibana emulator). */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type Emulator } from "@dac/kibana-emulator";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, runCli, tempRepo } from "../test-support.js";

const seedDir = join(repoRoot, "rules", "kubernetes");
const seeds = Object.fromEntries(
  readdirSync(seedDir)
    .filter((f) => f.endsWith(".yaml") && !f.endsWith(".exceptions.yaml"))
    .map((f) => [`rules/kubernetes/${f}`, readFileSync(join(seedDir, f), "utf8")]),
);
const deniedFile = "rules/kubernetes/kubernetes_denied_service_account_request.yaml";
const selfReviewDefaults = "rules/kubernetes/kubernetes_suspicious_self_subject_review.exceptions.yaml";

const operators = `list_id: k8s-known-operators
name: Known Kubernetes operators
description: Service accounts of the operators the platform team runs.
type: detection
namespace_type: single
tags: [kubernetes]
items:
  - item_id: argocd-application-controller
    name: Argo CD application controller
    description: Probes what it may change before syncing.
    entries:
      - field: kubernetes.audit.user.username
        type: match
        operator: included
        value: system:serviceaccount:argocd:argocd-application-controller
    comments:
      - comment: Approved by the platform team.
`;
const monitoring = `list_id: self-review-monitoring
name: Self-review by monitoring agents
description: Monitoring agents review their own access on every scrape.
type: rule_default
namespace_type: single
items:
  - item_id: monitoring-agents
    name: Monitoring agents
    description: User names from the monitoring-agents value list.
    entries:
      - field: kubernetes.audit.user.username
        type: list
        operator: included
        list:
          id: monitoring-agents
          type: keyword
`;

/** The seeds, the denied-request rule attached to a shared list, the self-review rule with its own list. */
function repository(): Record<string, string> {
  return {
    ...seeds,
    [deniedFile]: seeds[deniedFile]!.replace(
      "\nmetadata:",
      "\nexceptions_list:\n  - list_id: k8s-known-operators\nmetadata:",
    ),
    "exceptions/k8s-known-operators.yaml": operators,
    [selfReviewDefaults]: monitoring,
    "exceptions/lists/monitoring-agents.keyword.txt":
      "# name: Monitoring agents\n# description: User names of monitoring agents.\nsystem:serviceaccount:monitoring:prometheus\n",
  };
}

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function setup() {
  emu = await startEmulator({ spaces: ["secops"] });
  const repo = tempRepo(repository());
  const url = emu.url;
  const dac = (args: string[], cwd = repo) =>
    runCli(args, cwd, { DAC_KIBANA_URL: url, DAC_KIBANA_API_KEY: "a2V5OnNlY3JldA==" });
  const version = await dac(["version"]);
  expect(version.code, version.stderr).toBe(0);
  return { emu, repo, dac };
}

describe("exceptions with the rules", () => {
  it("publishes lists, items and the value list, then plan and publish show nothing to do", async () => {
    const { emu, dac } = await setup();
    const validate = await dac(["validate"]);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const plan = await dac(["plan"]);
    expect(plan.stdout).toContain("+ create    list Known Kubernetes operators [k8s-known-operators]");
    expect(plan.stdout).toContain(
      "+ create    item Argo CD application controller [argocd-application-controller] in k8s-known-operators",
    );
    expect(plan.stdout).toContain("+ create    value list Monitoring agents [monitoring-agents]");
    const publish = await dac(["publish"]);
    expect(publish.code, publish.stdout + publish.stderr).toBe(0);
    expect(
      emu
        .exceptionLists()
        .map((l) => l.list_id)
        .sort(),
    ).toEqual(["k8s-known-operators", "self-review-monitoring"]);
    const denied = emu.rules().find((r) => r.name === "Kubernetes Denied Service Account Request")!;
    const shared = emu.exceptionLists().find((l) => l.list_id === "k8s-known-operators")!;
    expect(denied.exceptions_list).toEqual([
      { id: shared.id, list_id: "k8s-known-operators", type: "detection", namespace_type: "single" },
    ]);

    const again = await dac(["plan", "-f", "json"]);
    expect(again.code).toBe(0);
    const doc = JSON.parse(again.stdout) as {
      spaces: { counts: Record<string, number>; exceptions: { counts: Record<string, number> } }[];
    };
    expect(doc.spaces[0]!.counts).toMatchObject({ create: 0, update: 0, drift: 0, unchanged: 2 });
    expect(doc.spaces[0]!.exceptions.counts).toEqual({
      create: 0,
      update: 0,
      unchanged: 5,
      conflict: 0,
      prune: 0,
    });
    const second = await dac(["publish"]);
    expect(second.stdout).toContain(
      "Nothing to publish: 2 rule(s) and 5 exception object(s) already up to date",
    );
  });

  it("shows the diff of a changed item, and prune leaves a list made by hand alone", async () => {
    const { emu, repo, dac } = await setup();
    expect((await dac(["publish"])).code).toBe(0);
    emu.seedExceptionList({
      list_id: "made-in-the-ui",
      name: "UI list",
      description: "d",
      type: "detection",
    });
    const { writeFileSync, rmSync } = await import("node:fs");
    writeFileSync(
      join(repo, "exceptions/k8s-known-operators.yaml"),
      operators.replace("argocd:argocd", "argocd:argocd2"),
    );
    const plan = await dac(["plan"]);
    expect(plan.stdout).toContain(
      "~ update    item Argo CD application controller [argocd-application-controller]",
    );
    expect(plan.stdout).toContain(
      'entries[0].value: "system:serviceaccount:argocd:argocd-application-controller" → "system:serviceaccount:argocd:argocd2-application-controller"',
    );
    rmSync(join(repo, "exceptions/k8s-known-operators.yaml"));
    writeFileSync(join(repo, deniedFile), seeds[deniedFile]!);
    expect((await dac(["version"])).code).toBe(0);
    const pruned = await dac(["publish", "--prune"]);
    expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain("pruned    list Known Kubernetes operators [k8s-known-operators]");
    expect(
      emu
        .exceptionLists()
        .map((l) => l.list_id)
        .sort(),
    ).toEqual(["made-in-the-ui", "self-review-monitoring"]);
  });

  it("export → import → export is byte-identical with exceptions, from a file and from a live space", async () => {
    const { repo, dac } = await setup();
    expect((await dac(["export", "--out", "out.ndjson"])).code).toBe(0);
    const first = readFileSync(join(repo, "out.ndjson"), "utf8");
    const lines = first
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Rules, then each list followed by its items.
    expect(lines.map((l) => (l.item_id ? "item" : l.list_id ? "list" : "rule"))).toEqual([
      "rule",
      "rule",
      "list",
      "item",
      "list",
      "item",
    ]);

    // Kibana's rule import takes the file as it is: lists and items created, the rules pointed at them.
    const form = new FormData();
    form.append("file", new Blob([first]), "out.ndjson");
    const res = await fetch(`${emu!.url}/s/secops/api/detection_engine/rules/_import`, {
      method: "POST",
      headers: {
        authorization: "ApiKey a2V5OnNlY3JldA==",
        "kbn-xsrf": "1",
        "elastic-api-version": "2023-10-31",
      },
      body: form,
    });
    expect(await res.json()).toMatchObject({
      success: true,
      success_count: 2,
      exceptions_success: true,
      exceptions_success_count: 4,
    });
    const inSecops = JSON.parse((await dac(["plan", "--space", "secops", "-f", "json"])).stdout) as {
      spaces: {
        counts: Record<string, number>;
        exceptions: { entries: { kind: string; action: string }[] };
      }[];
    };
    expect(inSecops.spaces[0]!.counts).toMatchObject({ unchanged: 2, create: 0, update: 0, drift: 0 });
    // Value lists are not part of an export: only the value list is left to create.
    expect(inSecops.spaces[0]!.exceptions.entries.filter((e) => e.action !== "unchanged")).toEqual([
      expect.objectContaining({ kind: "value_list", action: "create" }),
    ]);

    const fresh = tempRepo({});
    const imported = await dac(["import", "--from-ndjson", join(repo, "out.ndjson")], fresh);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toContain("exception list k8s-known-operators (1 item(s))");
    expect(readFileSync(join(fresh, selfReviewDefaults), "utf8")).toContain("type: rule_default");
    expect(readFileSync(join(fresh, deniedFile), "utf8")).toContain(
      "exceptions_list:\n  - list_id: k8s-known-operators\n",
    );
    // An export holds no value lists (Kibana's neither), so the imported list names one the fresh repository
    // lacks until it is added: validate says so, at the entry.
    const lacking = await dac(["validate"], fresh);
    expect(lacking.code).toBe(1);
    expect(lacking.stdout).toContain("DAC704");
    expect(lacking.stdout).toContain("value list `monitoring-agents` does not exist");
    mkdirSync(join(fresh, "exceptions/lists"), { recursive: true });
    writeFileSync(
      join(fresh, "exceptions/lists/monitoring-agents.keyword.txt"),
      repository()["exceptions/lists/monitoring-agents.keyword.txt"]!,
    );
    expect((await dac(["validate"], fresh)).code).toBe(0);
    const fmt = await dac(["fmt", "--check", "rules", "exceptions"], fresh);
    expect(fmt.code, fmt.stdout + fmt.stderr).toBe(0);
    expect((await dac(["export", "--out", "out.ndjson"], fresh)).code).toBe(0);
    expect(readFileSync(join(fresh, "out.ndjson"), "utf8")).toBe(first);

    expect((await dac(["publish"])).code).toBe(0);
    const live = tempRepo({});
    const fromKibana = await dac(["import", "--from-kibana"], live);
    expect(fromKibana.code, fromKibana.stdout + fromKibana.stderr).toBe(0);
    expect((await dac(["export", "--out", "out.ndjson"], live)).code).toBe(0);
    expect(readFileSync(join(live, "out.ndjson"), "utf8")).toBe(first);
  });

  it("a failing Kibana leaves clear errors, exit 1, and no partial local writes on import", async () => {
    const { emu, dac } = await setup();
    emu.injectFault({ type: "status", status: 400, path: "/api/exception_lists/_find", times: Infinity });
    const plan = await dac(["plan", "-f", "json"]);
    expect(plan.code).toBe(1);
    expect(JSON.parse(plan.stdout).error).toMatchObject({ kind: "http", status: 400 });
    const fresh = tempRepo({});
    const imported = await dac(["import", "--from-kibana"], fresh);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain("/api/exception_lists/_find answered 400");
    expect(readdirSync(fresh).sort()).toEqual(["dac.config.yaml"]);
  });
});

describe("dac test --coverage", () => {
  it("names the exception items no case exercises, in the coverage of their rule", async () => {
    const fixtureDir = join(repoRoot, "fixtures", "kubernetes");
    const fixtures = Object.fromEntries(
      readdirSync(fixtureDir, { recursive: true, encoding: "utf8" })
        .filter((f) => /\.(ya?ml|json|ndjson)$/.test(f))
        .map((f) => [`fixtures/kubernetes/${f}`, readFileSync(join(fixtureDir, f), "utf8")]),
    );
    // The seed rule's own list, plus an item for an operator that no fixture case shows.
    const defaults = "rules/kubernetes/kubernetes_denied_service_account_request.exceptions.yaml";
    const flux = `  - item_id: flux-source-controller
    name: Flux source controller
    description: Flux's source controller.
    entries:
      - field: kubernetes.audit.user.username
        type: match
        operator: included
        value: system:serviceaccount:flux-system:source-controller
`;
    const own = readFileSync(join(repoRoot, defaults), "utf8");
    const repo = tempRepo({
      ...seeds,
      ...fixtures,
      [defaults]: own + flux,
      [selfReviewDefaults]: readFileSync(join(repoRoot, selfReviewDefaults), "utf8"),
    });
    const line = (own + flux).split("\n").indexOf("  - item_id: flux-source-controller") + 1;
    const run = await runCli(["test", "--coverage", deniedFile], repo);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const coverage = run.stdout.slice(run.stdout.indexOf("\nCoverage\n"));
    expect(coverage).toContain(
      `untested exception flux-source-controller (kubernetes-denied-service-account-request-exceptions) ${defaults}:${line}:5`,
    );
    // The item the seed's cases exercise is not listed as untested.
    expect(coverage).not.toContain("untested exception argocd-application-controller");
    const md = await runCli(["test", "--coverage", "--reporter", "markdown", deniedFile], repo);
    expect(md.stdout).toContain(
      "| `flux-source-controller` (kubernetes-denied-service-account-request-exceptions) |",
    );
  });
});
