/**
 * Mutations of an EQL query, for mutation testing: each is the query with one small change a weak fixture set
 * would not notice. Event conditions: swap `==` for `:` (and back), drop one operand of an `and`/`or`, remove a
 * `not`, widen the category to `any`. Sequences: drop a step, widen `maxspan` tenfold, drop `maxspan`, drop `until`.
 */
import type { EqlQuery, EventFilter, Expression, SequenceQuery, Span } from "./ast.js";
import { printExpression } from "./print.js";

export interface EqlMutation {
  operator:
    | "swap-equals-match"
    | "drop-clause"
    | "remove-not"
    | "any-category"
    | "drop-step"
    | "widen-maxspan"
    | "drop-maxspan"
    | "drop-until";
  description: string;
  span: Span;
  query: EqlQuery;
}

/** Every variant of `e` with one change, with what changed and where. */
function expressionMutations(
  e: Expression,
): { e: Expression; operator: EqlMutation["operator"]; description: string; span: Span }[] {
  const out: { e: Expression; operator: EqlMutation["operator"]; description: string; span: Span }[] = [];
  if (
    e.type === "compare" &&
    (e.op === "==" || e.op === "!=") &&
    e.right.type === "literal" &&
    e.right.kind === "string" &&
    e.op === "=="
  )
    out.push({
      e: { type: "match", op: ":", value: e.left, patterns: [e.right], list: false, span: e.span },
      operator: "swap-equals-match",
      description: `\`${printExpression(e)}\` → \`${printExpression(e.left)} : ${printExpression(e.right)}\``,
      span: e.span,
    });
  if (
    e.type === "match" &&
    e.op === ":" &&
    e.patterns.length === 1 &&
    !/[*?]/.test(String(e.patterns[0]!.value))
  )
    out.push({
      e: { type: "compare", op: "==", left: e.value, right: e.patterns[0]!, span: e.span },
      operator: "swap-equals-match",
      description: `\`${printExpression(e)}\` → \`${printExpression(e.value)} == ${printExpression(e.patterns[0]!)}\``,
      span: e.span,
    });
  if (e.type === "and" || e.type === "or") {
    out.push({
      e: e.right,
      operator: "drop-clause",
      description: `drop \`${printExpression(e.left)}\``,
      span: e.left.span,
    });
    out.push({
      e: e.left,
      operator: "drop-clause",
      description: `drop \`${printExpression(e.right)}\``,
      span: e.right.span,
    });
    for (const m of expressionMutations(e.left)) out.push({ ...m, e: { ...e, left: m.e } });
    for (const m of expressionMutations(e.right)) out.push({ ...m, e: { ...e, right: m.e } });
  }
  if (e.type === "not") {
    out.push({
      e: e.operand,
      operator: "remove-not",
      description: `\`${printExpression(e)}\` → \`${printExpression(e.operand)}\``,
      span: e.span,
    });
    for (const m of expressionMutations(e.operand)) out.push({ ...m, e: { ...e, operand: m.e } });
  }
  return out;
}

function filterMutations(
  f: EventFilter,
): { f: EventFilter; operator: EqlMutation["operator"]; description: string; span: Span }[] {
  const out = expressionMutations(f.condition).map((m) => ({
    operator: m.operator,
    description: m.description,
    span: m.span,
    f: { ...f, condition: m.e },
  }));
  if (f.category !== null)
    out.push({
      f: { ...f, category: null },
      operator: "any-category",
      description: `\`${f.category} where\` → \`any where\``,
      span: f.categorySpan,
    });
  return out;
}

/** The mutations of a query, in source order. */
export function mutations(query: EqlQuery): EqlMutation[] {
  const { body } = query;
  if (body.type === "event")
    return filterMutations(body).map((m) => ({
      operator: m.operator,
      description: m.description,
      span: m.span,
      query: { ...query, body: m.f },
    }));
  if (body.type === "sample") return [];
  const seq = (b: SequenceQuery): EqlQuery => ({ ...query, body: b });
  const out: EqlMutation[] = [];
  const positive = body.steps.filter((s) => !s.missing).length;
  body.steps.forEach((step, i) => {
    const weight = step.missing ? 0 : (step.runs ?? 1);
    if (positive > 1 && body.steps.reduce((n, s) => n + (s.missing ? 0 : (s.runs ?? 1)), 0) - weight >= 2)
      out.push({
        operator: "drop-step",
        description: `drop step ${i + 1}`,
        span: step.span,
        query: seq({ ...body, steps: body.steps.filter((_, j) => j !== i) }),
      });
    for (const m of filterMutations(step.filter))
      out.push({
        operator: m.operator,
        description: `step ${i + 1}: ${m.description}`,
        span: m.span,
        query: seq({ ...body, steps: body.steps.map((s, j) => (j === i ? { ...s, filter: m.f } : s)) }),
      });
  });
  if (body.maxspan) {
    const wide = { ...body.maxspan, value: body.maxspan.value * 10, millis: body.maxspan.millis * 10 };
    out.push({
      operator: "widen-maxspan",
      description: `maxspan=${body.maxspan.value}${body.maxspan.unit} → maxspan=${wide.value}${wide.unit}`,
      span: body.maxspan.span,
      query: seq({ ...body, maxspan: wide }),
    });
    const { maxspan: _m, ...rest } = body;
    out.push({
      operator: "drop-maxspan",
      description: "drop maxspan",
      span: body.maxspan.span,
      query: seq(rest),
    });
  }
  if (body.until) {
    const { until: _u, ...rest } = body;
    out.push({ operator: "drop-until", description: "drop until", span: body.until.span, query: seq(rest) });
  }
  return out;
}
