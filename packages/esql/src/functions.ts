/**
 * The ES|QL functions dac models, with their signatures (ES|QL functions reference, esql-functions-operators.html)
 * and Elasticsearch's evaluation rules: a scalar function that is not an `MV_` function returns null with a warning
 * on a multi-valued argument ("single-value function encountered multi-value"), null in → null out unless said
 * otherwise, and an evaluation failure (an overflow, a bad conversion) is null with a warning.
 */
import {
  type Cell,
  type EsqlType,
  type GeoPoint,
  type Scalar,
  INT_MAX,
  INT_MIN,
  LONG_LIMIT,
  cellOf,
  compareValues,
  isDate,
  isNumeric,
  isString,
  isWholeNumber,
  parseIp,
  ipBytes,
  sameValue,
  stringOf,
  valuesOf,
} from "./values.js";
import { javaRegex } from "./regex.js";

export interface FnContext {
  /** Records an evaluation failure (the function's result is then null). */
  fail(reason: string): null;
  now: Date;
}

export interface ScalarFunction {
  kind: "scalar";
  name: string;
  min: number;
  max: number;
  /** The result type, or an error message naming the argument that does not fit. */
  returns(types: EsqlType[]): EsqlType | string;
  /** Takes multi-values itself (MV_ functions, conversions, COALESCE, CASE). */
  multi?: boolean;
  /** Sees null arguments itself (COALESCE, CASE, CONCAT does not). */
  nulls?: boolean;
  /** Arguments that must be constants (folded): their positions. */
  constant?: number[];
  evaluate(args: Cell[], types: EsqlType[], ctx: FnContext): Cell;
}

export interface AggregateFunction {
  kind: "aggregate";
  name: string;
  min: number;
  max: number;
  returns(types: EsqlType[]): EsqlType | string;
  constant?: number[];
  /** `rows[i][a]`: argument `a` of row `i` in the group. */
  aggregate(rows: Cell[][], types: EsqlType[], ctx: FnContext): Cell;
}

export type EsqlFunction = ScalarFunction | AggregateFunction;

const ANY_STRING = (t: EsqlType) => isString(t) || t === "null" || t === "unknown";
const ANY_NUMBER = (t: EsqlType) => isNumeric(t) || t === "null" || t === "unknown";
const ANY_DATE = (t: EsqlType) => isDate(t) || t === "null" || t === "unknown" || isString(t);

function expect(
  types: EsqlType[],
  i: number,
  ok: (t: EsqlType) => boolean,
  what: string,
  name: string,
): string | undefined {
  const t = types[i];
  if (t === undefined || ok(t)) return undefined;
  return `${ordinal(i)} argument of [${name}] must be [${what}], found value of type [${t}]`;
}

export function ordinal(i: number): string {
  return (
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"][i] ??
    `${i + 1}th`
  );
}

/** The first non-null, non-unknown type of a list. */
function commonType(types: EsqlType[]): EsqlType {
  const known = types.filter((t) => t !== "null" && t !== "unknown");
  if (known.length === 0) return types.includes("unknown") ? "unknown" : "null";
  if (known.every(isString)) return known.every((t) => t === "text") ? "text" : "keyword";
  if (known.every(isNumeric)) return widestNumber(known);
  return known[0]!;
}

export function widestNumber(types: EsqlType[]): EsqlType {
  if (types.includes("double")) return "double";
  if (types.includes("unsigned_long")) return "unsigned_long";
  if (types.includes("long")) return "long";
  return "integer";
}

function one(c: Cell): Scalar | null {
  return c === null ? null : Array.isArray(c) ? c[0]! : c;
}

function scalar(
  name: string,
  min: number,
  max: number,
  returns: (types: EsqlType[]) => EsqlType | string,
  evaluate: ScalarFunction["evaluate"],
  extra: Partial<ScalarFunction> = {},
): ScalarFunction {
  return { kind: "scalar", name, min, max, returns, evaluate, ...extra };
}

function stringFn(
  name: string,
  min: number,
  max: number,
  ret: EsqlType,
  f: (s: string[], args: Cell[], ctx: FnContext) => Cell,
  argChecks: ((t: EsqlType[]) => string | undefined)[] = [],
): ScalarFunction {
  return scalar(
    name,
    min,
    max,
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", name) ?? argChecks.map((c) => c(t)).find(Boolean) ?? ret,
    (args, _t, ctx) =>
      f(
        args.map((a) => (typeof a === "string" ? a : String(one(a)))),
        args,
        ctx,
      ),
  );
}

// ---------- conversions ----------

function toLongValue(v: Scalar, from: EsqlType, ctx: FnContext, int: boolean): Scalar | null {
  const [lo, hi] = int ? [INT_MIN, INT_MAX] : [-LONG_LIMIT, LONG_LIMIT - 1];
  let n: number;
  if (typeof v === "boolean") n = v ? 1 : 0;
  // A double is rounded (DataTypeConverter.safeDoubleToLong: Math.round), as is a decimal string.
  else if (typeof v === "number") n = from === "double" ? Math.floor(v + 0.5) : v;
  else if (typeof v === "string") {
    const s = v.trim();
    n = /^[+-]?\d+$/.test(s) ? Number(s) : Number(s);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || Number.isNaN(n))
      return ctx.fail(
        `org.elasticsearch.xpack.esql.core.InvalidArgumentException: Cannot parse number [${v}]`,
      );
    n = Math.floor(n + 0.5);
  } else return ctx.fail(`cannot convert [${JSON.stringify(v)}] to ${int ? "integer" : "long"}`);
  if (n < lo || n > hi)
    return ctx.fail(
      `org.elasticsearch.xpack.esql.core.InvalidArgumentException: [${v}] out of [${int ? "integer" : "long"}] range`,
    );
  return n;
}

