/**
 * Turns a KQL tree into a plan: for every clause, the Elasticsearch queries Kibana's detection engine sends for it
 * (Kibana ≥ 8.15 loads the rule's field types from the index, `loadFields`) and, for each, a compiled per-field
 * test. Both `compile` and `explain` run on the same plan, so they cannot disagree about a leaf.
 *
 * Kibana's choice per resolved field (kbn-es-query `functions/is.ts`):
 *   `f:*` → exists; a wildcard value → `wildcard` on a keyword field, else `query_string`; a date field →
 *   `range {gte: v, lte: v}`; a keyword field → `term`; otherwise `match_phrase` (quoted) or `match`.
 */
import {
  isLoneWildcard,
  type FieldNode,
  type IsNode,
  type KqlNode,
  type MatchAllNode,
  type NestedNode,
  type NotNode,
  type RangeNode,
  type Span,
} from "./ast.js";
import {
  fieldCatalog,
  isContainerType,
  leafFields,
  leafFieldsNamed,
  resolveField,
  type FieldResolution,
} from "@dac/fields";
import type { FieldCatalog, FieldInfo } from "@dac/fields";
import { compileWalker, forEachLeaf, objectsAt } from "@dac/fields";
import { KqlEvaluationError } from "./evaluate-error.js";
import {
  existsMatcher,
  queryStringMatcher,
  rangeMatcher,
  termMatcher,
  wildcardMatcher,
  type MatchContext,
  type ValueMatcher,
} from "@dac/fields";
import type { Instant } from "@dac/fields";

export interface CompileOptions {
  /** Field types. Default: ECS with the `keyword` policy for unknown fields. */
  catalog?: FieldCatalog;
  /** The time `now` in date math means. Read once, when the query is compiled. Default: the clock. */
  now?: () => Date;
  /**
   * `index.query.default_field`: the fields free text searches, as names or `*` patterns. Default `["*"]`, which
   * is Elasticsearch's default and the managed `logs-*-*` template's (elastic/observability-docs#3593); an index
   * template can set its own list.
   */
  defaultFields?: string[];
}

export type Test = (doc: unknown) => boolean;

/** One Elasticsearch query on one field. */
export interface FieldQuery {
  field: string;
  /** Undefined when the field is not searchable. */
  info: FieldInfo | undefined;
  /** The query Kibana sends: term, match, match_phrase, wildcard, query_string, exists, range, multi_match. */
  dsl: string;
  /** Document path of its values, relative to the enclosing nested object. */
  path: string;
  matcher: ValueMatcher;
  /** Its values are objects (a flattened root, exists on an object): read with `objectsAt`. */
  objectValued: boolean;
  test: Test;
}

/** Fields that only the document names: free text over all fields, and wildcard field names. */
export interface DocumentFields {
  /** The queries for the fields this document has (for explain). */
  queries(doc: unknown): { query: FieldQuery; values: unknown[] }[];
  test: Test;
}

export type Plan =
  | { kind: "and" | "or"; node: KqlNode; children: Plan[]; test: Test }
  | { kind: "not"; node: NotNode; child: Plan; test: Test }
  | { kind: "matchAll"; node: MatchAllNode; test: Test }
  | { kind: "nested"; node: NestedNode; path: string; relative: string; child: Plan; test: Test }
  | {
      kind: "clause";
      node: IsNode | RangeNode;
      queries: FieldQuery[];
      documentFields?: DocumentFields;
      test: Test;
    };

interface Context {
  catalog: FieldCatalog;
  now: Instant;
  /** Full path of the enclosing nested object, or null at the top level. */
  nested: string | null;
  defaultFields: RegExp;
}

let defaultCatalog: FieldCatalog | undefined;

function patternRegex(pieces: readonly string[]): RegExp {
  return new RegExp(`^${pieces.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("[\\s\\S]*")}$`);
}

