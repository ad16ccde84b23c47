// Exceptions in memory (target, one core: a rule with 1,000 exception items over 10,000 events in under 1 s,
// compiling the items included). Items mix every entry kind on ECS fields: match, match_any, wildcard, exists,
// nested and value lists, included and excluded, some with os_types.
// Run: npx turbo run build --filter=@dac/exceptions && node bench/exceptions.bench.mjs [items] [events]
import { performance } from "node:perf_hooks";
import { compileExceptions } from "@dac/exceptions";
import { fieldCatalog } from "@dac/fields";

const ITEMS = Number(process.argv[2] ?? 1000);
const EVENTS = Number(process.argv[3] ?? 10_000);

const catalog = fieldCatalog({ ecs: true, unknownFields: "unmapped" });

const hosts = Array.from({ length: 40 }, (_, i) => `ws-${String(i).padStart(3, "0")}`);
const users = Array.from({ length: 300 }, (_, i) => `user${i}`);
const exes = Array.from({ length: 2000 }, (_, i) => `C:\\Program Files\\Vendor${i % 50}\\agent${i}.exe`);

// Value lists, as `exceptions/lists/` holds them: scanners' addresses and service accounts.
const valueLists = {
  scanners: {
    id: "scanners",
    type: "ip",
    name: "Scanners",
    description: "Vulnerability scanners",
    values: Array.from({ length: 500 }, (_, i) => `10.20.${i >> 8}.${i & 255}`),
    file: "exceptions/lists/scanners.txt",
  },
  "service-accounts": {
    id: "service-accounts",
    type: "keyword",
    name: "Service accounts",
    description: "Service accounts",
    values: Array.from({ length: 200 }, (_, i) => `svc-${i}`),
    file: "exceptions/lists/service-accounts.txt",
  },
  "office-nets": {
    id: "office-nets",
    type: "ip_range",
    name: "Office networks",
    description: "Office networks",
    values: ["192.168.0.0/16", "172.16.10.1-172.16.10.200"],
    file: "exceptions/lists/office-nets.txt",
  },
};

const inc = "included";
const exc = "excluded";

// Item i: one of eight realistic shapes, with values that vary with i so no two items are the same.
function item(i) {
  const host = hosts[i % hosts.length];
  const user = users[i % users.length];
  const exe = exes[i % 200];
  const shapes = [
    // A known admin running a known tool on a host.
    [
      { type: "match", field: "user.name", operator: inc, value: user },
      { type: "match", field: "host.name", operator: inc, value: host },
    ],
    // An agent's binaries anywhere.
    [
      {
        type: "match_any",
        field: "process.executable",
        operator: inc,
        value: [exe, exes[(i + 1) % 200], exes[(i + 2) % 200]],
      },
    ],
    // A backup job's command lines (wildcard field, `*` and `?`).
    [
      { type: "wildcard", field: "process.command_line", operator: inc, value: `*backup-${i}?--all*` },
      { type: "match", field: "event.category", operator: inc, value: "process" },
    ],
    // Signed processes of one parent, unless unsigned.
    [
      { type: "match", field: "process.parent.name", operator: inc, value: `parent${i % 97}.exe` },
      { type: "exists", field: "process.code_signature.subject_name", operator: inc },
      { type: "match", field: "process.code_signature.trusted", operator: exc, value: "false" },
    ],
    // An indicator match on a known-good enrichment (nested).
    [
      {
        type: "nested",
        field: "threat.enrichments",
        entries: [
          { type: "match", field: "matched.field", operator: inc, value: "destination.ip" },
          {
            type: "match",
            field: "indicator.ip",
            operator: inc,
            value: `203.0.${i % 256}.${(i >> 8) % 256}`,
          },
        ],
      },
    ],
    // Scanners' traffic to one port.
    [
      { type: "list", field: "source.ip", operator: inc, list: { id: "scanners", type: "ip" } },
      { type: "match", field: "destination.port", operator: inc, value: String(1000 + i) },
    ],
    // Service accounts outside the office networks are not excepted.
    [
      { type: "list", field: "user.name", operator: inc, list: { id: "service-accounts", type: "keyword" } },
      { type: "list", field: "source.ip", operator: exc, list: { id: "office-nets", type: "ip_range" } },
      { type: "match", field: "event.code", operator: inc, value: String(4600 + (i % 100)) },
    ],
    // A file path under one user's profile.
    [
      {
        type: "wildcard",
        field: "file.path",
        operator: inc,
        value: `C:\\\\Users\\\\${user}\\\\AppData\\\\*`,
      },
      { type: "match_any", field: "event.action", operator: inc, value: ["creation", "modification"] },
    ],
  ];
  const out = {
    item_id: `item-${i}`,
    name: `Item ${i}`,
    description: "Benchmark item",
    type: "simple",
    entries: shapes[i % shapes.length],
  };
  if (i % 5 === 0) out.os_types = ["windows"];
  return out;
}

