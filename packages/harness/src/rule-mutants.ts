/**
 * Mutants of a rule's settings, beside its query's: for a threshold rule, the grouping fields and the values
 * (`threshold.value` ±1, each `threshold.field` dropped, `cardinality.value` ±1, `cardinality` dropped). A
 * fixture set that no mutant survives pins each setting: one more or one fewer event, or one group field less,
 * changes some case's verdict.
 */
import type { EngineRule } from "./engine.js";
import { thresholdOf } from "./alerts/execute.js";

export interface RuleMutant {
  operator:
    "raise-threshold" | "lower-threshold" | "drop-group-field" | "change-cardinality" | "drop-cardinality";
  description: string;
  /** The mutated setting, as it would read in the rule. */
  shown: string;
  data: EngineRule["data"];
  /** Where the setting is in the rule file. */
  path: (string | number)[];
}

export function ruleMutants(rule: EngineRule): RuleMutant[] {
  if (rule.data.type !== "threshold") return [];
  const t = rule.data.threshold as Record<string, unknown>;
  const settings = thresholdOf(rule);
  const out: RuleMutant[] = [];
  const withThreshold = (threshold: Record<string, unknown>): EngineRule["data"] => ({
    ...rule.data,
    threshold,
  });
  out.push({
    operator: "raise-threshold",
    description: `threshold.value ${settings.value} → ${settings.value + 1}`,
    shown: `threshold.value: ${settings.value + 1}`,
    data: withThreshold({ ...t, value: settings.value + 1 }),
    path: ["threshold", "value"],
  });
  // With a cardinality of at least `value` distinct values, a group has at least that many events: lowering
  // `value` is an equivalent mutant, which no fixture can kill.
  const impliedByCardinality = (settings.cardinality?.value ?? 0) >= settings.value - 1;
  if (settings.value > 1 && !impliedByCardinality)
    out.push({
      operator: "lower-threshold",
      description: `threshold.value ${settings.value} → ${settings.value - 1}`,
      shown: `threshold.value: ${settings.value - 1}`,
      data: withThreshold({ ...t, value: settings.value - 1 }),
      path: ["threshold", "value"],
    });
  settings.fields.forEach((field, i) => {
    const rest = settings.fields.filter((_, j) => j !== i);
    out.push({
      operator: "drop-group-field",
      description: `threshold.field without ${field}`,
      shown: `threshold.field: [${rest.join(", ")}]`,
      data: withThreshold({ ...t, field: rest }),
      path: Array.isArray(t.field) ? ["threshold", "field", i] : ["threshold", "field"],
    });
  });
  const card = settings.cardinality;
  if (card) {
    for (const value of [card.value + 1, card.value - 1].filter((v) => v >= 1))
      out.push({
        operator: "change-cardinality",
        description: `cardinality of ${card.field} ${card.value} → ${value}`,
        shown: `threshold.cardinality: [{field: ${card.field}, value: ${value}}]`,
        data: withThreshold({ ...t, cardinality: [{ field: card.field, value }] }),
        path: ["threshold", "cardinality", 0, "value"],
      });
    const { cardinality: _c, ...without } = t;
    out.push({
      operator: "drop-cardinality",
      description: `no cardinality condition on ${card.field}`,
      shown: "threshold without cardinality",
      data: withThreshold(without),
      path: ["threshold", "cardinality"],
    });
  }
  return out;
}
