/**
 * In-memory evaluation of a Lucene query with Elasticsearch's `query_string` semantics, as Kibana's detection
 * engine sends it for `language: lucene` (`{query_string: {query, analyze_wildcard: true}}`, default_operator OR,
 * `default_field` from `index.query.default_field`, `*` by default). Per field the values match as
 * `@dac/fields` says; this module only decides which fields and which query (Elasticsearch's
 * `QueryStringQueryParser`):
 *
 * - `field:word` → the field type's term query (keyword: exact; text: analysed `match`; numbers, dates, ip,
 *   booleans: parsed); `field:"a b"` → match_phrase; `field:>=10`, `field:<x` → a one-sided range;
 * - `field:*` → exists; other `*` words → prefix/wildcard (text fields: lowercased single tokens,
 *   analyze_wildcard); `[a TO b]`, `{a TO b}` with `*` unbounded → range; `_exists_:field` → exists;
 * - words without a field → every default field (lenient: a value that does not parse skips the field);
 * - a group of clauses is a BooleanQuery: all `must`, no `must_not`, and at least one `should` when there is
 *   no `must`; a group of only `must_not` clauses also matches everything else (`Queries.fixNegativeQueryIfNeeded`).
 *
 * Not modelled, refused with a QueryEvaluationError rather than guessed: `?` wildcards, `/regex/`, fuzzy `~`
 * and phrase proximity `"…"~n`.
 */
import {
  compileWalker,
  existsMatcher,
  fieldCatalog,
  forEachLeaf,
  isContainerType,
  leafFields,
  objectsAt,
  QueryEvaluationError,
  queryStringMatcher,
  rangeMatcher,
  resolveField,
  termMatcher,
  valuesAt,
  wildcardMatcher,
  type FieldCatalog,
  type FieldInfo,
  type Instant,
  type MatchContext,
  type RangeOperator,
  type ValueMatcher,
} from "@dac/fields";
import type { BoolNode, LuceneNode, RangeNode, Span, TermNode } from "./ast.js";

export interface CompileOptions {
  /** Field types. Default: ECS with the `keyword` policy for unknown fields. */
  catalog?: FieldCatalog;
  /** The time `now` in date math means. Read once, when the query is compiled. Default: the clock. */
  now?: () => Date;
  /** `index.query.default_field`: fields (or `*` patterns) that words without a field search. Default `["*"]`. */
  defaultFields?: string[];
}

export type Test = (doc: unknown) => boolean;

/** The compiled query, with the same structure as the tree, for explanations and coverage. */
export type Plan =
  | {
      kind: "bool";
      node: BoolNode;
      clauses: { occur: BoolNode["clauses"][number]["occur"]; plan: Plan }[];
      test: Test;
    }
  | {
      kind: "leaf";
      node: TermNode | RangeNode;
      fields: LeafField[];
      documentFields?: DocumentFields;
      test: Test;
    };

/** One field a leaf searches, with its per-value matcher. */
export interface LeafField {
  field: string;
  info: FieldInfo | undefined;
  path: string;
  matcher: ValueMatcher;
  objectValued: boolean;
  test: Test;
}

/** Fields only the document names (words without a field, field patterns): matched per document leaf. */
export interface DocumentFields {
  test: Test;
  fields(doc: unknown): { field: LeafField; values: unknown[] }[];
}

interface Context {
  catalog: FieldCatalog;
  now: Instant;
  defaultFields: RegExp;
}

let defaultCatalog: FieldCatalog | undefined;

function patternRegex(pattern: string): RegExp {
  const pieces = pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  return new RegExp(`^${pieces.join("[\\s\\S]*")}$`);
}

function refuse(message: string, span: Span, field?: string): never {
  throw new QueryEvaluationError(message, { span, field });
}

const NEVER = (reason: string): ValueMatcher => ({
  match: () => false,
  constant: false,
  explain: () => reason,
});

