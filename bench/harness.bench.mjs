// `dac check` at scale: 2,000 generated rules with 10 fixture events each (5 positives, 5 near misses), written
// to a temp folder, then validated and tested the way `dac check` does it (load + validate every rule, then run
// every fixture). Target: under 5 s of wall time on a 2-core machine.
// Run: npm run build && node bench/harness.bench.mjs [rules]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { testRepository } from "@dac/harness";
import { loadConfig, loadRules } from "@dac/schema";

const RULES = Number(process.argv[2] ?? 2000);
const EVENTS_PER_SIDE = 5;
const TARGET_MS = 5000;
const repoFields = fileURLToPath(new URL("../schemas/fields/", import.meta.url));

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

const root = mkdtempSync(join(tmpdir(), "dac-harness-bench-"));
try {
  const generatedAt = performance.now();
  generate(root);
  const generation = performance.now() - generatedAt;

  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const config = loadConfig(root);
  const loaded = loadRules([], config, root);
  const validated = performance.now();
  const { result } = testRepository({ cwd: root, config, loaded });
  const finished = performance.now();
  const cpu = process.cpuUsage(cpuStarted);

  const total = finished - started;
  const validationErrors = loaded.diagnostics.filter((d) => d.severity === "error");
  console.log(
    `harness check  ${RULES} rules, ${result.summary.cases} cases: validate ${Math.round(validated - started)} ms + test ${Math.round(
      finished - validated,
    )} ms = ${Math.round(total)} ms wall, ${Math.round((cpu.user + cpu.system) / 1000)} ms CPU (target < ${TARGET_MS} ms wall; generation ${Math.round(generation)} ms not counted)`,
  );
  console.log(
    `harness check  passed ${result.summary.passed}, failed ${result.summary.failed}, validation errors ${validationErrors.length}, fixture diagnostics ${result.diagnostics.length}`,
  );
  if (!result.summary.ok || validationErrors.length > 0) {
    console.log("harness check  the generated repository should pass; first problems:");
    for (const d of [...validationErrors, ...result.diagnostics].slice(0, 5))
      console.log(`  ${d.file}:${d.line} ${d.code} ${d.message}`);
    process.exitCode = 1;
  }
  if (total >= TARGET_MS) console.log(`harness check  over target by ${Math.round(total - TARGET_MS)} ms`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
