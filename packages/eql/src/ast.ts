/**
 * The EQL syntax tree. It follows Elasticsearch's grammar (x-pack/plugin/eql/src/main/antlr/EqlBase.g4): a query
 * (event filter, sequence or sample) followed by pipes. Every node carries the span of query text it came from,
 * so diagnostics can point at it.
 */

/** Offsets into the query text, in UTF-16 code units: `start` inclusive, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface EqlQuery {
  type: "query";
  body: EventFilter | SequenceQuery | SampleQuery;
  pipes: Pipe[];
  span: Span;
  /** Line and block comments, which `print` does not keep. */
  comments?: Span[];
}

/** `<category> where <condition>`; `category` is null for `any where`. */
export interface EventFilter {
  type: "event";
  category: string | null;
  categorySpan: Span;
  condition: Expression;
  span: Span;
}

export interface MaxSpan {
  value: number;
  unit: "ms" | "s" | "m" | "h" | "d";
  /** In milliseconds. */
  millis: number;
  span: Span;
}

export interface SequenceStep {
  type: "step";
  filter: EventFilter;
  /** The step's own join keys (the sequence's `by` keys come first, see `joinKeys`). */
  by: Expression[];
  /** `![ ... ]`: an event that must not occur between its neighbours. */
  missing: boolean;
  /** `with runs=N`: the step repeated N times. */
  runs?: number;
  span: Span;
}

export interface SequenceQuery {
  type: "sequence";
  by: Expression[];
  maxspan?: MaxSpan;
  steps: SequenceStep[];
  until?: SequenceStep;
  span: Span;
}

export interface SampleQuery {
  type: "sample";
  by: Expression[];
  steps: SequenceStep[];
  span: Span;
}

export interface Pipe {
  type: "pipe";
  name: "head" | "tail";
  count: number;
  span: Span;
}

export type Expression =
  | FieldRef
  | Literal
  | NotExpr
  | LogicalExpr
  | CompareExpr
  | ArithmeticExpr
  | NegateExpr
  | InExpr
  | MatchExpr
  | CallExpr;

export interface FieldRef {
  type: "field";
  /** Dotted name, backquotes removed. */
  name: string;
  /** `?field`: an optional field, which may be missing from the mapping. */
  optional: boolean;
  span: Span;
}

export interface Literal {
  type: "literal";
  value: string | number | boolean | null;
  /** `integer` and `decimal` are both numbers; ES types integers as integer/long and decimals as double. */
  kind: "string" | "integer" | "decimal" | "boolean" | "null";
  /** The literal as written (for `print`). */
  raw: string;
  span: Span;
}

export interface NotExpr {
  type: "not";
  operand: Expression;
  span: Span;
}

export interface LogicalExpr {
  type: "and" | "or";
  left: Expression;
  right: Expression;
  span: Span;
}

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export interface CompareExpr {
  type: "compare";
  op: CompareOp;
  left: Expression;
  right: Expression;
  span: Span;
}

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%";

export interface ArithmeticExpr {
  type: "arithmetic";
  op: ArithmeticOp;
  left: Expression;
  right: Expression;
  span: Span;
}

export interface NegateExpr {
  type: "negate";
  operand: Expression;
  span: Span;
}

/** `value in (...)`, `value in~ (...)`, `value not in (...)`. */
export interface InExpr {
  type: "in";
  value: Expression;
  list: Expression[];
  negated: boolean;
  insensitive: boolean;
  span: Span;
}

export type MatchOp = ":" | "like" | "like~" | "regex" | "regex~";

/** `value : "pattern"`, `value like ("a*", "b*")`, `value regex~ "..."`: the patterns are constants. */
export interface MatchExpr {
  type: "match";
  op: MatchOp;
  value: Expression;
  patterns: Literal[];
  /** Written as a parenthesised list. */
  list: boolean;
  span: Span;
}

export interface CallExpr {
  type: "call";
  /** Name as written, without `~`. */
  name: string;
  /** `name~(...)`: the case-insensitive form. */
  insensitive: boolean;
  args: Expression[];
  span: Span;
  nameSpan: Span;
}
