// Parsing every EQL query of Elastic's prebuilt rules (target: all of them in under 1 s in total, one core).
// With the detection-rules mirror present (/work/.mirror/elastic+detection-rules, or DAC_DETECTION_RULES=DIR of
// TOML files) it parses the real ~1,000 queries; on a fresh clone it replicates the in-repo sample
// (packages/eql/src/test-support/prebuilt-sample.json) to 1,024 queries.
// Run: npm run bench eql-parse
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parse, validate } from "@dac/eql";
import { fieldCatalog } from "@dac/fields";
import { prebuiltRules } from "./prebuilt-rules.mjs";

const prebuilt = prebuiltRules("eql");
let queries = prebuilt.rules.map((r) => r.query);
let source = prebuilt.from;
if (queries.length === 0) {
  const sample = JSON.parse(
    readFileSync(new URL("../packages/eql/src/test-support/prebuilt-sample.json", import.meta.url), "utf8"),
  );
  const base = sample.queries.map((q) => q.query);
  queries = Array.from({ length: 1024 }, (_, i) => base[i % base.length]);
  source = `in-repo sample (${base.length} queries) replicated`;
}
const chars = queries.reduce((n, q) => n + q.length, 0);

const catalog = fieldCatalog({ ecs: true });
for (const q of queries) validate(parse(q), { catalog }); // warm up
const rounds = 5;
let best = Infinity;
for (let r = 0; r < rounds; r++) {
  const started = performance.now();
  for (const q of queries) parse(q);
  best = Math.min(best, performance.now() - started);
}
let bestValidate = Infinity;
for (let r = 0; r < rounds; r++) {
  const started = performance.now();
  for (const q of queries) validate(parse(q), { catalog });
  bestValidate = Math.min(bestValidate, performance.now() - started);
}
console.log(
  `eql parse  ${queries.length} prebuilt queries (${source}, ${chars.toLocaleString("en-US")} chars)`,
);
console.log(`  parse all:            ${best.toFixed(1)} ms (target < 1000 ms)`);
console.log(`  parse + validate all: ${bestValidate.toFixed(1)} ms`);
