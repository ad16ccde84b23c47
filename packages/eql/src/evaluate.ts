/**
 * An in-memory EQL engine with Elasticsearch's semantics. Each condition is compiled once to a predicate over
 * plain JSON events. Elasticsearch translates an EQL condition to query DSL, leaf by leaf
 * (x-pack/plugin/ql ExpressionTranslators; x-pack/plugin/eql planner QueryTranslator):
 *
 * - a comparison of a field with a constant is a `term`/`range`/`wildcard`/`regexp`/`terms` query, so it holds
 *   when any value of a multi-valued field satisfies it, and `!=`/`not in`/`not` are `must_not`: they hold for an
 *   event without the field (EQL reference, "Field existence": `field != null` is an exists query);
 * - anything else (functions, arithmetic, field against field) is a script; a script that yields null is false;
 * - `==`, `!=`, `in`, `like`, `regex` are case-sensitive; `:` and the `~` forms are case-insensitive
 *   (EQL syntax reference, "Operators" and "Case-insensitive equality");
 * - keyword values longer than the field's `ignore_above` are not indexed, so no query matches them.
 *
 * Sequences follow x-pack/plugin/eql/.../execution/sequence/SequenceMatcher.java: per join key, each stage holds
 * at most one partial sequence; an event matching stage 0 starts a new one (replacing the key's older partial
 * sequence in stage 0); an event matching stage i moves the key's sequence from stage i-1 to stage i (replacing
 * one there); `maxspan` is measured from the sequence's first event; an `until` event drops the key's partial
 * sequences; `runs=N` repeats a step N times; a missing event `![...]` must not occur (with the same keys)
 * between its neighbouring steps.
 */
import ipaddr from "ipaddr.js";
import { lookupField, type FieldCatalog, type FieldInfo } from "@dac/fields";
import type { EqlQuery, EventFilter, Expression, Literal, SequenceStep } from "./ast.js";
import { functionNamed } from "./validate.js";

export type EqlEvent = Record<string, unknown>;

export interface EvaluateOptions {
  catalog?: FieldCatalog;
  /** Default `@timestamp`. */
  timestampField?: string;
  /** Secondary sort key (EQL search API `tiebreaker_field`). */
  tiebreakerField?: string;
  /** Default `event.category` (EQL search API `event_category_field`, Kibana's `event_category_override`). */
  eventCategoryField?: string;
  /** Maximum results (EQL search API `size`, default 10 there); unlimited when absent. */
  size?: number;
}

/** One result: the matching event's position in the input, or the positions of a sequence's or sample's events. */
export interface EqlResult {
  events: number[];
  /** The join key values of a sequence or sample. */
  joinKeys?: unknown[];
}

export class EqlEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EqlEvaluationError";
  }
}

type Kind = "string" | "number" | "ip" | "date" | "boolean" | "unknown";
type Scalar = string | number | boolean | null;
type Predicate = (event: EqlEvent) => boolean;
type Getter = (event: EqlEvent) => Scalar;

function kindOf(info: FieldInfo | undefined): Kind {
  if (!info) return "unknown";
  switch (info.type) {
    case "keyword":
    case "constant_keyword":
    case "wildcard":
    case "text":
    case "match_only_text":
    case "flattened":
      return "string";
    case "date":
    case "date_nanos":
      return "date";
    case "ip":
      return "ip";
    case "boolean":
      return "boolean";
    case "long":
    case "integer":
    case "short":
    case "byte":
    case "double":
    case "float":
    case "half_float":
    case "scaled_float":
    case "unsigned_long":
      return "number";
    default:
      return "unknown";
  }
}

/** Raw values of a dotted field in a JSON event: nested objects, arrays of objects and dotted keys alike. */
export function rawValues(event: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(event, path, out);
  return out;
}

