/**
 * A rule's exceptions in memory: which items remove an event, decided as Elasticsearch decides the filter Kibana
 * builds (`dsl.ts`), with @dac/fields' per-type matchers. An event is removed when any item holds; an item holds
 * when all its entries do (and, with `os_types`, the event's OS is one of them); `excluded` inverts an entry.
 */
import {
  compileWalker,
  existsMatcher,
  ipFromDocument,
  ipTermRange,
  keywordFromDocument,
  objectsAt,
  QueryEvaluationError,
  rangeMatcher,
  resolveField,
  termMatcher,
  typeClass,
  wildcardMatcher,
} from "@dac/fields";
import type { FieldCatalog, FieldInfo, MatchContext, ValueMatcher } from "@dac/fields";
import type { ExceptionEntry, ExceptionItem, RuleExceptionItem, ValueList } from "./types.js";
import { itemSelector } from "./select.js";

type Test = (doc: unknown) => boolean;

/** One compilation: the match context, and each value list's test per field, built once for every item using it. */
interface Ctx extends MatchContext {
  lists: Map<string, Test>;
}

/** An exception Elasticsearch would refuse (a value its field cannot hold), or one dac cannot model. */
export class ExceptionEvaluationError extends Error {
  constructor(
    message: string,
    readonly item_id: string,
  ) {
    super(message);
    this.name = "ExceptionEvaluationError";
  }
}

export interface CompiledExceptions {
  /** The ids of the items that remove this event, in list order; empty when the event stays. */
  removedBy(event: unknown): string[];
  /** The ids of the items applied (expired ones are not: Kibana skips them). */
  applied: readonly string[];
  /** Items left out because their `expire_time` is before `now`. */
  expired: readonly string[];
}

export interface CompileExceptionsOptions {
  /** The execution's time: items that expired before it are not applied, as in Kibana. Default: the clock. */
  now?: Date;
  /**
   * Index the items by the values they pin (default true), so an event tests only the items it can meet. Off,
   * every item is tested on every event: the reference the index is held to in tests.
   */
  index?: boolean;
}

/** Whether Kibana still applies an item at `now` (an item without `expire_time` never expires). */
export function isExpired(item: Pick<ExceptionItem, "expire_time">, now: Date): boolean {
  if (item.expire_time === undefined) return false;
  const t = Date.parse(item.expire_time);
  return !Number.isNaN(t) && t < now.getTime();
}

export function compileExceptions(
  items: readonly (RuleExceptionItem | ExceptionItem)[],
  valueLists: Readonly<Record<string, ValueList>>,
  catalog: FieldCatalog,
  options: CompileExceptionsOptions = {},
): CompiledExceptions {
  const now = options.now ?? new Date();
  const ctx: Ctx = { now: { ms: now.getTime(), ns: 0 }, lenient: false, lists: new Map() };
  const compiled: { id: string; item: ExceptionItem; test: Test }[] = [];
  const expired: string[] = [];
  for (const entry of items) {
    const item = "item" in entry ? entry.item : entry;
    if (isExpired(item, now)) {
      expired.push(item.item_id);
      continue;
    }
    try {
      compiled.push({ id: item.item_id, item, test: itemTest(item, catalog, valueLists, ctx) });
    } catch (error) {
      if (error instanceof QueryEvaluationError)
        throw new ExceptionEvaluationError(
          `exception item \`${item.item_id}\`: ${error.message}`,
          item.item_id,
        );
      throw error;
    }
  }
  const tests = compiled.map((c) => c.test);
  const ids = compiled.map((c) => c.id);
  // Each item is compiled once above; per event, only the items whose indexed values the event has are tested.
  const every = tests.map((_, i) => i);
  const select =
    options.index === false
      ? () => every
      : itemSelector(
          compiled.map((c) => c.item),
          catalog,
          valueLists,
        );
  return {
    applied: ids,
    expired,
    removedBy(event) {
      const out: string[] = [];
      for (const i of select(event)) if (tests[i]!(event)) out.push(ids[i]!);
      return out;
    },
  };
}

