import { fieldsOf, KqlSyntaxError, parse } from "@dac/kql";
import { lookupField } from "@dac/fields";
import { fieldsOf as luceneFieldsOf, LuceneSyntaxError, parse as parseLucene } from "@dac/lucene";
import { ruleFieldCatalog, type DacConfig, type RuleData as SchemaRuleData } from "@dac/schema";
import type { RequiredField, RequiredFieldsFn } from "./types.js";

const containerTypes = new Set(["object", "nested", "flattened"]);

/**
 * `required_fields` from the field catalogue: each field a KQL query names, typed by the rule's catalogue (ECS,
 * its integrations' field files, `metadata.fields`). Wildcard names and containers are left out, and so are
 * names the catalogue cannot type (the validator reports those). Lucene queries give their fields the same way
 * (`_exists_` aside); EQL and ES|QL give nothing.
 */
function fieldNames(query: string, language: string): string[] | undefined {
  try {
    if (language === "kuery")
      return fieldsOf(parse(query))
        .filter((ref) => ref.node.type !== "nested")
        .map((ref) => ref.name);
    if (language === "lucene")
      return luceneFieldsOf(parseLucene(query))
        .map((ref) => ref.name)
        .filter((name) => name !== "_exists_");
    return undefined;
  } catch (e) {
    if (e instanceof KqlSyntaxError || e instanceof LuceneSyntaxError) return undefined;
    throw e;
  }
}

export function catalogRequiredFields(config: DacConfig): RequiredFieldsFn {
  return (query, language, rule) => {
    const names = fieldNames(query, language);
    if (!names) return [];
    const catalog = ruleFieldCatalog(
      rule as Pick<SchemaRuleData, "related_integrations" | "metadata">,
      config,
    );
    const fields: RequiredField[] = [];
    for (const name of new Set(names)) {
      if (name.includes("*")) continue;
      const info = lookupField(catalog, name);
      const type = info?.type ?? (catalog.unknownFields === "keyword" ? "keyword" : undefined);
      if (type !== undefined && !containerTypes.has(type)) fields.push({ name, type });
    }
    return fields;
  };
}
