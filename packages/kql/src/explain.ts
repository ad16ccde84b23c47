/**
 * `explain`: why a rule query matches a document or not, clause by clause. It runs the same plan as `compile`
 * (the same per-field queries and value predicates) but collects each field's values generically instead of
 * through the compiled walkers, so the conformance tests that compare the two also check the walkers.
 */
import type { KqlNode, Span } from "./ast.js";
import type { EsFieldType } from "@dac/fields";
import { objectsAt, valuesAt } from "@dac/fields";
import { buildPlan, type CompileOptions, type FieldQuery, type Plan } from "./evaluate-plan.js";
import { queryTree } from "./evaluate.js";

export interface ExplainNode {
  kind: "and" | "or" | "not" | "matchAll" | "nested" | "clause" | "field";
  /** The clause as written in the query (whitespace collapsed). */
  text: string;
  span: Span;
  matched: boolean;
  /** Why, for a person. */
  reason: string;
  /** For a clause on one field, and for `field` nodes: the field, its type and the query Kibana sends. */
  field?: string;
  fieldType?: EsFieldType;
  query?: string;
  /** The field's values in the document. */
  values?: unknown[];
  children: ExplainNode[];
}

const MAX_LISTED = 10;

function describe(node: KqlNode): string {
  switch (node.type) {
    case "and":
    case "or":
      return node.children.map(describe).join(` ${node.type} `);
    case "not":
      return `not ${describe(node.child)}`;
    case "matchAll":
      return "*";
    case "nested":
      return `${node.path.name}:{ ${describe(node.child)} }`;
    case "is": {
      const value =
        node.value.type === "wildcard" ? node.value.parts.join("*") : JSON.stringify(node.value.value);
      return node.field ? `${node.field.name}:${value}` : value;
    }
    case "range":
      return `${node.field.name} ${{ gt: ">", gte: ">=", lt: "<", lte: "<=" }[node.operator]} ${JSON.stringify(node.value.value)}`;
  }
}

function textOf(node: KqlNode, source: string | undefined): string {
  const raw = source === undefined ? describe(node) : source.slice(node.span.start, node.span.end);
  return raw.replace(/\s+/g, " ").trim();
}

function fieldNode(query: FieldQuery, values: unknown[], text: string, span: Span): ExplainNode {
  const matcher = query.matcher;
  const matched = query.info !== undefined && (matcher.constant ?? values.some(matcher.match));
  const node: ExplainNode = {
    kind: "field",
    text,
    span,
    matched,
    reason: matcher.explain(values, matched),
    field: query.field,
    query: query.dsl,
    values,
    children: [],
  };
  if (query.info) node.fieldType = query.info.type;
  return node;
}

function explainClause(plan: Plan & { kind: "clause" }, doc: unknown, text: string): ExplainNode {
  const span = plan.node.span;
  const values = (q: FieldQuery) =>
    !q.info ? [] : q.objectValued ? objectsAt(doc, q.path) : valuesAt(doc, q.path);
  const fields = plan.queries.map((q) => fieldNode(q, values(q), text, span));
  for (const { query, values } of plan.documentFields?.queries(doc) ?? [])
    fields.push(fieldNode(query, values, text, span));
  const matched = fields.some((f) => f.matched);
  if (fields.length === 1 && !plan.documentFields) return { ...fields[0]!, kind: "clause" };
  const listed = matched ? fields.filter((f) => f.matched) : fields.slice(0, MAX_LISTED);
  const reason = matched
    ? `matches through ${listed.map((f) => `\`${f.field}\``).join(", ")}`
    : fields.length === 0
      ? plan.node.field === null
        ? "no searchable field of the document matches"
        : "no field of the catalogue or the document matches the field pattern"
      : `none of the ${fields.length} fields matches`;
  return { kind: "clause", text, span, matched, reason, children: listed };
}

function explainPlan(plan: Plan, doc: unknown, source: string | undefined): ExplainNode {
  const text = textOf(plan.node, source);
  const span = plan.node.span;
  switch (plan.kind) {
    case "and": {
      const children = plan.children.map((c) => explainPlan(c, doc, source));
      const failing = children.filter((c) => !c.matched);
      const matched = failing.length === 0;
      const reason = matched
        ? `all ${children.length} conditions hold`
        : `${failing.length} of ${children.length} conditions do not hold: ${failing.map((c) => c.text).join("; ")}`;
      return { kind: "and", text, span, matched, reason, children };
    }
    case "or": {
      const children = plan.children.map((c) => explainPlan(c, doc, source));
      const hits = children.filter((c) => c.matched);
      const matched = hits.length > 0;
      const reason = matched
        ? `matches through ${hits.map((c) => c.text).join("; ")}`
        : `none of the ${children.length} alternatives holds`;
      return { kind: "or", text, span, matched, reason, children };
    }
    case "not": {
      const child = explainPlan(plan.child, doc, source);
      const reason = child.matched
        ? "the negated clause matches, so `not` (must_not) excludes the document"
        : "the negated clause does not match, so `not` (must_not) keeps the document";
      return { kind: "not", text, span, matched: !child.matched, reason, children: [child] };
    }
    case "matchAll":
      return { kind: "matchAll", text, span, matched: true, reason: "matches every document", children: [] };
    case "nested": {
      const objects = objectsAt(doc, plan.relative);
      const traces = objects.map((o, i) => ({ i, trace: explainPlan(plan.child, o, source) }));
      const hit = traces.find((t) => t.trace.matched);
      const label = (t: { i: number; trace: ExplainNode }) => ({
        ...t.trace,
        reason: `object #${t.i + 1}: ${t.trace.reason}`,
      });
      const reason = hit
        ? `object #${hit.i + 1} of nested field \`${plan.path}\` satisfies the conditions`
        : objects.length === 0
          ? `nested field \`${plan.path}\` is missing`
          : `none of the ${objects.length} objects of nested field \`${plan.path}\` satisfies all conditions in the same object`;
      const children = hit ? [label(hit)] : traces.slice(0, MAX_LISTED).map(label);
      return {
        kind: "nested",
        text,
        span,
        matched: hit !== undefined,
        reason,
        field: plan.path,
        fieldType: "nested",
        children,
      };
    }
    case "clause":
      return explainClause(plan, doc, text);
  }
}

/**
 * Explains a query against one document: every clause with whether it matched and why, the field's values, and
 * the query Kibana sends for it. Agrees with `compile` on every document.
 */
export function explain(query: string | KqlNode, doc: object, options: CompileOptions = {}): ExplainNode {
  const plan = buildPlan(queryTree(query), options);
  return explainPlan(plan, doc, typeof query === "string" ? query : undefined);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The trace as indented text, one line per clause, ✓ or ✗ first. */
export function formatExplain(trace: ExplainNode): string {
  const lines: string[] = [];
  const walk = (node: ExplainNode, depth: number) => {
    const field = node.kind === "field" && node.field ? `${node.field}: ` : "";
    const text = node.kind === "field" ? field : `${clip(node.text, 100)} — `;
    lines.push(`${"  ".repeat(depth)}${node.matched ? "✓" : "✗"} ${text}${node.reason}`);
    for (const child of node.children) walk(child, depth + 1);
  };
  walk(trace, 0);
  return lines.join("\n");
}