function defaultFieldsRegex(patterns: readonly string[]): RegExp {
  const alternatives = patterns.map((p) => patternRegex(p.split("*")).source);
  return new RegExp(alternatives.join("|"));
}

function relative(ctx: Context, path: string): string {
  return ctx.nested === null ? path : path.slice(ctx.nested.length + 1);
}

function fullName(ctx: Context, name: string): string {
  return ctx.nested === null ? name : `${ctx.nested}.${name}`;
}

function never(reason: string): ValueMatcher {
  return { match: () => false, constant: false, explain: () => reason };
}

function fieldQuery(
  ctx: Context,
  field: string,
  info: FieldInfo | undefined,
  dsl: string,
  matcher: ValueMatcher,
): FieldQuery {
  const path = info ? relative(ctx, info.sourcePath ?? info.name) : relative(ctx, field);
  const objectValued = info !== undefined && (info.type === "flattened" || info.type === "object");
  const constant = matcher.constant;
  const match = matcher.match;
  const test: Test =
    constant === true
      ? () => true
      : constant === false || !info
        ? () => false
        : objectValued
          ? (doc) => objectsAt(doc, path).some(match)
          : compileWalker(path, match);
  return { field, info, dsl, path, matcher, objectValued, test };
}

function evaluationError(message: string, span: Span, field?: string): KqlEvaluationError {
  return new KqlEvaluationError(message, { span, field });
}

/** Kibana's field-in-nested-group checks (kbn-es-query getFullFieldNameNode). */
function checkNesting(ctx: Context, name: string, info: FieldInfo, span: Span): void {
  if (ctx.nested === null) {
    if (info.nestedPath !== undefined) {
      throw evaluationError(
        `${name} is a nested field, but is not in a nested group in the KQL expression; write ${info.nestedPath}:{ ${name.slice(
          info.nestedPath.length + 1,
        )}: … } (Kibana refuses the query)`,
        span,
        name,
      );
    }
    return;
  }
  if (info.nestedPath === undefined) {
    throw evaluationError(
      `${name} is not a nested field but is in nested group "${ctx.nested}" in the KQL expression.`,
      span,
      name,
    );
  }
  if (info.nestedPath !== ctx.nested) {
    throw evaluationError(
      `Nested field ${name} is being queried with the incorrect nested path. The correct path is ${info.nestedPath}.`,
      span,
      name,
    );
  }
}

function literalText(value: string | boolean | null, field: string, span: Span): string {
  if (value === null) {
    throw evaluationError(
      `Elasticsearch rejects a query for null on \`${field}\`: an unquoted null is a JSON null in Kibana's query; quote it ("null") to search the text`,
      span,
      field,
    );
  }
  return String(value);
}

/** Exists on an object: true when any field below it exists (Elasticsearch expands `obj` to `obj.*`). */
function objectExists(ctx: Context, info: FieldInfo): ValueMatcher {
  const memo = new Map<string, ((v: unknown) => boolean) | null>();
  const sub = (path: string) => {
    let test = memo.get(path);
    if (test === undefined) {
      const resolution = resolveField(ctx.catalog, `${info.name}.${path}`);
      test =
        resolution.kind === "unmapped" || resolution.info.nestedPath !== info.nestedPath
          ? null
          : existsMatcher(resolution.info).match;
      memo.set(path, test);
    }
    return test;
  };
  return {
    match: (value) =>
      typeof value === "object" &&
      value !== null &&
      forEachLeaf(value, (path, leaf) => sub(path)?.(leaf) ?? false),
    explain: (values, matched) =>
      matched
        ? `object \`${info.name}\` has a field with an indexed value`
        : values.length === 0
          ? `object \`${info.name}\` is missing`
          : `no field below object \`${info.name}\` has an indexed value`,
  };
}

