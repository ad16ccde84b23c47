// `dac check` at scale: 2,000 generated rules with 10 fixture events each (5 positives, 5 near misses), written
// to a temp folder with an up-to-date version lock, then `dac check` runs in-process (validate every rule and the
// lock, then run every fixture). Target: under 5 s of wall time on a 2-core machine.
// Run: npm run build && node bench/harness.bench.mjs [rules]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { main } from "@dac/cli";
import { testRepository } from "@dac/harness";
import { loadConfig, loadRules } from "@dac/schema";

const RULES = Number(process.argv[2] ?? 2000);
const EVENTS_PER_SIDE = 5;
const TARGET_MS = 5000;
const repoFields = fileURLToPath(new URL("../schemas/fields/", import.meta.url));
const dacBin = fileURLToPath(new URL("../packages/cli/dist/bin.js", import.meta.url));

const verbs = ["create", "delete", "patch", "update", "get", "list", "watch"];
const resources = [
  "pods",
  "secrets",
  "configmaps",
  "deployments",
  "roles",
  "rolebindings",
  "serviceaccounts",
  "nodes",
];

function uuid(n) {
  const h = (n * 2654435761 + 0x9e3779b9).toString(16).padStart(8, "0").slice(-8);
  return `${h}-${String(n % 10000).padStart(4, "0")}-4000-8000-${String(n).padStart(12, "0")}`;
}

function ruleYaml(i) {
  const verb = verbs[i % verbs.length];
  const resource = resources[Math.floor(i / verbs.length) % resources.length];
  return `# yaml-language-server: $schema=../../schemas/rule.schema.json
rule_id: ${uuid(i)}
name: Generated Kubernetes rule ${i}
description: Generated rule ${i} for the harness benchmark.
type: query
language: kuery
index:
  - logs-kubernetes.*
query: |
  event.dataset: "kubernetes.audit_logs"
    and kubernetes.audit.verb: "${verb}"
    and kubernetes.audit.objectRef.resource: ("${resource}" or "${resource}-${i}")
    and kubernetes.audit.user.username: system\\:serviceaccount\\:*
    and not kubernetes.audit.annotations.authorization_k8s_io/decision: "forbid"
severity: medium
risk_score: 47
interval: 5m
from: now-6m
tags:
  - "Data Source: Kubernetes"
related_integrations:
  - package: kubernetes
    integration: audit_logs
    version: ^1.80.0
metadata:
  maturity: production
  created: "2025-01-01"
  updated: "2025-01-01"
  integration: kubernetes
`;
}

function event(i, k, overrides) {
  const verb = verbs[i % verbs.length];
  const resource = resources[Math.floor(i / verbs.length) % resources.length];
  const username = `system:serviceaccount:team-${k}:app-${i}`;
  const audit = {
    annotations: { "authorization_k8s_io/decision": "allow", "authorization_k8s_io/reason": "RBAC: allowed" },
    apiVersion: "audit.k8s.io/v1",
    auditID: uuid(i * 100 + k),
    kind: "Event",
    level: "Metadata",
    objectRef: { apiVersion: "v1", namespace: `team-${k}`, resource, name: `obj-${k}` },
    requestURI: `/api/v1/namespaces/team-${k}/${resource}/obj-${k}`,
    responseStatus: { code: 200 },
    sourceIPs: [`10.42.${k}.${i % 250}`],
    stage: "ResponseComplete",
    user: { username, groups: ["system:serviceaccounts", "system:authenticated"], uid: uuid(i + k) },
    userAgent: "Go-http-client/2.0",
    verb,
    ...overrides,
  };
  return {
    "@timestamp": "2025-03-04T06:22:18.819Z",
    data_stream: { dataset: "kubernetes.audit_logs", namespace: "default", type: "logs" },
    event: { action: audit.verb, dataset: "kubernetes.audit_logs", kind: "event", outcome: "success" },
    kubernetes: { audit },
    source: { ip: audit.sourceIPs },
    user: { id: audit.user.uid, name: audit.user.username },
    user_agent: { original: audit.userAgent },
  };
}

function nearMiss(i, k) {
  switch (k % 5) {
    case 0:
      return event(i, k, { verb: verbs[(i + 1) % verbs.length] });
    case 1:
      return event(i, k, { annotations: { "authorization_k8s_io/decision": "forbid" } });
    case 2:
      return event(i, k, { user: { username: `system:serviceaccounts:team-${k}:app-${i}`, groups: [] } });
    case 3:
      return event(i, k, { objectRef: { apiVersion: "v1", resource: "events" } });
    default:
      return event(i, k, { user: { username: `oidc:user-${k}@example.com`, groups: [] } });
  }
}

