// Parsing (and validating) every ES|QL query of Elastic's prebuilt rules (target: all of them in under 0.5 s in
// total, one core). With DAC_DETECTION_RULES=DIR holding a Kibana export `prod.ndjson` it reads the real queries
// (209 ES|QL rules); otherwise it replicates the in-repo sample (packages/esql/src/test-support/prebuilt-sample.json)
// to 209 queries.
// Run: npm run bench esql-parse
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseEsql, validateEsql } from "@dac/esql";
import { fieldCatalog } from "@dac/fields";

function queries() {
  const dir = process.env.DAC_DETECTION_RULES;
  const prod = dir ? join(dir, "prod.ndjson") : "";
  if (prod && existsSync(prod)) {
    const qs = readFileSync(prod, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.language === "esql")
      .map((r) => r.query);
    return { qs, from: prod };
  }
  const sample = JSON.parse(
    readFileSync(new URL("../packages/esql/src/test-support/prebuilt-sample.json", import.meta.url), "utf8"),
  );
  const qs = Array.from({ length: 209 }, (_, i) => sample.queries[i % sample.queries.length].query);
  return { qs, from: "the in-repo sample, replicated" };
}

const { qs, from } = queries();
const catalog = fieldCatalog({ ecs: true });
const chars = qs.reduce((n, q) => n + q.length, 0);
let best = Infinity;
let bestValidate = Infinity;
for (let round = 0; round < 5; round++) {
  const t0 = performance.now();
  const asts = qs.map((q) => parseEsql(q));
  const t1 = performance.now();
  for (const a of asts) validateEsql(a, { catalog });
  const t2 = performance.now();
  best = Math.min(best, t1 - t0);
  bestValidate = Math.min(bestValidate, t2 - t1);
}
console.log(`${qs.length} ES|QL queries (${chars} characters) from ${from}`);
console.log(
  `parse:    ${best.toFixed(1)} ms in total (target < 500 ms)${best < 500 ? "" : "  ** over target **"}`,
);
console.log(`validate: ${bestValidate.toFixed(1)} ms in total`);