function collect(node: unknown, path: string, out: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const item of node) collect(item, path, out);
    return;
  }
  if (typeof node !== "object") return;
  const obj = node as Record<string, unknown>;
  if (path in obj) {
    push(obj[path], out);
  }
  // `a.b.c` may be stored as {a: {b: {c}}}, {"a.b": {c}} or {a: {"b.c"}}.
  let dot = path.indexOf(".");
  while (dot !== -1) {
    const head = path.slice(0, dot);
    if (head in obj) collect(obj[head], path.slice(dot + 1), out);
    dot = path.indexOf(".", dot + 1);
  }
}

function push(value: unknown, out: unknown[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) for (const v of value) push(v, out);
  else out.push(value);
}

function toDate(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string") {
    if (/^\d+$/.test(v)) return Number(v);
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function toIp(v: unknown): string | null {
  if (typeof v !== "string") return null;
  try {
    const addr = ipaddr.process(v.trim());
    return addr.toNormalizedString();
  } catch {
    return null;
  }
}

/** The value a field of `kind` indexes for raw JSON value `v` (null: not indexed). */
function normalise(kind: Kind, v: unknown, ignoreAbove?: number): Scalar {
  switch (kind) {
    case "string": {
      if (typeof v === "object" || v === undefined) return null;
      const s = String(v);
      return ignoreAbove !== undefined && s.length > ignoreAbove ? null : s;
    }
    case "number": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      return Number.isFinite(n) ? n : null;
    }
    case "date":
      return toDate(v);
    case "ip":
      return toIp(v);
    case "boolean":
      return v === true || v === "true" ? true : v === false || v === "false" ? false : null;
    default:
      return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : null;
  }
}

/** Compiles a wildcard pattern (`*` any characters, `?` one) to an anchored regular expression. */
function wildcardRegExp(pattern: string, insensitive: boolean): RegExp {
  let src = "";
  for (const ch of pattern) {
    if (ch === "*") src += "[\\s\\S]*";
    else if (ch === "?") src += "[\\s\\S]";
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${src}$`, insensitive ? "iu" : "u");
}

/**
 * Lucene regular expression syntax (Elasticsearch "Regular expression syntax") to a JavaScript RegExp: always
 * anchored, `.` matches any character, `@` any string, `#` the empty language, `<n-m>` a numeric interval.
 */
export function luceneRegExp(pattern: string, insensitive: boolean): RegExp {
  let src = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && i + 1 < pattern.length) {
      src += `\\${pattern[++i]}`;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      src += ch;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      src += ch;
    } else if (ch === ".") src += "[\\s\\S]";
    else if (ch === "@") src += "[\\s\\S]*";
    else if (ch === "#") src += "(?!)";
    else if (ch === '"') {
      const close = pattern.indexOf('"', i + 1);
      const lit = pattern.slice(i + 1, close === -1 ? undefined : close);
      src += lit.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      i = close === -1 ? pattern.length : close;
    } else if (ch === "<") {
      const m = /^<(\d+)-(\d+)>/.exec(pattern.slice(i));
      if (m) {
        const lo = Number(m[1]);
        const hi = Number(m[2]);
        const options: string[] = [];
        for (let n = lo; n <= hi && options.length < 10_000; n++) options.push(String(n));
        src += `(?:${options.join("|")})`;
        i += m[0].length - 1;
      } else src += "<";
    } else if (ch === "/") src += "\\/";
    else src += ch;
  }
  return new RegExp(`^(?:${src})$`, insensitive ? "iu" : "u");
}

