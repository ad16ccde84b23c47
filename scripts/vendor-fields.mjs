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
for (const [file, name, patterns, source] of flat) {
  const args = [
    "fields",
    "import",
    join(dr, file),
    "--source",
    source,
    "--out",
    join(indicesOut, `${name}.json`),
  ];
  for (const p of patterns) args.push("--index-pattern", p);
  dac(args);
}

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
