/**
 * Per-value predicates for one Elasticsearch query (term, match, match_phrase, wildcard, query_string, exists,
 * range) on one field, by field type, with the sentence `explain` shows. Everything that depends only on the
 * query and the field — parsed numbers, dates, addresses, analysed tokens, glob matchers — is computed here, once.
 */
import { quoteValue } from "./message-text.js";
import type { RangeOperator, Span } from "./types.js";
import { analyzeStandard, lowercaseTerm } from "./analysis.js";
import type { EsFieldType, FieldInfo } from "./catalog-types.js";
import { QueryEvaluationError, ValueParseError } from "./query-error.js";
import { operatorWord, queryStringClauses, type QueryStringClause } from "./evaluate-query-string.js";
import { booleanFromDocument, booleanRangeTest, booleanTermValue } from "./values-boolean.js";
import {
  dateFormat,
  dateFromDocument,
  dateKey,
  formatInstant,
  parseDateMath,
  roundsUp,
  type DateKey,
  type Instant,
} from "./values-date.js";
import { ipFromDocument, ipKeyText, ipRangeTest, ipTermRange } from "./values-ip.js";
import { isNumberType, numberSpec, type NumberSpec } from "./values-number.js";
import { globMatcher, keywordFromDocument, stringRangeTest } from "./values-string.js";

export interface ValueMatcher {
  /** Per-value predicate on document values (arrays already flattened, nulls dropped; objects may arrive). */
  match: (value: unknown) => boolean;
  /** Set when the outcome does not depend on the document (constant_keyword, match-none queries). */
  constant?: boolean;
  /** A sentence for a person: why these values match or not. */
  explain: (values: readonly unknown[], matched: boolean) => string;
}

export interface MatchContext {
  /** `now` for date math, read once per compilation. */
  now: Instant;
  /** Free text (`multi_match`/`query_string` over all fields) is lenient: a value that does not parse skips the field. */
  lenient: boolean;
  span?: Span;
}

const OPERATOR_TEXT: Record<RangeOperator, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

export const show = (value: unknown): string => quoteValue(value);

function list(values: readonly unknown[]): string {
  const shown = values.slice(0, 5).map(show).join(", ");
  return values.length > 5 ? `${shown}, … (${values.length} values)` : shown;
}

const NEVER = (explain: string): ValueMatcher => ({
  match: () => false,
  constant: false,
  explain: () => explain,
});

type TypeClass = "keyword" | "text" | "number" | "date" | "boolean" | "ip" | "container" | "other";

export function typeClass(type: EsFieldType): TypeClass {
  if (type === "keyword" || type === "wildcard" || type === "constant_keyword" || type === "flattened")
    return "keyword";
  if (type === "text" || type === "match_only_text") return "text";
  if (isNumberType(type)) return "number";
  if (type === "date" || type === "date_nanos") return "date";
  if (type === "boolean") return "boolean";
  if (type === "ip") return "ip";
  if (type === "object" || type === "nested") return "container";
  return "other";
}

/** Errors Elasticsearch would raise; under leniency they make the field simply not match. */
function failure(message: string, info: FieldInfo, ctx: MatchContext, value?: string): ValueMatcher {
  if (ctx.lenient) return NEVER(`${message} (lenient: this field is skipped)`);
  throw new QueryEvaluationError(message, { field: info.name, fieldType: info.type, value, span: ctx.span });
}

/** What the engine cannot model: always an error, even where Elasticsearch would be lenient — never a guess. */
function unsupported(message: string, info: FieldInfo, ctx: { span?: Span }): never {
  throw new QueryEvaluationError(message, { field: info.name, fieldType: info.type, span: ctx.span });
}

/** Catalogue settings the engine cannot use (an unsupported date format, a scaled_float without a factor). */
function configured<T>(make: () => T, info: FieldInfo, ctx: { span?: Span }): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof ValueParseError) unsupported(`field \`${info.name}\`: ${error.message}`, info, ctx);
    throw error;
  }
}