function compareScalars(a: Scalar, b: Scalar): number | null {
  if (a === null || b === null) return null;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const lower = (s: string) => s.toLowerCase();

/** Functions as scripts: null in, null out (EQL function reference). */
function callFunction(name: string, insensitive: boolean, args: Scalar[], float = false): Scalar {
  const str = (v: Scalar) => (v === null ? null : String(v));
  const num = (v: Scalar) => (typeof v === "number" ? v : v === null ? null : Number(v));
  const fold = (s: string) => (insensitive ? lower(s) : s);
  switch (name) {
    case "add":
    case "subtract":
    case "multiply":
    case "divide":
    case "modulo": {
      const a = num(args[0]!);
      const b = num(args[1]!);
      if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) return null;
      if (name === "add") return a + b;
      if (name === "subtract") return a - b;
      if (name === "multiply") return a * b;
      if (b === 0) return null;
      // divide: "If both the dividend and divisor are integers, the function rounds down" (EQL function reference)
      if (name === "divide")
        return !float && Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
      return a % b;
    }
    case "between": {
      const [s, left, right] = args.map(str);
      const greedy = args[3] === true;
      if (
        s === null ||
        s === undefined ||
        left === null ||
        left === undefined ||
        right === null ||
        right === undefined
      )
        return null;
      const hay = fold(s);
      const l = hay.indexOf(fold(left));
      if (l === -1) return "";
      const from = l + left.length;
      const r = greedy ? hay.lastIndexOf(fold(right)) : hay.indexOf(fold(right), from);
      if (r === -1 || r < from) return "";
      return s.slice(from, r);
    }
    case "cidrMatch": {
      const ip = str(args[0]!);
      if (ip === null) return null;
      let addr: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        addr = ipaddr.process(ip);
      } catch {
        return false;
      }
      for (const c of args.slice(1)) {
        const cidr = str(c);
        if (cidr === null) continue;
        try {
          const [range, bits] = ipaddr.parseCIDR(cidr);
          const r =
            range.kind() === "ipv6" && (range as ipaddr.IPv6).isIPv4MappedAddress()
              ? (range as ipaddr.IPv6).toIPv4Address()
              : range;
          if (addr.kind() === r.kind() && addr.match(r, r.kind() === range.kind() ? bits : bits - 96))
            return true;
        } catch {
          continue;
        }
      }
      return false;
    }
    case "concat": {
      if (args.some((a) => a === null)) return null;
      return args.map((a) => String(a)).join("");
    }
    case "endsWith":
    case "startsWith":
    case "stringContains": {
      const s = str(args[0]!);
      const t = str(args[1]!);
      if (s === null || t === null) return null;
      const a = fold(s);
      const b = fold(t);
      return name === "endsWith" ? a.endsWith(b) : name === "startsWith" ? a.startsWith(b) : a.includes(b);
    }
    case "indexOf": {
      const s = str(args[0]!);
      const t = str(args[1]!);
      if (s === null || t === null) return null;
      const start = args[2] === undefined || args[2] === null ? 0 : Math.max(0, Number(args[2]));
      const i = fold(s).indexOf(fold(t), start);
      return i === -1 ? null : i;
    }
    case "length": {
      const s = str(args[0]!);
      return s === null ? null : s.length;
    }
    case "number": {
      const s = str(args[0]!);
      if (s === null) return null;
      const base = args[1] === undefined || args[1] === null ? 10 : Number(args[1]);
      let text = s.trim();
      if (base === 16 && /^0x/i.test(text)) text = text.slice(2);
      const n = base === 10 ? Number(text) : parseInt(text, base);
      return text === "" || Number.isNaN(n) ? null : n;
    }
    case "string":
      return str(args[0]!);
    case "substring": {
      const s = str(args[0]!);
      if (s === null) return null;
      const len = s.length;
      const norm = (v: Scalar | undefined, dflt: number) => {
        if (v === undefined || v === null) return dflt;
        const n = Number(v);
        return n < 0 ? Math.max(0, len + n) : Math.min(n, len);
      };
      const start = norm(args[1], 0);
      const end = norm(args[2], len);
      return start >= end ? "" : s.slice(start, end);
    }
    default:
      throw new EqlEvaluationError(`Unknown function [${name}]`);
  }
}

interface Compiler {
  options: EvaluateOptions;
  info(name: string): FieldInfo | undefined;
}

function fieldKind(c: Compiler, name: string): { kind: Kind; ignoreAbove?: number } {
  const info = c.info(name);
  return { kind: kindOf(info), ignoreAbove: info?.ignoreAbove };
}

/** Indexed values of a field (normalised, unindexable ones left out). */
const NONE: Scalar[] = [];