function convert(
  name: string,
  to: EsqlType,
  accepts: (t: EsqlType) => boolean,
  f: (v: Scalar, from: EsqlType, ctx: FnContext) => Scalar | null,
): ScalarFunction {
  return scalar(
    name,
    1,
    1,
    (t) => expect(t, 0, (x) => accepts(x) || x === "null" || x === "unknown", "convertible type", name) ?? to,
    (args, types, ctx) => {
      // Conversion functions convert each value of a multi-value (ES|QL type conversion functions).
      const out: Scalar[] = [];
      for (const v of valuesOf(args[0]!)) {
        const r = f(v, types[0]!, ctx);
        if (r !== null) out.push(r);
      }
      return cellOf(out);
    },
    { multi: true },
  );
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseDateText(s: string): number | undefined {
  if (!DATE_RE.test(s)) return undefined;
  const ms = Date.parse(
    /T.*(Z|[+-]\d{2}:?\d{2})$/.test(s) || !s.includes("T")
      ? s.includes("T")
        ? s
        : `${s}T00:00:00Z`
      : `${s}Z`,
  );
  return Number.isNaN(ms) ? undefined : ms;
}

function parsePoint(s: string): GeoPoint | undefined {
  const m = /^\s*POINT\s*\(\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\)\s*$/i.exec(s);
  if (!m) return undefined;
  return { x: Number(m[1]), y: Number(m[2]) };
}

// ---------- dates ----------

const DAY = 86_400_000;

function truncDate(ms: number, interval: Scalar): number {
  if (typeof interval === "object" && "ms" in interval) {
    const step = interval.ms;
    return Math.floor(ms / step) * step;
  }
  const p = interval as { months: number; days: number };
  const d = new Date(ms);
  if (p.months) {
    const total = d.getUTCFullYear() * 12 + d.getUTCMonth();
    const t = Math.floor(total / p.months) * p.months;
    return Date.UTC(Math.floor(t / 12), t % 12, 1);
  }
  if (p.days === 7) {
    // Weeks start on Monday (Rounding.DateTimeUnit.WEEK_OF_WEEKYEAR).
    const day = Math.floor(ms / DAY);
    const monday = day - ((((day + 3) % 7) + 7) % 7);
    return monday * DAY;
  }
  return Math.floor(ms / (p.days * DAY)) * (p.days * DAY);
}

const DATE_DIFF_UNITS: Record<string, string> = {
  year: "year",
  years: "year",
  yy: "year",
  yyyy: "year",
  quarter: "quarter",
  quarters: "quarter",
  qq: "quarter",
  q: "quarter",
  month: "month",
  months: "month",
  mm: "month",
  m: "month",
  dayofyear: "day",
  dy: "day",
  y: "day",
  day: "day",
  days: "day",
  dd: "day",
  d: "day",
  week: "week",
  weeks: "week",
  wk: "week",
  ww: "week",
  weekday: "day",
  weekdays: "day",
  dw: "day",
  hour: "hour",
  hours: "hour",
  hh: "hour",
  minute: "minute",
  minutes: "minute",
  mi: "minute",
  n: "minute",
  second: "second",
  seconds: "second",
  ss: "second",
  s: "second",
  millisecond: "millisecond",
  milliseconds: "millisecond",
  ms: "millisecond",
  microsecond: "microsecond",
  microseconds: "microsecond",
  mcs: "microsecond",
  nanosecond: "nanosecond",
  nanoseconds: "nanosecond",
  ns: "nanosecond",
};

function monthsBetween(a: number, b: number): number {
  const da = new Date(a);
  const db = new Date(b);
  let months = (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + (db.getUTCMonth() - da.getUTCMonth());
  // ChronoUnit.MONTHS.between counts whole months only.
  const restA = a - Date.UTC(da.getUTCFullYear(), da.getUTCMonth(), 1);
  const restB = b - Date.UTC(db.getUTCFullYear(), db.getUTCMonth(), 1);
  if (months > 0 && restB < restA) months--;
  if (months < 0 && restB > restA) months++;
  return months;
}

function dateDiff(unit: string, a: number, b: number): number {
  const d = b - a;
  const whole = (step: number) => Math.trunc(d / step);
  switch (unit) {
    case "millisecond":
      return d;
    case "microsecond":
      return d * 1000;
    case "nanosecond":
      return d * 1_000_000;
    case "second":
      return whole(1000);
    case "minute":
      return whole(60_000);
    case "hour":
      return whole(3_600_000);
    case "day":
      return whole(DAY);
    case "week":
      return whole(7 * DAY);
    case "month":
      return monthsBetween(a, b);
    case "quarter":
      return Math.trunc(monthsBetween(a, b) / 3);
    default:
      return Math.trunc(monthsBetween(a, b) / 12);
  }
}

// ---------- CIDR ----------

function cidrMatch(ip: string, block: string): boolean {
  const slash = block.indexOf("/");
  const base = slash < 0 ? block : block.slice(0, slash);
  const baseIp = parseIp(base);
  if (baseIp === undefined) return false;
  const a = ipBytes(ip);
  const b = ipBytes(baseIp);
  const v4 = !base.includes(":");
  let bits = slash < 0 ? 128 : Number(block.slice(slash + 1));
  if (v4 && slash >= 0) bits += 96;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

// ---------- JSON_EXTRACT ----------

function jsonPath(path: string): (string | number)[] | undefined {
  let p = path.trim();
  if (p.startsWith("$")) p = p.slice(1);
  const out: (string | number)[] = [];
  const re = /^(?:\.([^.[\]]+)|\[(\d+)\]|\[['"]([^'"]*)['"]\]|([^.[\]]+))/;
  let first = true;
  while (p.length) {
    const m = re.exec(p);
    if (!m || (m[4] !== undefined && !first)) return undefined;
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[1] ?? m[3] ?? m[4]!);
    p = p.slice(m[0].length);
    first = false;
  }
  return out;
}

// ---------- the table ----------

const boolRet = (name: string) => (t: EsqlType[]) =>
  expect(t, 0, ANY_STRING, "keyword or text", name) ??
  expect(t, 1, ANY_STRING, "keyword or text", name) ??
  "boolean";

function mvFn(
  name: string,
  returns: (t: EsqlType[]) => EsqlType | string,
  f: (values: Scalar[], types: EsqlType[], args: Cell[], ctx: FnContext) => Cell,
  min = 1,
  max = 1,
): ScalarFunction {
  return scalar(name, min, max, returns, (args, types, ctx) => f(valuesOf(args[0]!), types, args, ctx), {
    multi: true,
  });
}

const same = (t: EsqlType[]) => t[0] ?? "null";

const LIST: EsqlFunction[] = [
  // ---- conditional ----
  scalar(
    "CASE",
    2,
    Infinity,
    (t) => {
      for (let i = 0; i + 1 < t.length; i += 2)
        if (!["boolean", "null", "unknown"].includes(t[i]!))
          return `${ordinal(i)} argument of [CASE] must be [boolean], found value of type [${t[i]}]`;
      const values = t.filter((_, i) => i % 2 === 1 || (t.length % 2 === 1 && i === t.length - 1));
      return commonType(values);
    },
    (args) => {
      for (let i = 0; i + 1 < args.length; i += 2) if (args[i] === true) return args[i + 1]!;
      return args.length % 2 === 1 ? args[args.length - 1]! : null;
    },
    { multi: true, nulls: true },
  ),
  scalar(
    "COALESCE",
    1,
    Infinity,
    (t) => commonType(t),
    (args) => args.find((a) => a !== null) ?? null,
    {
      multi: true,
      nulls: true,
    },
  ),
  scalar(
    "GREATEST",
    1,
    Infinity,
    (t) => commonType(t),
    (args, types) => {
      const t = commonType(types);
      const vals = args.flatMap(valuesOf);
      return vals.reduce((m, v) => (compareValues(v, m, t) > 0 ? v : m));
    },
    { multi: true },
  ),
  scalar(
    "LEAST",
    1,
    Infinity,
    (t) => commonType(t),
    (args, types) => {
      const t = commonType(types);
      const vals = args.flatMap(valuesOf);
      return vals.reduce((m, v) => (compareValues(v, m, t) < 0 ? v : m));
    },
    { multi: true },
  ),
  // ---- strings ----
  scalar(
    "CONCAT",
    2,
    Infinity,
    (t) => t.map((x, i) => expect(t, i, ANY_STRING, "keyword or text", "CONCAT")).find(Boolean) ?? "keyword",
    (args) => (args as string[]).join(""),
  ),
  stringFn("LENGTH", 1, 1, "integer", ([s]) => [...s!].length),
  stringFn("BYTE_LENGTH", 1, 1, "integer", ([s]) => Buffer.byteLength(s!, "utf8")),
  stringFn("BIT_LENGTH", 1, 1, "integer", ([s]) => Buffer.byteLength(s!, "utf8") * 8),
  scalar(
    "LOCATE",
    2,
    3,
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", "LOCATE") ??
      expect(t, 1, ANY_STRING, "keyword or text", "LOCATE") ??
      expect(t, 2, (x) => isWholeNumber(x) || x === "null", "integer", "LOCATE") ??
      "integer",
    (args) => {
      const s = [...(args[0] as string)];
      const sub = args[1] as string;
      let start = args.length > 2 ? (args[2] as number) : 1;
      if (start < 1) start = 1;
      const joined = s.slice(start - 1).join("");
      const i = joined.indexOf(sub);
      return i < 0 ? 0 : [...joined.slice(0, i)].length + start;
    },
  ),
  scalar(
    "REPLACE",
    3,
    3,
    (t) =>
      [0, 1, 2].map((i) => expect(t, i, ANY_STRING, "keyword or text", "REPLACE")).find(Boolean) ?? "keyword",
    (args, _t, ctx) => {
      let re: RegExp;
      try {
        re = javaRegex(args[1] as string, "g");
      } catch (e) {
        return ctx.fail(`java.util.regex.PatternSyntaxException: ${(e as Error).message}`);
      }
      // Java's replacement syntax: $1 groups, \$ literal dollar.
      const rep = (args[2] as string).replace(/\\\$/g, "$$$$");
      return (args[0] as string).replace(re, rep);
    },
  ),
  scalar(
    "SPLIT",
    2,
    2,
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", "SPLIT") ??
      expect(t, 1, ANY_STRING, "keyword or text", "SPLIT") ??
      "keyword",
    (args) => {
      const s = args[0] as string;
      const d = args[1] as string;
      return cellOf(d === "" ? [...s] : s.split(d));
    },
  ),
  stringFn("STARTS_WITH", 2, 2, "boolean", ([s, p]) => s!.startsWith(p!)),
  stringFn("ENDS_WITH", 2, 2, "boolean", ([s, p]) => s!.endsWith(p!)),
  scalar("CONTAINS", 2, 2, boolRet("CONTAINS"), (args) => (args[0] as string).includes(args[1] as string)),
  scalar(
    "SUBSTRING",
    2,
    3,
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", "SUBSTRING") ??
      expect(t, 1, (x) => isWholeNumber(x) || x === "null", "integer", "SUBSTRING") ??
      "keyword",
    (args) => {
      const s = [...(args[0] as string)];
      let start = args[1] as number;
      // Negative start counts from the end; positions are 1-based (Substring.java).
      if (start < 0) start = Math.max(s.length + start, 0);
      else if (start > 0) start -= 1;
      const len = args.length > 2 ? (args[2] as number) : s.length;
      return s.slice(start, start + Math.max(len, 0)).join("");
    },
  ),
  scalar(
    "TO_LOWER",
    1,
    1,
    (t) => expect(t, 0, ANY_STRING, "keyword or text", "TO_LOWER") ?? (t[0] === "text" ? "text" : "keyword"),
    (args) => cellOf(valuesOf(args[0]!).map((v) => (v as string).toLowerCase())),
    { multi: true },
  ),
  scalar(
    "TO_UPPER",
    1,
    1,
    (t) => expect(t, 0, ANY_STRING, "keyword or text", "TO_UPPER") ?? (t[0] === "text" ? "text" : "keyword"),
    (args) => cellOf(valuesOf(args[0]!).map((v) => (v as string).toUpperCase())),
    { multi: true },
  ),
  stringFn("TRIM", 1, 1, "keyword", ([s]) => s!.replace(/^[\s]+|[\s]+$/g, "")),
  stringFn("LTRIM", 1, 1, "keyword", ([s]) => s!.replace(/^\s+/, "")),
  stringFn("RTRIM", 1, 1, "keyword", ([s]) => s!.replace(/\s+$/, "")),
  stringFn("REVERSE", 1, 1, "keyword", ([s]) => [...s!].reverse().join("")),
  scalar(
    "LEFT",
    2,
    2,
    (t) => expect(t, 0, ANY_STRING, "keyword or text", "LEFT") ?? "keyword",
    (args) => [...(args[0] as string)].slice(0, Math.max(0, args[1] as number)).join(""),
  ),
  scalar(
    "RIGHT",
    2,
    2,
    (t) => expect(t, 0, ANY_STRING, "keyword or text", "RIGHT") ?? "keyword",
    (args) => {
      const s = [...(args[0] as string)];
      const n = Math.max(0, args[1] as number);
      return s.slice(Math.max(0, s.length - n)).join("");
    },
  ),
  scalar(
    "REPEAT",
    2,
    2,
    (t) => expect(t, 0, ANY_STRING, "keyword or text", "REPEAT") ?? "keyword",
    (args, _t, ctx) =>
      (args[1] as number) < 0
        ? ctx.fail(
            "java.lang.IllegalArgumentException: Number parameter cannot be negative, found [" +
              String(args[1]) +
              "]",
          )
        : (args[0] as string).repeat(args[1] as number),
  ),
  scalar(
    "SPACE",
    1,
    1,
    (t) => expect(t, 0, (x) => isWholeNumber(x) || x === "null", "integer", "SPACE") ?? "keyword",
    (args, _t, ctx) =>
      (args[0] as number) < 0
        ? ctx.fail(
            "java.lang.IllegalArgumentException: Number parameter cannot be negative, found [" +
              String(args[0]) +
              "]",
          )
        : " ".repeat(args[0] as number),
  ),
  stringFn("URL_DECODE", 1, 1, "keyword", ([s], _a, ctx) => {
    try {
      // java.net.URLDecoder: `+` is a space.
      return decodeURIComponent(s!.replace(/\+/g, " "));
    } catch {
      return ctx.fail(
        `java.lang.IllegalArgumentException: URLDecoder: Illegal hex characters in escape (%) pattern`,
      );
    }
  }),
  stringFn("URL_ENCODE", 1, 1, "keyword", ([s]) => encodeURIComponent(s!).replace(/%20/g, "+")),
  stringFn("URL_ENCODE_COMPONENT", 1, 1, "keyword", ([s]) => encodeURIComponent(s!)),
  stringFn("FROM_BASE64", 1, 1, "keyword", ([s]) => Buffer.from(s!, "base64").toString("utf8")),
  stringFn("TO_BASE64", 1, 1, "keyword", ([s]) => Buffer.from(s!, "utf8").toString("base64")),
  scalar(
    "JSON_EXTRACT",
    2,
    2,
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", "JSON_EXTRACT") ??
      expect(t, 1, ANY_STRING, "keyword or text", "JSON_EXTRACT") ??
      "keyword",
    (args, _t, ctx) => {
      let doc: unknown;
      try {
        doc = JSON.parse(args[0] as string);
      } catch {
        return ctx.fail(`java.lang.IllegalArgumentException: invalid JSON input`);
      }
      const path = jsonPath(args[1] as string);
      if (!path)
        return ctx.fail(`java.lang.IllegalArgumentException: invalid JSON path [${String(args[1])}]`);
      let cur: unknown = doc;
      for (const seg of path) {
        if (cur === null || typeof cur !== "object") return null;
        cur = (cur as Record<string | number, unknown>)[seg];
        if (cur === undefined) return null;
      }
      if (cur === null) return null;
      return typeof cur === "object" ? JSON.stringify(cur) : String(cur);
    },
  ),
  // ---- conversions ----
  convert(
    "TO_STRING",
    "keyword",
    () => true,
    (v, from) => stringOf(v, from),
  ),
  convert(
    "TO_IP",
    "ip",
    (t) => isString(t) || t === "ip",
    (v, _f, ctx) =>
      parseIp(String(v)) ??
      ctx.fail(`java.lang.IllegalArgumentException: '${String(v)}' is not an IP string literal.`),
  ),
  convert(
    "TO_LONG",
    "long",
    (t) => isString(t) || isNumeric(t) || t === "boolean" || isDate(t),
    (v, f, ctx) => toLongValue(v, f, ctx, false),
  ),
  convert(
    "TO_INTEGER",
    "integer",
    (t) => isString(t) || isNumeric(t) || t === "boolean" || isDate(t),
    (v, f, ctx) => toLongValue(v, f, ctx, true),
  ),
  convert(
    "TO_INT",
    "integer",
    (t) => isString(t) || isNumeric(t) || t === "boolean" || isDate(t),
    (v, f, ctx) => toLongValue(v, f, ctx, true),
  ),
  convert(
    "TO_DOUBLE",
    "double",
    (t) => isString(t) || isNumeric(t) || t === "boolean" || isDate(t),
    (v, _f, ctx) => {
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "number") return v;
      const s = String(v).trim();
      const n = Number(s);
      return s !== "" && !Number.isNaN(n)
        ? n
        : ctx.fail(`java.lang.NumberFormatException: For input string: "${String(v)}"`);
    },
  ),
  convert(
    "TO_BOOLEAN",
    "boolean",
    (t) => isString(t) || isNumeric(t) || t === "boolean",
    (v) =>
      typeof v === "string" ? v.toLowerCase() === "true" : typeof v === "number" ? v !== 0 : (v as boolean),
  ),
  convert(
    "TO_DATETIME",
    "date",
    (t) => isString(t) || isNumeric(t) || isDate(t),
    (v, _f, ctx) =>
      typeof v === "number"
        ? v
        : (parseDateText(String(v)) ??
          ctx.fail(
            `java.lang.IllegalArgumentException: failed to parse date field [${String(v)}] with format [strict_date_optional_time]`,
          )),
  ),
  convert(
    "TO_GEOPOINT",
    "geo_point",
    (t) => isString(t) || t === "geo_point",
    (v, _f, ctx) =>
      typeof v === "object"
        ? v
        : (parsePoint(String(v)) ??
          ctx.fail(`java.lang.IllegalArgumentException: Failed to parse WKT: ${String(v)}`)),
  ),
  convert(
    "TO_VERSION",
    "version",
    (t) => isString(t) || t === "version",
    (v) => String(v),
  ),
  // ---- numbers ----
  scalar(
    "ABS",
    1,
    1,
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "ABS") ?? same(t),
    (args) => Math.abs(args[0] as number),
  ),
  scalar(
    "CEIL",
    1,
    1,
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "CEIL") ?? same(t),
    (args) => Math.ceil(args[0] as number),
  ),
  scalar(
    "FLOOR",
    1,
    1,
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "FLOOR") ?? same(t),
    (args) => Math.floor(args[0] as number),
  ),
  scalar(
    "SQRT",
    1,
    1,
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "SQRT") ?? "double",
    (args, _t, ctx) =>
      (args[0] as number) < 0
        ? ctx.fail("java.lang.ArithmeticException: Square root of negative")
        : Math.sqrt(args[0] as number),
  ),
  scalar(
    "POW",
    2,
    2,
    (t) =>
      expect(t, 0, ANY_NUMBER, "numeric", "POW") ?? expect(t, 1, ANY_NUMBER, "numeric", "POW") ?? "double",
    (args) => Math.pow(args[0] as number, args[1] as number),
  ),
  scalar(
    "LOG10",
    1,
    1,
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "LOG10") ?? "double",
    (args, _t, ctx) =>
      (args[0] as number) <= 0
        ? ctx.fail("java.lang.ArithmeticException: Log of non-positive number")
        : Math.log10(args[0] as number),
  ),
  scalar(
    "PI",
    0,
    0,
    () => "double",
    () => Math.PI,
  ),
  scalar(
    "E",
    0,
    0,
    () => "double",
    () => Math.E,
  ),
  scalar(
    "ROUND",
    1,
    2,
    (t) =>
      expect(t, 0, ANY_NUMBER, "numeric", "ROUND") ??
      expect(t, 1, (x) => isWholeNumber(x) || x === "null", "integer", "ROUND") ??
      same(t),
    (args) => {
      const v = args[0] as number;
      const d = args.length > 1 ? (args[1] as number) : 0;
      const f = 10 ** d;
      // Math.round rounds half towards +∞; Elasticsearch rounds half away from zero (RoundingMode.HALF_UP).
      return (Math.sign(v) * Math.round(Math.abs(v) * f)) / f;
    },
  ),
  // ---- dates ----
  scalar(
    "NOW",
    0,
    0,
    () => "date",
    (_a, _t, ctx) => ctx.now.getTime(),
  ),
  scalar(
    "DATE_TRUNC",
    2,
    2,
    (t) =>
      expect(
        t,
        0,
        (x) => x === "time_duration" || x === "date_period" || x === "null" || x === "unknown",
        "date_period or time_duration",
        "DATE_TRUNC",
      ) ??
      expect(t, 1, ANY_DATE, "date", "DATE_TRUNC") ??
      (t[1] === "date_nanos" ? "date_nanos" : "date"),
    (args) => truncDate(args[1] as number, args[0] as Scalar),
  ),
  scalar(
    "DATE_DIFF",
    3,
    3,
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", "DATE_DIFF") ??
      expect(t, 1, ANY_DATE, "date", "DATE_DIFF") ??
      expect(t, 2, ANY_DATE, "date", "DATE_DIFF") ??
      "integer",
    (args, _t, ctx) => {
      const unit = DATE_DIFF_UNITS[(args[0] as string).toLowerCase()];
      if (!unit)
        return ctx.fail(
          `java.lang.IllegalArgumentException: A value of [YEAR, QUARTER, MONTH, DAYOFYEAR, DAY, WEEK, WEEKDAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, NANOSECOND] or their aliases is required; received [${String(args[0])}]`,
        );
      const r = dateDiff(unit, args[1] as number, args[2] as number);
      return r < INT_MIN || r > INT_MAX ? ctx.fail("java.lang.ArithmeticException: integer overflow") : r;
    },
  ),
  scalar(
    "DATE_EXTRACT",
    2,
    2,
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", "DATE_EXTRACT") ??
      expect(t, 1, ANY_DATE, "date", "DATE_EXTRACT") ??
      "long",
    (args, _t, ctx) => {
      const d = new Date(args[1] as number);
      switch ((args[0] as string).toUpperCase()) {
        case "YEAR":
          return d.getUTCFullYear();
        case "MONTH_OF_YEAR":
          return d.getUTCMonth() + 1;
        case "DAY_OF_MONTH":
          return d.getUTCDate();
        case "DAY_OF_WEEK":
          return ((d.getUTCDay() + 6) % 7) + 1;
        case "HOUR_OF_DAY":
          return d.getUTCHours();
        case "MINUTE_OF_HOUR":
          return d.getUTCMinutes();
        case "SECOND_OF_MINUTE":
          return d.getUTCSeconds();
        case "MINUTE_OF_DAY":
          return d.getUTCHours() * 60 + d.getUTCMinutes();
        case "DAY_OF_YEAR":
          return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
        default:
          return ctx.fail(
            `java.lang.IllegalArgumentException: No enum constant java.time.temporal.ChronoField.${String(args[0])}`,
          );
      }
    },
  ),
  scalar(
    "DATE_FORMAT",
    1,
    2,
    (t) =>
      (t.length === 2
        ? (expect(t, 0, ANY_STRING, "keyword or text", "DATE_FORMAT") ??
          expect(t, 1, ANY_DATE, "date", "DATE_FORMAT"))
        : expect(t, 0, ANY_DATE, "date", "DATE_FORMAT")) ?? "keyword",
    (args) => {
      const ms = (args.length === 2 ? args[1] : args[0]) as number;
      if (args.length === 1) return new Date(ms).toISOString();
      return formatJavaDate(ms, args[0] as string);
    },
  ),
  scalar(
    "DATE_PARSE",
    2,
    2,
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", "DATE_PARSE") ??
      expect(t, 1, ANY_STRING, "keyword or text", "DATE_PARSE") ??
      "date",
    (args, _t, ctx) =>
      parseDateText(args[1] as string) ??
      ctx.fail(
        `java.lang.IllegalArgumentException: failed to parse date field [${String(args[1])}] with format [${String(args[0])}]`,
      ),
  ),
  // ---- ip ----
  scalar(
    "CIDR_MATCH",
    2,
    Infinity,
    (t) =>
      expect(t, 0, (x) => x === "ip" || x === "null" || x === "unknown", "ip", "CIDR_MATCH") ??
      t
        .slice(1)
        .map((_, i) => expect(t, i + 1, ANY_STRING, "keyword or text", "CIDR_MATCH"))
        .find(Boolean) ??
      "boolean",
    (args, _t, ctx) => {
      const ip = one(args[0]!);
      if (Array.isArray(args[0]))
        return ctx.fail("java.lang.IllegalArgumentException: single-value function encountered multi-value");
      // The blocks may be multi-valued (a list of CIDRs); each value counts.
      const blocks = args.slice(1).flatMap(valuesOf) as string[];
      return blocks.some((b) => cidrMatch(ip as string, b));
    },
    { multi: true },
  ),
  // ---- multi-value ----
  mvFn(
    "MV_COUNT",
    () => "integer",
    (v) => (v.length ? v.length : null),
  ),
  mvFn("MV_FIRST", same, (v) => v[0] ?? null),
  mvFn("MV_LAST", same, (v) => v.at(-1) ?? null),
  mvFn("MV_MIN", same, (v, t) =>
    v.length ? v.reduce((m, x) => (compareValues(x, m, t[0]!) < 0 ? x : m)) : null,
  ),
  mvFn("MV_MAX", same, (v, t) =>
    v.length ? v.reduce((m, x) => (compareValues(x, m, t[0]!) > 0 ? x : m)) : null,
  ),
  mvFn(
    "MV_SUM",
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "MV_SUM") ?? same(t),
    (v, t, _a, ctx) => {
      const s = (v as number[]).reduce((a, b) => a + b, 0);
      return overflow(s, t[0]!, ctx);
    },
  ),
  mvFn(
    "MV_AVG",
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "MV_AVG") ?? "double",
    (v) => (v.length ? (v as number[]).reduce((a, b) => a + b, 0) / v.length : null),
  ),
  mvFn(
    "MV_MEDIAN",
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "MV_MEDIAN") ?? same(t),
    (v) => {
      if (!v.length) return null;
      const s = [...(v as number[])].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    },
  ),
  mvFn("MV_DEDUPE", same, (v, t) =>
    cellOf(v.filter((x, i) => v.findIndex((y) => sameValue(x, y, t[0]!)) === i)),
  ),
  mvFn(
    "MV_SORT",
    same,
    (v, t, args) => {
      const desc = args.length > 1 && String(one(args[1]!)).toUpperCase() === "DESC";
      return cellOf([...v].sort((a, b) => (desc ? -1 : 1) * compareValues(a, b, t[0]!)));
    },
    1,
    2,
  ),
  mvFn(
    "MV_CONCAT",
    (t) =>
      expect(t, 0, ANY_STRING, "keyword or text", "MV_CONCAT") ??
      expect(t, 1, ANY_STRING, "keyword or text", "MV_CONCAT") ??
      "keyword",
    (v, _t, args) => {
      const delim = one(args[1]!);
      if (delim === null || v.length === 0) return null;
      return (v as string[]).join(delim as string);
    },
    2,
    2,
  ),
  mvFn(
    "MV_SLICE",
    (t) => expect(t, 1, (x) => isWholeNumber(x) || x === "null", "integer", "MV_SLICE") ?? same(t),
    (v, _t, args, ctx) => {
      const s = one(args[1]!) as number | null;
      if (s === null) return null;
      const e = args.length > 2 ? (one(args[2]!) as number | null) : s;
      if (e === null) return null;
      const n = v.length;
      const start = s < 0 ? n + s : s;
      const end = e < 0 ? n + e : e;
      if (s >= 0 && e >= 0 && s > e)
        return ctx.fail(
          `org.elasticsearch.xpack.esql.core.InvalidArgumentException: Start offset is greater than end offset`,
        );
      if (start >= n || end < 0) return null;
      return cellOf(v.slice(Math.max(0, start), Math.min(n - 1, end) + 1));
    },
    2,
    3,
  ),
  mvFn(
    "MV_APPEND",
    (t) => commonType(t),
    (v, _t, args) => cellOf([...v, ...valuesOf(args[1]!)]),
    2,
    2,
  ),
  mvFn(
    "MV_INTERSECTION",
    (t) => commonType(t),
    (v, t, args) => {
      const other = valuesOf(args[1]!);
      const type = commonType(t);
      const out: Scalar[] = [];
      for (const x of v)
        if (other.some((y) => sameValue(x, y, type)) && !out.some((y) => sameValue(x, y, type))) out.push(x);
      return cellOf(out);
    },
    2,
    2,
  ),
  mvFn(
    "MV_CONTAINS",
    () => "boolean",
    (v, t, args) => {
      const sub = valuesOf(args[1]!);
      const type = commonType(t);
      if (args[0] === null) return sub.length === 0;
      return sub.every((x) => v.some((y) => sameValue(x, y, type)));
    },
    2,
    2,
  ),
  // ---- spatial ----
  scalar(
    "ST_X",
    1,
    1,
    (t) =>
      expect(
        t,
        0,
        (x) => x === "geo_point" || x === "cartesian_point" || x === "null" || x === "unknown",
        "geo_point or cartesian_point",
        "ST_X",
      ) ?? "double",
    (args) => (args[0] as GeoPoint).x,
  ),
  scalar(
    "ST_Y",
    1,
    1,
    (t) =>
      expect(
        t,
        0,
        (x) => x === "geo_point" || x === "cartesian_point" || x === "null" || x === "unknown",
        "geo_point or cartesian_point",
        "ST_Y",
      ) ?? "double",
    (args) => (args[0] as GeoPoint).y,
  ),
  scalar(
    "ST_DISTANCE",
    2,
    2,
    (t) =>
      expect(
        t,
        0,
        (x) => x === "geo_point" || x === "cartesian_point" || x === "null" || x === "unknown",
        "geo_point or cartesian_point",
        "ST_DISTANCE",
      ) ??
      expect(
        t,
        1,
        (x) => x === "geo_point" || x === "cartesian_point" || x === "null" || x === "unknown",
        "geo_point or cartesian_point",
        "ST_DISTANCE",
      ) ??
      "double",
    (args, types) => {
      const a = args[0] as GeoPoint;
      const b = args[1] as GeoPoint;
      if (types[0] === "cartesian_point") return Math.hypot(a.x - b.x, a.y - b.y);
      // Haversine on the mean Earth radius Elasticsearch uses (GeoUtils.EARTH_MEAN_RADIUS, 6371008.7714 m).
      const R = 6371008.7714;
      const rad = Math.PI / 180;
      const dLat = (b.y - a.y) * rad;
      const dLon = (b.x - a.x) * rad;
      const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.y * rad) * Math.cos(b.y * rad) * Math.sin(dLon / 2) ** 2;
      return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
    },
  ),
  // ---- aggregates ----
  agg(
    "COUNT",
    0,
    1,
    () => "long",
    (rows, _t, _c, star) => (star ? rows.length : rows.reduce((n, r) => n + valuesOf(r[0]!).length, 0)),
  ),
  agg(
    "COUNT_DISTINCT",
    1,
    2,
    () => "long",
    (rows, t) =>
      distinct(
        rows.flatMap((r) => valuesOf(r[0]!)),
        t[0]!,
      ).length,
  ),
  agg("VALUES", 1, 1, same, (rows, t) =>
    cellOf(
      distinct(
        rows.flatMap((r) => valuesOf(r[0]!)),
        t[0]!,
      ).sort((a, b) => compareValues(a, b, t[0]!)),
    ),
  ),
  agg("MIN", 1, 1, same, (rows, t) => extreme(rows, t[0]!, -1)),
  agg("MAX", 1, 1, same, (rows, t) => extreme(rows, t[0]!, 1)),
  agg(
    "SUM",
    1,
    1,
    (t) =>
      expect(t, 0, ANY_NUMBER, "numeric", "SUM") ??
      (t[0] === "double" ? "double" : t[0] === "unknown" ? "unknown" : "long"),
    (rows, t, ctx) => {
      const vals = rows.flatMap((r) => valuesOf(r[0]!)) as number[];
      if (!vals.length) return null;
      return overflow(
        vals.reduce((a, b) => a + b, 0),
        t[0] === "double" ? "double" : "long",
        ctx,
      );
    },
  ),
  agg(
    "AVG",
    1,
    1,
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "AVG") ?? "double",
    (rows) => {
      const vals = rows.flatMap((r) => valuesOf(r[0]!)) as number[];
      return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
    },
  ),
  agg(
    "MEDIAN",
    1,
    1,
    (t) => expect(t, 0, ANY_NUMBER, "numeric", "MEDIAN") ?? "double",
    (rows) => {
      const s = (rows.flatMap((r) => valuesOf(r[0]!)) as number[]).sort((a, b) => a - b);
      if (!s.length) return null;
      const m = s.length >> 1;
      return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    },
  ),
  agg(
    "TOP",
    3,
    3,
    (t) =>
      expect(t, 1, (x) => isWholeNumber(x) || x === "unknown", "integer", "TOP") ??
      expect(t, 2, ANY_STRING, "keyword", "TOP") ??
      same(t),
    (rows, t) => {
      const limit = one(rows[0]?.[1] ?? null) as number;
      const desc = String(one(rows[0]?.[2] ?? null)).toLowerCase() === "desc";
      const vals = rows
        .flatMap((r) => valuesOf(r[0]!))
        .sort((a, b) => (desc ? -1 : 1) * compareValues(a, b, t[0]!));
      return cellOf(vals.slice(0, limit));
    },
    [1, 2],
  ),
  agg("FIRST", 2, 2, same, (rows, t) => byOrder(rows, t, 1)),
  agg("LAST", 2, 2, same, (rows, t) => byOrder(rows, t, -1)),
  agg(
    "SAMPLE",
    2,
    2,
    same,
    (rows) => cellOf(rows.flatMap((r) => valuesOf(r[0]!)).slice(0, one(rows[0]?.[1] ?? null) as number)),
    [1],
  ),
];

