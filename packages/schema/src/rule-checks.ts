import type { Diagnostic } from "./diagnostic.js";
import { diagnosticAt, scalarOffsetToPosition } from "./position.js";
import { diagnosticAtPosition } from "./yaml-source.js";
import type { Rule } from "./rule.js";

/** C0 and C1 controls, DEL, and the bidirectional marks, overrides and isolates that reorder what is shown. */
const unprintable = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Elastic prebuilt rule ids: a custom rule that reuses one collides with the prebuilt rule in the same space. */
export const knownPrebuiltRuleIds: ReadonlyMap<string, string> = new Map([
  ["12a2f15d-597e-4334-88ff-38a02cb1330b", "Kubernetes Suspicious Self-Subject Review"],
  ["63c056a0-339a-11ed-a261-0242ac120002", "Kubernetes Denied Service Account Request"],
]);

/** Kibana's severity bands for `risk_score`. */
export const severityBands: Record<string, [number, number]> = {
  low: [0, 21],
  medium: [22, 47],
  high: [48, 73],
  critical: [74, 100],
};

/** Types that search indices and need `index` or `data_view_id`. */
const typesNeedingIndex = new Set(["query", "eql", "threshold", "new_terms", "threat_match"]);

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `5m` → 300. Undefined when not a Kibana interval. */
export function intervalSeconds(interval: string): number | undefined {
  const m = /^([1-9][0-9]*)([smhd])$/.exec(interval);
  return m ? Number(m[1]) * unitSeconds[m[2]!]! : undefined;
}

/** `now-6m` → -360, `now` → 0. Undefined for anything that is not relative date math on seconds to days. */
export function relativeSeconds(expr: string): number | undefined {
  if (expr === "now") return 0;
  const m = /^now([+-])([1-9][0-9]*)([smhd])$/.exec(expr);
  if (!m) return undefined;
  return (m[1] === "-" ? -1 : 1) * Number(m[2]) * unitSeconds[m[3]!]!;
}

/** Checks one rule on its own (the schema has already passed). */
export function checkRule(rule: Rule): Diagnostic[] {
  const { source, data } = rule;
  const out: Diagnostic[] = [];

  if (typeof data.rule_id === "string" && !uuid.test(data.rule_id)) {
    out.push(
      diagnosticAt(source, ["rule_id"], {
        code: "DAC201",
        message: `rule_id \`${data.rule_id}\` is not a UUID`,
        hint: 'generate one with `node -e "console.log(crypto.randomUUID())"`',
      }),
    );
  }
  if (typeof data.name === "string") {
    const at = data.name.search(unprintable);
    if (at >= 0) {
      const code = data.name.charCodeAt(at).toString(16).toUpperCase().padStart(4, "0");
      const start = scalarOffsetToPosition(source, ["name"], at);
      const end = scalarOffsetToPosition(source, ["name"], at + 1);
      out.push(
        diagnosticAtPosition(
          source.file,
          "DAC210",
          `name holds the control character U+${code}: names are shown in Kibana, terminals and reports`,
          start,
          end.line === start.line && end.column > start.column ? end : { ...start, column: start.column + 1 },
          "remove it; write the name as plain text",
        ),
      );
    }
  }
  const prebuilt = knownPrebuiltRuleIds.get(String(data.rule_id).toLowerCase());
  if (prebuilt) {
    out.push(
      diagnosticAt(source, ["rule_id"], {
        code: "DAC208",
        message: `rule_id is the id of Elastic's prebuilt rule "${prebuilt}"; importing it turns the rule into a customised prebuilt rule`,
        hint: "give the rule a fresh UUID",
      }),
    );
  }

  const band = severityBands[data.severity];
  if (
    band &&
    typeof data.risk_score === "number" &&
    (data.risk_score < band[0] || data.risk_score > band[1])
  ) {
    const fitting = Object.entries(severityBands).find(
      ([, [lo, hi]]) => data.risk_score >= lo && data.risk_score <= hi,
    )?.[0];
    out.push(
      diagnosticAt(source, ["risk_score"], {
        code: "DAC204",
        message: `risk_score ${data.risk_score} is outside the ${data.severity} band ${band[0]}–${band[1]}`,
        hint: fitting ? `use a score in ${band[0]}–${band[1]}, or severity \`${fitting}\`` : undefined,
      }),
    );
  }

  out.push(...checkSchedule(rule));

  if (typesNeedingIndex.has(data.type) && !(data.index && data.index.length > 0) && !data.data_view_id) {
    out.push(
      diagnosticAt(source, [], {
        code: "DAC206",
        on: "container",
        message: `a ${data.type} rule needs \`index\` patterns or a \`data_view_id\``,
        hint: "add for example `index: [logs-*]`",
      }),
    );
  }
  if (data.index) {
    data.index.forEach((pattern, i) => {
      if (pattern.trim() === "") {
        out.push(
          diagnosticAt(source, ["index", i], { code: "DAC206", message: "an index pattern is empty" }),
        );
      }
    });
  }

  const seenTags = new Map<string, number>();
  (data.tags ?? []).forEach((tag, i) => {
    const first = seenTags.get(tag.toLowerCase());
    if (first !== undefined) {
      out.push(
        diagnosticAt(source, ["tags", i], {
          code: "DAC207",
          message: `tag "${tag}" repeats tags[${first}]`,
          hint: "remove the repeated tag",
        }),
      );
    } else seenTags.set(tag.toLowerCase(), i);
  });
  return out;
}

