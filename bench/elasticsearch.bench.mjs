// The Elasticsearch engine at scale: 50 generated rules × 1,000 fixture events each (500 positives, 500 near
// misses), run with `dac test --engine elasticsearch` semantics (testRepository with the engine) on a node.
// Target: under 15 s, node start excluded. Needs DAC_ES_URL; without it the bench is skipped with a notice,
// unless DAC_BENCH_ES_NODE=1 asks it to start a node with scripts/es-node.sh (its start time is reported apart;
// port DAC_BENCH_ES_PORT, default 9270).
// Run: npm run build && DAC_ES_URL=http://127.0.0.1:9200 node bench/elasticsearch.bench.mjs [rules] [events]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { connect, checkReachable, elasticsearchEngine, testIndices } from "@dac/elasticsearch";
import { kqlEngine, testRepository } from "@dac/harness";
import { loadConfig, loadRules } from "@dac/schema";

const RULES = Number(process.argv[2] ?? 50);
const EVENTS = Number(process.argv[3] ?? 1000);
const TARGET_MS = 15_000;
const repoFields = fileURLToPath(new URL("../schemas/fields/", import.meta.url));
const nodeScript = fileURLToPath(new URL("../scripts/es-node.sh", import.meta.url));
const ms = (n) => `${Math.round(n)} ms`;

// The node DAC_BENCH_ES_NODE=1 starts listens on DAC_BENCH_ES_PORT (HTTP; transport = HTTP + 100).
const benchPort = Number(process.env.DAC_BENCH_ES_PORT ?? 9270);
let url = process.env.DAC_ES_URL;
let startedNode = false;
if (!url && process.env.DAC_BENCH_ES_NODE === "1" && existsSync(nodeScript)) {
  const t = performance.now();
  const start = spawnSync("bash", [nodeScript, "start", String(benchPort), String(benchPort + 100)], {
    encoding: "utf8",
  });
  if (start.status !== 0) throw new Error(`could not start the node: ${start.stderr}`);
  url = `http://127.0.0.1:${benchPort}`;
  startedNode = true;
  console.log(`elasticsearch  node start: ${ms(performance.now() - t)} (not counted)`);
}
if (!url) {
  console.log("elasticsearch  skipped: DAC_ES_URL is not set (or DAC_BENCH_ES_NODE=1 to start a node)");
  process.exit(0);
}

const verbs = ["create", "delete", "patch", "update", "get", "list", "watch"];
const resources = [
  "pods",
  "secrets",
  "configmaps",
  "deployments",
  "roles",
  "rolebindings",
  "serviceaccounts",
];

function ruleYaml(i) {
  const verb = verbs[i % verbs.length];
  const resource = resources[Math.floor(i / verbs.length) % resources.length];
  const id = `${(0x10000000 + i).toString(16)}-0000-4000-8000-${String(i).padStart(12, "0")}`;
  return `# yaml-language-server: $schema=../../schemas/rule.schema.json
rule_id: ${id}
name: Generated Kubernetes rule ${i}
description: Generated rule ${i} for the Elasticsearch engine benchmark.
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
timestamp_override: event.ingested
related_integrations:
  - package: kubernetes
    integration: audit_logs
    version: ^1.80.0
metadata:
  maturity: development
  created: "2025-01-01"
  updated: "2025-01-01"
  integration: kubernetes
`;
}

function event(i, k, change = {}) {
  const audit = {
    annotations: { "authorization_k8s_io/decision": "allow" },
    objectRef: {
      resource: resources[Math.floor(i / verbs.length) % resources.length],
      namespace: `team-${k % 50}`,
    },
    user: { username: `system:serviceaccount:team-${k % 50}:app-${i}` },
    verb: verbs[i % verbs.length],
    ...change,
  };
  const at = new Date(Date.UTC(2025, 2, 4, 6, 0, 0) + k * 1000).toISOString();
  return {
    "@timestamp": at,
    event: { dataset: "kubernetes.audit_logs", ingested: at, outcome: "success" },
    kubernetes: { audit },
    source: { ip: [`10.42.${k % 250}.${i % 250}`] },
  };
}

