/**
 * A hand-written recursive-descent parser for the EQL Elasticsearch accepts. The grammar and its precedence follow
 * Elasticsearch's x-pack/plugin/eql/src/main/antlr/EqlBase.g4 (statement: query pipe*; booleanExpression:
 * not > and > or; valueExpression: one non-chained comparison; operatorExpression: unary > * / % > + -;
 * predicate after a primary: [not] in/in~, :, like, like~, regex, regex~). The checks that Elasticsearch's
 * AST builders make (maxspan units, pipes, join keys, process relationships, array indexes) are made here too,
 * with Elasticsearch's messages.
 */
import { distance } from "fastest-levenshtein";
import type {
  CompareOp,
  EqlQuery,
  EventFilter,
  Expression,
  FieldRef,
  Literal,
  MatchOp,
  MaxSpan,
  Pipe,
  SampleQuery,
  SequenceQuery,
  SequenceStep,
  Span,
} from "./ast.js";
import { EqlSyntaxError } from "./errors.js";

type TokenKind = "ident" | "tilde" | "quoted" | "string" | "integer" | "decimal" | "op" | "eof";

interface Token {
  kind: TokenKind;
  /** Identifier name (backquotes removed), operator text, or the string's value. */
  text: string;
  start: number;
  end: number;
  /** A string written `"""..."""`. */
  raw?: boolean;
}

/** EqlBase.g4's keywords: lowercase, as the lexer spells them. */
const KEYWORDS = new Set([
  "and",
  "any",
  "by",
  "false",
  "in",
  "join",
  "like",
  "maxspan",
  "not",
  "null",
  "of",
  "or",
  "regex",
  "sample",
  "sequence",
  "true",
  "until",
  "where",
  "with",
]);

/** Pipes Elasticsearch recognises (LogicalPlanBuilder.SUPPORTED_PIPES); only head and tail run. */
const KNOWN_PIPES = ["count", "filter", "head", "sort", "tail", "unique", "unique_count"];

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;

