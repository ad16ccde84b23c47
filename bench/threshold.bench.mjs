// One threshold rule execution over 100,000 events in memory: the KQL query on every event, the lookback
// window, then the threshold buckets (two group fields, a cardinality condition) and their alerts, through
// the same `kqlEngine.execute` that `dac test` uses. Target: under 1 s on a 2-core machine.
// Run: npm run build && node bench/threshold.bench.mjs [events]
import { performance } from "node:perf_hooks";
import { fieldCatalog } from "@dac/fields";
import { kqlEngine, lookbackWindow } from "@dac/harness";

const EVENTS = Number(process.argv[2] ?? 100_000);
const TARGET_MS = 1000;
const rule = {
  file: "rules/bench.yaml",
  data: {
    rule_id: "bench",
    name: "bench threshold",
    type: "threshold",
    language: "kuery",
    query:
      'event.category:"authentication" and event.outcome:"failure" and not user.name:("svc-backup" or "svc-scan")',
    threshold: {
      field: ["source.ip", "host.name"],
      value: 50,
      cardinality: [{ field: "user.name", value: 10 }],
    },
    from: "now-60m",
  },
};
const catalog = fieldCatalog({ ecs: true, unknownFields: "unmapped" });
const start = Date.UTC(2026, 2, 1, 10, 0, 0);
const events = Array.from({ length: EVENTS }, (_, i) => ({
  // 100,000 events over 70 minutes: the oldest fall outside the 60-minute window.
  "@timestamp": new Date(start + Math.floor((i * 70 * 60_000) / EVENTS)).toISOString(),
  event: { category: ["authentication"], outcome: i % 5 === 0 ? "success" : "failure" },
  user: { name: i % 97 === 0 ? "svc-backup" : `user${i % 37}` },
  source: { ip: `10.0.0.${i % 20}` },
  host: { name: `host-${i % 7}` },
}));
const now = new Date(start + 70 * 60_000);
const execution = { events, catalog, range: lookbackWindow(rule, now), now };

const once = async () => {
  const t0 = performance.now();
  const answer = await kqlEngine.execute(rule, [execution], { now });
  return { ms: performance.now() - t0, alerts: answer.executions[0].alerts.length };
};
await once(); // warm-up: compiled code and caches
const runs = [];
for (let i = 0; i < 5; i++) runs.push(await once());
runs.sort((a, b) => a.ms - b.ms);
const median = runs[2];
console.log(
  `threshold rule over ${EVENTS.toLocaleString("en")} events in memory: median ${median.ms.toFixed(0)} ms of 5 runs (best ${runs[0].ms.toFixed(0)} ms), ${median.alerts} alerts; target < ${TARGET_MS} ms: ${median.ms < TARGET_MS ? "met" : "NOT met"}`,
);