function agg(
  name: string,
  min: number,
  max: number,
  returns: (t: EsqlType[]) => EsqlType | string,
  f: (rows: Cell[][], types: EsqlType[], ctx: FnContext, star: boolean) => Cell,
  constant?: number[],
): AggregateFunction {
  return {
    kind: "aggregate",
    name,
    min,
    max,
    returns,
    aggregate: (rows, types, ctx) =>
      f(rows, types, ctx, (ctx as FnContext & { star?: boolean }).star === true),
    ...(constant ? { constant } : {}),
  };
}

function distinct(values: Scalar[], _type: EsqlType): Scalar[] {
  const seen = new Map<string, Scalar>();
  for (const v of values) {
    // ip values are canonical text already, so the text identifies the address.
    const key =
      typeof v === "object" ? JSON.stringify(v) : typeof v === "string" ? v : `${typeof v}:${String(v)}`;
    if (!seen.has(key)) seen.set(key, v);
  }
  return [...seen.values()];
}

function extreme(rows: Cell[][], type: EsqlType, sign: number): Cell {
  let best: Scalar | null = null;
  for (const r of rows)
    for (const v of valuesOf(r[0]!)) if (best === null || sign * compareValues(v, best, type) > 0) best = v;
  return best;
}

/** FIRST/LAST(value, sort): the value(s) of the row with the smallest (largest) sort key; null keys are skipped. */
function byOrder(rows: Cell[][], types: EsqlType[], sign: number): Cell {
  let best: Cell = null;
  let key: Scalar | null = null;
  for (const r of rows) {
    const k = valuesOf(r[1]!);
    if (k.length === 0) continue;
    const kk = k.reduce((m, x) => (sign * compareValues(x, m, types[1]!) < 0 ? x : m));
    if (key === null || sign * compareValues(kk, key, types[1]!) < 0) {
      key = kk;
      best = r[0]!;
    }
  }
  return best;
}