function valuesGetter(c: Compiler, name: string): (e: EqlEvent) => Scalar[] {
  const { kind, ignoreAbove } = fieldKind(c, name);
  const segments = name.split(".");
  const normaliseAll = (raw: unknown[]) => {
    const out: Scalar[] = [];
    for (const v of raw) {
      const n = normalise(kind, v, ignoreAbove);
      if (n !== null) out.push(n);
    }
    return out;
  };
  return (e) => {
    // Fast path: plain nested objects down to a scalar (the common case); anything else takes the general walk,
    // which also finds dotted keys and values inside arrays of objects.
    let node: unknown = e;
    for (const segment of segments) {
      if (node === null || typeof node !== "object" || Array.isArray(node)) {
        node = undefined;
        break;
      }
      node = (node as Record<string, unknown>)[segment];
    }
    if (node !== undefined && node !== null && typeof node !== "object") {
      const n = normalise(kind, node, ignoreAbove);
      return n === null ? NONE : [n];
    }
    if (Array.isArray(node) && node.every((v) => typeof v !== "object" || v === null))
      return normaliseAll(node);
    return normaliseAll(rawValues(e, name));
  };
}

/** The constant a literal is compared as, for a field of `kind`. */
function literalFor(kind: Kind, lit: Literal): Scalar {
  if (lit.value === null) return null;
  if (kind === "unknown") return lit.value;
  return normalise(kind, lit.value);
}

const FLOAT_TYPES = new Set(["double", "float", "half_float", "scaled_float"]);

/** Whether an operand is floating point (a decimal constant or a floating-point field): no integer division. */
function isFloat(c: Compiler, e: Expression): boolean {
  if (e.type === "literal") return e.kind === "decimal";
  if (e.type === "field") return FLOAT_TYPES.has(String(c.info(e.name)?.type));
  if (e.type === "arithmetic") return isFloat(c, e.left) || isFloat(c, e.right);
  if (e.type === "negate") return isFloat(c, e.operand);
  return false;
}

function scalar(c: Compiler, e: Expression): Getter {
  switch (e.type) {
    case "literal": {
      const v = e.value;
      return () => v;
    }
    case "field": {
      // In a script a field is its (first) doc value.
      const get = valuesGetter(c, e.name);
      return (ev) => get(ev)[0] ?? null;
    }
    case "arithmetic": {
      const l = scalar(c, e.left);
      const r = scalar(c, e.right);
      const name = { "+": "add", "-": "subtract", "*": "multiply", "/": "divide", "%": "modulo" }[e.op];
      const float = isFloat(c, e.left) || isFloat(c, e.right);
      return (ev) => callFunction(name, false, [l(ev), r(ev)], float);
    }
    case "negate": {
      const o = scalar(c, e.operand);
      return (ev) => {
        const v = o(ev);
        return typeof v === "number" ? -v : null;
      };
    }
    case "call": {
      const name = functionNamed(e.name);
      if (!name) throw new EqlEvaluationError(`Unknown function [${e.name}]`);
      const args = e.args.map((a) => scalar(c, a));
      const insensitive = e.insensitive;
      const float = e.args.some((a) => isFloat(c, a));
      return (ev) =>
        callFunction(
          name,
          insensitive,
          args.map((a) => a(ev)),
          float,
        );
    }
    default: {
      const p = predicate(c, e);
      return (ev) => p(ev);
    }
  }
}

/** Values of the left side of a leaf: every indexed value of a field, or the one value of a script. */
function leftValues(c: Compiler, e: Expression): { values: (ev: EqlEvent) => Scalar[]; kind: Kind } {
  if (e.type === "field") return { values: valuesGetter(c, e.name), kind: fieldKind(c, e.name).kind };
  const get = scalar(c, e);
  return {
    values: (ev) => {
      const v = get(ev);
      return v === null ? [] : [v];
    },
    kind: "unknown",
  };
}

function compareTest(op: string, cmp: number): boolean {
  switch (op) {
    case "==":
      return cmp === 0;
    case "!=":
      return cmp !== 0;
    case "<":
      return cmp < 0;
    case "<=":
      return cmp <= 0;
    case ">":
      return cmp > 0;
    default:
      return cmp >= 0;
  }
}