function tokenize(query: string, comments: Span[] = []): Token[] {
  const tokens: Token[] = [];
  const fail = (start: number, end: number, message: string): never => {
    throw new EqlSyntaxError(query, start, end, message);
  };
  let i = 0;
  const n = query.length;
  while (i < n) {
    const c = query.charCodeAt(i);
    // whitespace
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    // comments: `// ...` and nestable `/* ... */`
    if (c === 47 && query.charCodeAt(i + 1) === 47) {
      const start = i;
      while (i < n && query[i] !== "\n") i++;
      comments.push({ start, end: i });
      continue;
    }
    if (c === 47 && query.charCodeAt(i + 1) === 42) {
      const start = i;
      let depth = 0;
      while (i < n) {
        if (query.startsWith("/*", i)) {
          depth++;
          i += 2;
        } else if (query.startsWith("*/", i)) {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      if (depth !== 0) fail(start, n, `token recognition error at: '${query.slice(start, start + 2)}'`);
      comments.push({ start, end: i });
      continue;
    }
    const start = i;
    if (isLetter(c) || c === 95 || c === 64) {
      i++;
      while (i < n) {
        const d = query.charCodeAt(i);
        if (isLetter(d) || isDigit(d) || d === 95) i++;
        else break;
      }
      const text = query.slice(start, i);
      if (query[i] === "~" && isLetter(c)) {
        i++;
        tokens.push({ kind: "tilde", text, start, end: i });
      } else tokens.push({ kind: "ident", text, start, end: i });
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(query.charCodeAt(i + 1)))) {
      let decimal = false;
      while (i < n && isDigit(query.charCodeAt(i))) i++;
      // `1.` is a decimal in the grammar, but `process.pid == 1.` never appears; a dot followed by a letter is a
      // field separator (no field name starts with a digit).
      if (query[i] === "." && !isLetter(query.charCodeAt(i + 1)) && query[i + 1] !== "_") {
        decimal = true;
        i++;
        while (i < n && isDigit(query.charCodeAt(i))) i++;
      }
      if ((query[i] === "e" || query[i] === "E") && /^[eE][+-]?\d/.test(query.slice(i, i + 3))) {
        decimal = true;
        i++;
        if (query[i] === "+" || query[i] === "-") i++;
        while (i < n && isDigit(query.charCodeAt(i))) i++;
      }
      tokens.push({ kind: decimal ? "decimal" : "integer", text: query.slice(start, i), start, end: i });
      continue;
    }
    if (c === 96) {
      // ESCAPED_IDENTIFIER: '`' ( ~'`' | '``' )* '`'
      i++;
      let text = "";
      for (;;) {
        if (i >= n) fail(start, n, `token recognition error at: '${query.slice(start)}'`);
        if (query[i] === "`") {
          if (query[i + 1] === "`") {
            text += "`";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += query[i];
        i++;
      }
      tokens.push({ kind: "quoted", text, start, end: i });
      continue;
    }
    if (c === 34) {
      if (query.startsWith('"""', i)) {
        const close = query.indexOf('"""', i + 3);
        if (close === -1) fail(start, n, `token recognition error at: '${query.slice(start, start + 20)}'`);
        // A raw string may end with quotes: `""""a""""` holds `"a"`; the closing triple is the last three.
        let end = close + 3;
        while (query[end] === '"') end++;
        tokens.push({ kind: "string", text: query.slice(i + 3, end - 3), start, end, raw: true });
        i = end;
        continue;
      }
      i++;
      let text = "";
      for (;;) {
        if (i >= n || query[i] === "\n" || query[i] === "\r")
          fail(start, i, `token recognition error at: '${query.slice(start, i)}'`);
        const ch = query[i]!;
        if (ch === '"') {
          i++;
          break;
        }
        if (ch === "\\") {
          const e = query[i + 1];
          const simple: Record<string, string> = {
            b: "\b",
            t: "\t",
            n: "\n",
            f: "\f",
            r: "\r",
            '"': '"',
            "'": "'",
            "\\": "\\",
          };
          if (e !== undefined && simple[e] !== undefined) {
            text += simple[e];
            i += 2;
            continue;
          }
          if (e === "u") {
            const m = /^\\u\{([0-9a-fA-F]{2,8})\}/.exec(query.slice(i));
            if (m) {
              const code = parseInt(m[1]!, 16);
              if (code > 0x10ffff) fail(i, i + m[0].length, `Invalid unicode character code [${m[1]}]`);
              text += String.fromCodePoint(code);
              i += m[0].length;
              continue;
            }
          }
          fail(start, i + 2, `token recognition error at: '${query.slice(start, i + 2)}'`);
        }
        text += ch;
        i++;
      }
      tokens.push({ kind: "string", text, start, end: i });
      continue;
    }
    if (c === 39) {
      // AbstractBuilder.unquoteString: single-quoted strings are refused.
      const close = query.indexOf("'", i + 1);
      fail(
        start,
        close === -1 ? i + 1 : close + 1,
        `Use double quotes ["] to define string literals, not single quotes [']`,
      );
    }
    if (c === 63 && (query[i + 1] === '"' || query[i + 1] === "'")) {
      fail(
        start,
        i + 2,
        `Use triple double quotes ["""] to define unescaped string literals, not [?${query[i + 1]}]`,
      );
    }
    const two = query.slice(i, i + 2);
    if (["==", "!=", "<=", ">=", "!["].includes(two)) {
      tokens.push({ kind: "op", text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if ("=<>+-*/%.,[]()|:?".includes(query[i]!)) {
      tokens.push({ kind: "op", text: query[i]!, start, end: i + 1 });
      i++;
      continue;
    }
    fail(start, i + 1, `token recognition error at: '${query[i]}'`);
  }
  tokens.push({ kind: "eof", text: "<EOF>", start: n, end: n });
  return tokens;
}

export interface ParseOptions {
  /** Parse a lone expression (EqlBase.g4 `singleExpression`) rather than a statement. */
  expression?: boolean;
}

/** Parses an EQL statement. Throws `EqlSyntaxError`. */
export function parse(query: string): EqlQuery {
  return new Parser(query).statement();
}

/** Parses a lone EQL condition (`process.name : "a*" and ...`). Throws `EqlSyntaxError`. */
export function parseExpression(query: string): Expression {
  const p = new Parser(query);
  const e = p.expression();
  p.expectEnd();
  return e;
}

const COMPARE_OPS = new Set(["==", "!=", "<", "<=", ">", ">="]);

function describe(t: Token): string {
  return t.kind === "eof" ? "<EOF>" : `'${t.kind === "string" ? JSON.stringify(t.text) : t.text}'`;
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  readonly comments: Span[] = [];

  constructor(private readonly query: string) {
    this.tokens = tokenize(query, this.comments);
  }

  private get t(): Token {
    return this.tokens[this.pos]!;
  }

  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }

  private fail(start: number, end: number, message: string): never {
    throw new EqlSyntaxError(this.query, start, end, message);
  }

  private mismatched(expecting: string): never {
    const t = this.t;
    return this.fail(t.start, t.end, `mismatched input ${describe(t)} expecting ${expecting}`);
  }

  private isKeyword(word: string, t: Token = this.t): boolean {
    return t.kind === "ident" && t.text === word;
  }

  private isOp(op: string, t: Token = this.t): boolean {
    return t.kind === "op" && t.text === op;
  }

  private eatKeyword(word: string): Token {
    if (!this.isKeyword(word)) this.mismatched(`'${word}'`);
    return this.tokens[this.pos++]!;
  }

  private eatOp(op: string): Token {
    if (!this.isOp(op)) this.mismatched(`'${op}'`);
    return this.tokens[this.pos++]!;
  }

  private get lastEnd(): number {
    return this.tokens[this.pos - 1]?.end ?? 0;
  }

  expectEnd(): void {
    if (this.t.kind !== "eof") this.mismatched("<EOF>");
  }

  statement(): EqlQuery {
    const start = this.t.start;
    let body: EqlQuery["body"];
    if (this.isKeyword("sequence")) body = this.sequence();
    else if (this.isKeyword("sample")) body = this.sample();
    else if (this.isKeyword("join"))
      // Elasticsearch parses `join` but its planner refuses it (Verifier: join is not supported).
      this.fail(this.t.start, this.t.end, "Join is not supported");
    else body = this.eventFilter();
    const pipes: Pipe[] = [];
    while (this.isOp("|")) pipes.push(this.pipe());
    if (this.t.kind !== "eof") {
      const t = this.t;
      if (body.type === "event" && this.isOp("[", t))
        this.fail(t.start, t.end, `mismatched input '[' expecting <EOF>`);
      this.mismatched(body.type === "event" ? "{<EOF>, 'and', 'or', '|'}" : "{<EOF>, '|'}");
    }
    const out: EqlQuery = { type: "query", body, pipes, span: { start, end: this.lastEnd } };
    if (this.comments.length > 0) out.comments = this.comments;
    return out;
  }

  private pipe(): Pipe {
    const bar = this.eatOp("|");
    const nameToken = this.t;
    if (nameToken.kind !== "ident") this.mismatched("IDENTIFIER");
    this.pos++;
    const name = nameToken.text;
    const args: Expression[] = [];
    if (this.t.kind !== "eof" && !this.isOp("|")) {
      args.push(this.expression());
      while (this.isOp(",")) {
        this.pos++;
        args.push(this.expression());
      }
    }
    const span = { start: bar.start, end: this.lastEnd };
    if (!KNOWN_PIPES.includes(name)) {
      const similar = KNOWN_PIPES.filter((p) => distance(p, name) <= 2);
      const hint =
        similar.length === 0
          ? ""
          : `, did you mean ${similar.length === 1 ? `[${similar[0]}]` : `any of [${similar.join(", ")}]`}?`;
      this.fail(nameToken.start, nameToken.end, `Unrecognized pipe [${name}]${hint}`);
    }
    if (name !== "head" && name !== "tail")
      this.fail(span.start, span.end, `Pipe [${name}] is not supported`);
    if (args.length !== 1)
      this.fail(
        span.start,
        span.end,
        `Pipe [${name}] expects exactly one argument but found [${args.length}]`,
      );
    const arg = args[0]!;
    if (arg.type !== "literal" || arg.kind !== "integer")
      this.fail(
        arg.span.start,
        arg.span.end,
        `Pipe [${name}] expects a positive integer but found [${this.query.slice(arg.span.start, arg.span.end)}]`,
      );
    return { type: "pipe", name, count: arg.value as number, span };
  }

  private joinKeys(): Expression[] {
    this.eatKeyword("by");
    const keys = [this.expression()];
    while (this.isOp(",")) {
      this.pos++;
      keys.push(this.expression());
    }
    return keys;
  }

  private sequence(): SequenceQuery {
    const start = this.eatKeyword("sequence").start;
    let by: Expression[] = [];
    let maxspan: MaxSpan | undefined;
    if (this.isKeyword("by")) {
      by = this.joinKeys();
      if (this.isKeyword("with")) maxspan = this.sequenceParams();
    } else if (this.isKeyword("with")) {
      maxspan = this.sequenceParams();
      if (this.isKeyword("by")) {
        this.joinKeys();
        this.fail(start, this.lastEnd, "Please specify sequence [by] before [with] not after");
      }
    }
    const steps: SequenceStep[] = [];
    do steps.push(this.sequenceTerm(true));
    while (this.isOp("[") || this.isOp("!["));
    // LogicalPlanBuilder.visitSequence counts a step with `runs=N` N times.
    const count = steps.reduce((sum, s) => sum + (s.runs ?? 1), 0);
    if (count < 2)
      this.fail(start, this.lastEnd, `A sequence requires a minimum of 2 queries, found [${count}]`);
    let until: SequenceStep | undefined;
    if (this.isKeyword("until")) {
      this.pos++;
      until = this.sequenceTerm(false);
    }
    this.checkKeyCounts(by, until ? [...steps, until] : steps);
    return { type: "sequence", by, maxspan, steps, until, span: { start, end: this.lastEnd } };
  }

  private sample(): SampleQuery {
    const start = this.eatKeyword("sample").start;
    const by = this.isKeyword("by") ? this.joinKeys() : [];
    const steps: SequenceStep[] = [];
    do steps.push(this.sequenceTerm(false));
    while (this.isOp("["));
    this.checkKeyCounts(by, steps);
    return { type: "sample", by, steps, span: { start, end: this.lastEnd } };
  }

  // LogicalPlanBuilder.visitSequence: every term has the same number of join keys.
  private checkKeyCounts(parent: Expression[], steps: SequenceStep[]): void {
    const expected = steps[0]!.by.length;
    for (const step of steps.slice(1)) {
      if (step.by.length !== expected) {
        const span = step.by[0] ? { start: step.by[0].span.start, end: step.span.end } : step.span;
        void parent;
        this.fail(
          span.start,
          span.end,
          `Inconsistent number of join keys specified; expected [${expected}] but found [${step.by.length}]`,
        );
      }
    }
  }

  private sequenceParams(): MaxSpan {
    this.eatKeyword("with");
    this.eatKeyword("maxspan");
    this.eatOp("=");
    const num = this.t;
    if (num.kind !== "integer" && num.kind !== "decimal") this.mismatched("{DECIMAL_VALUE, INTEGER_VALUE}");
    this.pos++;
    let unitToken: Token | undefined;
    if (this.t.kind === "ident" && this.t.start === num.end) {
      unitToken = this.t;
      this.pos++;
    }
    const text = this.query.slice(num.start, this.lastEnd);
    if (num.kind === "decimal")
      this.fail(
        num.start,
        num.end,
        `Decimal time interval [${num.text}] not supported; please use an positive integer`,
      );
    const value = Number(num.text);
    if (value <= 0) this.fail(num.start, num.end, `A positive maxspan value is required; found [${value}]`);
    if (!unitToken)
      this.fail(num.start, num.end, `No time unit specified, did you mean [s] as in [${text}s]?`);
    const factor = TIME_UNITS[unitToken.text];
    if (factor === undefined)
      this.fail(
        unitToken.start,
        unitToken.end,
        `Unrecognized time unit [${unitToken.text}] in [${text}], please specify one of [ms, s, m, h, d]`,
      );
    return {
      value,
      unit: unitToken.text as MaxSpan["unit"],
      millis: value * factor,
      span: { start: num.start, end: unitToken.end },
    };
  }

  private sequenceTerm(inSequence: boolean): SequenceStep {
    const open = this.t;
    const missing = this.isOp("![");
    if (missing && !inSequence) this.mismatched("'['");
    if (!missing && !this.isOp("[")) this.mismatched(missing ? "'!['" : "'['");
    this.pos++;
    const filter = this.eventFilter();
    this.eatOp("]");
    const by = this.isKeyword("by") ? this.joinKeys() : [];
    let runs: number | undefined;
    if (inSequence && this.isKeyword("with")) {
      this.pos++;
      const key = this.t;
      if (key.kind !== "ident") this.mismatched("IDENTIFIER");
      this.pos++;
      if (key.text === "maxspan")
        this.fail(key.start, key.end, "Please specify sequence [by] before [with] not after");
      if (key.text !== "runs") this.fail(key.start, key.end, `Unrecognized sequence parameter [${key.text}]`);
      this.eatOp("=");
      const num = this.t;
      if (num.kind !== "integer") this.mismatched("INTEGER_VALUE");
      this.pos++;
      runs = Number(num.text);
      if (runs < 1 || runs > 100)
        this.fail(num.start, num.end, `A positive runs value between 1 and 100 is required; found [${runs}]`);
      if (missing) this.fail(open.start, num.end, "A missing event cannot have [runs]");
    }
    return { type: "step", filter, by, missing, runs, span: { start: open.start, end: this.lastEnd } };
  }

  private eventFilter(): EventFilter {
    const t = this.t;
    let category: string | null;
    if (this.isKeyword("any")) category = null;
    else if (t.kind === "string") category = t.text;
    else if (t.kind === "ident" && !KEYWORDS.has(t.text)) category = t.text;
    else if (t.kind === "quoted") category = t.text;
    else return this.mismatched("{'any', STRING, IDENTIFIER}");
    this.pos++;
    this.eatKeyword("where");
    const condition = this.expression();
    return {
      type: "event",
      category,
      categorySpan: { start: t.start, end: t.end },
      condition,
      span: { start: t.start, end: this.lastEnd },
    };
  }

  expression(): Expression {
    let left = this.andExpression();
    while (this.isKeyword("or")) {
      this.pos++;
      const right = this.andExpression();
      left = { type: "or", left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private andExpression(): Expression {
    let left = this.notExpression();
    while (this.isKeyword("and")) {
      this.pos++;
      const right = this.notExpression();
      left = { type: "and", left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private notExpression(): Expression {
    const t = this.t;
    if (this.isKeyword("not")) {
      this.pos++;
      const operand = this.notExpression();
      return { type: "not", operand, span: { start: t.start, end: operand.span.end } };
    }
    // EqlBase.g4 #processCheck: `descendant of [...]`, `child of [...]`, `event of [...]`.
    if (t.kind === "ident" && this.isKeyword("of", this.peek()))
      this.fail(t.start, t.end, "Process relationships are not supported");
    return this.valueExpression();
  }

  private valueExpression(): Expression {
    const left = this.additive();
    const t = this.t;
    if (t.kind === "op" && COMPARE_OPS.has(t.text)) {
      this.pos++;
      const right = this.additive();
      return {
        type: "compare",
        op: t.text as CompareOp,
        left,
        right,
        span: { start: left.span.start, end: right.span.end },
      };
    }
    if (this.isOp("=")) this.mismatched("{'==', '!=', '<', '<=', '>', '>='}");
    return left;
  }

  private additive(): Expression {
    let left = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.tokens[this.pos++]!.text as "+" | "-";
      const right = this.multiplicative();
      left = { type: "arithmetic", op, left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private multiplicative(): Expression {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.tokens[this.pos++]!.text as "*" | "/" | "%";
      const right = this.unary();
      left = { type: "arithmetic", op, left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private unary(): Expression {
    const t = this.t;
    if (this.isOp("-") || this.isOp("+")) {
      this.pos++;
      const operand = this.unary();
      if (t.text === "+") return operand;
      // A negative number literal is a literal (ES folds `-5` to a constant).
      if (operand.type === "literal" && typeof operand.value === "number" && operand.span.start === t.end)
        return {
          ...operand,
          value: -operand.value,
          raw: `-${operand.raw}`,
          span: { start: t.start, end: operand.span.end },
        };
      return { type: "negate", operand, span: { start: t.start, end: operand.span.end } };
    }
    return this.predicate(this.primary());
  }

  private predicate(value: Expression): Expression {
    const t = this.t;
    const negated = this.isKeyword("not") && (this.isKeyword("in", this.peek()) || this.peek().text === "in");
    if (negated || this.isKeyword("in") || (t.kind === "tilde" && t.text === "in")) {
      if (negated) this.pos++;
      const kw = this.t;
      if (!(kw.text === "in" && (kw.kind === "ident" || kw.kind === "tilde")))
        this.mismatched("{'in', 'in~'}");
      this.pos++;
      this.eatOp("(");
      const list = [this.expression()];
      while (this.isOp(",")) {
        this.pos++;
        list.push(this.expression());
      }
      this.eatOp(")");
      return {
        type: "in",
        value,
        list,
        negated,
        insensitive: kw.kind === "tilde",
        span: { start: value.span.start, end: this.lastEnd },
      };
    }
    let op: MatchOp | undefined;
    if (this.isOp(":")) op = ":";
    else if ((t.kind === "ident" || t.kind === "tilde") && (t.text === "like" || t.text === "regex"))
      op = `${t.text}${t.kind === "tilde" ? "~" : ""}` as MatchOp;
    if (!op) return value;
    this.pos++;
    const patterns: Literal[] = [];
    let list = false;
    if (this.isOp("(")) {
      list = true;
      this.pos++;
      patterns.push(this.constant());
      while (this.isOp(",")) {
        this.pos++;
        patterns.push(this.constant());
      }
      this.eatOp(")");
    } else patterns.push(this.constant());
    return { type: "match", op, value, patterns, list, span: { start: value.span.start, end: this.lastEnd } };
  }

  private constant(): Literal {
    const t = this.t;
    const literal = this.literal();
    if (!literal)
      this.fail(
        t.start,
        t.end,
        `mismatched input ${describe(t)} expecting {STRING, INTEGER_VALUE, DECIMAL_VALUE, 'true', 'false', 'null'}`,
      );
    return literal;
  }

  private literal(): Literal | undefined {
    const t = this.t;
    const span = { start: t.start, end: t.end };
    const raw = this.query.slice(t.start, t.end);
    let lit: Literal | undefined;
    if (t.kind === "string") lit = { type: "literal", kind: "string", value: t.text, raw, span };
    else if (t.kind === "integer")
      lit = { type: "literal", kind: "integer", value: Number(t.text), raw, span };
    else if (t.kind === "decimal")
      lit = { type: "literal", kind: "decimal", value: Number(t.text), raw, span };
    else if (this.isKeyword("true") || this.isKeyword("false"))
      lit = { type: "literal", kind: "boolean", value: t.text === "true", raw, span };
    else if (this.isKeyword("null")) lit = { type: "literal", kind: "null", value: null, raw, span };
    if (lit) this.pos++;
    return lit;
  }

  private primary(): Expression {
    const t = this.t;
    const lit = this.literal();
    if (lit) return lit;
    if (this.isOp("(")) {
      this.pos++;
      const inner = this.expression();
      this.eatOp(")");
      // Keep the parentheses' span, so diagnostics on the group cover them.
      return { ...inner, span: { start: t.start, end: this.lastEnd } } as Expression;
    }
    if ((t.kind === "ident" || t.kind === "tilde") && this.isOp("(", this.peek())) return this.call();
    if (t.kind === "tilde") this.mismatched("'('");
    if (this.isOp("?") || t.kind === "ident" || t.kind === "quoted") return this.qualifiedName();
    return this.mismatched(
      "{'?', 'false', 'null', 'true', '-', '+', '(', STRING, INTEGER_VALUE, DECIMAL_VALUE, IDENTIFIER, QUOTED_IDENTIFIER, TILDE_IDENTIFIER}",
    );
  }

  private call(): Expression {
    const nameToken = this.tokens[this.pos++]!;
    this.eatOp("(");
    const args: Expression[] = [];
    if (!this.isOp(")")) {
      args.push(this.expression());
      while (this.isOp(",")) {
        this.pos++;
        args.push(this.expression());
      }
    }
    this.eatOp(")");
    return {
      type: "call",
      name: nameToken.text,
      insensitive: nameToken.kind === "tilde",
      args,
      span: { start: nameToken.start, end: this.lastEnd },
      nameSpan: { start: nameToken.start, end: nameToken.end },
    };
  }

  private qualifiedName(): FieldRef {
    const start = this.t.start;
    let optional = false;
    if (this.isOp("?")) {
      optional = true;
      this.pos++;
      if (this.t.start !== this.lastEnd) this.mismatched("IDENTIFIER");
    }
    const parts: string[] = [this.identifier(true)];
    for (;;) {
      if (this.isOp(".") && this.t.start === this.lastEnd) {
        this.pos++;
        parts.push(this.identifier(false));
      } else if (this.isOp("[") && this.peek().kind === "integer") {
        // EqlParser.PostProcessor.exitQualifiedName
        const idx = this.peek();
        this.fail(idx.start, idx.end, "Array indexes are not supported");
      } else break;
    }
    return { type: "field", name: parts.join("."), optional, span: { start, end: this.lastEnd } };
  }

  private identifier(first: boolean): string {
    const t = this.t;
    if (t.kind === "quoted") {
      this.pos++;
      return t.text;
    }
    // After a dot a keyword is a name segment (`event.sequence`); at the start it is the keyword.
    if (t.kind === "ident" && (!first || !KEYWORDS.has(t.text))) {
      this.pos++;
      return t.text;
    }
    return this.mismatched("{IDENTIFIER, QUOTED_IDENTIFIER}");
  }
}

/** The text of `span` in `query`. */
export function spanText(query: string, span: Span): string {
  return query.slice(span.start, span.end);
}