function checkSchedule(rule: Rule): Diagnostic[] {
  const { source, data } = rule;
  const out: Diagnostic[] = [];
  const interval = intervalSeconds(data.interval ?? "5m");
  const from = relativeSeconds(data.from ?? "now-6m");
  const to = relativeSeconds(data.to ?? "now");
  if (data.interval !== undefined && interval === undefined) {
    out.push(
      diagnosticAt(source, ["interval"], {
        code: "DAC205",
        message: `interval \`${data.interval}\` is not valid`,
        hint: "write a duration such as `5m`, `1h` or `30s`",
      }),
    );
  }
  if (data.from !== undefined && from === undefined) {
    out.push(
      diagnosticAt(source, ["from"], {
        code: "DAC205",
        message: `from \`${data.from}\` is not valid date math`,
        hint: "write for example `now-6m`",
      }),
    );
  }
  if (data.to !== undefined && to === undefined) {
    out.push(
      diagnosticAt(source, ["to"], {
        code: "DAC205",
        message: `to \`${data.to}\` is not valid date math`,
        hint: "write `now`",
      }),
    );
  }
  if (interval !== undefined && from !== undefined && to !== undefined) {
    if (from >= to) {
      out.push(
        diagnosticAt(source, [data.from !== undefined ? "from" : "to"], {
          code: "DAC205",
          message: `from (${data.from ?? "now-6m"}) must be earlier than to (${data.to ?? "now"})`,
        }),
      );
    } else if (to - from < interval) {
      out.push(
        diagnosticAt(source, [data.from !== undefined ? "from" : "interval"], {
          code: "DAC205",
          severity: "warning",
          message: `the look-back (${data.from ?? "now-6m"} to ${data.to ?? "now"}) is shorter than the interval (${data.interval ?? "5m"}), so events between runs are never searched`,
          hint: `set from to at least now-${Math.ceil(interval / 60) + 1}m`,
        }),
      );
    }
  }
  return out;
}

/** Checks across the whole rule set: unique `rule_id` and `name`. */
export function checkRuleSet(rules: readonly Rule[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byId = new Map<string, Rule>();
  const byName = new Map<string, Rule>();
  for (const rule of rules) {
    const id = String(rule.data.rule_id ?? "").toLowerCase();
    if (id) {
      const first = byId.get(id);
      if (first) {
        out.push(
          diagnosticAt(rule.source, ["rule_id"], {
            code: "DAC202",
            message: `rule_id ${rule.data.rule_id} is also used by ${first.file}`,
            hint: "give this rule a fresh UUID",
          }),
        );
      } else byId.set(id, rule);
    }
    const name = typeof rule.data.name === "string" ? rule.data.name.trim().toLowerCase() : "";
    if (name) {
      const first = byName.get(name);
      if (first) {
        out.push(
          diagnosticAt(rule.source, ["name"], {
            code: "DAC203",
            message: `name "${rule.data.name}" is also used by ${first.file}`,
            hint: "rule names must be unique",
          }),
        );
      } else byName.set(name, rule);
    }
  }
  return out;
}
