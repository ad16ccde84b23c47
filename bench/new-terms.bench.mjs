// A new_terms rule over 100,000 history events, in memory: one execution of "first administrative logon of a
// user" (new_terms_fields: user.name, history_window_start: now-7d, from: now-10m) where 2,000 accounts log on
// 50 times each over the week, and 20 accounts log on for the first time in the lookback window. The figure is
// one execution through the in-memory engine (query evaluation, doc values, the three phases), after a warm-up.
// Target: under 1 s on a 2-core machine.
// Run: npm run build && node bench/new-terms.bench.mjs [events]
import { performance } from "node:perf_hooks";
import { fieldCatalog } from "@dac/fields";
import { newTermsEngine } from "@dac/harness";

const HISTORY = Number(process.argv[2] ?? 100_000);
const USERS = 2000;
const NEW_USERS = 20;
const TARGET_MS = 1000;
const now = Date.parse("2026-03-01T10:00:00Z");
const week = 7 * 24 * 3600_000;

const rule = {
  file: "bench/first_admin_logon.yaml",
  data: {
    type: "new_terms",
    language: "kuery",
    query: 'event.code: "4672" and not winlog.event_data.SubjectUserSid: ("S-1-5-18" or "S-1-5-19")',
    new_terms_fields: ["user.name"],
    history_window_start: "now-7d",
    from: "now-10m",
    max_signals: 100,
  },
};

const logon = (at, user) => ({
  "@timestamp": new Date(at).toISOString(),
  event: { code: "4672", dataset: "system.security" },
  user: { name: user },
  host: { name: `ws-${user.length % 50}` },
  winlog: { event_data: { SubjectUserSid: `S-1-5-21-1-2-3-${user.length}` } },
});

const events = [];
for (let i = 0; i < HISTORY; i++) {
  // Spread over the week before the lookback window; every account also logs on in the window now and then.
  const at = now - week + 60_000 + Math.floor((i / HISTORY) * (week - 20 * 60_000));
  events.push(logon(at, `user${i % USERS}`));
}
for (let i = 0; i < NEW_USERS; i++) events.push(logon(now - 5 * 60_000 + i * 1000, `newcomer${i}`));
for (let i = 0; i < 200; i++) events.push(logon(now - 4 * 60_000 + i * 100, `user${i}`));

const catalog = fieldCatalog({ ecs: true });
const execution = { events, catalog, range: { from: new Date(now - 10 * 60_000), to: new Date(now) } };

async function once() {
  const started = performance.now();
  const { executions } = await newTermsEngine.execute(rule, [execution], { now: new Date(now) });
  return { ms: performance.now() - started, result: executions[0] };
}

await once(); // warm-up: compile, JIT
const runs = [];
let alerts = 0;
for (let i = 0; i < 5; i++) {
  globalThis.gc?.();
  const { ms, result } = await once();
  if (result.error) throw new Error(result.error);
  alerts = result.alerts.length;
  runs.push(ms);
}
runs.sort((a, b) => a - b);
const median = runs[Math.floor(runs.length / 2)];
console.log(
  `new_terms in memory: ${events.length.toLocaleString("en-US")} events (${HISTORY.toLocaleString("en-US")} history), ` +
    `${alerts} alerts, median ${median.toFixed(0)} ms of 5 runs (best ${runs[0].toFixed(0)} ms), target < ${TARGET_MS} ms: ` +
    `${median < TARGET_MS ? "ok" : "SLOW"}`,
);
