// Parsing (and validating) every ES|QL query of Elastic's prebuilt rules (target: all of them in under 0.5 s in
// total, one core), and the yardstick "no false errors": every query parses and validates with no errors.
// Where the queries come from, first found:
//   - DAC_DETECTION_RULES=DIR holding a Kibana export `prod.ndjson` (bench/detection-rules-to-ndjson.mjs writes one);
//   - DAC_DETECTION_RULES=DIR of detection-rules TOML (DIR/rules and DIR/rules_building_block, or any tree of .toml);
//   - the detection-rules mirror (/work/.mirror/elastic+detection-rules), its rules/ and rules_building_block/;
//   - else the in-repo sample (packages/esql/src/test-support/prebuilt-sample.json), replicated to 209 queries.
// Deprecated rules (metadata.maturity = "deprecated") are left out, as Kibana's prebuilt package leaves them out.
// Exit 1 when a query fails to parse or has a validation error (warnings are fine: unknown fields are warnings in
// `dac validate`, since FROM often names integrations the catalogue lacks).
// Run: npm run bench esql-parse   (or: DAC_DETECTION_RULES=/tmp/dr node bench/esql-parse.bench.mjs)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fieldsOf, parseEsql, validateEsql } from "@dac/esql";
import { fieldCatalog, lookupField } from "@dac/fields";
import { prebuiltRules } from "./prebuilt-rules.mjs";

function queries() {
  const dir = process.env.DAC_DETECTION_RULES;
  if (dir && existsSync(join(dir, "prod.ndjson"))) {
    const rules = readFileSync(join(dir, "prod.ndjson"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.language === "esql" && typeof r.query === "string")
      .map((r) => ({ name: r.name, query: r.query }));
    return { rules, from: join(dir, "prod.ndjson") };
  }
  const prebuilt = prebuiltRules("esql");
  if (prebuilt.rules.length > 0) return prebuilt;
  const sample = JSON.parse(
    readFileSync(new URL("../packages/esql/src/test-support/prebuilt-sample.json", import.meta.url), "utf8"),
  );
  const rules = Array.from({ length: 209 }, (_, i) => sample.queries[i % sample.queries.length]);
  return { rules, from: `the in-repo sample (${sample.queries.length} queries), replicated` };
}

const { rules, from } = queries();
const qs = rules.map((r) => r.query);
const catalog = fieldCatalog({ ecs: true });
const chars = qs.reduce((n, q) => n + q.length, 0);

// Timing first: the first round is cold (JIT warming up), then the best of five.
const cold0 = performance.now();
for (const q of qs) parseEsql(q);
const cold = performance.now() - cold0;
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

// Correctness, once: every query parses, and validation finds no errors.
const failures = [];
const warningsByCode = new Map();
let unknownFields = 0;
let valid = 0;
for (const r of rules) {
  let ast;
  try {
    ast = parseEsql(r.query);
  } catch (error) {
    failures.push(`${r.name}: syntax: ${error.message} at ${error.line}:${error.column}`);
    continue;
  }
  const findings = validateEsql(ast, { catalog });
  const errors = findings.filter((f) => f.severity === "error");
  for (const f of findings)
    if (f.severity === "warning") warningsByCode.set(f.code, (warningsByCode.get(f.code) ?? 0) + 1);
  unknownFields += fieldsOf(ast).filter((f) => !lookupField(catalog, f.name)).length;
  if (errors.length === 0) valid++;
  for (const e of errors) failures.push(`${r.name}: ${e.code} ${e.message}`);
}

const warnings = [...warningsByCode].map(([c, n]) => `${c} ×${n}`).join(", ") || "none";
console.log(`${qs.length} ES|QL queries (${chars.toLocaleString("en-US")} characters) from ${from}`);
console.log(
  `parse:    ${best.toFixed(1)} ms in total, best of 5 (first, cold: ${cold.toFixed(1)} ms); target < 500 ms${best < 500 ? "" : "  ** over target **"}`,
);
console.log(`validate: ${bestValidate.toFixed(1)} ms in total`);
console.log(
  `checked:  ${qs.length - failures.filter((f) => f.includes(": syntax: ")).length}/${qs.length} parse, ${valid}/${qs.length} validate with no errors; warnings: ${warnings}; source fields outside ECS (warnings in dac validate): ${unknownFields}`,
);
if (failures.length > 0) {
  for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
  process.exitCode = 1;
}