/** Integer overflow is null with a warning (Math.addExact in Elasticsearch's evaluators). */
export function overflow(n: number, type: EsqlType, ctx: FnContext): number | null {
  if (type === "integer" && (n < INT_MIN || n > INT_MAX))
    return ctx.fail("java.lang.ArithmeticException: integer overflow");
  if (type === "long" && (n < -LONG_LIMIT || n >= LONG_LIMIT))
    return ctx.fail("java.lang.ArithmeticException: long overflow");
  if (type === "unsigned_long" && (n < 0 || n >= 2 ** 64))
    return ctx.fail("java.lang.ArithmeticException: unsigned_long overflow");
  if (type === "double" && !Number.isFinite(n))
    return ctx.fail(`java.lang.ArithmeticException: not a finite double number: ${n}`);
  return n;
}

function formatJavaDate(ms: number, pattern: string): string {
  const d = new Date(ms);
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  return pattern.replace(/yyyy|yy|MM|dd|HH|mm|ss|SSS|'[^']*'/g, (tok) => {
    switch (tok) {
      case "yyyy":
        return pad(d.getUTCFullYear(), 4);
      case "yy":
        return pad(d.getUTCFullYear() % 100, 2);
      case "MM":
        return pad(d.getUTCMonth() + 1, 2);
      case "dd":
        return pad(d.getUTCDate(), 2);
      case "HH":
        return pad(d.getUTCHours(), 2);
      case "mm":
        return pad(d.getUTCMinutes(), 2);
      case "ss":
        return pad(d.getUTCSeconds(), 2);
      case "SSS":
        return pad(d.getUTCMilliseconds(), 3);
      default:
        return tok.slice(1, -1);
    }
  });
}

