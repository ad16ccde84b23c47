// Elastic's prebuilt rules (elastic/detection-rules TOML), for the benchmarks that measure dac on real rules:
// from DAC_DETECTION_RULES=DIR (DIR/rules and DIR/rules_building_block, or any tree of .toml), else from the
// detection-rules mirror (/work/.mirror/elastic+detection-rules) extracted to a temporary folder; none on a fresh
// clone, where each benchmark falls back to its in-repository sample.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse as parseToml } from "smol-toml";

export const MIRROR = "/work/.mirror/elastic+detection-rules/repo";

/** Every .toml file under `dir`, in name order (a file is itself). */
export function tomlFiles(dir) {
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return tomlFiles(full);
      return name.endsWith(".toml") ? [full] : [];
    });
}

function mirrorTree() {
  if (!existsSync(MIRROR)) return undefined;
  const out = mkdtempSync(join(tmpdir(), "dac-prebuilt-"));
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
    return out;
  } catch {
    return undefined;
  }
}

/**
 * The non-deprecated prebuilt rules of `language` as {name, query} (name: the TOML path), and where they came
 * from; no rules when neither DAC_DETECTION_RULES nor the mirror is at hand.
 */
export function prebuiltRules(language) {
  const env = process.env.DAC_DETECTION_RULES;
  const root = env && existsSync(env) ? env : mirrorTree();
  if (!root) return { rules: [], from: "" };
  const dirs = ["rules", "rules_building_block"].map((d) => join(root, d)).filter((d) => existsSync(d));
  const rules = [];
  for (const file of (dirs.length > 0 ? dirs : [root]).flatMap(tomlFiles)) {
    const doc = parseToml(readFileSync(file, "utf8"));
    if (doc.rule?.language === language && doc.metadata?.maturity !== "deprecated")
      rules.push({ name: relative(root, file), query: doc.rule.query });
  }
  return { rules, from: root === env ? `TOML under ${env}` : "the detection-rules mirror" };
}
