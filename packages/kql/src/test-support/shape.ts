/**
 * Compact, readable form of a syntax tree for test tables (spans left out):
 * `or(is(a, 'b'), not(is("quoted field", "phrase")))`, wildcards as `~["foo",""]`, free text as `is(null, ...)`.
 */
import type { FieldNode, KqlNode, LiteralNode, ValueNode } from "../ast.js";

export function shape(node: KqlNode): string {
  switch (node.type) {
    case "or":
    case "and":
      return `${node.type}(${node.children.map(shape).join(", ")})`;
    case "not":
      return `not(${shape(node.child)})`;
    case "nested":
      return `nested(${field(node.path)}, ${shape(node.child)})`;
    case "is":
      return `is(${node.field === null ? "null" : field(node.field)}, ${value(node.value)})`;
    case "range":
      return `range(${field(node.field)} ${node.operator} ${literal(node.value)})`;
    case "matchAll":
      return "matchAll";
  }
}

function field(f: FieldNode): string {
  if (f.wildcard !== null) return `~${JSON.stringify(f.wildcard)}`;
  return f.quoted ? JSON.stringify(f.name) : f.name;
}

function value(v: ValueNode): string {
  return v.type === "wildcard" ? `~${JSON.stringify(v.parts)}` : literal(v);
}

function literal(l: LiteralNode): string {
  if (typeof l.value !== "string") return String(l.value);
  return l.quoted ? JSON.stringify(l.value) : `'${JSON.stringify(l.value).slice(1, -1)}'`;
}

/** A deep copy of a tree without any `span`, for structural comparison. */
export function stripSpans<T>(node: T): T {
  return JSON.parse(JSON.stringify(node, (key, v: unknown) => (key === "span" ? undefined : v))) as T;
}
