import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { fieldCatalog } from "@dac/kql";
import type { FieldCatalog } from "@dac/kql";
import type { DacConfig } from "./config.js";
import type { RuleData } from "./rule.js";

/**
 * Field files live in the configured `fields` folders. `<package>.<integration>.yml` and `<package>.yml`
 * describe an integration and apply to the rules whose `related_integrations` name it; any other file holds
 * user-declared fields and applies to every rule.
 */
export interface FieldFiles {
  integrations: Map<string, string[]>;
  shared: string[];
}

const fieldFileCache = new Map<string, FieldFiles>();

export function discoverFieldFiles(config: DacConfig): FieldFiles {
  const key = config.fields.join("\0");
  const cached = fieldFileCache.get(key);
  if (cached) return cached;
  const result: FieldFiles = { integrations: new Map(), shared: [] };
  const add = (file: string) => {
    const name = basename(file).replace(/\.ya?ml$/, "");
    if (name.startsWith("_") || name === "user" || name === "custom") {
      result.shared.push(file);
      return;
    }
    const list = result.integrations.get(name) ?? [];
    list.push(file);
    result.integrations.set(name, list);
  };
  for (const entry of config.fields) {
    if (!existsSync(entry)) continue;
    if (statSync(entry).isDirectory()) {
      for (const name of readdirSync(entry).sort()) if (/\.ya?ml$/.test(name)) add(join(entry, name));
    } else add(entry);
  }
  fieldFileCache.set(key, result);
  return result;
}

/** The integration field files a rule's `related_integrations` name. */
export function integrationFieldFiles(
  rule: Pick<RuleData, "related_integrations">,
  files: FieldFiles,
): string[] {
  const out: string[] = [];
  for (const ref of rule.related_integrations ?? []) {
    const names = ref.integration ? [`${ref.package}.${ref.integration}`, ref.package] : [ref.package];
    for (const name of names) out.push(...(files.integrations.get(name) ?? []));
  }
  return [...new Set(out)];
}

const catalogCache = new Map<string, FieldCatalog>();

/**
 * The field catalogue a rule's query runs against: ECS, the field files of its integrations, user-declared
 * fields, and the rule's own `metadata.fields`. Catalogues are shared between rules with the same inputs.
 */
export function ruleFieldCatalog(
  rule: Pick<RuleData, "related_integrations" | "metadata">,
  config: DacConfig,
  overrides: Record<string, string> = {},
): FieldCatalog {
  const files = discoverFieldFiles(config);
  const fieldFiles = [...files.shared, ...integrationFieldFiles(rule, files)];
  const merged = { ...(rule.metadata?.fields ?? {}), ...overrides };
  const key = JSON.stringify([fieldFiles, merged, config.unknownFields]);
  let catalog = catalogCache.get(key);
  if (!catalog) {
    catalog = fieldCatalog({ ecs: true, fieldFiles, overrides: merged, unknownFields: config.unknownFields });
    catalogCache.set(key, catalog);
  }
  return catalog;
}