function guard(info: FieldInfo, ctx: MatchContext): ValueMatcher | undefined {
  if (info.searchable === false) {
    return failure(
      `Cannot search on field [${info.name}] since it is not indexed nor has doc values.`,
      info,
      ctx,
    );
  }
  if (info.normalizer !== undefined && normalizerOf(info) === undefined) {
    unsupported(
      `keyword normalizer \`${info.normalizer}\` of field \`${info.name}\` is not modelled`,
      info,
      ctx,
    );
  }
  for (const analyzer of [info.analyzer, info.searchAnalyzer]) {
    if (analyzer !== undefined && analyzer !== "standard") {
      unsupported(
        `analyzer \`${analyzer}\` of field \`${info.name}\` is not modelled (only standard)`,
        info,
        ctx,
      );
    }
  }
  if (info.type === "alias") unsupported(`alias \`${info.name}\` has no target in the catalogue`, info, ctx);
  if (info.type === "conflict") {
    // A pulled cluster whose indices type the field differently: each index searches it by its own type.
    const types = Object.entries(info.esTypes ?? {})
      .map(([type, indices]) => `${type} in ${indices.length} index(es)`)
      .join(", ");
    unsupported(
      `the indices map \`${info.name}\` with conflicting types${types ? ` (${types})` : ""}, so each searches it its own way; make the mappings agree, or declare the type in the rule's metadata.fields`,
      info,
      ctx,
    );
  }
  if (typeClass(info.type) === "other") {
    unsupported(`queries on ${info.type} field \`${info.name}\` are not modelled by the engine`, info, ctx);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Keyword-like fields: keyword, wildcard, constant_keyword, flattened (root: every leaf; key: that key).

/**
 * A keyword normalizer the engine models: `lowercase` (Lucene's LowerCaseFilter). Elasticsearch normalizes the
 * indexed value (after the ignore_above check on the original) and, through `KeywordFieldType`
 * (`indexedValueForSearch`, `normalizeWildcardPattern`), the term, range bounds and wildcard pattern of a query.
 */
function normalizerOf(info: FieldInfo): ((s: string) => string) | undefined {
  return info.normalizer === "lowercase" ? lowercaseTerm : undefined;
}

/** A query value as the field's normalizer makes it (unchanged without one). */
function normalizedQueryValue(info: FieldInfo, value: string): string {
  return normalizerOf(info)?.(value) ?? value;
}

/** The keyword string a document value indexes for this field, or undefined (not a scalar, over ignore_above). */
function keywordIndexer(info: FieldInfo): (value: unknown) => string | undefined {
  const limit = info.ignoreAbove ?? Infinity;
  const normalize = normalizerOf(info);
  return (value) => {
    const s = keywordFromDocument(value);
    if (s === undefined || s.length > limit) return undefined;
    return normalize ? normalize(s) : s;
  };
}

function someLeaf(value: unknown, test: (leaf: unknown) => boolean): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.some((v) => someLeaf(v, test));
  if (typeof value === "object") return Object.values(value).some((v) => someLeaf(v, test));
  return test(value);
}

function leavesOf(values: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) someLeaf(v, (leaf) => (out.push(leaf), false));
  return out;
}

/** A predicate on keyword strings, lifted to document values (flattened roots test every leaf). */
function keywordPredicate(
  info: FieldInfo,
  test: (s: string) => boolean,
  exact?: string,
): (value: unknown) => boolean {
  const limit = info.ignoreAbove ?? Infinity;
  const normalize = normalizerOf(info);
  if (normalize) {
    const indexer = keywordIndexer(info);
    const normalized = (v: unknown) => {
      const s = indexer(v);
      return s !== undefined && (exact !== undefined ? s === exact : test(s));
    };
    return normalized;
  }
  // Hot path: strings first, no intermediate closures. An exact term is never longer than ignore_above here.
  const scalar =
    exact !== undefined
      ? (v: unknown) =>
          typeof v === "string"
            ? v === exact
            : (typeof v === "number" || typeof v === "boolean") && String(v) === exact
      : (v: unknown) => {
          if (typeof v === "string") return v.length <= limit && test(v);
          if (typeof v !== "number" && typeof v !== "boolean") return false;
          const s = String(v);
          return s.length <= limit && test(s);
        };
  if (info.type === "flattened") return (value) => typeof value === "object" && someLeaf(value, scalar);
  return scalar;
}

