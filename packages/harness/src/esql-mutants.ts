/**
 * Coverage and mutation for ES|QL rules: the `WHERE` conditions and the `STATS` thresholds.
 *
 * - Coverage: the conjuncts (and `OR` alternatives, `NOT`s) of the `WHERE` commands that events pass through,
 *   that is, before the first `STATS` (after it the rows are groups, not events). A leaf holds for an event when
 *   the query up to its `WHERE`, then `WHERE <leaf>`, returns a row for that event alone.
 * - Mutants, in every `WHERE` (a threshold after `STATS` included): flip a comparison (`>=` → `>`, `<` → `<=`,
 *   `==` ↔ `!=`), shift a numeric threshold by one, drop a conjunct, keep one alternative of an `OR`, remove a
 *   `NOT` (or the negation of `NOT IN`, `NOT LIKE`, `IS NOT NULL`), and drop a whole `WHERE`. Each mutant is a
 *   whole query, rerun through whole executions: a `STATS` threshold is only judged on the groups.
 */
import { evaluateEsql, printEsql } from "@dac/esql";
import type { EsqlQuery, Expression, WhereCommand } from "@dac/esql";
import { boundedMutants } from "./engine.js";
import type { ClauseTree, CompiledRule, EngineContext, EngineRule, Mutant, TextSpan } from "./engine.js";
import { esqlRows, lookupInput } from "./esql-alerts.js";

interface ExprMutant {
  expr: Expression | undefined;
  operator: string;
  description: string;
  span: TextSpan;
}

const flips: Record<string, string> = { ">=": ">", ">": ">=", "<=": "<", "<": "<=", "==": "!=", "!=": "==" };
const ordering = new Set([">=", ">", "<=", "<"]);

function exprMutants(e: Expression, text: string): ExprMutant[] {
  const src = (x: Expression) => text.slice(x.span.start, x.span.end).replace(/\s+/g, " ");
  const out: ExprMutant[] = [];
  if (e.type === "binary" && (e.op === "AND" || e.op === "OR")) {
    const [kind, verb] = e.op === "AND" ? ["drop-clause", "drop"] : ["drop-branch", "drop the alternative"];
    out.push(
      { expr: e.right, operator: kind, description: `${verb} \`${src(e.left)}\``, span: e.left.span },
      { expr: e.left, operator: kind, description: `${verb} \`${src(e.right)}\``, span: e.right.span },
    );
    for (const m of exprMutants(e.left, text)) out.push({ ...m, expr: m.expr && { ...e, left: m.expr } });
    for (const m of exprMutants(e.right, text)) out.push({ ...m, expr: m.expr && { ...e, right: m.expr } });
    // A dropped child leaves its parent's other side (`drop` above), so `expr: undefined` never reaches here.
    return out.filter((m) => m.expr !== undefined);
  }
  if (e.type === "unary" && e.op === "NOT") {
    out.push({
      expr: e.operand,
      operator: "remove-not",
      description: `\`${src(e)}\` without NOT`,
      span: e.span,
    });
    for (const m of exprMutants(e.operand, text))
      if (m.expr) out.push({ ...m, expr: { ...e, operand: m.expr } });
    return out;
  }
  if ((e.type === "in" || e.type === "like" || e.type === "isNull") && e.negated)
    out.push({
      expr: { ...e, negated: false },
      operator: "remove-not",
      description: `\`${src(e)}\` without NOT`,
      span: e.span,
    });
  if (e.type === "binary" && flips[e.op]) {
    const to = flips[e.op]!;
    out.push({
      expr: { ...e, op: to as typeof e.op },
      operator: "flip-comparison",
      description: `\`${src(e)}\` with ${to} for ${e.op}`,
      span: e.span,
    });
    if (ordering.has(e.op))
      for (const [side, literal] of [
        ["right", e.right],
        ["left", e.left],
      ] as const) {
        if (literal.type !== "integer" && literal.type !== "decimal") continue;
        for (const delta of [1, -1]) {
          const value = literal.value + delta;
          const shifted = { ...literal, value, text: String(value) };
          out.push({
            expr: side === "right" ? { ...e, right: shifted } : { ...e, left: shifted },
            operator: "shift-threshold",
            description: `\`${src(e)}\` with ${value} for ${literal.value}`,
            span: literal.span,
          });
        }
      }
  }
  return out;
}

export function esqlMutants(
  rule: EngineRule,
  ast: EsqlQuery,
  limit: number,
  compile: (mutant: EsqlQuery, context: EngineContext) => CompiledRule,
): { mutants: Mutant[]; skipped: number } {
  const text = typeof rule.data.query === "string" ? rule.data.query : "";
  const all: { query: EsqlQuery; operator: string; description: string; span: TextSpan }[] = [];
  ast.commands.forEach((command, i) => {
    if (command.type !== "where") return;
    const replace = (condition: Expression | undefined): EsqlQuery => ({
      ...ast,
      commands: condition
        ? ast.commands.map((c, k) => (k === i ? { ...(c as WhereCommand), condition } : c))
        : ast.commands.filter((_, k) => k !== i),
    });
    all.push({
      query: replace(undefined),
      operator: "drop-where",
      description: `drop \`| ${text.slice(command.span.start, command.span.end).replace(/\s+/g, " ")}\``,
      span: command.span,
    });
    for (const m of exprMutants(command.condition, text))
      all.push({ query: replace(m.expr), operator: m.operator, description: m.description, span: m.span });
  });
  return boundedMutants(all, limit, printEsql, compile);
}

/** The `WHERE` conditions events pass through, as one clause tree. */
export function esqlClauses(ast: EsqlQuery, rule: EngineRule, context: EngineContext): ClauseTree {
  const text = typeof rule.data.query === "string" ? rule.data.query : "";
  const stats = ast.commands.findIndex((c) => c.type === "stats");
  const upTo = stats < 0 ? ast.commands.length : stats;
  const trees: ClauseTree[] = [];
  for (let i = 0; i < upTo; i++) {
    const command = ast.commands[i]!;
    if (command.type !== "where") continue;
    const before = ast.commands.slice(0, i);
    const tree = (e: Expression): ClauseTree => {
      const src = text.slice(e.span.start, e.span.end);
      if (e.type === "binary" && (e.op === "AND" || e.op === "OR")) {
        const parts: Expression[] = [];
        const flatten = (x: Expression): void => {
          if (x.type === "binary" && x.op === e.op) {
            flatten(x.left);
            flatten(x.right);
          } else parts.push(x);
        };
        flatten(e);
        return { kind: e.op === "AND" ? "and" : "or", children: parts.map(tree), text: src, span: e.span };
      }
      if (e.type === "unary" && e.op === "NOT")
        return { kind: "not", child: tree(e.operand), text: src, span: e.span };
      const probe: EsqlQuery = {
        ...ast,
        commands: [...before, { type: "where", condition: e, span: e.span }],
      };
      return {
        kind: "leaf",
        text: src,
        span: e.span,
        test: (event) => {
          try {
            return (
              evaluateEsql(probe, {
                rows: esqlRows([event], ["0"]),
                catalog: context.catalog,
                ...(context.now ? { now: context.now } : {}),
                ...lookupInput(context.lookups),
              }).values.length > 0
            );
          } catch {
            return false;
          }
        },
      };
    };
    trees.push(tree(command.condition));
  }
  if (trees.length === 1) return trees[0]!;
  return {
    kind: "and",
    children: trees,
    text: text.slice(ast.source.span.start, ast.span.end),
    span: ast.span,
  };
}
