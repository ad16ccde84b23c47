// KQL evaluation throughput (targets, one core: ≥ 5,000,000 evaluations/s of the compiled self-subject review
// query over pre-parsed documents; evaluating an ndjson stream costs ≤ 30% on top of JSON.parse alone).
// Run: npx turbo run build --filter=@dac/kql --filter=@dac/fields && node bench/kql-eval.bench.mjs
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { compile } from "@dac/kql";
import { fieldCatalog } from "@dac/fields";

const SELF_SUBJECT_REVIEW = `event.dataset : "kubernetes.audit_logs"
  and kubernetes.audit.annotations.authorization_k8s_io/decision:"allow"
  and kubernetes.audit.verb:"create"
  and kubernetes.audit.objectRef.resource:("selfsubjectaccessreviews" or "selfsubjectrulesreviews")
  and (kubernetes.audit.user.username:(system\\:serviceaccount\\:* or system\\:node\\:*)
  or kubernetes.audit.impersonatedUser.username:(system\\:serviceaccount\\:* or system\\:node\\:*))`;

const catalog = fieldCatalog({
  ecs: true,
  fieldFiles: [fileURLToPath(new URL("../schemas/fields/", import.meta.url))],
  unknownFields: "unmapped",
});
const matches = compile(SELF_SUBJECT_REVIEW, { catalog });

// Audit events shaped like the Kubernetes integration's indexed documents; a quarter are positives, the rest
// near misses (another verb, resource, user or decision) and everyday traffic.
const users = [
  "system:serviceaccount:default:build-bot",
  "system:node:worker-1",
  "kubernetes-admin",
  "system:serviceaccount:kube-system:coredns",
  "system:kube-controller-manager",
];
const resources = [
  "selfsubjectaccessreviews",
  "selfsubjectrulesreviews",
  "pods",
  "leases",
  "secrets",
  "configmaps",
];
const verbs = ["create", "get", "list", "watch", "update"];

function event(i) {
  const username = users[i % users.length];
  const resource = resources[(i >> 1) % resources.length];
  const verb = i % 4 === 0 ? "create" : verbs[(i >> 2) % verbs.length];
  const decision = i % 11 === 0 ? "forbid" : "allow";
  const audit = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: `4b0c8a4e-3d6e-4bd1-9d0f-${String(i).padStart(12, "0")}`,
    stage: "ResponseComplete",
    requestURI: `/apis/authorization.k8s.io/v1/${resource}`,
    verb,
    user: { username, uid: `uid-${i % 97}`, groups: ["system:serviceaccounts", "system:authenticated"] },
    sourceIPs: [`10.244.${i % 256}.7`],
    userAgent: "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
    objectRef: { resource, namespace: "default", name: `obj-${i % 50}`, apiVersion: "v1" },
    responseStatus: { code: decision === "forbid" ? 403 : 201 },
    requestReceivedTimestamp: "2025-03-04T06:22:18.819232Z",
    stageTimestamp: "2025-03-04T06:22:18.822532Z",
    annotations: {
      "authorization_k8s_io/decision": decision,
      "authorization_k8s_io/reason": "RBAC: allowed",
    },
  };
  if (i % 13 === 0) audit.impersonatedUser = { username: "system:serviceaccount:kube-system:deployer" };
  return {
    "@timestamp": "2025-03-04T06:22:19.010Z",
    agent: { name: "kind-control-plane", id: "6e730a0c", type: "filebeat", version: "8.15.0" },
    data_stream: { namespace: "default", type: "logs", dataset: "kubernetes.audit_logs" },
    ecs: { version: "8.11.0" },
    event: {
      action: verb,
      kind: "event",
      outcome: decision === "allow" ? "success" : "failure",
      dataset: "kubernetes.audit_logs",
    },
    host: {
      hostname: "kind-control-plane",
      name: "kind-control-plane",
      os: { kernel: "6.5.0", family: "debian" },
    },
    input: { type: "filestream" },
    kubernetes: { audit },
    log: { file: { path: "/var/log/kubernetes/kube-apiserver-audit.log" }, offset: 20995 + i },
    orchestrator: {
      api_version: "audit.k8s.io/v1",
      namespace: "default",
      resource: { name: `obj-${i % 50}`, type: resource },
      type: "kubernetes",
    },
    related: { ip: [`10.244.${i % 256}.7`], user: [`uid-${i % 97}`, username] },
    source: { ip: [`10.244.${i % 256}.7`] },
    user: { id: `uid-${i % 97}`, name: username },
    user_agent: { original: "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819" },
  };
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");

// (a) Evaluations per second over pre-parsed documents (parsed from JSON, as the harness gets them).
const docs = Array.from({ length: 4096 }, (_, i) => JSON.parse(JSON.stringify(event(i))));
const positives = docs.filter(matches).length;
function evaluationsPerSecond() {
  let hits = 0;
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < 1000) {
    for (let i = 0; i < 1_000_000; i++) if (matches(docs[i & 4095])) hits++;
    n += 1_000_000;
  }
  if (hits < 0) console.log(hits);
  return n / ((performance.now() - started) / 1000);
}
evaluationsPerSecond(); // warm up
const rates = [evaluationsPerSecond(), evaluationsPerSecond(), evaluationsPerSecond()];
console.log(
  `kql eval   self-subject review over ${docs.length} pre-parsed documents (${positives} match): ` +
    `${fmt(Math.max(...rates))} evaluations/s (target ≥ 5,000,000)`,
);

// (b) An ndjson stream: JSON.parse per line alone vs JSON.parse + evaluate.
const lines = Array.from({ length: 100_000 }, (_, i) => JSON.stringify(event(i)));
const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
function parseOnly() {
  let keys = 0;
  const started = performance.now();
  for (const line of lines) keys += JSON.parse(line).kubernetes === undefined ? 0 : 1;
  const ms = performance.now() - started;
  if (keys < 0) console.log(keys);
  return ms;
}
function parseAndEvaluate() {
  let hits = 0;
  const started = performance.now();
  for (const line of lines) if (matches(JSON.parse(line))) hits++;
  const ms = performance.now() - started;
  if (hits < 0) console.log(hits);
  return ms;
}
parseOnly();
parseAndEvaluate();
const parseTimes = [];
const bothTimes = [];
for (let round = 0; round < 7; round++) {
  parseTimes.push(parseOnly());
  bothTimes.push(parseAndEvaluate());
}
// The fastest round of each: the least disturbed by GC and other processes.
const parseMs = Math.min(...parseTimes);
const bothMs = Math.min(...bothTimes);
console.log(
  `kql eval   ndjson stream of ${fmt(lines.length)} events (${(bytes / 1e6).toFixed(1)} MB): ` +
    `JSON.parse ${parseMs.toFixed(0)} ms, JSON.parse + evaluate ${bothMs.toFixed(0)} ms, ` +
    `overhead ${(((bothMs - parseMs) / parseMs) * 100).toFixed(1)}% (target ≤ 30%)`,
);
