/**
 * Numeric field types, as Elasticsearch's NumberFieldMapper parses them: document values at index time (with the
 * default `coerce: true`) and query values for term and range queries.
 *
 * Values are JavaScript doubles, so `long` values beyond 2^53 lose precision (JSON.parse has already lost it).
 */
import type { RangeOperator } from "./types.js";
import { ValueParseError } from "./query-error.js";

export type NumberType =
  | "long"
  | "integer"
  | "short"
  | "byte"
  | "unsigned_long"
  | "double"
  | "float"
  | "half_float"
  | "scaled_float";

const NUMBER_TYPES: ReadonlySet<string> = new Set([
  "long",
  "integer",
  "short",
  "byte",
  "unsigned_long",
  "double",
  "float",
  "half_float",
  "scaled_float",
]);

export function isNumberType(type: string): type is NumberType {
  return NUMBER_TYPES.has(type);
}

const INTEGER_BOUNDS: Record<string, readonly [number, number, string]> = {
  long: [-(2 ** 63), 2 ** 63 - 1, "a long"],
  integer: [-2147483648, 2147483647, "an integer"],
  short: [-32768, 32767, "a short"],
  byte: [-128, 127, "a byte"],
  unsigned_long: [0, 2 ** 64 - 1, "an unsigned_long"],
};

/** Java's `Double.parseDouble`: trims ASCII control/space, accepts an `f`/`d` suffix, `NaN` and `Infinity`. */
export function parseJavaDouble(text: string): number | undefined {
  const s = text.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "");
  if (!/^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/.test(s)) return undefined;
  return Number(s.replace(/[fFdD]$/, ""));
}

/** Rounds a double to the nearest IEEE half-precision value (ties to even), as Lucene's HalfFloatPoint stores it. */
export function toHalfFloat(value: number): number {
  const f = Math.fround(value);
  if (!Number.isFinite(f) || f === 0) return f;
  const sign = f < 0 ? -1 : 1;
  const a = Math.abs(f);
  if (a >= 65520) return sign * Infinity;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  if (e < -14) e = -14;
  const ulp = 2 ** (e - 10);
  const q = a / ulp;
  const floor = Math.floor(q);
  const rest = q - floor;
  const n = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return sign * n * ulp;
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** Java's Math.nextUp for doubles. */
export function nextUp(d: number): number {
  if (Number.isNaN(d) || d === Infinity) return d;
  if (d === 0) return Number.MIN_VALUE;
  f64[0] = d;
  i64[0] = i64[0]! + (d > 0 ? 1n : -1n);
  return f64[0]!;
}

/** Java's Math.nextDown for doubles. */
export function nextDown(d: number): number {
  return -nextUp(-d);
}

/** How one numeric field type indexes document values and reads query values. */
export interface NumberSpec {
  type: NumberType;
  /**
   * The value Elasticsearch indexes for a document value, or NaN when it indexes nothing: null, `""` (treated as
   * null), or a malformed value (ignored, as with `ignore_malformed`, which `logs-*-*` data streams set:
   * elastic/elasticsearch#95329).
   */
  fromDocument(value: unknown): number;
  /**
   * The value a term/match query looks for, in the field's stored precision; null when Elasticsearch builds a
   * match-none query (a decimal value on an integer field). Throws ValueParseError where Elasticsearch errors.
   * Compare it with `Object.is`: -0 and +0 are two values of the floating-point types (never of the others).
   */
  termValue(raw: string): number | null;
  /** A predicate over indexed values for `field <op> raw`. Throws ValueParseError where Elasticsearch errors. */
  rangeTest(operator: RangeOperator, raw: string): (indexed: number) => boolean;
}

function parseQueryNumber(raw: string): number {
  const d = parseJavaDouble(raw);
  if (d === undefined) throw new ValueParseError(`For input string: "${raw}"`);
  return d;
}

function documentDouble(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (value === "") return NaN;
    return parseJavaDouble(value) ?? NaN;
  }
  return NaN;
}

function compare(operator: RangeOperator, bound: number): (v: number) => boolean {
  switch (operator) {
    case "gt":
      return (v) => v > bound;
    case "gte":
      return (v) => v >= bound;
    case "lt":
      return (v) => v < bound;
    case "lte":
      return (v) => v <= bound;
  }
}

/**
 * `field <op> bound` for the floating-point types. Lucene's DoublePoint, FloatPoint and HalfFloatPoint order
 * values by their sortable bits, where -0.0 sorts just below +0.0: they are two values, so `d:0` does not match a
 * document's -0.0 and `d < 0` does (NumberFieldMapper steps an exclusive bound with DoublePoint.nextUp/nextDown,
 * which goes from -0.0 to +0.0).
 */