const RANGE_PREFIX = /^(>=|<=|>|<)/;
const PREFIX_OPERATOR: Record<string, RangeOperator> = { ">=": "gte", "<=": "lte", ">": "gt", "<": "lt" };

function both(a: ValueMatcher, b: ValueMatcher): ValueMatcher {
  if (a.constant === false || b.constant === false) return a.constant === false ? a : b;
  return {
    match: (v) => a.match(v) && b.match(v),
    explain: (values, matched) => `${a.explain(values, matched)}; and ${b.explain(values, matched)}`,
  };
}

/** The per-value matcher of one leaf on one field. */
function leafMatcher(node: TermNode | RangeNode, info: FieldInfo, match: MatchContext): ValueMatcher {
  if (node.type === "range") {
    if (node.lower === null && node.upper === null) return existsMatcher(info);
    const lower =
      node.lower === null
        ? undefined
        : rangeMatcher(info, node.includeLower ? "gte" : "gt", node.lower, match);
    const upper =
      node.upper === null
        ? undefined
        : rangeMatcher(info, node.includeUpper ? "lte" : "lt", node.upper, match);
    return lower && upper ? both(lower, upper) : (lower ?? upper)!;
  }
  switch (node.kind) {
    case "regex":
      return refuse(
        `regular expression ${node.raw} is not modelled by the in-memory engine`,
        node.span,
        info.name,
      );
    case "phrase":
      if (node.tilde !== undefined && node.tilde !== "" && Number(node.tilde) !== 0)
        return refuse(
          `phrase proximity ${node.raw}~${node.tilde} is not modelled by the in-memory engine`,
          node.span,
          info.name,
        );
      return termMatcher(info, node.text, "match_phrase", match);
    case "wildcard": {
      if (node.question)
        return refuse(
          `the \`?\` wildcard in ${node.raw} is not modelled by the in-memory engine`,
          node.span,
          info.name,
        );
      const parts = node.parts!;
      if (parts.every((p) => p === "")) return existsMatcher(info);
      if (parts.some((p) => /\s/.test(p)))
        return refuse(
          `an escaped space inside wildcard term ${node.raw} is not modelled`,
          node.span,
          info.name,
        );
      if (info.type === "keyword" && info.flattenedKeyOf === undefined)
        return wildcardMatcher(info, parts, match);
      return queryStringMatcher(info, parts, match);
    }
    case "word": {
      if (node.tilde !== undefined)
        return refuse(
          `fuzzy term ${node.raw}~${node.tilde} is not modelled by the in-memory engine`,
          node.span,
          info.name,
        );
      const prefix = RANGE_PREFIX.exec(node.text);
      if (prefix)
        return rangeMatcher(info, PREFIX_OPERATOR[prefix[1]!]!, node.text.slice(prefix[1]!.length), match);
      return termMatcher(info, node.text, "match", match);
    }
  }
}

function leafField(field: string, info: FieldInfo, matcher: ValueMatcher): LeafField {
  const path = info.sourcePath ?? info.name;
  const objectValued = info.type === "flattened" || info.type === "object";
  const m = matcher.match;
  const test: Test =
    matcher.constant === true
      ? () => true
      : matcher.constant === false
        ? () => false
        : objectValued
          ? (doc) => objectsAt(doc, path).some(m)
          : compileWalker(path, m);
  return { field, info, path, matcher, objectValued, test };
}

function anyTest(tests: Test[]): Test {
  if (tests.length === 0) return () => false;
  if (tests.length === 1) return tests[0]!;
  return (d) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(d)) return true;
    return false;
  };
}

