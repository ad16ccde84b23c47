/**
 * A hand-written recursive-descent parser for ES|QL, after Elasticsearch's grammar
 * (x-pack/plugin/esql/src/main/antlr/EsqlBaseLexer.g4 and EsqlBaseParser.g4). Operator precedence, loosest first:
 * OR, AND, NOT, the predicates (IN, LIKE, RLIKE, IS NULL, `:`), comparison, `+ -`, `* / %`, unary `-`, `::` casts.
 * Keywords are case-insensitive; `//` and nested `/* *\/` comments count as whitespace.
 */
import type {
  AggregateField,
  BinaryOperator,
  Column,
  Command,
  EsqlQuery,
  Expression,
  Field,
  IndexPattern,
  Literal,
  MapLiteral,
  NamePattern,
  Param,
  ProcessingCommand,
  SortKey,
  SourceCommand,
  Span,
} from "./ast.js";
import { EsqlSyntaxError } from "./errors.js";

type StringLiteral = Extract<Literal, { type: "string" }>;

type Token =
  | { kind: "ident"; text: string; name: string; quoted: boolean; start: number; end: number }
  | { kind: "string"; text: string; value: string; triple: boolean; start: number; end: number }
  | { kind: "int" | "dec"; text: string; value: number; start: number; end: number }
  | { kind: "param"; text: string; name: string; positional: boolean; start: number; end: number }
  | { kind: "op"; text: string; start: number; end: number }
  | { kind: "eof"; text: string; start: number; end: number };

/** Time units of `1 hour`-style literals (EsqlDataTypeConverter.parseTemporalAmount), canonical name per alias. */
export const TIME_UNITS: Record<string, string> = Object.fromEntries(
  (
    [
      ["millisecond", ["millisecond", "milliseconds", "ms"]],
      ["second", ["second", "seconds", "sec", "s"]],
      ["minute", ["minute", "minutes", "min"]],
      ["hour", ["hour", "hours", "h"]],
      ["day", ["day", "days", "d"]],
      ["week", ["week", "weeks", "w"]],
      ["month", ["month", "months", "mo"]],
      ["quarter", ["quarter", "quarters", "q"]],
      ["year", ["year", "years", "yr", "y"]],
    ] as const
  ).flatMap(([unit, aliases]) => aliases.map((a) => [a, unit])),
);

const OPERATORS = [
  "::",
  "==",
  "!=",
  "<=",
  ">=",
  "=~",
  "<",
  ">",
  "=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  "|",
  ":",
  ".",
];
const KEYWORDS = new Set([
  "and",
  "or",
  "not",
  "in",
  "like",
  "rlike",
  "is",
  "null",
  "true",
  "false",
  "asc",
  "desc",
  "nulls",
  "first",
  "last",
  "by",
  "as",
  "with",
  "on",
  "where",
  "metadata",
]);
const ID_START = /[A-Za-z_@]/;
const ID_BODY = /[A-Za-z0-9_@]/;
const COMMANDS = new Set([
  "where",
  "eval",
  "stats",
  "inline",
  "inlinestats",
  "keep",
  "drop",
  "rename",
  "sort",
  "limit",
  "mv_expand",
  "dissect",
  "grok",
  "enrich",
  "lookup",
  "completion",
  "sample",
]);
/** Commands of Elasticsearch's grammar that dac does not model (a clear error rather than a wrong result). */
const UNSUPPORTED_COMMANDS = new Set([
  "fork",
  "change_point",
  "rerank",
  "fuse",
  "insist_",
  "rrf",
  "explain",
  "show",
  "ts",
  "metrics",
  "inline_stats",
]);

export function parseEsql(text: string): EsqlQuery {
  return new Parser(text).query();
}

/** Parse a single expression (for tests and `dac esql` helpers). */
export function parseEsqlExpression(text: string): Expression {
  const p = new Parser(text);
  const e = p.expression();
  p.expectEof();
  return e;
}

class Parser {
  private pos = 0;
  private tok: Token;
  /** End of the last token consumed. */
  private prevEnd = 0;