function predicate(c: Compiler, e: Expression): Predicate {
  switch (e.type) {
    case "and": {
      const l = predicate(c, e.left);
      const r = predicate(c, e.right);
      return (ev) => l(ev) && r(ev);
    }
    case "or": {
      const l = predicate(c, e.left);
      const r = predicate(c, e.right);
      return (ev) => l(ev) || r(ev);
    }
    case "not": {
      const o = predicate(c, e.operand);
      return (ev) => !o(ev);
    }
    case "literal":
      return e.value === true ? () => true : () => false;
    case "compare": {
      const { left, right, op } = e;
      // field OP constant: a term/range query over every value; null constants are exists queries.
      if (right.type === "literal" && left.type !== "literal") {
        const { values, kind } = leftValues(c, left);
        if (right.value === null) {
          if (op === "==") return (ev) => values(ev).length === 0;
          if (op === "!=") return (ev) => values(ev).length > 0;
          return () => false;
        }
        const k = literalFor(kind, right);
        if (k === null) return op === "!=" ? () => true : () => false;
        if (op === "!=") return (ev) => !values(ev).some((v) => compareScalars(v, k) === 0);
        return (ev) =>
          values(ev).some((v) => {
            const cmp = compareScalars(v, k);
            return cmp !== null && compareTest(op, cmp);
          });
      }
      if (left.type === "literal" && right.type !== "literal") {
        const flipped = { "==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" }[
          op
        ] as typeof op;
        return predicate(c, { ...e, op: flipped, left: right, right: left });
      }
      // A script: null on either side is null, which is false.
      const l = scalar(c, left);
      const r = scalar(c, right);
      return (ev) => {
        const cmp = compareScalars(l(ev), r(ev));
        return cmp !== null && compareTest(op, cmp);
      };
    }
    case "in": {
      const { values, kind } = leftValues(c, e.value);
      const constants = e.list.every((x) => x.type === "literal");
      let test: Predicate;
      if (constants) {
        const set = new Set<Scalar>();
        let hasNull = false;
        for (const x of e.list as Literal[]) {
          if (x.value === null) hasNull = true;
          const k = literalFor(kind, x);
          if (k !== null) set.add(e.insensitive && typeof k === "string" ? lower(k) : k);
        }
        test = e.insensitive
          ? (ev) => values(ev).some((v) => set.has(typeof v === "string" ? lower(v) : v))
          : (ev) => {
              const vs = values(ev);
              return (hasNull && vs.length === 0) || vs.some((v) => set.has(v));
            };
      } else {
        const items = e.list.map((x) => scalar(c, x));
        test = (ev) => {
          const vs = values(ev);
          return items.some((it) => {
            const k = it(ev);
            return vs.some((v) =>
              e.insensitive && typeof v === "string" && typeof k === "string"
                ? lower(v) === lower(k)
                : compareScalars(v, k) === 0,
            );
          });
        };
      }
      return e.negated ? (ev) => !test(ev) : test;
    }
    case "match": {
      const { values } = leftValues(c, e.value);
      const insensitive = e.op === ":" || e.op.endsWith("~");
      const regexes = e.patterns
        .filter((p) => p.value !== null)
        .map((p) =>
          e.op.startsWith("regex")
            ? luceneRegExp(String(p.value), insensitive)
            : wildcardRegExp(String(p.value), insensitive),
        );
      return (ev) =>
        values(ev).some((v) => {
          const s = String(v);
          return regexes.some((r) => r.test(s));
        });
    }
    case "field": {
      // A bare boolean field: `field == true`.
      const get = valuesGetter(c, e.name);
      return (ev) => get(ev).some((v) => v === true);
    }
    default: {
      const get = scalar(c, e);
      return (ev) => get(ev) === true;
    }
  }
}

function compiler(options: EvaluateOptions): Compiler {
  const cache = new Map<string, FieldInfo | undefined>();
  return {
    options,
    info(name) {
      if (!options.catalog) return undefined;
      if (!cache.has(name)) cache.set(name, lookupField(options.catalog, name));
      return cache.get(name);
    },
  };
}

