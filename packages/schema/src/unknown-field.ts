/**
 * One policy for a field the catalogue does not know, wherever a rule names it (a query, `new_terms_fields`,
 * `threat_mapping`, an exception entry): an error with "did you mean" when the catalogue has definitions for the
 * field's namespace, a warning when it has none (the rule is not blocked; the engines apply the unknown-field policy).
 */
import { suggestFields } from "@dac/fields";
import type { FieldCatalog } from "@dac/fields";

export interface QueryCheckOptions {
  /** Where else a field is defined (integrations the rule does not use), for the unknown-field hint. */
  otherDefinitions?: (name: string) => { package: string; dataStream?: string; file: string }[];
}

/**
 * The namespace of an unknown field: its first prefix the catalogue does not define as an object (`azure.*`
 * when nothing of Azure is known, `gcp.audit.service_data.*` when `gcp.audit` is). `known` is true when every
 * parent object is defined: then the field is missing from definitions that describe its object, most likely a
 * typo.
 */
export function unknownFieldNamespace(
  catalog: FieldCatalog,
  name: string,
): { known: boolean; namespace: string } {
  const parts = name.split(".");
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join(".");
    const info = catalog.fields.get(prefix);
    if (!info || info.partial) return { known: false, namespace: prefix };
    // Below a leaf: only a multi-field could live there, and the definitions do not list it.
    if (info.type !== "object" && info.type !== "nested") return { known: false, namespace: prefix };
  }
  return { known: parts.length > 1, namespace: parts.length > 1 ? parts.slice(0, -1).join(".") : name };
}

export interface UnknownFieldFinding {
  /** DAC402 (error) when definitions exist for the namespace, DAC406 (warning) when they do not. */
  code: "DAC402" | "DAC406";
  message: string;
  hint: string;
}

/** What to say about `name`, unknown to `catalog`; `where` names the setting (`in new_terms_fields`), if any. */
export function classifyUnknownField(
  catalog: FieldCatalog,
  name: string,
  options: QueryCheckOptions = {},
  where = "",
): UnknownFieldFinding {
  const at = where ? ` in ${where}` : "";
  const suggestions = suggestFields(catalog, name);
  const didYouMean = suggestions.length
    ? `, did you mean ${suggestions.map((s) => `\`${s}\``).join(" or ")}?`
    : "";
  const elsewhere = options.otherDefinitions?.(name) ?? [];
  if (elsewhere.length > 0) {
    const defined = elsewhere
      .slice(0, 3)
      .map(
        (d) =>
          `${d.file} (${d.dataStream ? `package \`${d.package}\`, data stream \`${d.dataStream}\`` : `package \`${d.package}\``})`,
      )
      .join(", ");
    const first = elsewhere[0]!;
    return {
      code: "DAC402",
      message: `unknown field \`${name}\`${at}: it is defined for an integration the rule does not use`,
      hint: `defined in ${defined}; add \`related_integrations: [{package: ${first.package}, version: "*"}]\` to the rule (or an index pattern logs-${first.package}.*) rather than declaring the field again`,
    };
  }
  const { known, namespace } = unknownFieldNamespace(catalog, name);
  const policy =
    catalog.unknownFields === "unmapped"
      ? "the unknown_fields policy (unmapped) treats it as not mapped, so the clause never matches"
      : "the unknown_fields policy (keyword) treats it as a keyword field with ignore_above 1024";
  if (known)
    return {
      code: "DAC402",
      message: `unknown field \`${name}\`${at}${didYouMean}`,
      hint: `\`${namespace}\` is defined, without this field; ${policy}. If the field really exists, declare it in schemas/fields/ or metadata.fields`,
    };
  return {
    code: "DAC406",
    // A partial source (Elastic's list of the non-ECS fields its rules use) names some fields of the namespace only.
    message: catalog.fields.get(namespace)?.partial
      ? `incomplete field definitions for \`${namespace}.*\`${at}: \`${name}\` is not among them${didYouMean}`
      : `no field definitions for \`${namespace}.*\` (field \`${name}\`${at})${didYouMean}`,
    hint: `add them with \`dac fields import\` or \`dac fields pull\`; until then ${policy}`,
  };
}
