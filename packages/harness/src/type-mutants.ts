/**
 * Mutants of the settings of a rule type besides its query: what `--mutate` changes in a new_terms or indicator
 * match rule, so that fixtures show they notice. Each mutant is the whole rule data with one change; the runner
 * executes it like the rule.
 *
 * - new_terms: drop one of several `new_terms_fields` (a combination of fewer fields is new less often), add
 *   `host.name` to a single-field rule's combination (more often new), and start the history window an hour
 *   later (a term seen just inside the history window becomes new);
 * - threat_match: drop an entry of a group of several (the group matches more), drop one of several groups.
 */
import { resolveDateMath } from "@dac/fields";
import type { EngineRule } from "./engine.js";

export interface TypeMutant {
  operator:
    | "drop-new-terms-field"
    | "add-new-terms-field"
    | "shorten-history"
    | "drop-mapping-entry"
    | "drop-mapping-group";
  description: string;
  /** The mutated setting, as it would read in the rule. */
  shown: string;
  data: EngineRule["data"];
  /** Where the setting is in the rule file. */
  path: (string | number)[];
}

const HOUR = 3_600_000;

/** `now-7d` → `now-167h`: the same date math one hour later; undefined for absolute dates or rounding. */
export function historyOneHourLater(start: string): string | undefined {
  if (!/^now-\d+[smhdwMy]$/.test(start.trim())) return undefined;
  const at = new Date(Date.UTC(2026, 0, 1));
  const resolved = resolveDateMath(start, at);
  if (!resolved) return undefined;
  const hours = Math.round((at.getTime() - resolved.getTime()) / HOUR) - 1;
  return hours >= 1 ? `now-${hours}h` : undefined;
}

export function typeMutants(rule: EngineRule): TypeMutant[] {
  const data = rule.data;
  const out: TypeMutant[] = [];
  if (data.type === "new_terms" && Array.isArray(data.new_terms_fields)) {
    const fields = data.new_terms_fields.filter((f): f is string => typeof f === "string");
    if (fields.length > 1)
      fields.forEach((f, i) => {
        const rest = fields.filter((_, k) => k !== i);
        out.push({
          operator: "drop-new-terms-field",
          description: `new_terms_fields without \`${f}\``,
          shown: `new_terms_fields: [${rest.join(", ")}]`,
          data: { ...data, new_terms_fields: rest },
          path: ["new_terms_fields", i],
        });
      });
    if (fields.length === 1 && fields[0] !== "host.name")
      out.push({
        operator: "add-new-terms-field",
        description: `new_terms_fields with \`host.name\` added`,
        shown: `new_terms_fields: [${[...fields, "host.name"].join(", ")}]`,
        data: { ...data, new_terms_fields: [...fields, "host.name"] },
        path: ["new_terms_fields"],
      });
    const later =
      typeof data.history_window_start === "string"
        ? historyOneHourLater(data.history_window_start)
        : undefined;
    if (later)
      out.push({
        operator: "shorten-history",
        description: `history_window_start \`${String(data.history_window_start)}\` → \`${later}\``,
        shown: `history_window_start: ${later}`,
        data: { ...data, history_window_start: later },
        path: ["history_window_start"],
      });
  }
  if (data.type === "threat_match" && Array.isArray(data.threat_mapping)) {
    const groups = data.threat_mapping as { entries?: { field?: unknown; value?: unknown }[] }[];
    groups.forEach((group, g) => {
      const entries = Array.isArray(group.entries) ? group.entries : [];
      if (entries.length > 1)
        entries.forEach((e, i) =>
          out.push({
            operator: "drop-mapping-entry",
            description: `threat_mapping group ${g + 1} without ${String(e.field)} → ${String(e.value)}`,
            shown: `threat_mapping[${g}].entries without ${String(e.field)}`,
            path: ["threat_mapping", g, "entries", i],
            data: {
              ...data,
              threat_mapping: groups.map((x, k) =>
                k === g ? { ...x, entries: entries.filter((_, j) => j !== i) } : x,
              ),
            },
          }),
        );
    });
    if (groups.length > 1)
      groups.forEach((_, g) =>
        out.push({
          operator: "drop-mapping-group",
          description: `threat_mapping without group ${g + 1}`,
          shown: `threat_mapping without group ${g + 1}`,
          path: ["threat_mapping", g],
          data: { ...data, threat_mapping: groups.filter((__, k) => k !== g) },
        }),
      );
  }
  return out;
}