function keywordValuesForExplain(info: FieldInfo, values: readonly unknown[]): unknown[] {
  return info.type === "flattened" ? leavesOf(values) : [...values];
}

function keywordMiss(
  info: FieldInfo,
  values: readonly unknown[],
  wanted: string,
  test: (s: string) => boolean,
): string {
  const leaves = keywordValuesForExplain(info, values);
  if (leaves.length === 0) return `field \`${info.name}\` is missing`;
  const limit = info.ignoreAbove ?? Infinity;
  const tooLong = leaves.filter((v) => (keywordFromDocument(v)?.length ?? 0) > limit);
  const parts: string[] = [];
  for (const v of tooLong) {
    parts.push(
      `value ${show(v)} is longer than ignore_above ${limit}, so it is not indexed and matches nothing`,
    );
  }
  const indexer = keywordIndexer(info);
  const indexed = leaves.map(indexer).filter((s): s is string => s !== undefined);
  const caseOnly = normalizerOf(info)
    ? []
    : indexed.filter((s) => test(lowercaseTerm(s)) || lowercaseTerm(s) === lowercaseTerm(wanted));
  if (caseOnly.length > 0) {
    parts.push(`keyword comparison is case-sensitive: ${show(caseOnly[0])} does not match ${show(wanted)}`);
  } else if (indexed.length > 0) {
    parts.push(
      `${info.type} field \`${info.name}\` has ${list(indexed)}, which does not match ${show(wanted)}`,
    );
  }
  if (parts.length === 0)
    parts.push(`${info.type} field \`${info.name}\` has no keyword value (${list(leaves)})`);
  return parts.join("; ");
}

function constantKeyword(
  info: FieldInfo,
  test: (s: string) => boolean,
  wanted: string,
): ValueMatcher | undefined {
  if (info.type !== "constant_keyword" || info.value === undefined) return undefined;
  const matched = test(info.value);
  return {
    match: () => matched,
    constant: matched,
    explain: () =>
      `constant_keyword field \`${info.name}\` is ${show(info.value)} for every document of the index, which ${
        matched ? "matches" : "does not match"
      } ${show(wanted)}`,
  };
}

