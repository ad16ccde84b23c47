import { fieldsOf, KqlSyntaxError, parse } from "@dac/kql";
import { lookupField } from "@dac/fields";
import { ruleFieldCatalog, type DacConfig, type RuleData as SchemaRuleData } from "@dac/schema";
import type { RequiredField, RequiredFieldsFn } from "./types.js";

const containerTypes = new Set(["object", "nested", "flattened"]);

/**
 * `required_fields` from the field catalogue: each field a KQL query names, typed by the rule's catalogue (ECS,
 * its integrations' field files, `metadata.fields`). Wildcard names and containers are left out, and so are
 * names the catalogue cannot type (the validator reports those). Lucene, EQL and ES|QL give nothing.
 */
export function catalogRequiredFields(config: DacConfig): RequiredFieldsFn {
  return (query, language, rule) => {
    if (language !== "kuery") return [];
    let ast;
    try {
      ast = parse(query);
    } catch (e) {
      if (e instanceof KqlSyntaxError) return [];
      throw e;
    }
    const catalog = ruleFieldCatalog(
      rule as Pick<SchemaRuleData, "related_integrations" | "metadata">,
      config,
    );
    const fields: RequiredField[] = [];
    for (const ref of fieldsOf(ast)) {
      if (ref.node.type === "nested" || ref.name.includes("*")) continue;
      const info = lookupField(catalog, ref.name);
      const type = info?.type ?? (catalog.unknownFields === "keyword" ? "keyword" : undefined);
      if (type !== undefined && !containerTypes.has(type)) fields.push({ name: ref.name, type });
    }
    return fields;
  };
}
