/**
 * The ES|QL syntax tree. Every node carries its `span` (offsets into the query text, UTF-16 code units). The shapes
 * follow Elasticsearch's grammar (x-pack/plugin/esql/src/main/antlr/EsqlBaseParser.g4): a source command, then
 * processing commands separated by `|`.
 */
import type { Span } from "@dac/fields";

export type { Span };

export interface EsqlQuery {
  source: SourceCommand;
  commands: ProcessingCommand[];
  span: Span;
  /** The text the spans index (names of unnamed columns and warning positions come from it). */
  text: string;
}

// ---- Expressions ----

export type Literal =
  | { type: "null"; span: Span }
  | { type: "boolean"; value: boolean; span: Span }
  | { type: "integer"; value: number; text: string; span: Span }
  | { type: "decimal"; value: number; text: string; span: Span }
  | { type: "string"; value: string; triple: boolean; span: Span }
  /** `1 hour`, `7 days`: a time_duration or date_period literal. */
  | { type: "quantity"; value: number; unit: string; span: Span }
  /** `[1, 2, 3]`: a multi-valued constant. */
  | { type: "list"; items: Literal[]; span: Span };

export interface Param {
  type: "param";
  /** `?name` → name, `?1` → "1", `?` → positional index as a string. */
  name: string;
  positional: boolean;
  span: Span;
}

export interface Column {
  type: "column";
  /** The column name with backquotes removed (`` `a.b` `` → `a.b`). */
  name: string;
  /** Whether the source text quoted it with backquotes (the printer keeps quotes only where needed). */
  quoted: boolean;
  span: Span;
}

export interface FunctionCall {
  type: "call";
  /** Upper-cased name. */
  name: string;
  nameSpan: Span;
  args: Expression[];
  /** `COUNT(*)`. */
  star: boolean;
  span: Span;
}

export interface MapLiteral {
  type: "map";
  entries: { key: string; value: Expression }[];
  span: Span;
}

export type BinaryOperator =
  "+" | "-" | "*" | "/" | "%" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "AND" | "OR";

export interface Binary {
  type: "binary";
  op: BinaryOperator;
  left: Expression;
  right: Expression;
  span: Span;
}

export interface Unary {
  type: "unary";
  op: "NOT" | "-" | "+";
  operand: Expression;
  span: Span;
}

export interface InList {
  type: "in";
  negated: boolean;
  value: Expression;
  list: Expression[];
  span: Span;
}

export interface Like {
  type: "like";
  op: "LIKE" | "RLIKE";
  negated: boolean;
  value: Expression;
  /** One pattern, or several with the `LIKE ("a*", "b*")` list form. */
  patterns: Extract<Literal, { type: "string" }>[] | Param[];
  list: boolean;
  span: Span;
}

export interface IsNull {
  type: "isNull";
  negated: boolean;
  value: Expression;
  span: Span;
}

export interface Cast {
  type: "cast";
  value: Expression;
  /** Lower-cased target type name as written (`double`, `long`, `ip`...). */
  to: string;
  span: Span;
}

/** `field : "query"` full-text match operator. */
export interface MatchOperator {
  type: "match";
  field: Column;
  query: Expression;
  span: Span;
}

export type Expression =
  | Literal
  | Param
  | Column
  | FunctionCall
  | MapLiteral
  | Binary
  | Unary
  | InList
  | Like
  | IsNull
  | Cast
  | MatchOperator;

/** `name = expression` or a bare expression (whose column name is its source text). */
export interface Field {
  name?: Column;
  value: Expression;
  span: Span;
}

// ---- Commands ----

export interface IndexPattern {
  /** As written, quotes removed: `logs-*`, `remote:logs-*`, `-excluded*`. */
  pattern: string;
  span: Span;
}

export interface FromCommand {
  type: "from";
  indices: IndexPattern[];
  metadata: Column[];
  span: Span;
}

export interface RowCommand {
  type: "row";
  fields: Field[];
  span: Span;
}

export type SourceCommand = FromCommand | RowCommand;

export interface WhereCommand {
  type: "where";
  condition: Expression;
  span: Span;
}

export interface EvalCommand {
  type: "eval";
  fields: Field[];
  span: Span;
}

/** An aggregate with an optional `WHERE` filter (`COUNT(*) WHERE x == 1`). */
export interface AggregateField extends Field {
  filter?: Expression;
}

export interface StatsCommand {
  type: "stats";
  inline: boolean;
  aggregates: AggregateField[];
  groups: Field[];
  span: Span;
}

/** A column name or a pattern with `*`. */
export interface NamePattern {
  pattern: string;
  span: Span;
}

export interface KeepCommand {
  type: "keep";
  patterns: NamePattern[];
  span: Span;
}

export interface DropCommand {
  type: "drop";
  patterns: NamePattern[];
  span: Span;
}

export interface RenameCommand {
  type: "rename";
  renames: { from: NamePattern; to: Column; span: Span }[];
  span: Span;
}

export interface SortKey {
  value: Expression;
  order: "ASC" | "DESC";
  /** Explicit `NULLS FIRST|LAST`; the default is nulls last for ASC and first for DESC. */
  nulls?: "FIRST" | "LAST";
  span: Span;
}

export interface SortCommand {
  type: "sort";
  keys: SortKey[];
  span: Span;
}

export interface LimitCommand {
  type: "limit";
  count: number;
  countSpan: Span;
  span: Span;
}

export interface MvExpandCommand {
  type: "mv_expand";
  column: Column;
  span: Span;
}

export interface DissectCommand {
  type: "dissect";
  input: Expression;
  pattern: Extract<Literal, { type: "string" }>;
  appendSeparator?: string;
  span: Span;
}

export interface GrokCommand {
  type: "grok";
  input: Expression;
  patterns: Extract<Literal, { type: "string" }>[];
  span: Span;
}

export interface EnrichCommand {
  type: "enrich";
  policy: string;
  /** `_any:`, `_coordinator:`, `_remote:` prefix, when written. */
  mode?: string;
  policySpan: Span;
  on?: Column;
  with: { name?: Column; field: Column; span: Span }[];
  span: Span;
}

export interface LookupJoinCommand {
  type: "lookup_join";
  index: string;
  indexSpan: Span;
  on: Column[];
  span: Span;
}

export interface CompletionCommand {
  type: "completion";
  target?: Column;
  prompt: Expression;
  options?: MapLiteral;
  /** The older `COMPLETION prompt WITH inference_id [AS target]` form. */
  inferenceId?: string;
  span: Span;
}

export interface SampleCommand {
  type: "sample";
  probability: number;
  span: Span;
}

export type ProcessingCommand =
  | WhereCommand
  | EvalCommand
  | StatsCommand
  | KeepCommand
  | DropCommand
  | RenameCommand
  | SortCommand
  | LimitCommand
  | MvExpandCommand
  | DissectCommand
  | GrokCommand
  | EnrichCommand
  | LookupJoinCommand
  | CompletionCommand
  | SampleCommand;

export type Command = SourceCommand | ProcessingCommand;