function compareFloating(operator: RangeOperator, bound: number): (v: number) => boolean {
  const order = (v: number) => (v < bound ? -1 : v > bound ? 1 : signOfZero(v) - signOfZero(bound));
  switch (operator) {
    case "gt":
      return (v) => order(v) > 0;
    case "gte":
      return (v) => order(v) >= 0;
    case "lt":
      return (v) => order(v) < 0;
    case "lte":
      return (v) => order(v) <= 0;
  }
}

/** -1 for -0, else 0: only zeros tie across signs. */
const signOfZero = (v: number) => (Object.is(v, -0) ? -1 : 0);

function integerSpec(type: "long" | "integer" | "short" | "byte" | "unsigned_long"): NumberSpec {
  const [min, max, article] = INTEGER_BOUNDS[type]!;
  const outOfRange = (raw: string) => new ValueParseError(`Value [${raw}] is out of range for ${article}`);
  return {
    type,
    fromDocument(value) {
      const d = documentDouble(value);
      if (!Number.isFinite(d)) return NaN;
      // `+ 0`: an integer type has no -0 (Math.trunc(-0.5) is -0).
      const t = Math.trunc(d) + 0;
      return t < min || t > max ? NaN : t;
    },
    termValue(raw) {
      const d = parseQueryNumber(raw);
      // NumberType.hasDecimalPart: `d % 1 != 0`, which also holds for NaN and the infinities.
      if (d % 1 !== 0) return null;
      if (d < min || d > max) throw outOfRange(raw);
      return d + 0;
    },
    rangeTest(operator, raw) {
      const d = parseQueryNumber(raw);
      if (Number.isNaN(d)) throw new ValueParseError(`range bound [${raw}] is not a number`);
      if (d < min || d > max) throw outOfRange(raw);
      // Elasticsearch rounds a decimal bound to the integer grid; comparing the integer value with the real bound
      // gives the same result.
      return compare(operator, d);
    },
  };
}

function floatingSpec(type: "double" | "float" | "half_float"): NumberSpec {
  const round = type === "double" ? (d: number) => d : type === "float" ? Math.fround : toHalfFloat;
  return {
    type,
    fromDocument(value) {
      const d = round(documentDouble(value));
      return Number.isFinite(d) ? d : NaN;
    },
    termValue(raw) {
      const d = round(parseQueryNumber(raw));
      if (!Number.isFinite(d))
        throw new ValueParseError(`[${type}] supports only finite values, but got [${raw}]`);
      return d;
    },
    rangeTest(operator, raw) {
      const d = parseQueryNumber(raw);
      // float and half_float bounds are parsed as floats; a half-float value compares with the float bound.
      return compareFloating(operator, type === "double" ? d : Math.fround(d));
    },
  };
}

function scaledFloatSpec(scalingFactor: number): NumberSpec {
  return {
    type: "scaled_float",
    fromDocument(value) {
      const d = documentDouble(value);
      return Number.isFinite(d) ? Math.round(d * scalingFactor) + 0 : NaN;
    },
    termValue(raw) {
      const d = parseQueryNumber(raw);
      if (!Number.isFinite(d))
        throw new ValueParseError(`[scaled_float] supports only finite values, but got [${raw}]`);
      return Math.round(d * scalingFactor) + 0;
    },
    rangeTest(operator, raw) {
      // ScaledFloatFieldMapper.rangeQuery: scale, step past an exclusive bound, then ceil (lower) / floor (upper).
      const scaled = parseQueryNumber(raw) * scalingFactor;
      switch (operator) {
        case "gt":
          return compare("gte", Math.ceil(nextUp(scaled)));
        case "gte":
          return compare("gte", Math.ceil(scaled));
        case "lt":
          return compare("lte", Math.floor(nextDown(scaled)));
        case "lte":
          return compare("lte", Math.floor(scaled));
      }
    },
  };
}

/** The numeric spec of a field type. `scaled_float` needs its scaling factor. */
export function numberSpec(type: NumberType, scalingFactor?: number): NumberSpec {
  switch (type) {
    case "long":
    case "integer":
    case "short":
    case "byte":
    case "unsigned_long":
      return integerSpec(type);
    case "double":
    case "float":
    case "half_float":
      return floatingSpec(type);
    case "scaled_float":
      if (scalingFactor === undefined || !(scalingFactor > 0)) {
        throw new ValueParseError("a scaled_float field needs a positive scaling_factor in the catalogue");
      }
      return scaledFloatSpec(scalingFactor);
  }
}
