// `dac plan` + `dac publish` at scale, against the Kibana emulator started in-process over real HTTP on
// 127.0.0.1: for 500, 1,000 and 2,000 generated rules, the first publish (all created), a publish after
// editing 10% of the rules (those updated), and an idempotent plan. Target: under 10 s for 2,000 rules, with
// peak memory that stays flat as the rule count grows. Each size runs in its own process so peaks do not mix.
// Run: npm run build && node bench/exporter.bench.mjs [sizes, comma-separated]
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { clearInterval, setInterval } from "node:timers";
import { fileURLToPath } from "node:url";
import {
  buildPayloads,
  buildPlan,
  createKibanaClient,
  lockSubjects,
  lockVersions,
  planIsEmpty,
  publishPlan,
  updateLock,
} from "@dac/exporter";
import { startEmulator } from "@dac/kibana-emulator";

const TARGET_MS = 10_000;
const managementTag = "Managed by: dac";
const requiredFields = (query) =>
  [...query.matchAll(/([\w.]+)\s*:/g)].map((m) => ({ name: m[1], type: "keyword" }));

function rules(count, edited = 0) {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(5, "0");
    return {
      file: `rules/bench/rule_${n}.yaml`,
      data: {
        rule_id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        name: `Bench rule ${n}`,
        description: `Generated rule ${i}: alerts on a Kubernetes audit event.\nSecond line.`,
        type: "query",
        language: "kuery",
        index: ["logs-kubernetes.*"],
        query: `event.dataset:"kubernetes.audit_logs" and kubernetes.audit.verb:"verb-${i}" and kubernetes.audit.objectRef.resource:"r-${i % 50}"${i < edited ? " and not user.name:test" : ""}`,
        severity: "medium",
        risk_score: 47,
        tags: ["Data Source: Kubernetes", "Bench"],
        threat: [
          {
            framework: "MITRE ATT&CK",
            tactic: {
              id: "TA0007",
              name: "Discovery",
              reference: "https://attack.mitre.org/tactics/TA0007/",
            },
            technique: [
              {
                id: "T1613",
                name: "Container and Resource Discovery",
                reference: "https://attack.mitre.org/techniques/T1613/",
              },
            ],
          },
        ],
        note: "## Triage\n\nCheck the user and the source address.\n",
        metadata: {
          maturity: "production",
          created: "2026-01-01",
          updated: "2026-01-01",
          integration: "kubernetes",
        },
      },
    };
  });
}

/** lock → payloads → plan → publish, as `dac version` then `dac publish` do. */
async function publish(client, sources, lock) {
  const next = updateLock(lock, lockSubjects(sources, { managementTag, requiredFields })).lock;
  const { payloads, errors } = buildPayloads(sources, {
    managementTag,
    requiredFields,
    versionOf: lockVersions(next),
  });
  if (errors.length > 0) throw new Error(`payload errors: ${errors[0].message}`);
  const plan = await buildPlan(client, payloads, { lock: next, managementTag });
  const summary = await publishPlan(
    client,
    plan,
    new Map(payloads.map((p) => [p.payload.rule_id, p.payload])),
  );
  if (summary.failed > 0) throw new Error(`${summary.failed} rules failed`);
  return { lock: next, plan, summary };
}

async function child(count) {
  let peakHeap = 0;
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const sampler = setInterval(sample, 10);
  const emulator = await startEmulator({ apiKey: "bench" });
  const client = createKibanaClient({ url: emulator.url, credentials: { kind: "apiKey", apiKey: "bench" } });
  const started = performance.now();
  const first = await publish(client, rules(count), {});
  const afterFirst = performance.now();
  const second = await publish(client, rules(count, Math.round(count / 10)), first.lock);
  const afterSecond = performance.now();
  const third = await publish(client, rules(count, Math.round(count / 10)), second.lock);
  const ended = performance.now();
  sample();
  clearInterval(sampler);
  await client.close();
  await emulator.close();
  const check = (cond, what) => {
    if (!cond) throw new Error(what);
  };
  check(
    first.plan.counts.create === count && first.summary.changed === count,
    "first publish did not create every rule",
  );
  check(
    second.plan.counts.update === Math.round(count / 10) && second.summary.changed === Math.round(count / 10),
    "second publish updated the wrong rules",
  );
  check(planIsEmpty(third.plan, false) && third.summary.changed === 0, "third publish was not a no-op");
  process.stdout.write(
    JSON.stringify({
      count,
      firstMs: afterFirst - started,
      editMs: afterSecond - afterFirst,
      noopMs: ended - afterSecond,
      totalMs: ended - started,
      requests: emulator.state.requests.length,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      peakHeapMb: peakHeap / 1024 / 1024,
    }),
  );
}

function parent() {
  const sizes = (process.argv[2] ?? "500,1000,2000").split(",").map(Number);
  const self = fileURLToPath(import.meta.url);
  const rows = sizes.map((count) => {
    const run = spawnSync(process.execPath, [self, "--child", String(count)], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`child ${count} failed:\n${run.stderr}`);
    return JSON.parse(run.stdout);
  });
  const ms = (v) => `${(v / 1000).toFixed(2)} s`.padStart(9);
  console.log(
    "exporter: plan + publish against the Kibana emulator (real HTTP on 127.0.0.1, one process per size)",
  );
  console.log("  rules  first publish  edit 10%  no-op    total   requests  peak RSS   peak heap");
  for (const r of rows) {
    console.log(
      `  ${String(r.count).padStart(5)}  ${ms(r.firstMs)}     ${ms(r.editMs)} ${ms(r.noopMs)} ${ms(r.totalMs)}  ${String(r.requests).padStart(8)}  ${r.peakRssMb.toFixed(0).padStart(5)} MB  ${r.peakHeapMb.toFixed(0).padStart(6)} MB`,
    );
  }
  const largest = rows.at(-1);
  const smallest = rows[0];
  const verdict = largest.totalMs < TARGET_MS ? "within" : "OVER";
  console.log(
    `  ${largest.count} rules: ${(largest.totalMs / 1000).toFixed(2)} s for three plan+publish rounds, ${verdict} the ${TARGET_MS / 1000} s target`,
  );
  if (rows.length > 1) {
    const perRule = (largest.peakRssMb - smallest.peakRssMb) / (largest.count - smallest.count);
    console.log(
      `  memory: +${(perRule * 1024).toFixed(1)} KB of peak RSS per extra rule (${smallest.count} → ${largest.count}), emulator included`,
    );
  }
}

if (process.argv[2] === "--child") await child(Number(process.argv[3]));
else parent();