/** Leaves on fields the document names, each field resolved once. */
function documentFields(
  ctx: Context,
  accept: (name: string, info: FieldInfo) => boolean,
  build: (info: FieldInfo) => ValueMatcher,
): DocumentFields {
  const cache = new Map<string, LeafField[] | null>();
  const fieldsAt = (path: string): LeafField[] | null => {
    let found = cache.get(path);
    if (found !== undefined) return found;
    const resolution = resolveField(ctx.catalog, path);
    found = null;
    // Fields of nested objects are separate documents: query_string does not reach them.
    if (resolution.kind !== "unmapped" && resolution.info.nestedPath === undefined) {
      const info = resolution.info;
      const infos = [
        info,
        ...(info.multiFields ?? [])
          .map((m) => ctx.catalog.fields.get(m.name))
          .filter((m): m is FieldInfo => !!m),
      ];
      const leaves = infos.filter((f) => accept(f.name, f)).map((f) => leafField(f.name, f, build(f)));
      found = leaves.length ? leaves : null;
    }
    if (cache.size > 50_000) cache.clear();
    cache.set(path, found);
    return found;
  };
  return {
    test: (doc) =>
      forEachLeaf(doc, (path, value) => {
        for (const f of fieldsAt(path) ?? [])
          if (f.matcher.constant === true || (f.matcher.constant === undefined && f.matcher.match(value)))
            return true;
        return false;
      }),
    fields: (doc) => {
      const by = new Map<string, { field: LeafField; values: unknown[] }>();
      forEachLeaf(doc, (path, value) => {
        for (const f of fieldsAt(path) ?? []) {
          const entry = by.get(f.field) ?? { field: f, values: [] };
          entry.values.push(value);
          by.set(f.field, entry);
        }
        return false;
      });
      return [...by.values()];
    },
  };
}

function leaf(ctx: Context, node: TermNode | RangeNode, groupField: string | null): Plan {
  const name = node.field?.name ?? groupField;
  const strict: MatchContext = { now: ctx.now, lenient: false, span: node.span };
  const done = (fields: LeafField[], docFields?: DocumentFields): Plan => {
    const tests = fields.filter((f) => f.matcher.constant !== false).map((f) => f.test);
    if (docFields) tests.push(docFields.test);
    return {
      kind: "leaf",
      node,
      fields,
      ...(docFields ? { documentFields: docFields } : {}),
      test: anyTest(tests),
    };
  };
  // `_exists_:field` (the value may be a pattern).
  if (name === "_exists_") {
    if (node.type !== "term" || (node.kind !== "word" && node.kind !== "wildcard"))
      return refuse("`_exists_:` takes a field name", node.span);
    const target = node.kind === "wildcard" ? node.parts!.join("*") : node.text;
    if (!target.includes("*")) {
      const resolution = resolveField(ctx.catalog, target);
      if (resolution.kind === "unmapped") return done([]);
      return done([leafField(target, resolution.info, existsMatcher(resolution.info))]);
    }
    const re = patternRegex(target);
    return done(
      [],
      documentFields(ctx, (n, info) => re.test(n) && !isContainerType(info.type), existsMatcher),
    );
  }
  // Words without a field: every default field, leniently. `*` alone matches every document.
  if (name === null || name === "*") {
    if (
      node.type === "term" &&
      node.kind === "wildcard" &&
      node.parts!.every((p) => p === "") &&
      !node.question
    )
      return { kind: "leaf", node, fields: [], test: () => true };
    const lenient: MatchContext = { ...strict, lenient: true };
    const accept = (n: string, info: FieldInfo) =>
      (name === "*" || ctx.defaultFields.test(n)) && !isContainerType(info.type) && info.searchable !== false;
    // Refusals (regex, fuzzy) do not depend on the field: raise them now, not per document.
    leafMatcher(node, { name: "*", type: "keyword", source: "dynamic" }, lenient);
    const constants = leafFields(ctx.catalog)
      .filter(
        (f) =>
          f.type === "constant_keyword" &&
          f.value !== undefined &&
          f.nestedPath === undefined &&
          accept(f.name, f),
      )
      .map((f) => leafField(f.name, f, leafMatcher(node, f, lenient)))
      .filter((f) => f.matcher.constant === true);
    return done(
      constants,
      documentFields(ctx, accept, (info) => leafMatcher(node, info, lenient)),
    );
  }
  if (name.includes("*")) {
    const re = patternRegex(name);
    const lenient: MatchContext = { ...strict, lenient: true };
    return done(
      [],
      documentFields(
        ctx,
        (n, info) => re.test(n) && !isContainerType(info.type),
        (info) => leafMatcher(node, info, lenient),
      ),
    );
  }
  const resolution = resolveField(ctx.catalog, name);
  if (resolution.kind === "unmapped")
    return done([
      {
        ...leafField(name, { name, type: "keyword", source: "dynamic" }, NEVER(resolution.reason)),
        info: undefined,
      },
    ]);
  const info = resolution.info;
  if (info.nestedPath !== undefined) {
    return done([
      leafField(
        name,
        info,
        NEVER(
          `\`${name}\` is inside nested \`${info.nestedPath}\`: query_string does not search nested documents`,
        ),
      ),
    ]);
  }
  return done([leafField(name, info, leafMatcher(node, info, strict))]);
}

