/**
 * A KQL syntax error, reported the way Kibana reports it: the offset of the furthest point the grammar reached,
 * what it expected there and what it found. `message` is Kibana's short message
 * ("Expected AND, OR, end of input but \":\" found.").
 */
export class KqlSyntaxError extends Error {
  /** Offset into the query, in UTF-16 code units. */
  readonly offset: number;
  /** 1-based line within the query. */
  readonly line: number;
  /** 1-based column within the line, in UTF-16 code units. */
  readonly column: number;
  /** What the grammar expected at `offset`, sorted as Kibana sorts it (empty for a rule error such as leading wildcards). */
  readonly expected: string[];
  /** The character found at `offset`, or null at the end of the input. */
  readonly found: string | null;
  readonly query: string;

  constructor(query: string, offset: number, expected: string[], found: string | null, message?: string) {
    super(message ?? expectedMessage(expected, found));
    this.name = "KqlSyntaxError";
    this.query = query;
    this.offset = offset;
    this.expected = expected;
    this.found = found;
    const before = query.slice(0, offset);
    const lastBreak = before.lastIndexOf("\n");
    this.line = 1 + countBreaks(before);
    this.column = offset - lastBreak;
  }

  /** Kibana's full message: the short message, the query and a caret under the offset. */
  get detail(): string {
    return `${this.message}\n${this.query}\n${"-".repeat(this.offset)}^`;
  }
}

function expectedMessage(expected: string[], found: string | null): string {
  return `Expected ${expected.join(", ")} but ${found === null ? "end of input" : `"${found}"`} found.`;
}

function countBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