  constructor(private readonly text: string) {
    this.tok = this.scan();
  }

  // ---------- scanning ----------

  private skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else if (c === "/" && t[this.pos + 1] === "/") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.pos++;
      } else if (c === "/" && t[this.pos + 1] === "*") {
        const start = this.pos;
        let depth = 0;
        while (this.pos < t.length) {
          if (t.startsWith("/*", this.pos)) {
            depth++;
            this.pos += 2;
          } else if (t.startsWith("*/", this.pos)) {
            depth--;
            this.pos += 2;
            if (depth === 0) break;
          } else this.pos++;
        }
        if (depth > 0)
          throw new EsqlSyntaxError(t, start, t.length, "unterminated comment: `/*` has no `*/`");
      } else return;
    }
  }

  private scan(): Token {
    this.skipSpace();
    const t = this.text;
    const start = this.pos;
    if (start >= t.length) return { kind: "eof", text: "<EOF>", start, end: start };
    const c = t[start]!;
    if (c === '"') return this.scanString(start);
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(t[start + 1] ?? ""))) return this.scanNumber(start);
    if (c === "?") {
      let i = start + 1;
      while (i < t.length && /[A-Za-z0-9_]/.test(t[i]!)) i++;
      this.pos = i;
      const name = t.slice(start + 1, i);
      return {
        kind: "param",
        text: t.slice(start, i),
        name,
        positional: name === "" || /^[0-9]+$/.test(name),
        start,
        end: i,
      };
    }
    if (ID_START.test(c) || c === "`") return this.scanIdentifier(start);
    for (const op of OPERATORS) {
      if (t.startsWith(op, start)) {
        this.pos = start + op.length;
        return { kind: "op", text: op, start, end: this.pos };
      }
    }
    throw new EsqlSyntaxError(t, start, start + 1, `token recognition error at: '${c}'`);
  }

  private scanString(start: number): Token {
    const t = this.text;
    if (t.startsWith('"""', start)) {
      const close = t.indexOf('"""', start + 3);
      if (close < 0)
        throw new EsqlSyntaxError(t, start, t.length, 'unterminated string: `"""` is not closed');
      // A run of quotes at the end belongs to the value: `"""a""""` is `a"`.
      let end = close + 3;
      while (t[end] === '"') end++;
      this.pos = end;
      return {
        kind: "string",
        text: t.slice(start, end),
        value: t.slice(start + 3, end - 3),
        triple: true,
        start,
        end,
      };
    }
    let i = start + 1;
    let value = "";
    for (;;) {
      const c = t[i];
      if (c === undefined || c === "\n" || c === "\r")
        throw new EsqlSyntaxError(
          t,
          start,
          i,
          "unterminated string: a quoted string ends at the end of its line",
        );
      if (c === '"') break;
      if (c === "\\") {
        const e = t[i + 1];
        const map: Record<string, string> = { t: "\t", n: "\n", r: "\r", '"': '"', "\\": "\\" };
        if (e === undefined || !(e in map))
          throw new EsqlSyntaxError(
            t,
            i,
            i + 2,
            `token recognition error at: '"${t.slice(start + 1, i + 2)}'`,
          );
        value += map[e];
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    this.pos = i + 1;
    return { kind: "string", text: t.slice(start, i + 1), value, triple: false, start, end: i + 1 };
  }

  private scanNumber(start: number): Token {
    const t = this.text;
    const m = /^(?:[0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?/.exec(t.slice(start))!;
    const s = m[0];
    this.pos = start + s.length;
    const isDecimal = s.includes(".") || /[eE]/.test(s);
    return { kind: isDecimal ? "dec" : "int", text: s, value: Number(s), start, end: this.pos };
  }

  /** A qualified name: identifiers (unquoted or backquoted) joined by dots, as one token. */
  private scanIdentifier(start: number): Token {
    const t = this.text;
    let i = start;
    let name = "";
    let quoted = false;
    for (;;) {
      if (t[i] === "`") {
        quoted = true;
        let j = i + 1;
        let part = "";
        for (;;) {
          if (j >= t.length)
            throw new EsqlSyntaxError(t, i, t.length, "unterminated quoted identifier: '`' is not closed");
          if (t[j] === "`") {
            if (t[j + 1] === "`") {
              part += "`";
              j += 2;
              continue;
            }
            break;
          }
          part += t[j];
          j++;
        }
        name += part;
        i = j + 1;
      } else {
        let j = i;
        while (j < t.length && ID_BODY.test(t[j]!)) j++;
        name += t.slice(i, j);
        i = j;
      }
      if (t[i] === "." && (ID_START.test(t[i + 1] ?? "") || /[0-9`]/.test(t[i + 1] ?? ""))) {
        name += ".";
        i++;
        continue;
      }
      break;
    }
    this.pos = i;
    return { kind: "ident", text: t.slice(start, i), name, quoted, start, end: i };
  }

  private advance(): Token {
    const t = this.tok;
    this.prevEnd = t.end;
    this.tok = this.scan();
    return t;
  }

  private fail(expecting: string, tok: Token = this.tok): never {
    const shown = tok.kind === "eof" ? "<EOF>" : `'${tok.text}'`;
    throw new EsqlSyntaxError(
      this.text,
      tok.start,
      tok.end,
      `mismatched input ${shown} expecting ${expecting}`,
    );
  }

  private isOp(text: string): boolean {
    return this.tok.kind === "op" && this.tok.text === text;
  }

  private isWord(word: string): boolean {
    return this.tok.kind === "ident" && !this.tok.quoted && this.tok.name.toLowerCase() === word;
  }

  private eatOp(text: string): boolean {
    if (!this.isOp(text)) return false;
    this.advance();
    return true;
  }

  private eatWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.advance();
    return true;
  }

  private expectOp(text: string): Token {
    if (!this.isOp(text)) this.fail(`'${text}'`);
    return this.advance();
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) this.fail(word.toUpperCase());
    return this.advance();
  }

  expectEof(): void {
    if (this.tok.kind !== "eof") this.fail("<EOF>");
  }

  /** Re-scan from an offset with a raw reader (FROM sources, ENRICH policies, LOOKUP indices). */
  private readRaw(stop: RegExp): { value: string; span: Span } | undefined {
    this.pos = this.tok.start;
    const t = this.text;
    const start = this.pos;
    let i = start;
    while (i < t.length && !stop.test(t[i]!) && !t.startsWith("//", i) && !t.startsWith("/*", i)) i++;
    if (i === start) return undefined;
    this.pos = i;
    this.prevEnd = i;
    this.tok = this.scan();
    return { value: t.slice(start, i), span: { start, end: i } };
  }

  // ---------- query and commands ----------

  query(): EsqlQuery {
    const source = this.sourceCommand();
    const commands: ProcessingCommand[] = [];
    while (this.eatOp("|")) commands.push(this.processingCommand());
    if (this.tok.kind !== "eof") this.fail("{<EOF>, '|'}");
    return {
      source,
      commands,
      span: { start: source.span.start, end: commands.at(-1)?.span.end ?? source.span.end },
      text: this.text,
    };
  }

  private sourceCommand(): SourceCommand {
    const start = this.tok.start;
    if (this.eatWord("from")) {
      const indices = this.indexPatterns();
      const metadata: Column[] = [];
      if (this.eatWord("metadata")) {
        do metadata.push(this.column());
        while (this.eatOp(","));
      }
      return {
        type: "from",
        indices,
        metadata,
        span: { start, end: this.lastEnd(indices.at(-1)!.span.end, metadata) },
      };
    }
    if (this.eatWord("row")) {
      const fields = this.fields();
      return { type: "row", fields, span: { start, end: fields.at(-1)!.span.end } };
    }
    if (
      this.tok.kind === "ident" &&
      ["show", "ts", "metrics", "explain"].includes(this.tok.name.toLowerCase())
    )
      throw new EsqlSyntaxError(
        this.text,
        this.tok.start,
        this.tok.end,
        `unsupported source command ${this.tok.name.toUpperCase()}: dac models FROM and ROW`,
      );
    this.fail("{'row', 'from'}");
  }

  private lastEnd(end: number, list: { span: Span }[]): number {
    return list.at(-1)?.span.end ?? end;
  }

  private indexPatterns(): IndexPattern[] {
    const out: IndexPattern[] = [];
    do {
      if (this.tok.kind === "string") {
        const s = this.advance() as Extract<Token, { kind: "string" }>;
        out.push({ pattern: s.value, span: { start: s.start, end: s.end } });
        continue;
      }
      const raw = this.readRaw(/[\s,|"()]/);
      if (!raw || /^metadata$/i.test(raw.value)) this.fail("{QUOTED_STRING, UNQUOTED_SOURCE}");
      out.push({ pattern: raw.value, span: raw.span });
    } while (this.eatOp(","));
    return out;
  }

  private processingCommand(): ProcessingCommand {
    const tok = this.tok;
    if (tok.kind !== "ident" || tok.quoted) this.fail("a processing command");
    const word = tok.name.toLowerCase();
    const start = tok.start;
    if (!COMMANDS.has(word)) {
      if (UNSUPPORTED_COMMANDS.has(word))
        throw new EsqlSyntaxError(
          this.text,
          tok.start,
          tok.end,
          `unsupported command ${tok.name.toUpperCase()}: dac does not model it`,
        );
      this.fail(
        "{'dissect', 'drop', 'enrich', 'eval', 'grok', 'inline stats', 'keep', 'limit', 'lookup join', 'mv_expand', 'rename', 'sort', 'stats', 'where', 'completion', 'sample'}",
      );
    }
    this.advance();
    const end = () => this.prevEnd;
    switch (word) {
      case "where": {
        const condition = this.expression();
        return { type: "where", condition, span: { start, end: end() } };
      }
      case "eval": {
        const fields = this.fields();
        return { type: "eval", fields, span: { start, end: end() } };
      }
      case "inline":
        this.expectWord("stats");
        return this.stats(start, true);
      case "inlinestats":
        return this.stats(start, true);
      case "stats":
        return this.stats(start, false);
      case "keep":
      case "drop": {
        const patterns = this.namePatterns();
        return { type: word, patterns, span: { start, end: end() } };
      }
      case "rename": {
        const renames: { from: NamePattern; to: Column; span: Span }[] = [];
        do {
          const first = this.namePattern();
          if (this.eatWord("as")) {
            const to = this.column();
            renames.push({ from: first, to, span: { start: first.span.start, end: to.span.end } });
          } else if (this.eatOp("=")) {
            // `RENAME new = old` (8.18+).
            const from = this.namePattern();
            const to: Column = { type: "column", name: first.pattern, quoted: false, span: first.span };
            renames.push({ from, to, span: { start: first.span.start, end: from.span.end } });
          } else this.fail("{'as', '='}");
        } while (this.eatOp(","));
        return { type: "rename", renames, span: { start, end: end() } };
      }
      case "sort": {
        const keys: SortKey[] = [];
        do {
          const value = this.expression();
          let order: "ASC" | "DESC" = "ASC";
          let nulls: "FIRST" | "LAST" | undefined;
          if (this.eatWord("asc")) order = "ASC";
          else if (this.eatWord("desc")) order = "DESC";
          if (this.eatWord("nulls")) {
            if (this.eatWord("first")) nulls = "FIRST";
            else if (this.eatWord("last")) nulls = "LAST";
            else this.fail("{'first', 'last'}");
          }
          keys.push({
            value,
            order,
            ...(nulls ? { nulls } : {}),
            span: { start: value.span.start, end: end() },
          });
        } while (this.eatOp(","));
        return { type: "sort", keys, span: { start, end: end() } };
      }
      case "limit": {
        const t = this.tok;
        if (t.kind !== "int") this.fail("INTEGER_LITERAL");
        this.advance();
        return {
          type: "limit",
          count: t.value,
          countSpan: { start: t.start, end: t.end },
          span: { start, end: t.end },
        };
      }
      case "mv_expand": {
        const column = this.column();
        return { type: "mv_expand", column, span: { start, end: column.span.end } };
      }
      case "dissect": {
        const input = this.primary();
        const pattern = this.stringLiteral();
        let appendSeparator: string | undefined;
        if (this.isWord("append_separator")) {
          this.advance();
          this.expectOp("=");
          appendSeparator = this.stringLiteral().value;
        }
        return {
          type: "dissect",
          input,
          pattern,
          ...(appendSeparator !== undefined ? { appendSeparator } : {}),
          span: { start, end: end() },
        };
      }
      case "grok": {
        const input = this.primary();
        const patterns = [this.stringLiteral()];
        while (this.eatOp(",")) patterns.push(this.stringLiteral());
        return { type: "grok", input, patterns, span: { start, end: end() } };
      }
      case "enrich": {
        const raw = this.readRaw(/[\s\\/?"<>|,#]/);
        if (!raw) this.fail("ENRICH_POLICY_NAME");
        const colon = raw.value.indexOf(":");
        const mode = colon >= 0 ? raw.value.slice(0, colon) : undefined;
        const policy = colon >= 0 ? raw.value.slice(colon + 1) : raw.value;
        let on: Column | undefined;
        if (this.eatWord("on")) on = this.column();
        const withFields: { name?: Column; field: Column; span: Span }[] = [];
        if (this.eatWord("with")) {
          do {
            const first = this.column();
            if (this.eatOp("=")) {
              const field = this.column();
              withFields.push({ name: first, field, span: { start: first.span.start, end: field.span.end } });
            } else withFields.push({ field: first, span: first.span });
          } while (this.eatOp(","));
        }
        return {
          type: "enrich",
          policy,
          ...(mode !== undefined ? { mode } : {}),
          policySpan: raw.span,
          ...(on ? { on } : {}),
          with: withFields,
          span: { start, end: end() },
        };
      }
      case "lookup": {
        this.expectWord("join");
        let index: { value: string; span: Span } | undefined;
        if (this.tok.kind === "string") {
          const s = this.advance() as Extract<Token, { kind: "string" }>;
          index = { value: s.value, span: { start: s.start, end: s.end } };
        } else index = this.readRaw(/[\s,|"()]/);
        if (!index) this.fail("{QUOTED_STRING, UNQUOTED_SOURCE}");
        this.expectWord("on");
        const on: Column[] = [];
        do on.push(this.column());
        while (this.eatOp(","));
        return {
          type: "lookup_join",
          index: index.value,
          indexSpan: index.span,
          on,
          span: { start, end: end() },
        };
      }
      case "completion": {
        let target: Column | undefined;
        if (this.tok.kind === "ident" && this.peekAssign()) {
          target = this.column();
          this.expectOp("=");
        }
        const prompt = this.primary();
        this.expectWord("with");
        if (this.isOp("{")) {
          const options = this.mapLiteral();
          return {
            type: "completion",
            ...(target ? { target } : {}),
            prompt,
            options,
            span: { start, end: end() },
          };
        }
        const id = this.tok;
        if (id.kind !== "ident" && id.kind !== "string") this.fail("{'{', identifier}");
        this.advance();
        const inferenceId = id.kind === "string" ? id.value : id.name;
        if (this.eatWord("as")) target = this.column();
        return {
          type: "completion",
          ...(target ? { target } : {}),
          prompt,
          inferenceId,
          span: { start, end: end() },
        };
      }
      case "sample": {
        const t = this.tok;
        if (t.kind !== "dec" && t.kind !== "int") this.fail("DECIMAL_LITERAL");
        this.advance();
        return { type: "sample", probability: t.value, span: { start, end: t.end } };
      }
    }
    this.fail("a processing command");
  }

  private stats(start: number, inline: boolean): ProcessingCommand {
    const aggregates: AggregateField[] = [];
    const groups: Field[] = [];
    if (!this.isWord("by") && !this.atCommandEnd()) {
      do {
        const f = this.field() as AggregateField;
        if (this.eatWord("where")) {
          f.filter = this.expression();
          f.span = { start: f.span.start, end: this.prevEnd };
        }
        aggregates.push(f);
      } while (this.eatOp(","));
    }
    if (this.eatWord("by")) groups.push(...this.fields());
    if (aggregates.length === 0 && groups.length === 0) this.fail("an aggregate or BY");
    return { type: "stats", inline, aggregates, groups, span: { start, end: this.prevEnd } };
  }

  private atCommandEnd(): boolean {
    return this.tok.kind === "eof" || this.isOp("|");
  }

  private peekAssign(): boolean {
    // An identifier token followed by a single `=` is `name = expression`.
    const save = { pos: this.pos, tok: this.tok };
    this.advance();
    const yes = this.isOp("=");
    this.pos = save.pos;
    this.tok = save.tok;
    return yes;
  }

  private fields(): Field[] {
    const out: Field[] = [];
    do out.push(this.field());
    while (this.eatOp(","));
    return out;
  }

  private field(): Field {
    const start = this.tok.start;
    if (this.tok.kind === "ident" && this.peekAssign()) {
      const name = this.column();
      this.expectOp("=");
      const value = this.expression();
      return { name, value, span: { start, end: value.span.end } };
    }
    const value = this.expression();
    return { value, span: { start, end: value.span.end } };
  }

  private column(): Column {
    const t = this.tok;
    if (t.kind !== "ident") this.fail("{UNQUOTED_IDENTIFIER, QUOTED_IDENTIFIER}");
    this.advance();
    this.prevEnd = t.end;
    return { type: "column", name: t.name, quoted: t.quoted, span: { start: t.start, end: t.end } };
  }

  private namePatterns(): NamePattern[] {
    const out: NamePattern[] = [];
    do out.push(this.namePattern());
    while (this.eatOp(","));
    return out;
  }

  /** A qualified name pattern: `a.b`, `Esql.*`, `*`, `` `a/b` ``. */
  private namePattern(): NamePattern {
    const t = this.text;
    this.pos = this.tok.start;
    const start = this.pos;
    let i = start;
    let pattern = "";
    while (i < t.length) {
      const c = t[i]!;
      if (c === "`") {
        let j = i + 1;
        while (j < t.length && !(t[j] === "`" && t[j + 1] !== "`")) {
          if (t[j] === "`") j++;
          pattern += t[j];
          j++;
        }
        if (j >= t.length)
          throw new EsqlSyntaxError(t, i, t.length, "unterminated quoted identifier: '`' is not closed");
        i = j + 1;
      } else if (/[A-Za-z0-9_@.*]/.test(c)) {
        pattern += c;
        i++;
      } else break;
    }
    if (i === start) this.fail("{ID_PATTERN}");
    this.pos = i;
    this.tok = this.scan();
    this.prevEnd = i;
    return { pattern, span: { start, end: i } };
  }

  private stringLiteral(): StringLiteral {
    const t = this.tok;
    if (t.kind !== "string") this.fail("QUOTED_STRING");
    this.advance();
    this.prevEnd = t.end;
    return { type: "string", value: t.value, triple: t.triple, span: { start: t.start, end: t.end } };
  }

  // ---------- expressions ----------

  expression(): Expression {
    const e = this.or();
    this.prevEnd = e.span.end;
    return e;
  }

  private or(): Expression {
    let left = this.and();
    while (this.isWord("or")) {
      this.advance();
      const right = this.and();
      left = bin("OR", left, right);
    }
    return left;
  }

  private and(): Expression {
    let left = this.not();
    while (this.isWord("and")) {
      this.advance();
      const right = this.not();
      left = bin("AND", left, right);
    }
    return left;
  }

  private not(): Expression {
    if (this.isWord("not")) {
      const start = this.advance().start;
      const operand = this.not();
      return { type: "unary", op: "NOT", operand, span: { start, end: operand.span.end } };
    }
    return this.predicate();
  }

  private predicate(): Expression {
    let value = this.comparison();
    for (;;) {
      const start = value.span.start;
      let negated = false;
      if (this.isWord("not")) {
        // `x NOT IN`, `x NOT LIKE`, `x NOT RLIKE`
        const save = { pos: this.pos, tok: this.tok };
        this.advance();
        if (this.isWord("in") || this.isWord("like") || this.isWord("rlike")) negated = true;
        else {
          this.pos = save.pos;
          this.tok = save.tok;
          return value;
        }
      }
      if (this.eatWord("in")) {
        this.expectOp("(");
        const list: Expression[] = [];
        do list.push(this.comparison());
        while (this.eatOp(","));
        const end = this.expectOp(")").end;
        value = { type: "in", negated, value, list, span: { start, end } };
      } else if (this.isWord("like") || this.isWord("rlike")) {
        const op = this.advance().text.toUpperCase() as "LIKE" | "RLIKE";
        const patterns: (StringLiteral | Param)[] = [];
        let list = false;
        let end: number;
        if (this.eatOp("(")) {
          list = true;
          do patterns.push(this.patternOperand());
          while (this.eatOp(","));
          end = this.expectOp(")").end;
        } else {
          const p = this.patternOperand();
          patterns.push(p);
          end = p.span.end;
        }
        value = {
          type: "like",
          op,
          negated,
          value,
          patterns: patterns as StringLiteral[] | Param[],
          list,
          span: { start, end },
        };
      } else if (this.isWord("is")) {
        this.advance();
        const neg = this.eatWord("not");
        const end = this.expectWord("null").end;
        value = { type: "isNull", negated: neg, value, span: { start, end } };
      } else if (this.isOp(":") && value.type === "column") {
        this.advance();
        const query = this.comparison();
        value = { type: "match", field: value, query, span: { start, end: query.span.end } };
      } else return value;
    }
  }

  private patternOperand(): StringLiteral | Param {
    if (this.tok.kind === "param") return this.primary() as Param;
    return this.stringLiteral();
  }

  private comparison(): Expression {
    const left = this.additive();
    const t = this.tok;
    if (t.kind === "op" && ["==", "!=", "<", "<=", ">", ">=", "=~"].includes(t.text)) {
      this.advance();
      const right = this.additive();
      return bin(t.text as BinaryOperator, left, right);
    }
    return left;
  }

  private additive(): Expression {
    let left = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.advance().text as BinaryOperator;
      left = bin(op, left, this.multiplicative());
    }
    return left;
  }

  private multiplicative(): Expression {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.advance().text as BinaryOperator;
      left = bin(op, left, this.unary());
    }
    return left;
  }

  private unary(): Expression {
    if (this.isOp("-") || this.isOp("+")) {
      const t = this.advance();
      const operand = this.unary();
      return {
        type: "unary",
        op: t.text as "-" | "+",
        operand,
        span: { start: t.start, end: operand.span.end },
      };
    }
    return this.primary();
  }

  primary(): Expression {
    let e = this.atom();
    while (this.isOp("::")) {
      this.advance();
      const t = this.tok;
      if (t.kind !== "ident") this.fail("a data type");
      this.advance();
      e = { type: "cast", value: e, to: t.name.toLowerCase(), span: { start: e.span.start, end: t.end } };
    }
    this.prevEnd = e.span.end;
    return e;
  }

  private atom(): Expression {
    const t = this.tok;
    const span = { start: t.start, end: t.end };
    switch (t.kind) {
      case "string":
        this.advance();
        return { type: "string", value: t.value, triple: t.triple, span };
      case "int":
      case "dec": {
        this.advance();
        const unit = this.tok;
        // `integer UNQUOTED_IDENTIFIER` is a qualified integer literal (a time span), whatever the identifier.
        if (
          t.kind === "int" &&
          unit.kind === "ident" &&
          !unit.quoted &&
          !unit.name.includes(".") &&
          !KEYWORDS.has(unit.name.toLowerCase())
        ) {
          this.advance();
          const lower = unit.name.toLowerCase();
          return {
            type: "quantity",
            value: t.value,
            unit: TIME_UNITS[lower] ?? lower,
            span: { start: t.start, end: unit.end },
          };
        }
        return t.kind === "int"
          ? { type: "integer", value: t.value, text: t.text, span }
          : { type: "decimal", value: t.value, text: t.text, span };
      }
      case "param":
        this.advance();
        return { type: "param", name: t.name, positional: t.positional, span };
      case "op":
        if (t.text === "(") {
          this.advance();
          const inner = this.or();
          const end = this.expectOp(")").end;
          // Keep the parenthesised span so errors point at what the user wrote.
          return { ...inner, span: { start: t.start, end } } as Expression;
        }
        if (t.text === "[") return this.listLiteral();
        if (t.text === "{") return this.mapLiteral();
        break;
      case "ident": {
        const lower = t.name.toLowerCase();
        if (!t.quoted) {
          if (lower === "null") {
            this.advance();
            return { type: "null", span };
          }
          if (lower === "true" || lower === "false") {
            this.advance();
            return { type: "boolean", value: lower === "true", span };
          }
        }
        this.advance();
        if (this.isOp("(") && !t.quoted) return this.call(t);
        return { type: "column", name: t.name, quoted: t.quoted, span };
      }
      default:
        break;
    }
    this.fail(
      "{QUOTED_STRING, INTEGER_LITERAL, DECIMAL_LITERAL, 'false', 'null', '?', 'true', '+', '-', '[', '(', UNQUOTED_IDENTIFIER, QUOTED_IDENTIFIER}",
    );
  }

  private call(name: Extract<Token, { kind: "ident" }>): Expression {
    this.expectOp("(");
    const args: Expression[] = [];
    let star = false;
    if (this.isOp("*")) {
      this.advance();
      star = true;
    } else if (!this.isOp(")")) {
      do args.push(this.isOp("{") ? this.mapLiteral() : this.or());
      while (this.eatOp(","));
    }
    const end = this.expectOp(")").end;
    return {
      type: "call",
      name: name.name.toUpperCase(),
      nameSpan: { start: name.start, end: name.end },
      args,
      star,
      span: { start: name.start, end },
    };
  }

  private listLiteral(): Literal {
    const start = this.expectOp("[").start;
    const items: Literal[] = [];
    if (!this.isOp("]")) {
      do {
        const e = this.unary();
        const lit =
          e.type === "unary" && e.op === "-" && (e.operand.type === "integer" || e.operand.type === "decimal")
            ? { ...e.operand, value: -e.operand.value, text: `-${e.operand.text}`, span: e.span }
            : e;
        if (!["null", "boolean", "integer", "decimal", "string"].includes(lit.type))
          throw new EsqlSyntaxError(
            this.text,
            e.span.start,
            e.span.end,
            "a list literal holds constants only",
          );
        items.push(lit as Literal);
      } while (this.eatOp(","));
    }
    const end = this.expectOp("]").end;
    return { type: "list", items, span: { start, end } };
  }

  private mapLiteral(): MapLiteral {
    const start = this.expectOp("{").start;
    const entries: { key: string; value: Expression }[] = [];
    if (!this.isOp("}")) {
      do {
        const key = this.stringLiteral();
        this.expectOp(":");
        entries.push({ key: key.value, value: this.isOp("{") ? this.mapLiteral() : this.unary() });
      } while (this.eatOp(","));
    }
    const end = this.expectOp("}").end;
    return { type: "map", entries, span: { start, end } };
  }
}

function bin(op: BinaryOperator, left: Expression, right: Expression): Expression {
  return { type: "binary", op, left, right, span: { start: left.span.start, end: right.span.end } };
}

/** The source text of a node. */
export function spanText(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

/** Every command of a query, the source first. */
export function commandsOf(q: EsqlQuery): Command[] {
  return [q.source, ...q.commands];
}
