/**
 * Hand-written recursive-descent parser for Kibana's KQL grammar (`@kbn/es-query` grammar.peggy).
 *
 * Each function mirrors one grammar rule and tries the same alternatives in the same order, so the parser accepts
 * exactly what Kibana accepts. Parsing runs twice only on failure: the fast pass records nothing; the second pass
 * ("tracking") records expectations the way peggy does (named rules report their name at their start, their
 * insides are silent, and with Kibana's `cache: true` a rule's first evaluation at a position decides whether it
 * reports), so the error lists the same expectations as Kibana's message.
 *
 * State lives in module variables: parsing is synchronous and this keeps the hot loops free of closures.
 */
import type {
  AndNode,
  FieldNode,
  IsNode,
  KqlNode,
  LiteralNode,
  NestedNode,
  NotNode,
  OrNode,
  RangeNode,
  RangeOperator,
  Span,
  ValueNode,
} from "./ast.js";
import { KqlSyntaxError } from "./errors.js";

export interface ParseOptions {
  /** Kibana's `query:allowLeadingWildcards`. Default true, as for detection rules. */
  allowLeadingWildcards?: boolean;
}

const LEADING_WILDCARD_MESSAGE =
  "Leading wildcards are disabled. See query:allowLeadingWildcards in Advanced Settings.";

// Kibana's translations of peggy's rule names (kuery_syntax_error.ts).
const E_WHITESPACE = "whitespace";
const E_FIELD = "field name";
const E_VALUE = "value";
const E_LITERAL = "literal";
const E_OR = "OR";
const E_AND = "AND";
const E_NOT = "NOT";
const E_END = "end of input";

let src = "";
let len = 0;
let pos = 0;
/** End of the last construct parsed, excluding trailing whitespace a value may have consumed. */
let lastEnd = 0;
let allowLeading = true;

let tracking = false;
let maxFail = 0;
let expected: string[] = [];
/** Positions where a failing `Space` was already evaluated (peggy caches the first evaluation). */
let spaceSeen = new Uint8Array(0);

/**
 * Deepest nesting of parentheses and `field:{…}` groups. Kibana's parser has no limit, but Elasticsearch refuses
 * bool queries nested deeper than `indices.query.bool.max_nested_depth` (20 in 7.x, 30 in 8.x), so no working
 * rule comes near it; it keeps every recursive walk over the tree (print, compile, explain, mutation) shallow.
 */
export const MAX_NESTING_DEPTH = 100;
let depth = 0;

class NestingError extends Error {
  constructor(readonly at: number) {
    super(`The query is nested more than ${MAX_NESTING_DEPTH} levels deep.`);
  }
}

/** Runs `inner` one nesting level down, from the bracket at `at`. */
function nested<T>(at: number, inner: () => T): T {
  if (depth >= MAX_NESTING_DEPTH) throw new NestingError(at);
  depth++;
  try {
    return inner();
  } finally {
    depth--;
  }
}

class LeadingWildcardError extends Error {
  constructor(readonly at: number) {
    super(LEADING_WILDCARD_MESSAGE);
  }
}

/** Parse a KQL query into its syntax tree. Throws `KqlSyntaxError` where Kibana's parser would throw. */
export function parse(query: string, options?: ParseOptions): KqlNode {
  src = query;
  len = query.length;
  allowLeading = options?.allowLeadingWildcards ?? true;
  depth = 0;
  try {
    tracking = false;
    const node = runStart();
    if (node) return node;
    // Second pass, recording what was expected at the furthest failure.
    tracking = true;
    maxFail = 0;
    expected = [];
    spaceSeen = new Uint8Array(len + 1);
    runStart();
    const found = maxFail < len ? query.charAt(maxFail) : null;
    const list = [...new Set(expected)].sort();
    throw new KqlSyntaxError(query, maxFail, list, found);
  } catch (error) {
    if (error instanceof NestingError) {
      throw new KqlSyntaxError(query, error.at, [], null, error.message);
    }
    if (error instanceof LeadingWildcardError) {
      throw new KqlSyntaxError(query, error.at, [], null, LEADING_WILDCARD_MESSAGE);
    }
    // Thousands of nested parentheses exhaust the stack (Kibana's parser recurses too): report, do not crash.
    if (error instanceof RangeError) {
      throw new KqlSyntaxError(query, 0, [], null, "The query is nested too deeply to parse.");
    }
    throw error;
  } finally {
    tracking = false;
    src = "";
    expected = [];
  }
}