function filterPredicate(c: Compiler, f: EventFilter): Predicate {
  const cond = predicate(c, f.condition);
  if (f.category === null) return cond;
  // `<category> where` is `event.category == "<category>"` (LogicalPlanBuilder.visitEventFilter): case-sensitive.
  const category = f.category;
  const get = valuesGetter(c, c.options.eventCategoryField ?? "event.category");
  return (ev) => get(ev).some((v) => v === category) && cond(ev);
}

/** Compiles a lone condition (or an event query's filter) to a predicate over events. */
export function compileFilter(query: EqlQuery, options: EvaluateOptions = {}): Predicate {
  if (query.body.type !== "event") throw new EqlEvaluationError("not an event query");
  return filterPredicate(compiler(options), query.body);
}

// Missing tiebreakers sort first (LogicalPlanBuilder: NullsPosition.FIRST in ascending order).
function compareTiebreakers(a: Scalar, b: Scalar): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareScalars(a, b) ?? 0;
}

interface Ordered {
  index: number;
  ts: number;
  tb: Scalar;
}

/** Event positions in timestamp order, then tiebreaker, then input order (ES sorts by `_shard_doc` last). */
function order(events: EqlEvent[], options: EvaluateOptions): Ordered[] {
  const tsField = options.timestampField ?? "@timestamp";
  const tbField = options.tiebreakerField;
  const out: Ordered[] = [];
  events.forEach((e, index) => {
    const raw = rawValues(e, tsField)[0];
    const ts = toDate(raw);
    // Elasticsearch's EQL search drops events without a timestamp (the query requires the field).
    if (ts === null) return;
    const tb = tbField ? ((rawValues(e, tbField)[0] ?? null) as Scalar) : null;
    out.push({ index, ts, tb });
  });
  out.sort((a, b) => a.ts - b.ts || compareTiebreakers(a.tb, b.tb) || a.index - b.index);
  return out;
}

function keyGetter(
  c: Compiler,
  keys: Expression[],
): (e: EqlEvent) => { key: string; values: unknown[] } | null {
  const getters = keys.map((k) => ({ get: scalar(c, k), optional: k.type === "field" && k.optional }));
  return (e) => {
    const values: unknown[] = [];
    for (const g of getters) {
      const v = g.get(e);
      // A null join key joins only through an optional field (ES 8: `?field` keys allow null values).
      if (v === null && !g.optional) return null;
      values.push(v);
    }
    return { key: JSON.stringify(values), values };
  };
}

interface Partial {
  events: number[];
  ordinals: number[];
  start: number;
  keyValues: unknown[];
}

function limit(results: EqlResult[], query: EqlQuery, size?: number): EqlResult[] {
  let out = results;
  for (const pipe of query.pipes)
    out = pipe.name === "head" ? out.slice(0, pipe.count) : out.slice(Math.max(0, out.length - pipe.count));
  return size === undefined ? out : out.slice(0, size);
}

/** Runs a sequence query and reports, per join key, how far its events got (for `explain`). */
export function traceSequence(
  query: EqlQuery,
  events: EqlEvent[],
  options: EvaluateOptions = {},
): { results: EqlResult[]; keys: SequenceKeyTrace[] } {
  if (query.body.type !== "sequence") throw new EqlEvaluationError("not a sequence query");
  const trace = new Map<string, SequenceKeyTrace>();
  const results = sequence(compiler(options), query.body, events, order(events, options), trace);
  return { results: limit(results, query, options.size), keys: [...trace.values()] };
}

/** Compiles a condition to a predicate (for `explain`, clause by clause). */
export function compileCondition(condition: Expression, options: EvaluateOptions = {}): Predicate {
  return predicate(compiler(options), condition);
}

/** Compiles an event filter (category and condition) to a predicate. */
export function compileEventFilter(filter: EventFilter, options: EvaluateOptions = {}): Predicate {
  return filterPredicate(compiler(options), filter);
}