function nearMiss(i, k) {
  switch (k % 4) {
    case 0:
      return event(i, k, { verb: verbs[(i + 1) % verbs.length] });
    case 1:
      return event(i, k, { annotations: { "authorization_k8s_io/decision": "forbid" } });
    case 2:
      return event(i, k, { user: { username: `system:serviceaccounts:team-${k}:app-${i}` } });
    default:
      return event(i, k, { user: { username: `oidc:user-${k}@example.com` } });
  }
}

const root = mkdtempSync(join(tmpdir(), "dac-es-bench-"));
const connection = connect({ url }, process.env);
try {
  await checkReachable(connection);
  writeFileSync(
    join(root, "dac.config.yaml"),
    `rules: rules\nfixtures: fixtures\nfields:\n  - ${JSON.stringify(repoFields)}\nunknown_fields: unmapped\n`,
  );
  const half = EVENTS / 2;
  for (let i = 0; i < RULES; i++) {
    mkdirSync(join(root, "rules", "k8s"), { recursive: true });
    writeFileSync(join(root, "rules", "k8s", `rule_${i}.yaml`), ruleYaml(i));
    const dir = join(root, "fixtures", "k8s", `rule_${i}`);
    mkdirSync(dir, { recursive: true });
    const lines = (list) => list.map((e) => JSON.stringify(e)).join("\n") + "\n";
    writeFileSync(join(dir, "positives.ndjson"), lines(Array.from({ length: half }, (_, k) => event(i, k))));
    writeFileSync(
      join(dir, "negatives.ndjson"),
      lines(Array.from({ length: half }, (_, k) => nearMiss(i, k))),
    );
    writeFileSync(
      join(dir, "cases.yaml"),
      "# yaml-language-server: $schema=../../../schemas/fixture-cases.schema.json\n" +
        "cases:\n  - {name: positives, expect: match, events: [{file: positives.ndjson}]}\n" +
        "  - {name: near misses, expect: no-match, events: [{file: negatives.ndjson}]}\n",
    );
  }
  const config = loadConfig(root);
  const loaded = loadRules([], config, root);

  const memoryStarted = performance.now();
  const memory = await testRepository({ cwd: root, config, loaded, engines: [kqlEngine] });
  const memoryMs = performance.now() - memoryStarted;

  const engine = elasticsearchEngine({ client: connection.client });
  const started = performance.now();
  const { result } = await testRepository({
    cwd: root,
    config,
    loaded,
    engines: [engine],
    engineLabel: "elasticsearch",
  });
  const wall = performance.now() - started;
  await engine.cleanup();
  const left = (await testIndices(connection.client)).filter((i) => i.includes(engine.runId));

  console.log(
    `elasticsearch  ${RULES} rules × ${EVENTS} events (${result.summary.cases} cases) on ${url}: ${ms(wall)} ` +
      `(target < ${TARGET_MS} ms, node start excluded); in memory: ${ms(memoryMs)}; ${left.length} index(es) left`,
  );
  if (!result.summary.ok || !memory.result.summary.ok) {
    console.log("elasticsearch  the generated repository should pass; first failures:");
    for (const d of result.diagnostics.slice(0, 3))
      console.log(`  ${d.file}:${d.line} ${d.code} ${d.message}`);
    for (const r of result.rules.filter((x) => x.status !== "passed").slice(0, 3))
      console.log(`  ${r.file}: ${r.message ?? r.cases.find((c) => c.status === "failed")?.message}`);
    process.exitCode = 1;
  }
  if (wall >= TARGET_MS) console.log(`elasticsearch  over target by ${ms(wall - TARGET_MS)}`);
} finally {
  await connection.client.close();
  rmSync(root, { recursive: true, force: true });
  if (startedNode) spawnSync("bash", [nodeScript, "stop", String(benchPort)], { stdio: "inherit" });
}
