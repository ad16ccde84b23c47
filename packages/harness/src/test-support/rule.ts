/** A rule for tests, from its keys: written as YAML (so positions exist) and loaded as `dac` loads rule files. */
import { loadYaml } from "@dac/schema";
import type { Rule } from "@dac/schema";

export const ruleFromData = (data: Record<string, unknown>, file = "rules/r.yaml"): Rule => {
  const text = `# yaml-language-server: $schema=../schemas/rule.schema.json\n${Object.entries(data)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join("\n")}\n`;
  const { source, value } = loadYaml(file, text);
  return { file, source: source!, data: value as Rule["data"], valid: true };
};