function itemTest(
  item: ExceptionItem,
  catalog: FieldCatalog,
  valueLists: Readonly<Record<string, ValueList>>,
  ctx: Ctx,
): Test {
  const entries = item.entries.map((e) => entryTest(e, catalog, valueLists, ctx, undefined, item.item_id));
  const all = allOf(entries);
  if (!item.os_types?.length) return all;
  // Kibana's transformOsType: each OS as `host.os.type` or `host.os.name.caseless`, ANDed with the entries.
  const os = item.os_types.flatMap((value) =>
    ["host.os.type", "host.os.name.caseless"].map((field) =>
      entryTest(
        { type: "match", field, operator: "included", value },
        catalog,
        valueLists,
        ctx,
        undefined,
        item.item_id,
      ),
    ),
  );
  return (doc) => all(doc) && os.some((t) => t(doc));
}

function allOf(tests: Test[]): Test {
  if (tests.length === 1) return tests[0]!;
  return (doc) => {
    for (const t of tests) if (!t(doc)) return false;
    return true;
  };
}

const never: Test = () => false;

/** The test of one entry; `parent` is the nested path for entries inside `nested` (their fields are relative). */
function entryTest(
  entry: ExceptionEntry,
  catalog: FieldCatalog,
  valueLists: Readonly<Record<string, ValueList>>,
  ctx: Ctx,
  parent: string | undefined,
  itemId: string,
): Test {
  if (entry.type === "nested") {
    const inner = allOf(
      entry.entries.map((e) => entryTest(e, catalog, valueLists, ctx, entry.field, itemId)),
    );
    const path = entry.field;
    return (doc) => objectsAt(doc, path).some(inner);
  }
  const full = parent === undefined ? entry.field : `${parent}.${entry.field}`;
  const resolution = resolveField(catalog, full);
  // A field the index does not map matches nothing; `excluded` of it matches everything.
  const positive =
    resolution.kind === "unmapped"
      ? never
      : fieldTest(entry, resolution.info, parent === undefined ? full : entry.field, valueLists, ctx, itemId);
  return entry.operator === "excluded" ? (doc) => !positive(doc) : positive;
}

function fieldTest(
  entry: Exclude<ExceptionEntry, { type: "nested" }>,
  info: FieldInfo,
  path: string,
  valueLists: Readonly<Record<string, ValueList>>,
  ctx: Ctx,
  itemId: string,
): Test {
  const sourcePath = info.sourcePath && path === info.name ? info.sourcePath : path;
  const walk = (matcher: ValueMatcher): Test => {
    if (matcher.constant === true) return () => true;
    if (info.type === "flattened" || info.type === "object")
      return (doc) => objectsAt(doc, sourcePath).some(matcher.match);
    return compileWalker(sourcePath, matcher.match);
  };
  const any = (matchers: ValueMatcher[]): Test => {
    const fns = matchers.map((m) => m.match);
    return walk({
      match: (v) => {
        for (const f of fns) if (f(v)) return true;
        return false;
      },
      explain: () => "",
    });
  };
  switch (entry.type) {
    case "match":
      return walk(termMatcher(info, entry.value, "match_phrase", ctx));
    case "match_any": {
      const matchers = entry.value.map((v) => termMatcher(info, v, "match_phrase", ctx));
      // match_phrase on a plain keyword field is equality: one Set probe instead of a test per value.
      if (plainKeyword(info)) return walk(keywordSet(info, entry.value));
      return any(matchers);
    }
    case "wildcard":
      return walk(wildcardQuery(info, entry.value, ctx));
    case "exists":
      return walk(existsMatcher(info));
    case "list": {
      const list = valueLists[entry.list.id];
      if (!list) throw new ExceptionEvaluationError(`value list \`${entry.list.id}\` does not exist`, itemId);
      // Lists are shared by many items: compile each once per field (thousands of values each).
      const key = `${list.id}\u0000${info.name}\u0000${sourcePath}`;
      let test = ctx.lists.get(key);
      if (!test) ctx.lists.set(key, (test = listTest(info, list, walk, any, ctx)));
      return test;
    }
  }
}

