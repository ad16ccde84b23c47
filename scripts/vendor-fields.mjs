#!/usr/bin/env node
// Regenerates the vendored field catalogue (schemas/fields/integrations/, schemas/fields/indices/) with
// `dac fields import`, from a folder laid out as:
//
//   integrations/<package>/<data stream>/*.yml   verbatim fields/*.yml of each data stream (_package/ = shared)
//   detection-rules/beats-8.13.4-flat.json        Beats module fields, flat {field: type}
//   detection-rules/endgame-flat.json             Endgame fields (endgame-* indices)
//   detection-rules/endpoint-flat.json            Elastic Defend process.Ext fields
//   detection-rules/non-ecs-by-index.json         per index pattern, non-ECS fields Elastic's rules use
//
//   npm run build && node scripts/vendor-fields.mjs FOLDER
//
// Everything under the two output folders is replaced. Tests never read FOLDER: they read the vendored output.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bin = join(repo, "packages/cli/dist/bin.js");
const from = process.argv[2];
if (!from || !existsSync(join(from, "integrations"))) {
  console.error("usage: node scripts/vendor-fields.mjs FOLDER (with integrations/ and detection-rules/)");
  process.exit(2);
}
const integrationsOut = join(repo, "schemas/fields/integrations");
const indicesOut = join(repo, "schemas/fields/indices");
for (const dir of [integrationsOut, indicesOut]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

function dac(args) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: repo, encoding: "utf8" });
  process.stdout.write(run.stdout);
  if (run.status !== 0) {
    process.stderr.write(run.stderr);
    process.exit(run.status ?? 1);
  }
  const notes = run.stderr.split("\n").filter(Boolean).length;
  if (notes) console.log(`  (${notes} note(s); run the import by hand to read them)`);
}

for (const pkg of readdirSync(join(from, "integrations")).sort()) {
  const dir = join(from, "integrations", pkg);
  if (!statSync(dir).isDirectory()) continue;
  dac([
    "fields",
    "import",
    dir,
    "--package",
    pkg,
    "--source",
    `elastic/integrations packages/${pkg} (data_stream/*/fields/*.yml)`,
    "--out",
    join(integrationsOut, `${pkg}.json`),
  ]);
}

const dr = join(from, "detection-rules");
const beatsPatterns = [
  "auditbeat-*",
  "filebeat-*",
  "winlogbeat-*",
  "packetbeat-*",
  "metricbeat-*",
  "heartbeat-*",
];
const flat = [
  [
    "beats-8.13.4-flat.json",
    "beats",
    beatsPatterns,
    "Beats 8.13.4 module fields (elastic/detection-rules etc/beats_schemas)",
  ],
  [
    "endgame-flat.json",
    "endgame",
    ["endgame-*"],
    "Endgame 8.4.0 (elastic/detection-rules etc/endgame_schemas)",
  ],
  [
    "endpoint-flat.json",
    "endpoint-process-ext",
    ["logs-endpoint.events.*", "logs-endpoint.alerts-*"],
    "Elastic Defend process.Ext (elastic/detection-rules etc/endpoint_schemas)",
  ],
];
// The flat lists know types only. Where the integration package defines the same field (Elastic Defend's
// fields.yml maps `process.name.caseless` with the lowercase normalizer), the package's definition is the one
// Fleet installs: leave the flat entry out, so that it does not shadow the richer one for logs-endpoint.* rules.
function packageFieldNames(pkg) {
  const file = join(integrationsOut, `${pkg}.json`);
  if (!existsSync(file)) return new Set();
  const catalogue = JSON.parse(readFileSync(file, "utf8"));
  return new Set(Object.values(catalogue.dataStreams ?? {}).flatMap((fields) => Object.keys(fields)));
}
const flatTemp = mkdtempSync(join(tmpdir(), "dac-vendor-flat-"));
const shadowedBy = { "endpoint-flat.json": "endpoint" };
for (const [file, name, patterns, source] of flat) {
  let input = join(dr, file);
  if (shadowedBy[file]) {
    const defined = packageFieldNames(shadowedBy[file]);
    const all = JSON.parse(readFileSync(input, "utf8"));
    const kept = Object.fromEntries(Object.entries(all).filter(([field]) => !defined.has(field)));
    console.log(
      `  ${file}: ${Object.keys(all).length - Object.keys(kept).length} field(s) left to packages/${shadowedBy[file]}`,
    );
    input = join(flatTemp, file);
    writeFileSync(input, JSON.stringify(kept));
  }
  const args = ["fields", "import", input, "--source", source, "--out", join(indicesOut, `${name}.json`)];
  for (const p of patterns) args.push("--index-pattern", p);
  dac(args);
}
rmSync(flatTemp, { recursive: true, force: true });

// non-ecs-by-index.json: one catalogue per index pattern.
const byIndex = JSON.parse(readFileSync(join(dr, "non-ecs-by-index.json"), "utf8"));
const temp = mkdtempSync(join(tmpdir(), "dac-vendor-fields-"));
try {
  for (const [pattern, fields] of Object.entries(byIndex)) {
    const slug = pattern.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^[._-]+|[._-]+$/g, "");
    const input = join(temp, `${slug}.json`);
    writeFileSync(input, JSON.stringify(fields));
    dac([
      "fields",
      "import",
      input,
      "--partial",
      "--index-pattern",
      pattern,
      "--source",
      `non-ECS fields of ${pattern} (elastic/detection-rules etc/non-ecs-schema.json)`,
      "--out",
      join(indicesOut, `non-ecs.${slug}.json`),
    ]);
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
