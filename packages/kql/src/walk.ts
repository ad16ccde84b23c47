/** Walking a KQL syntax tree: a generic visitor and the list of fields a query names. */
import type { FieldNode, IsNode, KqlNode, NestedNode, RangeNode, Span } from "./ast.js";

export interface VisitContext {
  parent: KqlNode | null;
  /** Full path of the innermost `path:{ ... }` group around the node, or null outside any. */
  nestedPath: string | null;
  /** True under an odd number of `not`s. */
  negated: boolean;
}

/**
 * Visit every node depth-first, parents before children. Return `false` from `fn` to skip a node's children.
 * A nested node's children see its full path in `nestedPath`.
 */
export function visit(ast: KqlNode, fn: (node: KqlNode, context: VisitContext) => void | boolean): void {
  const walk = (node: KqlNode, context: VisitContext): void => {
    if (fn(node, context) === false) return;
    switch (node.type) {
      case "and":
      case "or":
        for (const child of node.children) walk(child, { ...context, parent: node });
        return;
      case "not":
        walk(node.child, { ...context, parent: node, negated: !context.negated });
        return;
      case "nested":
        walk(node.child, {
          ...context,
          parent: node,
          nestedPath: fullFieldName(node.path, context.nestedPath),
        });
        return;
      default:
        return;
    }
  };
  walk(ast, { parent: null, nestedPath: null, negated: false });
}

/** A field's full name: inside `path:{ ... }` the names are relative to the path. */
export function fullFieldName(field: FieldNode, nestedPath: string | null): string {
  return nestedPath === null ? field.name : `${nestedPath}.${field.name}`;
}

export interface FieldReference {
  /** Full name, nested paths prefixed. Wildcard names keep their `*`. */
  name: string;
  /** Where the field name is written. */
  span: Span;
  node: IsNode | RangeNode | NestedNode;
}

/**
 * Every field name the query writes, in source order, with nested paths prefixed. Free text names no field.
 * A value list (`f:(a or b)`) writes its field once, so it is listed once.
 */
export function fieldsOf(ast: KqlNode): FieldReference[] {
  const out: FieldReference[] = [];
  const seen = new Set<string>();
  visit(ast, (node, { nestedPath }) => {
    const field =
      node.type === "nested" ? node.path : node.type === "is" || node.type === "range" ? node.field : null;
    if (field === null) return;
    const name = fullFieldName(field, nestedPath);
    // The clauses of a value list share one field (and span); list it once.
    const key = `${field.span.start}:${field.span.end}:${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name, span: field.span, node: node as IsNode | RangeNode | NestedNode });
  });
  return out.sort((a, b) => a.span.start - b.span.start);
}