/** Elasticsearch's `wildcard` query: `*` any run, `?` one character, `\` escapes; keyword-like fields only. */
function wildcardQuery(info: FieldInfo, pattern: string, ctx: MatchContext): ValueMatcher {
  if (typeClass(info.type) !== "keyword")
    throw new QueryEvaluationError(
      `a wildcard entry on ${info.type} field \`${info.name}\` is not modelled (Elasticsearch runs wildcard queries on keyword fields; text fields match single analysed tokens)`,
      { field: info.name, fieldType: info.type },
    );
  if (!/[?\\]/.test(pattern)) return wildcardMatcher(info, pattern.split("*"), ctx);
  const lower = info.normalizer === "lowercase";
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) source += escape(pattern[++i]!);
    else if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else source += escape(c);
  }
  const re = new RegExp(`^${source}$`, "u");
  const limit = info.ignoreAbove ?? Infinity;
  return {
    match: (v) => typeof v === "string" && v.length <= limit && re.test(lower ? v.toLowerCase() : v),
    explain: () => `wildcard ${pattern}`,
  };
}

const escape = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * A value list as Kibana's buildListClause sends it: `terms` for most types, `range` per `first-last` and `terms`
 * for CIDR blocks on `ip_range` lists, and `match` with `operator: and` per value on `text` lists.
 */
function listTest(
  info: FieldInfo,
  list: ValueList,
  walk: (m: ValueMatcher) => Test,
  any: (ms: ValueMatcher[]) => Test,
  ctx: MatchContext,
): Test {
  if (list.values.length === 0) return never;
  if (list.type === "ip_range") {
    return any(
      list.values.map((value) => {
        const dash = value.indexOf("-");
        if (dash === -1) return termMatcher(info, value, "term", ctx);
        const gte = rangeMatcher(info, "gte", value.slice(0, dash).trim(), ctx).match;
        const lte = rangeMatcher(info, "lte", value.slice(dash + 1).trim(), ctx).match;
        return { match: (v: unknown) => gte(v) && lte(v), explain: () => value };
      }),
    );
  }
  if (list.type === "text") {
    // match with operator `and`: every analysed word of the value is a token of the field.
    const perValue = list.values.map((value) =>
      allOf(
        value
          .split(/\s+/)
          .filter(Boolean)
          .map((word) => walk(termMatcher(info, word, "match", ctx))),
      ),
    );
    return (doc) => perValue.some((t) => t(doc));
  }
  // Plain keyword fields: a set lookup, so a list of thousands costs one probe per value.
  if (typeClass(info.type) === "keyword" && info.normalizer === undefined && info.type !== "flattened")
    return walk(keywordSet(info, list.values));
  const matchers = list.values.map((value) => termMatcher(info, value, "term", ctx));
  // Addresses: the document's address parsed once, then a Set probe and the blocks, not a parse per list value.
  if (typeClass(info.type) === "ip" && info.searchable !== false) return walk(addressSet(list.values));
  return any(matchers);
}

/** Keyword fields whose indexed value is the document's string as is (no normalizer, not flattened). */
function plainKeyword(info: FieldInfo): boolean {
  return (
    typeClass(info.type) === "keyword" &&
    info.normalizer === undefined &&
    info.type !== "flattened" &&
    info.type !== "constant_keyword" &&
    info.searchable !== false
  );
}

function keywordSet(info: FieldInfo, values: readonly string[]): ValueMatcher {
  const set = new Set(values);
  const limit = info.ignoreAbove ?? Infinity;
  return {
    match: (v) => {
      const s = keywordFromDocument(v);
      return s !== undefined && s.length <= limit && set.has(s);
    },
    explain: () => `one of ${values.length} values`,
  };
}

/**
 * `terms` of addresses and CIDR blocks on an ip field (IpFieldMapper.termsQuery). The values were checked by
 * termMatcher, so ipTermRange does not throw here.
 */
function addressSet(values: readonly string[]): ValueMatcher {
  const exact = new Set<string>();
  const blocks: { lo: string; hi: string }[] = [];
  for (const value of values) {
    const { lo, hi } = ipTermRange(value);
    if (lo === hi) exact.add(lo);
    else blocks.push({ lo, hi });
  }
  return {
    match: (v) => {
      const k = ipFromDocument(v);
      if (k === undefined) return false;
      if (exact.has(k)) return true;
      for (const b of blocks) if (k >= b.lo && k <= b.hi) return true;
      return false;
    },
    explain: () => `one of ${values.length} addresses`,
  };
}
