/**
 * A recursive-descent parser for Lucene's classic query syntax, as Elasticsearch's `query_string` query reads it.
 * Tokens and grammar follow Lucene's `QueryParser.jj`
 * (lucene/queryparser/src/java/org/apache/lucene/queryparser/classic/QueryParser.jj):
 *
 *   Query      := Modifiers Clause ( Conjunction Modifiers Clause )*
 *   Conjunction:= [ AND | && | OR | || ]
 *   Modifiers  := [ + | - | NOT | ! ]
 *   Clause     := [ TERM ":" | "*" ":" ] ( Term | "(" Query ")" [ "^" boost ] )
 *   Term       := ( TERM | "*" | PREFIXTERM | WILDTERM | REGEXPTERM | BAREOPER ) [ "~" [n] ] [ "^" n ]
 *               | ( "[" | "{" ) goop [ TO ] goop ( "]" | "}" ) [ "^" n ]
 *               | QUOTED [ "~" n ] [ "^" n ]
 *
 * and each clause's occurrence is decided as `QueryParserBase.addClause` decides it with Elasticsearch's default
 * operator OR: `+` or a preceding AND makes it `must` (AND also makes the clause before it `must`, unless that one is
 * prohibited), `-`/`NOT`/`!` make it `must_not`, anything else is `should`. Boosts are parsed and dropped: they
 * change scores, never which documents match.
 */
import type { BoolNode, FieldRef, LuceneNode, Occur, Span, TermNode } from "./ast.js";

/** A syntax error with its offset in the query, and 1-based line and column. */
export class LuceneSyntaxError extends Error {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly query: string;
  constructor(query: string, offset: number, message: string) {
    super(message);
    this.name = "LuceneSyntaxError";
    this.query = query;
    this.offset = offset;
    const before = query.slice(0, offset);
    this.line = before.split("\n").length;
    this.column = offset - before.lastIndexOf("\n");
  }
}

type Kind =
  | "and"
  | "or"
  | "not"
  | "plus"
  | "minus"
  | "lparen"
  | "rparen"
  | "colon"
  | "caret"
  | "tilde"
  | "quoted"
  | "term"
  | "regex"
  | "rangeStart"
  | "eof";

interface Token {
  kind: Kind;
  /** The token as written. */
  image: string;
  start: number;
  end: number;
}

/** Lucene's `_WHITESPACE`. */
const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\u3000"]);
/** Characters that cannot start a term unescaped (`_TERM_START_CHAR` excludes them). */
const SPECIAL = new Set([
  ...WHITESPACE,
  "+",
  "-",
  "!",
  "(",
  ")",
  ":",
  "^",
  "[",
  "]",
  '"',
  "{",
  "}",
  "~",
  "\\",
  "/",
]);

function describe(token: Token): string {
  return token.kind === "eof" ? "the end of the query" : `"${token.image}"`;
}

export interface ParseOptions {
  /** Elasticsearch's `allow_leading_wildcard` (default true, and Kibana does not change it for rules). */
  allowLeadingWildcard?: boolean;
}