/** The queries Kibana builds for `field:value` on one resolved field. */
function isQuery(
  ctx: Context,
  node: IsNode,
  field: string,
  info: FieldInfo,
  match: MatchContext,
): FieldQuery {
  const value = node.value;
  if (isLoneWildcard(value)) {
    const matcher =
      isContainerType(info.type) && info.type === "object" ? objectExists(ctx, info) : existsMatcher(info);
    return fieldQuery(ctx, field, info, "exists", matcher);
  }
  if (value.type === "wildcard") {
    if (info.type === "keyword" && info.flattenedKeyOf === undefined) {
      return fieldQuery(ctx, field, info, "wildcard", wildcardMatcher(info, value.parts, match));
    }
    return fieldQuery(ctx, field, info, "query_string", queryStringMatcher(info, value.parts, match));
  }
  const raw = literalText(value.value, field, node.span);
  if (info.type === "date" || info.type === "date_nanos") {
    return fieldQuery(ctx, field, info, "range (gte/lte)", termMatcher(info, raw, "match", match));
  }
  if (info.type === "keyword" && info.flattenedKeyOf === undefined) {
    return fieldQuery(ctx, field, info, "term", termMatcher(info, raw, "term", match));
  }
  const mode = value.quoted ? "match_phrase" : "match";
  return fieldQuery(ctx, field, info, mode, termMatcher(info, raw, mode, match));
}

function rangeQuery(
  ctx: Context,
  node: RangeNode,
  field: string,
  info: FieldInfo,
  match: MatchContext,
): FieldQuery {
  const raw = node.value.value === null ? null : String(node.value.value);
  return fieldQuery(ctx, field, info, "range", rangeMatcher(info, node.operator, raw, match));
}

function unmappedQuery(
  ctx: Context,
  field: string,
  resolution: FieldResolution & { kind: "unmapped" },
): FieldQuery {
  return fieldQuery(ctx, field, undefined, "none", never(resolution.reason));
}

type Build = (field: string, info: FieldInfo) => FieldQuery;

/** Bounded memo of per-field queries for fields named by documents. */
function memo<T>(make: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined && !cache.has(key)) {
      if (cache.size > 50_000) cache.clear();
      value = make(key);
      cache.set(key, value);
    }
    return value as T;
  };
}

/**
 * Fields the document has, matched at evaluation time: each leaf path (with the nested prefix) that `accept`s
 * gets the query `build` makes for it; catalogue-only fields are handled statically by the caller.
 */
function documentFields(
  ctx: Context,
  accept: (name: string, info: FieldInfo) => boolean,
  build: Build,
  autoNested = false,
): DocumentFields {
  const queriesFor = memo((leafPath: string): FieldQuery[] | null => {
    const name = fullName(ctx, leafPath);
    const resolution = resolveField(ctx.catalog, name);
    if (resolution.kind === "unmapped") return null;
    const info = resolution.info;
    // Fields of nested objects live in separate documents, except that Kibana wraps wildcard-named fields in a
    // nested query of their own at the top level.
    if ((info.nestedPath ?? null) !== ctx.nested && !(autoNested && ctx.nested === null)) return null;
    const fields = [
      info,
      ...(info.multiFields ?? [])
        .map((m) => ctx.catalog.fields.get(m.name))
        .filter((m): m is FieldInfo => !!m),
    ];
    const queries = fields.filter((f) => accept(f.name, f)).map((f) => build(f.name, f));
    return queries.length > 0 ? queries : null;
  });
  return {
    test: (doc) =>
      forEachLeaf(doc, (path, value) => {
        const queries = queriesFor(path);
        if (queries === null) return false;
        for (const q of queries)
          if (q.matcher.constant === true || (q.matcher.constant === undefined && q.matcher.match(value)))
            return true;
        return false;
      }),
    queries: (doc) => {
      const byField = new Map<string, { query: FieldQuery; values: unknown[] }>();
      forEachLeaf(doc, (path, value) => {
        for (const query of queriesFor(path) ?? []) {
          const entry = byField.get(query.field) ?? { query, values: [] };
          entry.values.push(value);
          byField.set(query.field, entry);
        }
        return false;
      });
      return [...byField.values()];
    },
  };
}

