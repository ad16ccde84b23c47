#!/usr/bin/env node
// Converts Elastic's prebuilt rules (elastic/detection-rules TOML files) to a Kibana export ndjson, the input of
// `dac import --from-ndjson`. Test and benchmark infrastructure: the yardstick for "no false errors on real rules".
//
//   node bench/detection-rules-to-ndjson.mjs OUT.ndjson DIR|FILE... [--include-deprecated]
//
// Each TOML's `[rule]` table is the Kibana API form. detection-rules' build adds `related_integrations` from
// `metadata.integration` (one `{package}` entry per package, as most of Elastic's live rules carry) and the
// version, and
// flattens `new_terms` into the API's `new_terms_fields`/`history_window_start`; this does the same, with version 1 and `enabled: false`. Rules whose metadata.maturity is
// `deprecated` are left out unless --include-deprecated is given.
import { readFileSync, writeFileSync } from "node:fs";
import { parse } from "smol-toml";
import { tomlFiles } from "./prebuilt-rules.mjs";

/** One Kibana export line from a detection-rules TOML document; undefined when the rule is left out. */
export function kibanaRule(doc, { includeDeprecated = false } = {}) {
  const metadata = doc.metadata ?? {};
  if (!doc.rule || (metadata.maturity === "deprecated" && !includeDeprecated)) return undefined;
  const rule = { ...doc.rule };
  const packages = Array.isArray(metadata.integration)
    ? metadata.integration
    : metadata.integration
      ? [metadata.integration]
      : [];
  if (!rule.related_integrations && packages.length > 0)
    rule.related_integrations = packages.map((p) => ({ package: p, version: "^1.0.0" }));
  // detection-rules keeps new_terms as `{field: "new_terms_fields", value, history_window_start: [{field, value}]}`.
  if (rule.new_terms) {
    const { value, history_window_start: history } = rule.new_terms;
    delete rule.new_terms;
    rule.new_terms_fields = value;
    if (Array.isArray(history) && history[0]) rule.history_window_start = history[0].value;
  }
  rule.version ??= 1;
  rule.enabled ??= false;
  return rule;
}

const isMain = import.meta.url === new URL(process.argv[1] ?? "", "file://").href;
if (isMain) {
  const args = process.argv.slice(2);
  const includeDeprecated = args.includes("--include-deprecated");
  const [out, ...dirs] = args.filter((a) => !a.startsWith("--"));
  if (!out || dirs.length === 0) {
    console.error("usage: node bench/detection-rules-to-ndjson.mjs OUT.ndjson DIR... [--include-deprecated]");
    process.exit(2);
  }
  const lines = [];
  let skipped = 0;
  for (const file of dirs.flatMap(tomlFiles)) {
    let doc;
    try {
      doc = parse(readFileSync(file, "utf8"));
    } catch (error) {
      console.error(`${file}: ${error.message}`);
      process.exit(1);
    }
    const rule = kibanaRule(doc, { includeDeprecated });
    if (rule) lines.push(JSON.stringify(rule));
    else skipped++;
  }
  writeFileSync(out, lines.map((l) => `${l}\n`).join(""));
  console.log(`wrote ${lines.length} rules to ${out} (${skipped} left out)`);
}