/** Parses a query; throws LuceneSyntaxError. An empty (or blank) query is an empty `bool`: match all, as Kibana sends it. */
export function parse(query: string, options: ParseOptions = {}): BoolNode {
  let pos = 0;
  let peeked: Token | undefined;
  const allowLeading = options.allowLeadingWildcard ?? true;

  const fail = (offset: number, message: string): never => {
    throw new LuceneSyntaxError(query, offset, message);
  };

  function skipSpace(): void {
    while (pos < query.length && WHITESPACE.has(query[pos]!)) pos++;
  }

  /** A term: term characters and escapes, `-`/`+` allowed after the first character. */
  function lexTerm(start: number): Token {
    let i = start;
    while (i < query.length) {
      const ch = query[i]!;
      if (ch === "\\") {
        if (i + 1 >= query.length) fail(i, "a `\\` at the end of the query escapes nothing");
        i += 2;
        continue;
      }
      if (ch === "-" || ch === "+") {
        i++;
        continue;
      }
      if (SPECIAL.has(ch)) break;
      i++;
    }
    const image = query.slice(start, i);
    const kind: Kind = image === "AND" ? "and" : image === "OR" ? "or" : image === "NOT" ? "not" : "term";
    return { kind, image, start, end: i };
  }

  function lex(): Token {
    skipSpace();
    const start = pos;
    if (pos >= query.length) return { kind: "eof", image: "", start, end: start };
    const ch = query[pos]!;
    const two = query.slice(pos, pos + 2);
    const single = (kind: Kind, length = 1): Token => {
      pos += length;
      return { kind, image: query.slice(start, pos), start, end: pos };
    };
    if (two === "&&") return single("and", 2);
    if (two === "||") return single("or", 2);
    // BAREOPER: a lone + - ! followed by whitespace is a term of its own.
    if ((ch === "+" || ch === "-" || ch === "!") && WHITESPACE.has(query[pos + 1] ?? ""))
      return single("term");
    if (ch === "+") return single("plus");
    if (ch === "-") return single("minus");
    if (ch === "!") return single("not");
    if (ch === "(") return single("lparen");
    if (ch === ")") return single("rparen");
    if (ch === ":") return single("colon");
    if (ch === "^") return single("caret");
    if (ch === "~") return single("tilde");
    if (ch === "[" || ch === "{") return single("rangeStart");
    if (ch === "]" || ch === "}") fail(pos, `unexpected "${ch}": no range is open`);
    if (ch === '"') {
      let i = pos + 1;
      while (i < query.length && query[i] !== '"') i += query[i] === "\\" ? 2 : 1;
      if (i >= query.length) fail(start, 'unterminated phrase: a `"` opens it and nothing closes it');
      pos = i + 1;
      return { kind: "quoted", image: query.slice(start, pos), start, end: pos };
    }
    if (ch === "/") {
      let i = pos + 1;
      while (i < query.length && query[i] !== "/") i += query[i] === "\\" ? 2 : 1;
      if (i >= query.length)
        fail(start, "unterminated regular expression: a `/` opens it and nothing closes it");
      pos = i + 1;
      return { kind: "regex", image: query.slice(start, pos), start, end: pos };
    }
    const token = lexTerm(pos);
    pos = token.end;
    return token;
  }

  const peek = (): Token => (peeked ??= lex());
  const next = (): Token => {
    const token = peek();
    peeked = undefined;
    return token;
  };

  /** An optional `^boost` (a number), dropped. */
  function boost(): number | undefined {
    if (peek().kind !== "caret") return undefined;
    const caret = next();
    if (pos < query.length && WHITESPACE.has(query[pos]!))
      fail(caret.end, "`^` must be followed by a number");
    const value = next();
    if (value.kind !== "term" || !/^\d+(\.\d+)?$/.test(value.image))
      fail(value.start, `a boost after \`^\` is a number, not ${describe(value)}`);
    return value.end;
  }

  /** An optional `~` and the number right after it. */
  function tilde(): { text: string; end: number } | undefined {
    if (peek().kind !== "tilde") return undefined;
    const t = next();
    if (pos < query.length && /[0-9]/.test(query[pos]!)) {
      const m = /^\d+(\.\d+)?/.exec(query.slice(pos))!;
      pos += m[0].length;
      return { text: m[0], end: pos };
    }
    return { text: "", end: t.end };
  }

  /** The range's goop in range mode: quoted, or any run without whitespace, `]` or `}`. */
  function rangeBound(): { text: string | null; start: number; end: number } {
    skipSpace();
    const start = pos;
    if (query[pos] === '"') {
      let i = pos + 1;
      while (i < query.length && query[i] !== '"') i += query[i] === "\\" ? 2 : 1;
      if (i >= query.length) fail(start, "unterminated phrase in a range");
      pos = i + 1;
      return { text: unescape(query.slice(start + 1, i)), start, end: pos };
    }
    while (pos < query.length && !WHITESPACE.has(query[pos]!) && query[pos] !== "]" && query[pos] !== "}")
      pos++;
    if (pos === start)
      fail(
        start,
        `a range needs a bound here, found ${pos >= query.length ? "the end of the query" : `"${query[pos]}"`}`,
      );
    const raw = query.slice(start, pos);
    return { text: raw === "*" ? null : unescape(raw), start, end: pos };
  }

  function range(field: FieldRef | null, open: Token): LuceneNode {
    const lower = rangeBound();
    skipSpace();
    // `TO` is optional in the grammar: `[a b]` is a range too.
    if (
      query.startsWith("TO", pos) &&
      (WHITESPACE.has(query[pos + 2] ?? "") || query[pos + 2] === undefined)
    ) {
      pos += 2;
    }
    const upper = rangeBound();
    skipSpace();
    const close = query[pos];
    if (close !== "]" && close !== "}")
      fail(
        pos,
        `a range closes with "]" or "}", found ${close === undefined ? "the end of the query" : `"${close}"`}`,
      );
    pos++;
    const end = boost() ?? pos;
    return {
      type: "range",
      field,
      lower: lower.text,
      upper: upper.text,
      includeLower: open.image === "[",
      includeUpper: close === "]",
      span: { start: field?.span.start ?? open.start, end },
    };
  }

  function term(field: FieldRef | null, token: Token): TermNode {
    const start = field?.span.start ?? token.start;
    if (token.kind === "quoted") {
      const slop = tilde();
      const end = boost() ?? slop?.end ?? token.end;
      return {
        type: "term",
        field,
        kind: "phrase",
        text: unescape(token.image.slice(1, -1)),
        raw: token.image,
        ...(slop ? { tilde: slop.text } : {}),
        span: { start, end },
      };
    }
    if (token.kind === "regex") {
      const end = boost() ?? token.end;
      return {
        type: "term",
        field,
        kind: "regex",
        text: token.image.slice(1, -1),
        raw: token.image,
        span: { start, end },
      };
    }
    const fuzzy = tilde();
    const end = boost() ?? fuzzy?.end ?? token.end;
    const wild = wildcardParts(token.image);
    if (wild && !allowLeading && (wild.parts[0] === "" || token.image.startsWith("?")) && token.image !== "*")
      fail(token.start, `leading wildcards are not allowed: ${token.image}`);
    return {
      type: "term",
      field,
      kind: wild ? "wildcard" : "word",
      text: unescape(token.image),
      raw: token.image,
      ...(wild ? { parts: wild.parts, question: wild.question } : {}),
      ...(fuzzy ? { tilde: fuzzy.text } : {}),
      span: { start, end },
    };
  }

  function clause(): LuceneNode {
    let token = next();
    let field: FieldRef | null = null;
    if (token.kind === "term" && peek().kind === "colon") {
      next();
      // Lucene reads `a*:` as a wildcard term, not a field; a field pattern escapes its stars (`process.\\*:x`).
      if (token.image !== "*" && /(^|[^\\])[*?]/.test(token.image))
        fail(
          token.start,
          `\`${token.image}\` is not a field name: escape the wildcard in a field pattern (\`${token.image.replace(/\*/g, "\\*")}\`)`,
        );
      field = { name: unescape(token.image), span: { start: token.start, end: token.end } };
      token = next();
    }
    switch (token.kind) {
      case "lparen": {
        const inner = query_(token.start);
        const close = next();
        if (close.kind !== "rparen")
          fail(close.start, `expected ")" to close the group, found ${describe(close)}`);
        const end = boost() ?? close.end;
        const span = { start: field?.span.start ?? token.start, end };
        return {
          type: "group",
          field,
          query: { ...inner, span: { start: token.start, end: close.end } },
          span,
        };
      }
      case "rangeStart":
        return range(field, token);
      case "term":
      case "quoted":
      case "regex":
        return term(field, token);
      default:
        return fail(
          token.start,
          `expected a term, a "phrase", a range or a group${field ? ` after \`${field.name}:\`` : ""}, found ${describe(token)}`,
        );
    }
  }

  /** A plain word: a term without wildcards (Lucene's `<TERM>`, not PREFIXTERM or WILDTERM). */
  const plainWord = (token: Token) => token.kind === "term" && wildcardParts(token.image) === undefined;

  /**
   * Elasticsearch parses with `split_on_whitespace` off (Lucene's `MultiTerm` production, tried only where no
   * conjunction or modifier precedes): plain words that follow a plain word without a field, operator or
   * modifier between them are one piece of text, analysed together.
   * On a keyword field `f:(a b)` is the single term "a b"; on a text field its tokens are OR-ed.
   */
  function multiTerm(node: LuceneNode): LuceneNode {
    if (node.type !== "term" || node.kind !== "word" || node.field || node.tilde !== undefined) return node;
    if (
      !plainWord({ kind: "term", image: node.raw, start: 0, end: 0 }) ||
      node.span.end - node.span.start !== node.raw.length
    )
      return node;
    const words = [node.text];
    let end = node.span.end;
    for (;;) {
      const saved = { pos, peeked };
      const t1 = next();
      const t2 = plainWord(t1) ? peek() : undefined;
      // Lucene's `allowedPostMultiTerm`: not before a field's `:`, `*`, `~`, `^`, AND or OR.
      const disallowed =
        !t2 ||
        ["colon", "caret", "tilde", "and", "or"].includes(t2.kind) ||
        (t2.kind === "term" && t2.image === "*");
      if (disallowed) {
        pos = saved.pos;
        peeked = saved.peeked;
        break;
      }
      words.push(unescape(t1.image));
      end = t1.end;
    }
    if (words.length === 1) return node;
    return {
      ...node,
      text: words.join(" "),
      raw: query.slice(node.span.start, end),
      span: { start: node.span.start, end },
    };
  }

  const startsClause = (kind: Kind) =>
    kind === "term" || kind === "quoted" || kind === "regex" || kind === "lparen" || kind === "rangeStart";

  function query_(start: number): BoolNode {
    const clauses: { occur: Occur; node: LuceneNode }[] = [];
    let first = true;
    for (;;) {
      let conj: "and" | "or" | undefined;
      const head = peek();
      if (!first && (head.kind === "and" || head.kind === "or")) {
        conj = head.kind;
        next();
      }
      let mods: "req" | "not" | undefined;
      const mod = peek();
      if (mod.kind === "plus" || mod.kind === "minus" || mod.kind === "not") {
        mods = mod.kind === "plus" ? "req" : "not";
        next();
      }
      if (!first && conj === undefined && mods === undefined && !startsClause(peek().kind)) break;
      if (first && conj === undefined && mods === undefined && !startsClause(peek().kind)) {
        const found = peek();
        fail(found.start, `expected a term, a "phrase", a range or a group, found ${describe(found)}`);
      }
      const node = conj === undefined && mods === undefined ? multiTerm(clause()) : clause();
      // QueryParserBase.addClause with default operator OR.
      if (clauses.length > 0 && conj === "and") {
        const last = clauses[clauses.length - 1]!;
        if (last.occur !== "must_not") last.occur = "must";
      }
      const prohibited = mods === "not";
      const required = mods === "req" || (conj === "and" && !prohibited);
      clauses.push({ occur: prohibited ? "must_not" : required ? "must" : "should", node });
      first = false;
    }
    const end = clauses.length ? clauses[clauses.length - 1]!.node.span.end : start;
    return { type: "bool", clauses, span: { start, end } };
  }

  if (query.trim() === "") return { type: "bool", clauses: [], span: { start: 0, end: query.length } };
  const root = query_(0);
  const rest = next();
  if (rest.kind !== "eof") fail(rest.start, `unexpected ${describe(rest)}`);
  const first = root.clauses[0]?.node.span.start ?? 0;
  return { ...root, span: { start: first, end: root.span.end } };
}

/** Removes backslash escapes (`\:` → `:`). */
export function unescape(text: string): string {
  return text.replace(/\\([\s\S])/g, "$1");
}

/** The literal pieces around unescaped `*` of a term, and whether it has an unescaped `?`; undefined for no wildcard. */
function wildcardParts(image: string): { parts: string[]; question: boolean } | undefined {
  const parts: string[] = [""];
  let question = false;
  let wild = false;
  for (let i = 0; i < image.length; i++) {
    const ch = image[i]!;
    if (ch === "\\") {
      parts[parts.length - 1] += image[i + 1] ?? "";
      i++;
    } else if (ch === "*") {
      parts.push("");
      wild = true;
    } else if (ch === "?") {
      question = true;
      wild = true;
      parts[parts.length - 1] += "?";
    } else parts[parts.length - 1] += ch;
  }
  return wild ? { parts, question } : undefined;
}

/** Every field a query names, with its place (field groups give their field to the terms inside). */
export function fieldsOf(root: LuceneNode): FieldRef[] {
  const out: FieldRef[] = [];
  const visit = (node: LuceneNode) => {
    if (node.type === "bool") node.clauses.forEach((c) => visit(c.node));
    else if (node.type === "group") {
      if (node.field) out.push(node.field);
      visit(node.query);
    } else if (node.field) out.push(node.field);
  };
  visit(root);
  return out;
}

export type { Span };