function anyTest(tests: Test[]): Test {
  if (tests.length === 0) return () => false;
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [Test, Test];
    return (d) => a(d) || b(d);
  }
  return (d) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(d)) return true;
    return false;
  };
}

function allTest(tests: Test[]): Test {
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [Test, Test];
    return (d) => a(d) && b(d);
  }
  if (tests.length === 3) {
    const [a, b, c] = tests as [Test, Test, Test];
    return (d) => a(d) && b(d) && c(d);
  }
  if (tests.length === 4) {
    const [a, b, c, e] = tests as [Test, Test, Test, Test];
    return (d) => a(d) && b(d) && c(d) && e(d);
  }
  if (tests.length === 5) {
    const [a, b, c, e, f] = tests as [Test, Test, Test, Test, Test];
    return (d) => a(d) && b(d) && c(d) && e(d) && f(d);
  }
  return (d) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(d)) return false;
    return true;
  };
}

function clause(node: IsNode | RangeNode, queries: FieldQuery[], documentFieldsPlan?: DocumentFields): Plan {
  const tests = queries
    .filter((q) => q.matcher.constant !== false && q.info !== undefined)
    .map((q) => q.test);
  if (documentFieldsPlan) tests.push(documentFieldsPlan.test);
  return { kind: "clause", node, queries, documentFields: documentFieldsPlan, test: anyTest(tests) };
}

function freeText(ctx: Context, node: IsNode): Plan {
  const value = node.value;
  const match: MatchContext = { now: ctx.now, lenient: true, span: node.span };
  const accept = (name: string, info: FieldInfo) =>
    ctx.defaultFields.test(name) && !isContainerType(info.type) && info.searchable !== false;
  let build: Build;
  if (value.type === "wildcard") {
    build = (field, info) =>
      fieldQuery(ctx, field, info, "query_string", queryStringMatcher(info, value.parts, match));
  } else {
    const raw = literalText(value.value, "*", node.span);
    const mode = value.quoted ? "match_phrase" : "match";
    build = (field, info) =>
      fieldQuery(ctx, field, info, `multi_match (${mode})`, termMatcher(info, raw, mode, match));
  }
  // constant_keyword fields match every document of the index, whether or not the document carries them.
  const constants = leafFields(ctx.catalog)
    .filter(
      (f) => f.type === "constant_keyword" && f.value !== undefined && (f.nestedPath ?? null) === ctx.nested,
    )
    .filter((f) => accept(f.name, f))
    .map((f) => build(f.name, f))
    .filter((q) => q.matcher.constant === true);
  return clause(node, constants, documentFields(ctx, accept, build));
}

function fieldPattern(ctx: Context, field: FieldNode): RegExp {
  const pieces = [...field.wildcard!];
  if (ctx.nested !== null) pieces[0] = `${ctx.nested}.${pieces[0]}`;
  return patternRegex(pieces);
}

function wildcardField(ctx: Context, node: IsNode | RangeNode, build: Build): Plan {
  const re = fieldPattern(ctx, node.field!);
  const inScope = (info: FieldInfo) => ctx.nested === null || info.nestedPath === ctx.nested;
  const statics = leafFieldsNamed(ctx.catalog, (name) => re.test(name)).filter(inScope);
  const known = new Set(statics.map((f) => f.name));
  const queries = statics.map((f) => build(f.name, f));
  const accept = (name: string, info: FieldInfo) =>
    re.test(name) && !known.has(name) && info.flattenedKeyOf === undefined && !isContainerType(info.type);
  return clause(node, queries, documentFields(ctx, accept, build, true));
}

function fieldClause(ctx: Context, node: IsNode | RangeNode, build: Build): Plan {
  const field = node.field!;
  if (field.wildcard) return wildcardField(ctx, node, build);
  const name = fullName(ctx, field.name);
  const resolution = resolveField(ctx.catalog, name);
  if (resolution.kind === "unmapped") return clause(node, [unmappedQuery(ctx, name, resolution)]);
  checkNesting(ctx, name, resolution.info, node.span);
  return clause(node, [build(name, resolution.info)]);
}