function plan(ctx: Context, node: LuceneNode, groupField: string | null): Plan {
  switch (node.type) {
    case "group":
      return plan(ctx, node.query, node.field?.name ?? groupField);
    case "term":
    case "range":
      return leaf(ctx, node, groupField);
    case "bool": {
      const clauses = node.clauses.map((c) => ({ occur: c.occur, plan: plan(ctx, c.node, groupField) }));
      const must = clauses.filter((c) => c.occur === "must").map((c) => c.plan.test);
      const not = clauses.filter((c) => c.occur === "must_not").map((c) => c.plan.test);
      const should = clauses.filter((c) => c.occur === "should").map((c) => c.plan.test);
      // No positive clause at all (only must_not, or empty): Elasticsearch adds match_all.
      const needShould = must.length === 0 && should.length > 0;
      const test: Test = (d) => {
        for (const t of must) if (!t(d)) return false;
        for (const t of not) if (t(d)) return false;
        if (!needShould) return true;
        for (const t of should) if (t(d)) return true;
        return false;
      };
      return { kind: "bool", node, clauses, test };
    }
  }
}

/** Builds the plan of a parsed query. Throws QueryEvaluationError where the query cannot be evaluated faithfully. */
export function buildPlan(root: LuceneNode, options: CompileOptions = {}): Plan {
  const now = (options.now ?? (() => new Date()))();
  const ctx: Context = {
    catalog: options.catalog ?? (defaultCatalog ??= fieldCatalog({ ecs: true })),
    now: { ms: now.getTime(), ns: 0 },
    defaultFields: new RegExp((options.defaultFields ?? ["*"]).map((p) => patternRegex(p).source).join("|")),
  };
  return plan(ctx, root, null);
}

/** Compiles a parsed query into a predicate on documents. */
export function compile(root: LuceneNode, options: CompileOptions = {}): Test {
  return buildPlan(root, options).test;
}

/** Why a document matches or not, one line per clause, indented by depth. */
export function explainPlan(root: Plan, doc: unknown, query: string): string {
  const lines: string[] = [];
  const visit = (p: Plan, depth: number, occur: string) => {
    const matched = p.test(doc);
    const text = query.slice(p.node.span.start, p.node.span.end);
    const indent = "  ".repeat(depth);
    lines.push(`${indent}${matched ? "✓" : "✗"} ${occur}${text}`);
    if (p.kind === "bool") {
      for (const c of p.clauses)
        visit(c.plan, depth + 1, c.occur === "should" ? "" : `${c.occur.toUpperCase()} `);
      return;
    }
    for (const f of p.fields)
      lines.push(
        `${indent}    ${f.matcher.explain(f.objectValued ? objectsAt(doc, f.path) : valuesAt(doc, f.path), f.test(doc))}`,
      );
    for (const { field, values } of p.documentFields?.fields(doc) ?? [])
      if (values.some(field.matcher.match)) lines.push(`${indent}    ${field.matcher.explain(values, true)}`);
  };
  visit(root, 0, "");
  return lines.join("\n");
}