function generate(root) {
  writeFileSync(
    join(root, "dac.config.yaml"),
    `rules: rules\nfixtures: fixtures\nfields:\n  - ${JSON.stringify(repoFields)}\nunknown_fields: unmapped\n`,
  );
  for (let i = 0; i < RULES; i++) {
    const group = `group-${i % 20}`;
    mkdirSync(join(root, "rules", group), { recursive: true });
    writeFileSync(join(root, "rules", group, `rule_${i}.yaml`), ruleYaml(i));
    const dir = join(root, "fixtures", group, `rule_${i}`);
    const positives = Array.from({ length: EVENTS_PER_SIDE }, (_, k) => event(i, k));
    const negatives = Array.from({ length: EVENTS_PER_SIDE }, (_, k) => nearMiss(i, k));
    if (i % 4 === 0) {
      // Every fourth rule uses cases.yaml with file references; the others positive/ and negative/ folders.
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "positives.ndjson"), positives.map((e) => JSON.stringify(e)).join("\n") + "\n");
      writeFileSync(join(dir, "negatives.json"), JSON.stringify(negatives));
      writeFileSync(
        join(dir, "cases.yaml"),
        "# yaml-language-server: $schema=../../../schemas/fixture-cases.schema.json\ncases:\n" +
          "  - {name: positives, description: five service accounts, expect: match, events: [{file: positives.ndjson}]}\n" +
          "  - {name: near misses, description: one condition each, expect: no-match, events: [{file: negatives.json}]}\n",
      );
    } else {
      mkdirSync(join(dir, "positive"), { recursive: true });
      mkdirSync(join(dir, "negative"), { recursive: true });
      writeFileSync(
        join(dir, "positive", "events.ndjson"),
        positives.map((e) => JSON.stringify(e)).join("\n") + "\n",
      );
      writeFileSync(join(dir, "negative", "near-misses.json"), JSON.stringify(negatives, null, 2));
    }
  }
}

/** Runs the real CLI in-process, output captured. */
async function dac(argv, cwd) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    cwd,
    env: {},
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

const ms = (n) => `${Math.round(n)} ms`;
const root = mkdtempSync(join(tmpdir(), "dac-harness-bench-"));
try {
  const generatedAt = performance.now();
  generate(root);
  const locked = await dac(["version"], root);
  if (locked.code !== 0)
    throw new Error(`dac version failed: ${locked.stderr}${locked.stdout.slice(0, 500)}`);
  const generation = performance.now() - generatedAt;

  // The figure that counts: `dac check` as a user runs it, a fresh process (start-up included), one JSON report.
  const started = performance.now();
  const check = spawnSync(process.execPath, [dacBin, "check", "--reporter", "json=check.json"], {
    cwd: root,
    encoding: "utf8",
  });
  const wall = performance.now() - started;
  const report = JSON.parse(readFileSync(join(root, "check.json"), "utf8"));
  console.log(
    `harness  dac check: ${RULES} rules, ${report.summary.cases} cases (${RULES * EVENTS_PER_SIDE * 2} events): ${ms(wall)} wall, exit ${
      check.status
    } (target < ${TARGET_MS} ms; generating the repository took ${ms(generation)}, not counted)`,
  );

  // Where the time goes (in this process, warm): validation (load and check every rule), then the fixtures.
  const splitStarted = performance.now();
  const config = loadConfig(root);
  const loaded = loadRules([], config, root);
  const validated = performance.now();
  const { result } = await testRepository({ cwd: root, config, loaded });
  const tested = performance.now();
  console.log(
    `harness  in-process split (warm): loadRules ${ms(validated - splitStarted)}; fixtures ${ms(tested - validated)}`,
  );

  if (check.status !== 0 || !result.summary.ok) {
    console.log("harness  the generated repository should pass; first problems:");
    for (const d of [...report.diagnostics, ...result.diagnostics].slice(0, 5))
      console.log(`  ${d.file}:${d.line} ${d.code} ${d.message}`);
    process.exitCode = 1;
  }
  if (wall >= TARGET_MS) console.log(`harness  over target by ${ms(wall - TARGET_MS)}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
