// Parsing every EQL query of Elastic's prebuilt rules (target: all of them in under 1 s in total, one core).
// With the detection-rules mirror present (/work/.mirror/elastic+detection-rules, or DAC_DETECTION_RULES=DIR of
// TOML files) it parses the real ~1,000 queries; on a fresh clone it replicates the in-repo sample
// (packages/eql/src/test-support/prebuilt-sample.json) to 1,024 queries.
// Run: npm run bench eql-parse
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parse as parseToml } from "smol-toml";
import { parse, validate } from "@dac/eql";
import { fieldCatalog } from "@dac/fields";

const MIRROR = "/work/.mirror/elastic+detection-rules/repo";

function tomlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return tomlFiles(full);
    return name.endsWith(".toml") ? [full] : [];
  });
}

function prebuiltQueries() {
  let dirs = process.env.DAC_DETECTION_RULES
    ? [process.env.DAC_DETECTION_RULES].filter((d) => existsSync(d))
    : [];
  if (dirs.length === 0 && existsSync(MIRROR)) {
    const out = mkdtempSync(join(tmpdir(), "dac-eql-bench-"));
    process.on("exit", () => rmSync(out, { recursive: true, force: true }));
    try {
      const tar = execFileSync(
        "git",
        ["--git-dir", MIRROR, "archive", "HEAD", "rules", "rules_building_block"],
        {
          maxBuffer: 1 << 30,
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
      execFileSync("tar", ["-x", "-C", out], { input: tar });
      dirs = [join(out, "rules"), join(out, "rules_building_block")].filter((d) => existsSync(d));
    } catch {
      dirs = [];
    }
  }
  const queries = [];
  for (const dir of dirs)
    for (const file of tomlFiles(dir)) {
      const doc = parseToml(readFileSync(file, "utf8"));
      if (doc.rule?.language === "eql" && doc.metadata?.maturity !== "deprecated")
        queries.push(doc.rule.query);
    }
  return queries;
}

let queries = prebuiltQueries();
let source = "detection-rules mirror";
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
