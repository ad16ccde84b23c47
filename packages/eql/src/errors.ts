/**
 * An EQL syntax error. `message` uses Elasticsearch's wording where Elasticsearch has its own message (the
 * `ParsingException`s of x-pack/plugin/eql/.../parser/LogicalPlanBuilder.java, ExpressionBuilder.java,
 * AbstractBuilder.java and EqlParser.java), and ANTLR's `mismatched input ... expecting ...` form otherwise.
 */
export class EqlSyntaxError extends Error {
  /** Offset into the query, in UTF-16 code units. */
  readonly offset: number;
  /** End offset (exclusive) of the offending text. */
  readonly end: number;
  /** 1-based line within the query. */
  readonly line: number;
  /** 1-based column within the line. */
  readonly column: number;
  readonly query: string;

  constructor(query: string, offset: number, end: number, message: string) {
    super(message);
    this.name = "EqlSyntaxError";
    this.query = query;
    this.offset = offset;
    this.end = Math.max(end, offset);
    const before = query.slice(0, offset);
    this.line = before.split("\n").length;
    this.column = offset - before.lastIndexOf("\n");
  }
}
