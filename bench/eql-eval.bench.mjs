// EQL evaluation throughput (targets, one core): an event query at ≥ 2,000,000 events/s, and a three-step `by`
// sequence with maxspan over 100,000 events in < 1 s. Synthetic ECS events, flat in memory.
// Run: npm run bench eql-eval
import { performance } from "node:perf_hooks";
import { compileFilter, evaluate, parse } from "@dac/eql";
import { fieldCatalog } from "@dac/fields";

const catalog = fieldCatalog({ ecs: true });
const categories = ["process", "file", "network", "registry"];
const names = ["cmd.exe", "powershell.exe", "svchost.exe", "explorer.exe", "rundll32.exe"];
const N = 100_000;
const start = Date.UTC(2026, 0, 1);
const events = Array.from({ length: N }, (_, i) => ({
  "@timestamp": new Date(start + i * 100).toISOString(),
  event: { category: categories[i % 4], type: "start" },
  host: { id: `host-${i % 997}` },
  user: { name: `user-${i % 37}` },
  process: { name: names[i % 5], pid: i, args: ["-a", String(i)] },
  file: { path: `C:\\Users\\u${i % 50}\\file${i}.txt` },
  destination: { port: (i * 7) % 65536 },
}));

function best(fn, rounds = 5) {
  let min = Infinity;
  let result;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    result = fn();
    min = Math.min(min, performance.now() - t0);
  }
  return { ms: min, result };
}

const eventQuery = parse(
  'process where process.name : ("powershell.exe", "cmd.exe") and process.args == "-a" and not user.name in ("user-1", "user-2")',
);
const predicate = compileFilter(eventQuery, { catalog });
const loops = 20;
const filter = best(() => {
  let hits = 0;
  for (let l = 0; l < loops; l++) for (let i = 0; i < N; i++) if (predicate(events[i])) hits++;
  return hits;
});
const rate = (N * loops) / (filter.ms / 1000);
console.log(
  `eql event query (compiled predicate): ${Math.round(rate).toLocaleString("en-US")} events/s (target ≥ 2,000,000), ${filter.result / loops} hits per pass`,
);
const full = best(() => evaluate(eventQuery, events, { catalog }));
console.log(
  `eql event query (evaluate: sort by timestamp + filter), 100,000 events: ${full.ms.toFixed(1)} ms, ${full.result.length} results`,
);

const sequenceQuery = parse(`sequence by host.id with maxspan=10m
  [process where process.name == "cmd.exe"]
  [file where file.path : "C:\\\\Users\\\\*"]
  [network where destination.port > 100]`);
const seq = best(() => evaluate(sequenceQuery, events, { catalog }), 3);
console.log(
  `eql three-step by sequence, 100,000 events: ${seq.ms.toFixed(1)} ms (target < 1000 ms), ${seq.result.length} sequences`,
);