function nested(ctx: Context, node: NestedNode): Plan {
  const path = fullName(ctx, node.path.name);
  // Kibana builds (and checks) the inner query first; Elasticsearch then checks the path.
  const child = plan({ ...ctx, nested: path }, node.child);
  const resolution = resolveField(ctx.catalog, path);
  if (resolution.kind === "unmapped" || resolution.kind === "policy") {
    throw evaluationError(`[nested] failed to find nested object under path [${path}]`, node.span, path);
  }
  if (resolution.info.type !== "nested") {
    throw evaluationError(
      `[nested] nested object under path [${path}] is not of nested type`,
      node.span,
      path,
    );
  }
  const rel = relative(ctx, path);
  const childTest = child.test;
  const test: Test = (doc) => objectsAt(doc, rel).some(childTest);
  return { kind: "nested", node, path, relative: rel, child, test };
}

/**
 * Tests for the children of an `or`. Children that are one walker-read query on the same field (`f:(a or b*)`)
 * share one walk over the field's values: the same answer, read once.
 */
function orTests(children: Plan[]): Test[] {
  const groups = new Map<string, FieldQuery[]>();
  const order: (Test | FieldQuery[])[] = [];
  for (const child of children) {
    const q =
      child.kind === "clause" && child.queries.length === 1 && !child.documentFields
        ? child.queries[0]!
        : undefined;
    if (!q || !q.info || q.matcher.constant !== undefined || q.objectValued) {
      order.push(child.test);
      continue;
    }
    let group = groups.get(q.path);
    if (!group) {
      group = [];
      groups.set(q.path, group);
      order.push(group);
    }
    group.push(q);
  }
  return order.map((entry) => {
    if (typeof entry === "function") return entry;
    if (entry.length === 1) return entry[0]!.test;
    const matches = entry.map((q) => q.matcher.match);
    return compileWalker(entry[0]!.path, (v) => {
      for (let i = 0; i < matches.length; i++) if (matches[i]!(v)) return true;
      return false;
    });
  });
}

function plan(ctx: Context, node: KqlNode): Plan {
  switch (node.type) {
    case "and":
    case "or": {
      const children = node.children.map((c) => plan(ctx, c));
      const tests = node.type === "or" ? orTests(children) : children.map((c) => c.test);
      return { kind: node.type, node, children, test: node.type === "and" ? allTest(tests) : anyTest(tests) };
    }
    case "not": {
      const child = plan(ctx, node.child);
      const childTest = child.test;
      return { kind: "not", node, child, test: (d) => !childTest(d) };
    }
    case "matchAll":
      return { kind: "matchAll", node, test: () => true };
    case "nested":
      return nested(ctx, node);
    case "is": {
      if (node.field === null) return freeText(ctx, node);
      const match: MatchContext = { now: ctx.now, lenient: false, span: node.span };
      return fieldClause(ctx, node, (field, info) => isQuery(ctx, node, field, info, match));
    }
    case "range": {
      const match: MatchContext = { now: ctx.now, lenient: false, span: node.span };
      return fieldClause(ctx, node, (field, info) => rangeQuery(ctx, node, field, info, match));
    }
  }
}

/** Builds the plan of a parsed query. Throws KqlEvaluationError where Elasticsearch or Kibana would refuse it. */
export function buildPlan(root: KqlNode, options: CompileOptions = {}): Plan {
  const now = (options.now ?? (() => new Date()))();
  const ctx: Context = {
    catalog: options.catalog ?? (defaultCatalog ??= fieldCatalog({ ecs: true })),
    now: { ms: now.getTime(), ns: 0 },
    nested: null,
    defaultFields: defaultFieldsRegex(options.defaultFields ?? ["*"]),
  };
  return plan(ctx, root);
}