/** Runs a query over events (any order; they are sorted by timestamp and tiebreaker). */
export function evaluate(query: EqlQuery, events: EqlEvent[], options: EvaluateOptions = {}): EqlResult[] {
  const c = compiler(options);
  const sorted = order(events, options);
  const { body } = query;
  if (body.type === "event") {
    const p = filterPredicate(c, body);
    const results: EqlResult[] = [];
    for (const o of sorted) if (p(events[o.index]!)) results.push({ events: [o.index] });
    return limit(results, query, options.size);
  }
  if (body.type === "sample")
    return limit(sample(c, body.by, body.steps, events, sorted), query, options.size);
  return limit(sequence(c, body, events, sorted), query, options.size);
}

function stepKeys(c: Compiler, parent: Expression[], step: SequenceStep) {
  return keyGetter(c, [...parent, ...step.by]);
}

/** How far the events of one join key got through a sequence (for `explain`). */
export interface SequenceKeyTrace {
  joinKeys: unknown[];
  /** Stages (runs expanded) the furthest partial sequence reached. */
  furthest: number;
  /** The events of that furthest partial sequence. */
  events: number[];
  /** Sequences this key completed. */
  completed: number;
  /** Why the last partial sequence that got furthest stopped, when something stopped it. */
  stopped?: { reason: "maxspan" | "until" | "missing"; event?: number; stage: number };
}

function sequence(
  c: Compiler,
  body: Extract<EqlQuery["body"], { type: "sequence" }>,
  events: EqlEvent[],
  sorted: Ordered[],
  trace?: Map<string, SequenceKeyTrace>,
): EqlResult[] {
  // Positive stages (runs expanded) and the missing steps that sit before positive stage i (or after the last).
  const stages: { match: Predicate; key: ReturnType<typeof keyGetter> }[] = [];
  const missingBefore: { match: Predicate; key: ReturnType<typeof keyGetter>; before: number }[] = [];
  for (const step of body.steps) {
    const match = filterPredicate(c, step.filter);
    const key = stepKeys(c, body.by, step);
    if (step.missing) missingBefore.push({ match, key, before: stages.length });
    else for (let r = 0; r < (step.runs ?? 1); r++) stages.push({ match, key });
  }
  const until = body.until
    ? { match: filterPredicate(c, body.until.filter), key: stepKeys(c, body.by, body.until) }
    : undefined;
  const maxspan = body.maxspan?.millis;
  const n = stages.length;
  // stage -> join key -> the one partial sequence there
  const inFlight: Map<string, Partial>[] = Array.from({ length: n }, () => new Map());
  const results: { events: number[]; ordinals: number[]; start: number; keyValues: unknown[] }[] = [];

  sorted.forEach((o, ordinal) => {
    const e = events[o.index]!;
    if (until && until.match(e)) {
      const k = until.key(e);
      if (k) {
        const t = trace?.get(k.key);
        if (t && inFlight.some((stage) => stage.has(k.key)))
          t.stopped = { reason: "until", event: o.index, stage: t.furthest };
        for (const stage of inFlight) stage.delete(k.key);
      }
    }
    // Later stages first, so one event does not take two steps of the same sequence.
    for (let i = n - 1; i >= 0; i--) {
      const stage = stages[i]!;
      if (!stage.match(e)) continue;
      const k = stage.key(e);
      if (!k) continue;
      if (trace && !trace.has(k.key))
        trace.set(k.key, { joinKeys: k.values, furthest: 0, events: [], completed: 0 });
      const t = trace?.get(k.key);
      if (i === 0) {
        const seq: Partial = { events: [o.index], ordinals: [ordinal], start: o.ts, keyValues: k.values };
        if (t && t.furthest < 1) {
          t.furthest = 1;
          t.events = seq.events;
        }
        if (t && n === 1) t.completed++;
        if (n === 1) results.push(seq);
        else inFlight[0]!.set(k.key, seq);
        continue;
      }
      const prev = inFlight[i - 1]!.get(k.key);
      if (!prev) continue;
      inFlight[i - 1]!.delete(k.key);
      // maxspan: measured from the sequence's first event (EQL syntax reference, "sequence ... with maxspan").
      if (maxspan !== undefined && o.ts - prev.start > maxspan) {
        if (t && prev.events.length >= t.furthest)
          t.stopped = { reason: "maxspan", event: o.index, stage: i };
        continue;
      }
      const seq: Partial = {
        events: [...prev.events, o.index],
        ordinals: [...prev.ordinals, ordinal],
        start: prev.start,
        keyValues: prev.keyValues,
      };
      if (t && seq.events.length > t.furthest) {
        t.furthest = seq.events.length;
        t.events = seq.events;
        delete t.stopped;
      }
      if (i === n - 1) {
        results.push(seq);
        if (t) t.completed++;
      } else inFlight[i]!.set(k.key, seq);
    }
  });

  const complete =
    missingBefore.length === 0
      ? results
      : results.filter((r) => {
          const ok = noMissingEvent(r, missingBefore, events, sorted, maxspan);
          const t = trace?.get(JSON.stringify(r.keyValues));
          if (!ok && t) {
            t.completed--;
            t.stopped = { reason: "missing", stage: n };
          }
          return ok;
        });
  complete.sort(
    (a, b) =>
      a.ordinals[0]! - b.ordinals[0]! ||
      a.ordinals[a.ordinals.length - 1]! - b.ordinals[b.ordinals.length - 1]!,
  );
  return complete.map((r) => ({ events: r.events, joinKeys: r.keyValues }));
}

