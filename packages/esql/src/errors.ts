import type { Span } from "@dac/fields";

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/**
 * An ES|QL syntax error. The message follows Elasticsearch's parser wording (ANTLR's `mismatched input ...
 * expecting ...`, or the ParsingExceptions of x-pack/plugin/esql/.../parser/ExpressionBuilder.java and
 * LogicalPlanBuilder.java), without the `line L:C:` prefix: `line` and `column` carry it.
 */
export class EsqlSyntaxError extends Error {
  /** Offset into the query, in UTF-16 code units. */
  readonly offset: number;
  /** End offset (exclusive) of the offending text. */
  readonly end: number;
  readonly line: number;
  readonly column: number;

  constructor(query: string, offset: number, end: number, message: string) {
    super(message);
    this.name = "EsqlSyntaxError";
    this.offset = offset;
    this.end = Math.max(end, offset);
    const lc = lineColumn(query, offset);
    this.line = lc.line;
    this.column = lc.column;
  }
}

/** A runtime error Elasticsearch would raise for the query (a verification or evaluation failure), with its span. */
export class EsqlEvaluationError extends Error {
  readonly span: Span;
  /** The validation code (DAC44x) when the error is a finding of the engine's walk. */
  readonly code: string | undefined;
  /** What to do about it, when the finding says (where lookup rows come from, say). */
  readonly hint: string | undefined;
  constructor(message: string, span: Span, code?: string, hint?: string) {
    super(message);
    this.name = "EsqlEvaluationError";
    this.span = span;
    this.code = code;
    this.hint = hint;
  }
}