// Events shaped like Elastic Defend process, file and network events, a few of which an item removes.
function event(i) {
  const user = i % 7 === 0 ? `svc-${i % 250}` : users[(i * 7) % users.length];
  return {
    "@timestamp": "2026-01-01T00:00:00.000Z",
    agent: { type: "endpoint", version: "8.15.0" },
    event: {
      category: i % 3 === 0 ? "network" : "process",
      action: ["creation", "modification", "start", "end"][i % 4],
      code: String(4600 + (i % 120)),
      kind: "event",
    },
    host: {
      name: hosts[(i * 3) % hosts.length],
      os: { type: i % 2 === 0 ? "windows" : "linux", family: "windows" },
    },
    user: { name: user, domain: "CORP" },
    process: {
      pid: 1000 + i,
      executable: exes[(i * 11) % exes.length],
      command_line: `"${exes[i % exes.length]}" backup-${i % 1200}x--all --quiet`,
      parent: { name: `parent${i % 113}.exe`, pid: 4 },
      code_signature: i % 6 === 0 ? { subject_name: "Vendor Inc.", trusted: i % 12 === 0 } : undefined,
    },
    file: { path: `C:\\Users\\${users[(i >> 2) % users.length]}\\AppData\\Local\\Temp\\f${i}.tmp` },
    source: { ip: i % 9 === 0 ? `10.20.${(i >> 8) & 1}.${i & 255}` : `192.168.${i % 256}.${(i >> 3) % 256}` },
    destination: { ip: `203.0.${i % 256}.9`, port: 1000 + (i % 1500) },
    threat:
      i % 10 === 0
        ? {
            enrichments: [
              { matched: { field: "destination.ip" }, indicator: { ip: `203.0.${i % 256}.0` } },
              { matched: { field: "file.hash.sha256" }, indicator: { ip: "198.51.100.1" } },
            ],
          }
        : undefined,
  };
}

const items = Array.from({ length: ITEMS }, (_, i) => item(i));
// Parsed from JSON, as the harness gets fixture documents.
const events = Array.from({ length: EVENTS }, (_, i) => JSON.parse(JSON.stringify(event(i))));
const now = new Date("2026-06-01T00:00:00Z");

function run(index = true, sample = events) {
  const started = performance.now();
  const compiled = compileExceptions(items, valueLists, catalog, { now, index });
  const compiledAt = performance.now();
  let removed = 0;
  for (const e of sample) if (compiled.removedBy(e).length > 0) removed++;
  const done = performance.now();
  return { compileMs: compiledAt - started, evaluateMs: done - compiledAt, totalMs: done - started, removed };
}

const rounds = [];
for (let r = 0; r < 5; r++) rounds.push(run());
// The first round is the cold one (a fresh `dac test` compiles once); the fastest is the least disturbed.
const cold = rounds[0];
const best = rounds.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
const fmt = (ms) => `${ms.toFixed(0)} ms`;
console.log(
  `exceptions ${ITEMS.toLocaleString("en-US")} items over ${EVENTS.toLocaleString("en-US")} events ` +
    `(${best.removed} removed): cold ${fmt(cold.totalMs)} (compile ${fmt(cold.compileMs)}, evaluate ` +
    `${fmt(cold.evaluateMs)}), best ${fmt(best.totalMs)} (compile ${fmt(best.compileMs)}, evaluate ` +
    `${fmt(best.evaluateMs)}) (target < 1,000 ms)`,
);

// For scale: every item tested on every event (the index off), on a tenth of the events.
const sample = events.slice(0, Math.ceil(EVENTS / 10));
const plain = run(false, sample);
console.log(
  `exceptions without the item index: ${fmt(plain.evaluateMs)} to evaluate ${sample.length.toLocaleString("en-US")} ` +
    `events (${fmt((plain.evaluateMs * events.length) / sample.length)} for all, extrapolated)`,
);