/** True when no event matches a missing step (with the sequence's keys) in the gap where the step sits. */
function noMissingEvent(
  seq: { ordinals: number[]; start: number; keyValues: unknown[] },
  missing: { match: Predicate; key: (e: EqlEvent) => { key: string } | null; before: number }[],
  events: EqlEvent[],
  sorted: Ordered[],
  maxspan: number | undefined,
): boolean {
  const key = JSON.stringify(seq.keyValues);
  for (const m of missing) {
    let from: number;
    let to: number;
    if (m.before === 0) {
      // Before the first event: within maxspan of it.
      to = seq.ordinals[0]!;
      from = 0;
      while (from < to && maxspan !== undefined && sorted[from]!.ts < seq.start - maxspan) from++;
    } else if (m.before >= seq.ordinals.length) {
      from = seq.ordinals[seq.ordinals.length - 1]! + 1;
      to = sorted.length;
      if (maxspan !== undefined) while (to > from && sorted[to - 1]!.ts > seq.start + maxspan) to--;
    } else {
      from = seq.ordinals[m.before - 1]! + 1;
      to = seq.ordinals[m.before]!;
    }
    for (let i = from; i < to; i++) {
      const e = events[sorted[i]!.index]!;
      if (m.match(e) && m.key(e)?.key === key) return false;
    }
  }
  return true;
}

function sample(
  c: Compiler,
  by: Expression[],
  steps: SequenceStep[],
  events: EqlEvent[],
  sorted: Ordered[],
): EqlResult[] {
  // Per join key, the first event (in order) matching each filter, each event used once (EQL syntax reference,
  // "Samples": events that share join keys, in any order).
  const filters = steps.map((s) => ({ match: filterPredicate(c, s.filter), key: stepKeys(c, by, s) }));
  const groups = new Map<string, { picks: (number | undefined)[]; values: unknown[]; first: number }>();
  sorted.forEach((o, ordinal) => {
    const e = events[o.index]!;
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i]!;
      if (!f.match(e)) continue;
      const k = f.key(e);
      if (!k) continue;
      let g = groups.get(k.key);
      if (!g) {
        g = { picks: new Array(filters.length).fill(undefined), values: k.values, first: ordinal };
        groups.set(k.key, g);
      }
      if (g.picks[i] === undefined && !g.picks.includes(o.index)) {
        g.picks[i] = o.index;
        break;
      }
    }
  });
  const out: EqlResult[] = [];
  for (const g of groups.values())
    if (g.picks.every((p) => p !== undefined)) out.push({ events: g.picks as number[], joinKeys: g.values });
  return out;
}