function fail(at: number, what: string): void {
  if (at < maxFail) return;
  if (at > maxFail) {
    maxFail = at;
    expected = [];
  }
  expected.push(what);
}

// ---------------------------------------------------------------------------------------------------------------
// Characters

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 160;
}

/** `SpecialCharacter` minus `*` and `\`, which the literal scanner handles first. */
function isStopCode(c: number): boolean {
  return c === 40 || c === 41 || c === 58 || c === 60 || c === 62 || c === 34 || c === 123 || c === 125;
}

/** JavaScript's `trim()` whitespace, for narrowing a value's span the way Kibana trims its text. */
function isTrimmedCode(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Case-insensitive match of an ASCII lower-case word at `at`. */
function wordAt(at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    if ((src.charCodeAt(at + k) | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}

function isHexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}

/** The `Space` rule at `at`. While tracking, a failure reports "whitespace" only on its first, non-silent evaluation. */
function spaceAt(at: number, silent: boolean): boolean {
  if (isSpaceCode(src.charCodeAt(at))) return true;
  if (tracking && spaceSeen[at] === 0) {
    spaceSeen[at] = 1;
    if (!silent) fail(at, E_WHITESPACE);
  }
  return false;
}

/** `Space*` */
function skipSpaces(): void {
  while (spaceAt(pos, false)) pos++;
}

/** A literal token outside named rules: reports itself (quoted, as Kibana prints it) when missing. */
function expectChar(code: number): boolean {
  if (src.charCodeAt(pos) === code) {
    pos++;
    return true;
  }
  if (tracking) fail(pos, `"${String.fromCharCode(code)}"`);
  return false;
}

// `Or = Space+ 'or'i Space+` and `And = Space+ 'and'i Space+` (named rules: the insides are silent).
function matchConjunction(word: string, name: string): boolean {
  const p = pos;
  let q = p;
  while (spaceAt(q, true)) q++;
  const end = q > p ? wordThenSpaces(q, word) : -1;
  if (end >= 0) {
    pos = end;
    return true;
  }
  if (tracking) fail(p, name);
  return false;
}

/** The offset after `word` (any case) and at least one space starting at `at`, or -1. */
function wordThenSpaces(at: number, word: string): number {
  if (!wordAt(at, word)) return -1;
  let r = at + word.length;
  if (!spaceAt(r, true)) return -1;
  r++;
  while (spaceAt(r, true)) r++;
  return r;
}

// `Not = 'not'i Space+`
function matchNot(): boolean {
  const p = pos;
  const end = wordThenSpaces(p, "not");
  if (end >= 0) {
    pos = end;
    return true;
  }
  if (tracking) fail(p, E_NOT);
  return false;
}

/** `Keyword = Space 'or'i Space / Space 'and'i Space / 'not'i Space`, a silent look-ahead inside values. */
function keywordAt(at: number): boolean {
  if (spaceAt(at, true)) {
    if (wordAt(at + 1, "or") && spaceAt(at + 3, true)) return true;
    if (wordAt(at + 1, "and") && spaceAt(at + 4, true)) return true;
    return false;
  }
  return wordAt(at, "not") && spaceAt(at + 3, true);
}

// ---------------------------------------------------------------------------------------------------------------
// Literals: the scanner leaves its result in these variables (no allocation for the common case).

let litQuoted = false;
let litValue: string | boolean | null = "";
let litParts: string[] | null = null;
let litStart = 0;
let litEnd = 0;

/** Decoded text of an escape inside an unquoted literal at `at` (a backslash), or null if it is not one. */
let escWidth = 0;
function unquotedEscape(at: number): string | null {
  const c = src.charCodeAt(at + 1);
  escWidth = 2;
  // EscapedWhitespace first: `\n` wins over the escaped keyword `\not`, as in the grammar.
  if (c === 116) return "\t";
  if (c === 114) return "\r";
  if (c === 110) return "\n";
  if (c === 92 || c === 42 || isStopCode(c)) return src.charAt(at + 1);
  if (c === 117 && hex4(at + 2)) {
    escWidth = 6;
    return String.fromCharCode(parseInt(src.slice(at + 2, at + 6), 16));
  }
  if (wordAt(at + 1, "or")) {
    escWidth = 3;
    return src.slice(at + 1, at + 3);
  }
  if (wordAt(at + 1, "and") || wordAt(at + 1, "not")) {
    escWidth = 4;
    return src.slice(at + 1, at + 4);
  }
  return null;
}

function hex4(at: number): boolean {
  return (
    isHexCode(src.charCodeAt(at)) &&
    isHexCode(src.charCodeAt(at + 1)) &&
    isHexCode(src.charCodeAt(at + 2)) &&
    isHexCode(src.charCodeAt(at + 3))
  );
}

/** `Literal = QuotedString / UnquotedLiteral` at `pos`. On success advances `pos` and fills the `lit*` variables. */
function scanLiteral(): boolean {
  return src.charCodeAt(pos) === 34 ? scanQuoted() : scanUnquoted();
}

function scanQuoted(): boolean {
  const start = pos;
  let i = start + 1;
  const close = src.indexOf('"', i);
  if (close < 0) return false;
  const backslash = src.indexOf("\\", i);
  if (backslash < 0 || backslash > close) {
    // The common case: no escapes.
    litValue = src.slice(i, close);
    i = close;
  } else {
    let segment = i;
    let text = "";
    for (;;) {
      if (i >= len) return false;
      const c = src.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        const n = src.charCodeAt(i + 1);
        let decoded: string | null = null;
        let width = 2;
        if (n === 116) decoded = "\t";
        else if (n === 114) decoded = "\r";
        else if (n === 110) decoded = "\n";
        else if (n === 117 && hex4(i + 2)) {
          decoded = String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
          width = 6;
        } else if (n === 92 || n === 34) decoded = src.charAt(i + 1);
        if (decoded !== null) {
          text += src.slice(segment, i) + decoded;
          i += width;
          segment = i;
          continue;
        }
        // Any other backslash is an ordinary character inside quotes.
      }
      i++;
    }
    litValue = text + src.slice(segment, i);
  }
  litQuoted = true;
  litParts = null;
  litStart = start;
  litEnd = i + 1;
  pos = i + 1;
  return true;
}

// Character kinds for the unquoted-literal scanner (code units below 256; anything above is ordinary).
const K_PLAIN = 0;
const K_SPACE = 1;
const K_STOP = 2;
const K_BACKSLASH = 3;
const K_STAR = 4;
const K_N = 5;
const CHAR_KIND = new Uint8Array(256);
for (const c of [32, 9, 10, 13, 160]) CHAR_KIND[c] = K_SPACE;
for (const c of '():<>"{}') CHAR_KIND[c.charCodeAt(0)] = K_STOP;
CHAR_KIND[92] = K_BACKSLASH;
CHAR_KIND[42] = K_STAR;
CHAR_KIND[110] = K_N;
CHAR_KIND[78] = K_N;

// `UnquotedLiteral = UnquotedCharacter+`, trimmed; `*` makes it a wildcard, true/false/null JSON values.
function scanUnquoted(): boolean {
  const start = pos;
  let i = start;
  let segment = i;
  let text = "";
  let parts: string[] | null = null;
  scan: for (;;) {
    if (i >= len) {
      // At the end `!Keyword` is still evaluated (and fails), which matters only for error reporting.
      if (tracking) keywordAt(i);
      break;
    }
    const c = src.charCodeAt(i);
    const kind = c < 256 ? CHAR_KIND[c] : K_PLAIN;
    switch (kind) {
      case K_PLAIN:
        // `!Keyword` on an ordinary character only evaluates `Space` here (silently).
        if (tracking) spaceAt(i, true);
        i++;
        continue;
      case K_SPACE:
      case K_N:
        if (keywordAt(i)) break scan;
        i++;
        continue;
      case K_STOP:
        break scan;
      case K_STAR:
        (parts ??= []).push(text + src.slice(segment, i));
        text = "";
        i++;
        segment = i;
        continue;
      default: {
        const decoded = unquotedEscape(i);
        if (decoded === null) break scan;
        text += src.slice(segment, i) + decoded;
        i += escWidth;
        segment = i;
      }
    }
  }
  if (i === start) return false;
  const last = text + src.slice(segment, i);
  litQuoted = false;
  if (parts === null) {
    const value = last.trim();
    litValue = value === "null" ? null : value === "true" ? true : value === "false" ? false : value;
    litParts = null;
  } else {
    parts.push(last);
    parts[0] = parts[0]!.trimStart();
    parts[parts.length - 1] = parts[parts.length - 1]!.trimEnd();
    litParts = parts;
    litValue = "";
  }
  let s = start;
  let e = i;
  while (e > s && isTrimmedCode(src.charCodeAt(e - 1))) e--;
  while (s < e && isTrimmedCode(src.charCodeAt(s))) s++;
  litStart = s;
  litEnd = e;
  pos = i;
  return true;
}

function literalSpan(): Span {
  return { start: litStart, end: litEnd };
}

function fieldFromLiteral(): FieldNode {
  if (litParts !== null) {
    return {
      type: "field",
      name: litParts.join("*"),
      wildcard: litParts,
      quoted: false,
      span: literalSpan(),
    };
  }
  // Unquoted true/false/null are JSON values in Kibana; as names they print the same.
  return { type: "field", name: String(litValue), wildcard: null, quoted: litQuoted, span: literalSpan() };
}

function valueFromLiteral(): ValueNode {
  if (litParts !== null) return { type: "wildcard", parts: litParts, span: literalSpan() };
  return { type: "literal", value: litValue, quoted: litQuoted, span: literalSpan() };
}

/** A range takes a `Literal`; a `*` in it is plain text once Kibana joins the wildcard back with `*`. */
function rangeValueFromLiteral(): LiteralNode {
  if (litParts !== null)
    return { type: "literal", value: litParts.join("*"), quoted: false, span: literalSpan() };
  return { type: "literal", value: litValue, quoted: litQuoted, span: literalSpan() };
}

// `Field "fieldName" = Literal`
function parseField(): FieldNode | null {
  if (scanLiteral()) return fieldFromLiteral();
  if (tracking) fail(pos, E_FIELD);
  return null;
}

// `Value "value" = QuotedString / UnquotedLiteral`, with the leading-wildcard check.
function parseValue(): ValueNode | null {
  const start = pos;
  if (!scanLiteral()) {
    if (tracking) fail(start, E_VALUE);
    return null;
  }
  const value = valueFromLiteral();
  if (!allowLeading && value.type === "wildcard" && value.parts.length > 1 && value.parts[0] === "") {
    const lone = value.parts.length === 2 && value.parts[1] === "";
    if (!lone) throw new LeadingWildcardError(start);
  }
  return value;
}

function isNullField(field: FieldNode | null): boolean {
  return field !== null && !field.quoted && field.wildcard === null && field.name === "null";
}

function isLoneStar(parts: string[] | null): boolean {
  return parts !== null && parts.length === 2 && parts[0] === "" && parts[1] === "";
}

/** `is(field, value)`; `*:*` becomes matchAll and an unquoted `null` field means "no field", as in Kibana. */
function makeIs(field: FieldNode | null, value: ValueNode, start: number, end: number): KqlNode {
  const span = { start, end };
  if (field !== null && value.type === "wildcard" && isLoneStar(field.wildcard) && isLoneStar(value.parts)) {
    return { type: "matchAll", span };
  }
  const node: IsNode = { type: "is", field: isNullField(field) ? null : field, value, span };
  return node;
}

function withSpan(node: KqlNode, start: number, end: number): KqlNode {
  node.span = { start, end };
  return node;
}

// ---------------------------------------------------------------------------------------------------------------
// Grammar rules

// `start = Space* OrQuery? OptionalSpace`, then end of input.
function runStart(): KqlNode | null {
  pos = 0;
  skipSpaces();
  const afterSpace = pos;
  let node = parseOrQuery();
  if (node === null) pos = afterSpace;
  skipSpaces();
  if (pos < len) {
    if (tracking) fail(pos, E_END);
    return null;
  }
  node ??= { type: "matchAll", span: { start: 0, end: len } };
  return node;
}

/**
 * `Operand (Keyword Operand)+ / Operand`: the four and/or rules of the grammar. Same-level operators make one flat
 * n-ary node, as in Kibana; a lone operand is returned as it is. A keyword with no operand after it is not
 * consumed (Kibana reads a trailing `or` as part of the value).
 */
function parseJoined(type: "and" | "or", operand: () => KqlNode | null): KqlNode | null {
  const start = pos;
  const head = operand();
  if (head === null) return null;
  let children: KqlNode[] | null = null;
  let end = lastEnd;
  for (;;) {
    const save = pos;
    if (!matchConjunction(type, type === "or" ? E_OR : E_AND)) break;
    const next = operand();
    if (next === null) {
      pos = save;
      break;
    }
    (children ??= [head]).push(next);
    end = lastEnd;
  }
  lastEnd = end;
  if (children === null) return head;
  const node: AndNode | OrNode = { type, children, span: { start, end } };
  return node;
}

// `OrQuery = AndQuery (Or AndQuery)+ / AndQuery`
function parseOrQuery(): KqlNode | null {
  return parseJoined("or", parseAndQuery);
}

// `AndQuery = NotQuery (And NotQuery)+ / NotQuery`
function parseAndQuery(): KqlNode | null {
  return parseJoined("and", parseNotQuery);
}

// `NotQuery = Not SubQuery / SubQuery`
function parseNotQuery(): KqlNode | null {
  const start = pos;
  if (matchNot()) {
    const child = parseSubQuery();
    if (child !== null) {
      const node: NotNode = { type: "not", child, span: { start, end: lastEnd } };
      return node;
    }
    pos = start;
  }
  return parseSubQuery();
}

// `SubQuery = '(' Space* OrQuery OptionalSpace ')' / NestedQuery`
function parseSubQuery(): KqlNode | null {
  const start = pos;
  if (expectChar(40)) {
    const inner = nested(start, () => {
      skipSpaces();
      const inner = parseOrQuery();
      if (inner === null) return null;
      skipSpaces();
      return expectChar(41) ? inner : null;
    });
    if (inner !== null) {
      lastEnd = pos;
      return inner;
    }
    pos = start;
  }
  return parseNestedQuery();
}

// `NestedQuery = Field Space* ':' Space* '{' Space* OrQuery OptionalSpace '}' / Expression`
function parseNestedQuery(): KqlNode | null {
  const start = pos;
  const field = parseField();
  if (field !== null) {
    const afterField = pos;
    skipSpaces();
    if (expectChar(58)) {
      skipSpaces();
      const brace = pos;
      if (expectChar(123)) {
        const child = nested(brace, () => {
          skipSpaces();
          const child = parseOrQuery();
          if (child === null) return null;
          skipSpaces();
          return expectChar(125) ? child : null;
        });
        if (child !== null) {
          lastEnd = pos;
          const node: NestedNode = { type: "nested", path: field, child, span: { start, end: pos } };
          return node;
        }
      }
    }
    pos = afterField;
  }
  return parseExpression(start, field);
}

// `Expression = FieldRangeExpression / FieldValueExpression / ValueExpression`, reusing the `Field` already read
// (peggy caches it).
function parseExpression(start: number, field: FieldNode | null): KqlNode | null {
  if (field !== null) {
    const afterField = pos;
    const range = parseRangeRest(start, field);
    if (range !== null) return range;
    pos = afterField;
    const value = parseFieldValueRest(start, field);
    if (value !== null) return value;
  }
  pos = start;
  const value = parseValue();
  if (value === null) return null;
  lastEnd = value.span.end;
  return makeIs(null, value, value.span.start, value.span.end);
}

// `FieldRangeExpression = Field Space* RangeOperator Space* Literal`
function parseRangeRest(start: number, field: FieldNode): RangeNode | null {
  skipSpaces();
  const operator = parseRangeOperator();
  if (operator === null) return null;
  skipSpaces();
  const at = pos;
  if (!scanLiteral()) {
    if (tracking) fail(at, E_LITERAL);
    return null;
  }
  const value = rangeValueFromLiteral();
  lastEnd = value.span.end;
  return { type: "range", field, operator, value, span: { start, end: value.span.end } };
}

// `RangeOperator = '<=' / '>=' / '<' / '>'`
function parseRangeOperator(): RangeOperator | null {
  const c = src.charCodeAt(pos);
  const eq = src.charCodeAt(pos + 1) === 61;
  if (c === 60 && eq) {
    pos += 2;
    return "lte";
  }
  if (tracking) fail(pos, '"<="');
  if (c === 62 && eq) {
    pos += 2;
    return "gte";
  }
  if (tracking) fail(pos, '">="');
  if (c === 60) {
    pos++;
    return "lt";
  }
  if (tracking) fail(pos, '"<"');
  if (c === 62) {
    pos++;
    return "gt";
  }
  if (tracking) fail(pos, '">"');
  return null;
}

// `FieldValueExpression = Field Space* ':' Space* ListOfValues`
function parseFieldValueRest(start: number, field: FieldNode): KqlNode | null {
  skipSpaces();
  if (!expectChar(58)) return null;
  skipSpaces();
  const node = parseListOfValues(field, start);
  if (node === null) return null;
  return withSpan(node, start, lastEnd);
}

// `ListOfValues = '(' Space* OrListOfValues OptionalSpace ')' / Value`
// `itemStart` is where a lone value's clause starts: the field for `f:v`, the value itself inside a list.
function parseListOfValues(field: FieldNode, itemStart: number): KqlNode | null {
  const start = pos;
  if (expectChar(40)) {
    const inner = nested(start, () => {
      skipSpaces();
      const inner = parseOrList(field);
      if (inner === null) return null;
      skipSpaces();
      return expectChar(41) ? inner : null;
    });
    if (inner !== null) {
      lastEnd = pos;
      return inner;
    }
    pos = start;
  }
  const value = parseValue();
  if (value === null) return null;
  lastEnd = value.span.end;
  return makeIs(field, value, itemStart < 0 ? value.span.start : itemStart, value.span.end);
}

// `OrListOfValues = AndListOfValues (Or AndListOfValues)+ / AndListOfValues`
function parseOrList(field: FieldNode): KqlNode | null {
  return parseJoined("or", () => parseAndList(field));
}

// `AndListOfValues = NotListOfValues (And NotListOfValues)+ / NotListOfValues`
function parseAndList(field: FieldNode): KqlNode | null {
  return parseJoined("and", () => parseNotList(field));
}

// `NotListOfValues = Not ListOfValues / ListOfValues`
function parseNotList(field: FieldNode): KqlNode | null {
  const start = pos;
  if (matchNot()) {
    const child = parseListOfValues(field, -1);
    if (child !== null) {
      const node: NotNode = { type: "not", child, span: { start, end: lastEnd } };
      return node;
    }
    pos = start;
  }
  return parseListOfValues(field, -1);
}