/** A keyword-like query; `exact` is the term for term/match queries (which lets the hot path compare directly). */
function keywordMatcher(
  info: FieldInfo,
  test: (s: string) => boolean,
  wanted: string,
  exact?: string,
): ValueMatcher {
  const constant = constantKeyword(info, test, wanted);
  if (constant) return constant;
  const limit = info.ignoreAbove ?? Infinity;
  if (exact !== undefined && exact.length > limit) {
    return NEVER(
      `${show(exact)} is longer than ignore_above ${limit} of \`${info.name}\`, so no indexed value can equal it`,
    );
  }
  return {
    match: keywordPredicate(info, test, exact),
    explain: (values, matched) => {
      if (!matched) return keywordMiss(info, values, wanted, test);
      const indexer = keywordIndexer(info);
      const hit = keywordValuesForExplain(info, values).find((v) => {
        const s = indexer(v);
        return s !== undefined && (exact !== undefined ? s === exact : test(s));
      });
      return `${info.type} field \`${info.name}\` has ${show(hit)}, which matches ${show(wanted)}`;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Text fields: standard analyzer.

function textTokens(value: unknown): string[] | undefined {
  const s = keywordFromDocument(value);
  return s === undefined ? undefined : analyzeStandard(s);
}

function textMatcher(info: FieldInfo, query: string, phrase: boolean): ValueMatcher {
  const wanted = analyzeStandard(query);
  if (wanted.length === 0) {
    return NEVER(
      `${show(query)} analyses to no tokens, so the ${phrase ? "match_phrase" : "match"} query matches nothing`,
    );
  }
  const set = new Set(wanted);
  const match = phrase
    ? (value: unknown) => {
        const tokens = textTokens(value);
        if (!tokens) return false;
        outer: for (let i = 0; i + wanted.length <= tokens.length; i++) {
          for (let j = 0; j < wanted.length; j++) if (tokens[i + j] !== wanted[j]) continue outer;
          return true;
        }
        return false;
      }
    : (value: unknown) => {
        const tokens = textTokens(value);
        return tokens !== undefined && tokens.some((t) => set.has(t));
      };
  return {
    match,
    explain: (values, matched) => {
      if (values.length === 0) return `field \`${info.name}\` is missing`;
      const analysed = values.map((v) => textTokens(v)).filter((t): t is string[] => t !== undefined);
      const tokens = analysed.map((t) => `[${t.join(", ")}]`).join(", ");
      const q = `[${wanted.join(", ")}]`;
      if (phrase) {
        return matched
          ? `text field \`${info.name}\` has the tokens ${q} next to each other, in order`
          : `text field \`${info.name}\` is analysed into ${tokens}; the phrase ${q} does not appear in it in order`;
      }
      return matched
        ? `text field \`${info.name}\` is analysed into ${tokens}, which contains a token of ${q}`
        : `text field \`${info.name}\` is analysed into ${tokens}, which contains none of ${q}`;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers, booleans, dates, addresses.

function numberSpecFor(info: FieldInfo): NumberSpec {
  return numberSpec(info.type as Parameters<typeof numberSpec>[0], info.scalingFactor);
}

function notIndexedNote(
  info: FieldInfo,
  values: readonly unknown[],
  indexed: (v: unknown) => boolean,
): string {
  const bad = values.filter((v) => !indexed(v));
  if (bad.length === 0) return "";
  return `; ${list(bad)} ${bad.length === 1 ? "is" : "are"} not a valid ${info.type} value, so Elasticsearch does not index ${
    bad.length === 1 ? "it" : "them"
  } (ignore_malformed)`;
}

function scalarMatcher<T>(
  info: FieldInfo,
  convert: (value: unknown) => T | undefined,
  test: (indexed: T) => boolean,
  wanted: string,
  render: (indexed: T) => string = (t) => String(t),
): ValueMatcher {
  return {
    match: (value) => {
      const t = convert(value);
      return t !== undefined && test(t);
    },
    explain: (values, matched) => {
      if (values.length === 0) return `field \`${info.name}\` is missing`;
      const indexed = values.map(convert).filter((t): t is T => t !== undefined);
      const note = notIndexedNote(info, values, (v) => convert(v) !== undefined);
      if (matched)
        return `${info.type} field \`${info.name}\` has ${render(indexed.find(test)!)}, which matches ${wanted}${note}`;
      if (indexed.length === 0) return `${info.type} field \`${info.name}\` has no indexed value${note}`;
      return `${info.type} field \`${info.name}\` has ${indexed.map(render).join(", ")}, which does not match ${wanted}${note}`;
    },
  };
}

function numberConvert(spec: NumberSpec): (value: unknown) => number | undefined {
  return (value) => {
    const n = spec.fromDocument(value);
    return Number.isNaN(n) ? undefined : n;
  };
}

function parseOrFail<T>(parse: () => T, info: FieldInfo, ctx: MatchContext, raw: string): T | ValueMatcher {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ValueParseError) {
      return failure(`${info.type} field \`${info.name}\`: ${error.message}`, info, ctx, raw);
    }
    throw error;
  }
}

function isMatcher(value: unknown): value is ValueMatcher {
  return typeof value === "object" && value !== null && "match" in value && "explain" in value;
}

function dateConvert(info: FieldInfo): (value: unknown) => DateKey | undefined {
  const format = dateFormat(info.format);
  const nanos = info.type === "date_nanos";
  return (value) => {
    const instant = dateFromDocument(value, format);
    return instant && dateKey(instant, nanos);
  };
}

function renderDateKey(key: DateKey): string {
  return typeof key === "bigint"
    ? formatInstant({ ms: Number(key / 1_000_000n), ns: Number(key % 1_000_000n) })
    : new Date(key).toISOString();
}

/** Term-level equality for the scalar types (term / match / match_phrase behave alike on them). */
function scalarTerm(info: FieldInfo, raw: string, ctx: MatchContext): ValueMatcher {
  switch (typeClass(info.type)) {
    case "number": {
      const spec = configured(() => numberSpecFor(info), info, ctx);
      const wanted = parseOrFail(() => spec.termValue(raw), info, ctx, raw);
      if (isMatcher(wanted)) return wanted;
      if (wanted === null) {
        return NEVER(
          `${show(raw)} has a decimal part, so a query on ${info.type} field \`${info.name}\` matches nothing`,
        );
      }
      return scalarMatcher(info, numberConvert(spec), (n) => Object.is(n, wanted), show(raw));
    }
    case "boolean": {
      const wanted = parseOrFail(() => booleanTermValue(raw), info, ctx, raw);
      if (isMatcher(wanted)) return wanted;
      return scalarMatcher(info, booleanFromDocument, (b) => b === wanted, show(raw));
    }
    case "ip": {
      const range = parseOrFail(() => ipTermRange(raw), info, ctx, raw);
      if (isMatcher(range)) return range;
      const { lo, hi } = range;
      const test = lo === hi ? (k: string) => k === lo : (k: string) => k >= lo && k <= hi;
      return scalarMatcher(
        info,
        ipFromDocument,
        test,
        lo === hi ? show(raw) : `the block ${show(raw)}`,
        ipKeyText,
      );
    }
    case "date": {
      // Kibana sends `range {gte: v, lte: v}` for a date field, Elasticsearch's date term query does the same:
      // `2024-01-02` covers the whole day; `now/d` the current day.
      const format = configured(() => dateFormat(info.format), info, ctx);
      const bounds = parseOrFail(
        () =>
          [parseDateMath(raw, format, ctx.now, false), parseDateMath(raw, format, ctx.now, true)] as const,
        info,
        ctx,
        raw,
      );
      if (isMatcher(bounds)) return bounds;
      const nanos = info.type === "date_nanos";
      const lo = dateKey(bounds[0], nanos);
      const hi = dateKey(bounds[1], nanos);
      const span = lo === hi ? renderDateKey(lo) : `[${renderDateKey(lo)}, ${renderDateKey(hi)}]`;
      return scalarMatcher(
        info,
        dateConvert(info),
        (k) => k >= lo && k <= hi,
        `${show(raw)} (${span})`,
        renderDateKey,
      );
    }
    default:
      return NEVER(`field \`${info.name}\` has no values a term can match`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Query builders.

export type TermMode = "term" | "match" | "match_phrase";

/** term / match / match_phrase of a literal on one field. */
export function termMatcher(info: FieldInfo, raw: string, mode: TermMode, ctx: MatchContext): ValueMatcher {
  const guarded = guard(info, ctx);
  if (guarded) return guarded;
  switch (typeClass(info.type)) {
    case "keyword": {
      const term = normalizedQueryValue(info, raw);
      return keywordMatcher(info, (s) => s === term, raw, term);
    }
    case "text":
      if (mode === "term") return keywordMatcher(info, (s) => s === raw, raw, raw);
      return textMatcher(info, raw, mode === "match_phrase");
    case "container":
      return NEVER(
        `\`${info.name}\` is an ${info.type} field: it holds other fields, not values, so it matches nothing`,
      );
    default:
      return scalarTerm(info, raw, ctx);
  }
}

/** Kibana's `wildcard` query for keyword fields: the whole value, case-sensitive, only `*` special. */
export function wildcardMatcher(info: FieldInfo, parts: readonly string[], ctx: MatchContext): ValueMatcher {
  const guarded = guard(info, ctx);
  if (guarded) return guarded;
  return keywordMatcher(info, globMatcher(parts.map((p) => normalizedQueryValue(info, p))), parts.join("*"));
}

function existsPredicate(info: FieldInfo): (value: unknown) => boolean {
  switch (typeClass(info.type)) {
    case "keyword":
      return keywordPredicate(info, () => true);
    case "text":
      return (v) => keywordFromDocument(v) !== undefined;
    case "number": {
      const spec = numberSpecFor(info);
      return (v) => !Number.isNaN(spec.fromDocument(v));
    }
    case "boolean":
      return (v) => booleanFromDocument(v) !== undefined;
    case "ip":
      return (v) => ipFromDocument(v) !== undefined;
    case "date": {
      const convert = dateConvert(info);
      return (v) => convert(v) !== undefined;
    }
    default:
      return (v) => v !== undefined;
  }
}

/** `exists`: the field has at least one indexed value. */
export function existsMatcher(info: FieldInfo): ValueMatcher {
  if (info.type === "nested") {
    return NEVER(
      `\`${info.name}\` is a nested field: its objects are separate documents, so exists on it matches nothing`,
    );
  }
  if (info.searchable === false) {
    return NEVER(`field \`${info.name}\` has neither an index nor doc values, so exists never matches`);
  }
  if (info.type === "constant_keyword" && info.value !== undefined) {
    return {
      match: () => true,
      constant: true,
      explain: () => `constant_keyword field \`${info.name}\` exists in every document of the index`,
    };
  }
  const test = configured(() => existsPredicate(info), info, {});
  const keywordLike = typeClass(info.type) === "keyword";
  return {
    match: test,
    explain: (values, matched) => {
      if (values.length === 0) return `field \`${info.name}\` is missing`;
      const leaves = info.type === "flattened" ? leavesOf(values) : values;
      const indexed = keywordLike ? (v: unknown) => keywordIndexer(info)(v) !== undefined : test;
      if (matched) return `field \`${info.name}\` has ${list(leaves.filter(indexed))}`;
      if (keywordLike && info.ignoreAbove !== undefined) {
        return `no value of \`${info.name}\` is indexed: ${list(leaves)} ${
          leaves.length === 1 ? "is" : "are"
        } longer than ignore_above ${info.ignoreAbove} or not a string`;
      }
      return `no value of \`${info.name}\` is indexed: ${list(leaves)} ${
        leaves.length === 1 ? "is" : "are"
      } not a valid ${info.type} value (ignore_malformed)`;
    },
  };
}

function wildcardOnlyOn(info: FieldInfo, clause: QueryStringClause, ctx: MatchContext): ValueMatcher {
  const kind = clause.kind === "prefix" ? "prefix" : "wildcard";
  return failure(
    `Can only use ${kind} queries on keyword, text and wildcard fields - not on [${info.name}] which is of type [${info.type}]`,
    info,
    ctx,
  );
}

function clauseMatcher(info: FieldInfo, clause: QueryStringClause, ctx: MatchContext): ValueMatcher {
  if (clause.kind === "exists") return existsMatcher(info);
  const cls = typeClass(info.type);
  if (clause.kind === "text") return termMatcher(info, clause.text, "match", ctx);
  const parts = clause.kind === "prefix" ? [clause.prefix, ""] : clause.parts;
  const shown = parts.join("*");
  if (cls === "keyword") {
    if (info.flattenedKeyOf !== undefined && clause.kind === "wildcard") {
      return failure(
        `[wildcard] queries are not currently supported on keyed [flattened] fields (\`${info.name}\`)`,
        info,
        ctx,
      );
    }
    return keywordMatcher(info, globMatcher(parts.map((p) => normalizedQueryValue(info, p))), shown);
  }
  if (cls === "text") {
    // query_string normalises a wildcard term with the field's analyzer (lowercase) and matches single tokens.
    const glob = globMatcher(parts.map(lowercaseTerm));
    return {
      match: (v) => textTokens(v)?.some(glob) ?? false,
      explain: (values, matched) => {
        if (values.length === 0) return `field \`${info.name}\` is missing`;
        const tokens = values.map((v) => `[${(textTokens(v) ?? []).join(", ")}]`).join(", ");
        return `text field \`${info.name}\` is analysed into ${tokens}; the wildcard ${show(shown.toLowerCase())} ${
          matched ? "matches" : "matches none of these"
        } single tokens (after lowercasing)`;
      },
    };
  }
  if (cls === "container") return NEVER(`\`${info.name}\` is an ${info.type} field, so it matches nothing`);
  return wildcardOnlyOn(info, clause, ctx);
}

function anyOf(matchers: ValueMatcher[], describe: string): ValueMatcher {
  if (matchers.length === 1) return matchers[0]!;
  const live = matchers.filter((m) => m.constant !== false);
  if (live.some((m) => m.constant === true)) {
    return {
      match: () => true,
      constant: true,
      explain: (values) => live.find((m) => m.constant)!.explain(values, true),
    };
  }
  if (live.length === 0) return NEVER(matchers.map((m) => m.explain([], false)).join("; "));
  const tests = live.map((m) => m.match);
  return {
    match: (v) => {
      for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
      return false;
    },
    explain: (values, matched) => {
      const parts = live.map((m) => m.explain(values, matched && values.some(m.match)));
      return `${describe}: ${parts.join("; or ")}`;
    },
  };
}

/** `query_string` for one field (Kibana's wildcard values on fields that are not plain keyword). */
export function queryStringMatcher(
  info: FieldInfo,
  parts: readonly string[],
  ctx: MatchContext,
): ValueMatcher {
  const guarded = guard(info, ctx);
  if (guarded) return guarded;
  const clauses = queryStringClauses(parts);
  const operator = operatorWord(clauses);
  if (operator) {
    return failure(
      `the word ${operator} inside a wildcard value is a query_string operator; the engine does not model it`,
      info,
      ctx,
    );
  }
  if (clauses.length === 0) return NEVER("the query_string is empty, so it matches nothing");
  const matchers = clauses.map((c) => clauseMatcher(info, c, ctx));
  const described = clauses.map((c) =>
    c.kind === "text"
      ? c.text
      : c.kind === "prefix"
        ? `${c.prefix}*`
        : c.kind === "exists"
          ? "*"
          : c.parts.join("*"),
  );
  return anyOf(
    matchers,
    `query_string splits the value at whitespace into ${described.map((d) => show(d)).join(" OR ")}`,
  );
}

/** `range` with one bound; a null bound is unbounded (any indexed value). */
export function rangeMatcher(
  info: FieldInfo,
  operator: RangeOperator,
  raw: string | null,
  ctx: MatchContext,
): ValueMatcher {
  const guarded = guard(info, ctx);
  if (guarded) return guarded;
  if (raw === null) return existsMatcher(info);
  const wanted = `${OPERATOR_TEXT[operator]} ${show(raw)}`;
  switch (typeClass(info.type)) {
    case "keyword":
      return keywordMatcher(info, stringRangeTest(operator, normalizedQueryValue(info, raw)), wanted);
    case "text": {
      // A range on a text field compares the indexed tokens with the raw bound.
      const test = stringRangeTest(operator, raw);
      return {
        match: (v) => textTokens(v)?.some(test) ?? false,
        explain: (values, matched) =>
          values.length === 0
            ? `field \`${info.name}\` is missing`
            : `text field \`${info.name}\` has the tokens [${values.flatMap((v) => textTokens(v) ?? []).join(", ")}]; ${
                matched ? "one is" : "none is"
              } ${wanted} (compared as terms)`,
      };
    }
    case "number": {
      const spec = configured(() => numberSpecFor(info), info, ctx);
      const test = parseOrFail(() => spec.rangeTest(operator, raw), info, ctx, raw);
      if (isMatcher(test)) return test;
      return scalarMatcher(info, numberConvert(spec), test, wanted);
    }
    case "boolean": {
      const test = parseOrFail(() => booleanRangeTest(operator, raw), info, ctx, raw);
      if (isMatcher(test)) return test;
      return scalarMatcher(info, booleanFromDocument, test, wanted);
    }
    case "ip": {
      const test = parseOrFail(() => ipRangeTest(operator, raw), info, ctx, raw);
      if (isMatcher(test)) return test;
      return scalarMatcher(info, ipFromDocument, test, wanted, ipKeyText);
    }
    case "date": {
      const format = configured(() => dateFormat(info.format), info, ctx);
      const bound = parseOrFail(
        () => parseDateMath(raw, format, ctx.now, roundsUp(operator)),
        info,
        ctx,
        raw,
      );
      if (isMatcher(bound)) return bound;
      const key = dateKey(bound, info.type === "date_nanos");
      const test =
        operator === "gt"
          ? (k: DateKey) => k > key
          : operator === "gte"
            ? (k: DateKey) => k >= key
            : operator === "lt"
              ? (k: DateKey) => k < key
              : (k: DateKey) => k <= key;
      return scalarMatcher(
        info,
        dateConvert(info),
        test,
        `${OPERATOR_TEXT[operator]} ${show(raw)} (${renderDateKey(key)})`,
        renderDateKey,
      );
    }
    default:
      return NEVER(
        `\`${info.name}\` is an ${info.type} field: it holds other fields, not values, so it matches nothing`,
      );
  }
}
