/**
 * Checks of the settings of new_terms and indicator match rules, against the field catalogues their searches
 * run on, reported at the setting's place in the YAML:
 *
 * - each `new_terms_fields` entry must be a field of the rule's catalogue with doc values (Kibana aggregates on
 *   it: a text field fails the rule with "Fielddata is disabled");
 * - `history_window_start` must be earlier than `from` (`validateHistoryWindowStart` refuses the rule otherwise);
 * - each `threat_mapping` entry's `field` must be a field of the rule's catalogue and its `value` one of the
 *   threat index's catalogue (ECS and the definitions that apply to `threat_index`).
 */
import { docValuesReader, lookupField, NotAggregatableError, resolveDateMath } from "@dac/fields";
import type { FieldCatalog } from "@dac/fields";
import type { Diagnostic } from "./diagnostic.js";
import { diagnosticAt } from "./position.js";
import type { Rule } from "./rule.js";
import { classifyUnknownField } from "./unknown-field.js";
import type { QueryCheckOptions } from "./unknown-field.js";

function unknown(
  rule: Rule,
  path: (string | number)[],
  name: string,
  catalog: FieldCatalog,
  where: string,
  options: QueryCheckOptions,
): Diagnostic {
  const { code, message, hint } = classifyUnknownField(catalog, name, options, where);
  return diagnosticAt(rule.source, path, { code, message, hint });
}

export function checkTypeSettings(
  rule: Rule,
  catalog: FieldCatalog,
  threatCatalog: () => FieldCatalog,
  options: QueryCheckOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const data = rule.data as Record<string, unknown>;
  if (data.type === "new_terms") {
    const fields = Array.isArray(data.new_terms_fields) ? (data.new_terms_fields as unknown[]) : [];
    fields.forEach((name, i) => {
      if (typeof name !== "string") return;
      if (!lookupField(catalog, name)) {
        out.push(unknown(rule, ["new_terms_fields", i], name, catalog, "new_terms_fields", options));
        return;
      }
      try {
        docValuesReader(catalog, name);
      } catch (error) {
        if (!(error instanceof NotAggregatableError)) throw error;
        const keyword = lookupField(catalog, name.replace(/\.text$/, ""));
        out.push(
          diagnosticAt(rule.source, ["new_terms_fields", i], {
            code: "DAC420",
            message: `new_terms_fields: ${error.message}`,
            ...(keyword && keyword.name !== name && keyword.type === "keyword"
              ? { hint: `use \`${keyword.name}\`` }
              : {}),
          }),
        );
      }
    });
    const start = data.history_window_start;
    const from = typeof data.from === "string" ? data.from : "now-6m";
    if (typeof start === "string") {
      const at = new Date(Date.UTC(2026, 0, 1));
      const s = resolveDateMath(start, at);
      const f = resolveDateMath(from, at);
      if (s && f && s.getTime() >= f.getTime())
        out.push(
          diagnosticAt(rule.source, ["history_window_start"], {
            code: "DAC211",
            message: `history_window_start \`${start}\` is not earlier than from \`${from}\`: Kibana refuses the rule ("History window size is smaller than rule interval + additional lookback")`,
            hint: "start the history window before the lookback window, e.g. now-7d",
          }),
        );
    }
  }
  if (data.type === "threat_match" && Array.isArray(data.threat_mapping)) {
    let threat: FieldCatalog | undefined;
    (data.threat_mapping as { entries?: unknown }[]).forEach((group, g) => {
      const entries = Array.isArray(group?.entries) ? (group.entries as Record<string, unknown>[]) : [];
      entries.forEach((entry, i) => {
        if (typeof entry?.field === "string" && !lookupField(catalog, entry.field))
          out.push(
            unknown(
              rule,
              ["threat_mapping", g, "entries", i, "field"],
              entry.field,
              catalog,
              "threat_mapping",
              options,
            ),
          );
        if (typeof entry?.value === "string") {
          threat ??= threatCatalog();
          if (!lookupField(threat, entry.value))
            out.push(
              unknown(
                rule,
                ["threat_mapping", g, "entries", i, "value"],
                entry.value,
                threat,
                "threat_mapping (a field of the threat index)",
                {},
              ),
            );
        }
      });
    });
  }
  return out;
}