/** Functions that are not plain calls: KQL() and MATCH() read the source document, handled by the evaluator. */
export const SOURCE_FUNCTIONS = new Set(["KQL", "MATCH", "QSTR", "MATCH_PHRASE"]);

export const FUNCTIONS: ReadonlyMap<string, EsqlFunction> = new Map(LIST.map((f) => [f.name, f]));

/** ES|QL functions Elasticsearch has and dac does not model: a validation error naming them. */
export const UNSUPPORTED_FUNCTIONS = [
  "ACOS",
  "ASIN",
  "ATAN",
  "ATAN2",
  "CBRT",
  "COS",
  "COSH",
  "EXP",
  "HYPOT",
  "LOG",
  "SIGNUM",
  "SIN",
  "SINH",
  "TAN",
  "TANH",
  "BUCKET",
  "CATEGORIZE",
  "PERCENTILE",
  "MEDIAN_ABSOLUTE_DEVIATION",
  "STD_DEV",
  "WEIGHTED_AVG",
  "ST_CENTROID_AGG",
  "ST_EXTENT_AGG",
  "ST_CONTAINS",
  "ST_DISJOINT",
  "ST_INTERSECTS",
  "ST_WITHIN",
  "ST_ENVELOPE",
  "ST_XMAX",
  "ST_XMIN",
  "ST_YMAX",
  "ST_YMIN",
  "ST_GEOHASH",
  "ST_GEOTILE",
  "ST_GEOHEX",
  "TO_CARTESIANPOINT",
  "TO_CARTESIANSHAPE",
  "TO_GEOSHAPE",
  "TO_UNSIGNED_LONG",
  "TO_DEGREES",
  "TO_RADIANS",
  "TO_DATE_NANOS",
  "TO_DATEPERIOD",
  "TO_TIMEDURATION",
  "MV_PERCENTILE",
  "MV_PSERIES_WEIGHTED_SUM",
  "MV_ZIP",
  "HASH",
  "MD5",
  "SHA1",
  "SHA256",
  "IP_PREFIX",
  "CHANGE_POINT",
  "RATE",
  "AVG_OVER_TIME",
  "TERM",
  "QSTR",
  "KNN",
  "SCORE",
  "DECAY",
  "TBUCKET",
  "TO_AGGREGATE_METRIC_DOUBLE",
  "TO_DENSE_VECTOR",
] as const;
