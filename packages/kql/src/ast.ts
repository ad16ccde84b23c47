/**
 * The KQL syntax tree. It mirrors Kibana's kuery AST (`@kbn/es-query`): flat n-ary `and`/`or`, value lists
 * expanded into boolean nodes (`f:(a or b)` is `or[is(f,a), is(f,b)]`), `f:*` as an `is` node whose value is a
 * lone wildcard. Every node carries the span of query text it came from, so diagnostics can point at it.
 */

import type { RangeOperator, Span } from "@dac/fields";

// Shared with every query language: offsets into the query text, and range operators.
export type { RangeOperator, Span };

export type KqlNode = OrNode | AndNode | NotNode | NestedNode | IsNode | RangeNode | MatchAllNode;

export interface OrNode {
  type: "or";
  children: KqlNode[];
  span: Span;
}

export interface AndNode {
  type: "and";
  children: KqlNode[];
  span: Span;
}

export interface NotNode {
  type: "not";
  child: KqlNode;
  span: Span;
}

/** `path:{ child }`. Field names inside `child` are relative to `path`. */
export interface NestedNode {
  type: "nested";
  path: FieldNode;
  child: KqlNode;
  span: Span;
}

/**
 * `field:value`. `field` is null for free text (a value with no field). A value that is a lone wildcard
 * (`f:*`) means "exists". `*:*` and the empty query are `matchAll`, never `is`.
 */
export interface IsNode {
  type: "is";
  field: FieldNode | null;
  value: ValueNode;
  span: Span;
}

/** `field > value`. The value is always a literal (Kibana: `Literal`, quoted or not). */
export interface RangeNode {
  type: "range";
  field: FieldNode;
  operator: RangeOperator;
  value: LiteralNode;
  span: Span;
}

/** The empty query, or `*:*`. */
export interface MatchAllNode {
  type: "matchAll";
  span: Span;
}

/**
 * A field name, unescaped. `wildcard` holds the literal pieces around each unescaped `*` when the name has one
 * (`machine*:osx` → `["machine", ""]`), and is null otherwise.
 */
export interface FieldNode {
  type: "field";
  name: string;
  wildcard: string[] | null;
  quoted: boolean;
  span: Span;
}

export type ValueNode = LiteralNode | WildcardNode;

/**
 * A value with no unescaped `*`. Unquoted `true`, `false` and `null` become JSON values, as in Kibana; every
 * other unquoted value stays a string (`a:1` is the string "1").
 */
export interface LiteralNode {
  type: "literal";
  value: string | boolean | null;
  quoted: boolean;
  span: Span;
}

/**
 * An unquoted value with at least one unescaped `*`. `parts` are the literal (unescaped) pieces between the
 * wildcards: `foo*bar*` → `["foo", "bar", ""]`, a lone `*` → `["", ""]`.
 */
export interface WildcardNode {
  type: "wildcard";
  parts: string[];
  span: Span;
}

/** True for a value that is a lone `*`. */
export function isLoneWildcard(value: ValueNode): boolean {
  return (
    value.type === "wildcard" && value.parts.length === 2 && value.parts[0] === "" && value.parts[1] === ""
  );
}
