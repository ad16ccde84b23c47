/**
 * The `date` and `date_nanos` field types: Elasticsearch's date formats (the built-in names and simple
 * `yyyy-MM-dd'T'HH:mm:ss` patterns) and date math (`now-1d/d`, `2024-01-01||+1M`), in UTC — Kibana sends rule
 * queries with `time_zone: Zulu`, and Elasticsearch's default is UTC too.
 *
 * Rounding follows JavaDateMathParser: a value parsed "rounding up" (upper bounds of `lte`/`gt` and of a term
 * query) fills missing time fields with their maximum (`2024-01-01` → 23:59:59.999999999), while missing month and
 * day default to 1 either way (so `2024-01` rounds up to the end of 2024-01-01, not of January).
 */
import type { RangeOperator } from "./types.js";
import { ValueParseError } from "./query-error.js";

/** A point in time: milliseconds since the epoch (floored) plus nanoseconds within that millisecond. */
export interface Instant {
  ms: number;
  ns: number;
}

export const DEFAULT_DATE_FORMAT = "strict_date_optional_time||epoch_millis";

export interface DateFormat {
  /** The format string, as the mapping gives it. */
  text: string;
  /** Parses a date (no math). Returns undefined when no format of the list accepts it. */
  parse(text: string, roundUp: boolean): Instant | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, UTC).

const MS_PER_DAY = 86_400_000;

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** nanoseconds within the second */
  nano: number;
}

function toParts(i: Instant): Parts {
  const days = Math.floor(i.ms / MS_PER_DAY);
  const rest = i.ms - days * MS_PER_DAY;
  const [y, mo, d] = civilFromDays(days);
  const h = Math.floor(rest / 3_600_000);
  const mi = Math.floor((rest % 3_600_000) / 60_000);
  const s = Math.floor((rest % 60_000) / 1000);
  return { y, mo, d, h, mi, s, nano: (rest % 1000) * 1_000_000 + i.ns };
}

function fromParts(p: Parts, offsetMinutes = 0): Instant {
  const ms =
    daysFromCivil(p.y, p.mo, p.d) * MS_PER_DAY +
    p.h * 3_600_000 +
    p.mi * 60_000 +
    p.s * 1000 +
    Math.floor(p.nano / 1_000_000) -
    offsetMinutes * 60_000;
  return { ms, ns: p.nano % 1_000_000 };
}

function addMs(i: Instant, ms: number): Instant {
  return { ms: i.ms + ms, ns: i.ns };
}

function addMonths(i: Instant, months: number): Instant {
  const p = toParts(i);
  const total = p.y * 12 + (p.mo - 1) + months;
  const y = Math.floor(total / 12);
  const mo = total - y * 12 + 1;
  return fromParts({ ...p, y, mo, d: Math.min(p.d, daysInMonth(y, mo)) });
}

// ---------------------------------------------------------------------------------------------------------------
// Formats.

type Field = "year" | "month" | "day" | "hour" | "minute" | "second";

type Piece =
  | { kind: "num"; field: Field; min: number; max: number }
  | { kind: "fraction"; min: number; max: number; separators: string }
  | { kind: "literal"; text: string }
  | { kind: "offset" }
  | { kind: "optional"; pieces: Piece[] };

interface Scan {
  y?: number;
  mo?: number;
  d?: number;
  h?: number;
  mi?: number;
  s?: number;
  nano?: number;
  offset?: number;
}

function num(field: Field, min: number, max = min): Piece {
  return { kind: "num", field, min, max };
}
function lit(text: string): Piece {
  return { kind: "literal", text };
}
function opt(...pieces: Piece[]): Piece {
  return { kind: "optional", pieces };
}

/** Matches `pieces` at `at`; returns the end offset or -1. Optional groups are greedy and all-or-nothing. */
function match(pieces: Piece[], text: string, at: number, scan: Scan): number {
  for (const piece of pieces) {
    switch (piece.kind) {
      case "literal":
        if (!text.startsWith(piece.text, at)) return -1;
        at += piece.text.length;
        break;
      case "num": {
        let end = at;
        while (
          end < text.length &&
          end - at < piece.max &&
          text.charCodeAt(end) >= 48 &&
          text.charCodeAt(end) <= 57
        ) {
          end++;
        }
        if (end - at < piece.min) return -1;
        const value = Number(text.slice(at, end));
        if (piece.field === "year") scan.y = value;
        else if (piece.field === "month") scan.mo = value;
        else if (piece.field === "day") scan.d = value;
        else if (piece.field === "hour") scan.h = value;
        else if (piece.field === "minute") scan.mi = value;
        else scan.s = value;
        at = end;
        break;
      }
      case "fraction": {
        if (!piece.separators.includes(text[at] ?? "\u0000") && piece.separators !== "") return -1;
        const start = piece.separators === "" ? at : at + 1;
        let end = start;
        while (end < text.length && end - start < piece.max && /\d/.test(text[end]!)) end++;
        if (end - start < piece.min) return -1;
        scan.nano = Number(text.slice(start, end).padEnd(9, "0"));
        at = end;
        break;
      }
      case "offset": {
        const m = /^(?:Z|UTC|GMT|([+-])(\d{2})(?::?(\d{2}))?)/.exec(text.slice(at));
        if (!m) return -1;
        scan.offset = m[1] ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
        at += m[0].length;
        break;
      }
      case "optional": {
        const trial: Scan = { ...scan };
        const end = match(piece.pieces, text, at, trial);
        if (end !== -1) {
          Object.assign(scan, trial);
          at = end;
        }
        break;
      }
    }
  }
  return at;
}

/** Builds the instant from scanned fields, with Elasticsearch's defaults for missing ones. */
function resolve(scan: Scan, roundUp: boolean): Instant | undefined {
  const y = scan.y ?? 1970;
  const mo = scan.mo ?? 1;
  const d = scan.d ?? 1;
  const h = scan.h ?? (roundUp ? 23 : 0);
  const mi = scan.mi ?? (roundUp ? 59 : 0);
  const s = scan.s ?? (roundUp ? 59 : 0);
  const nano = scan.nano ?? (roundUp ? 999_999_999 : 0);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  return fromParts({ y, mo, d, h, mi, s, nano }, scan.offset ?? 0);
}

function patternParser(pieces: Piece[]): (text: string, roundUp: boolean) => Instant | undefined {
  return (text, roundUp) => {
    const scan: Scan = {};
    return match(pieces, text, 0, scan) === text.length ? resolve(scan, roundUp) : undefined;
  };
}

function epochParser(
  unitMs: number,
  maxFraction: number,
): (text: string, roundUp: boolean) => Instant | undefined {
  const re = new RegExp(`^(-?)(\\d{1,19})(?:\\.(\\d{1,${maxFraction}}))?$`);
  return (text, roundUp) => {
    const m = re.exec(text);
    if (!m) return undefined;
    const sign = m[1] === "-" ? -1 : 1;
    const whole = Number(m[2]);
    // The fraction is of the unit: nanoseconds for epoch_second, nanoseconds-of-millisecond for epoch_millis.
    const unitNanos = unitMs * 1_000_000;
    let fraction = m[3] === undefined ? 0 : Math.round(Number(`0.${m[3]}`) * unitNanos);
    if (m[3] === undefined && roundUp) fraction = unitNanos - 1;
    const totalMs = sign * (whole * unitMs) + sign * Math.floor(fraction / 1_000_000);
    const ns = fraction % 1_000_000;
    return sign > 0 || ns === 0 ? { ms: totalMs, ns } : { ms: totalMs - 1, ns: 1_000_000 - ns };
  };
}

/** Date pieces `yyyy-MM-dd` with strict (fixed) or lenient widths. */
function ymd(strict: boolean): Piece[] {
  return [
    num("year", 4, strict ? 4 : 9),
    lit("-"),
    num("month", strict ? 2 : 1, 2),
    lit("-"),
    num("day", strict ? 2 : 1, 2),
  ];
}
function hms(strict: boolean, upTo: "hour" | "minute" | "second"): Piece[] {
  const w = strict ? 2 : 1;
  const pieces: Piece[] = [num("hour", w, 2)];
  if (upTo !== "hour") pieces.push(lit(":"), num("minute", w, 2));
  if (upTo === "second") pieces.push(lit(":"), num("second", w, 2));
  return pieces;
}
const fraction = (min: number, max = 9): Piece => ({ kind: "fraction", min, max, separators: ".," });

function optionalTime(strict: boolean): Piece[] {
  const w = strict ? 2 : 1;
  return [
    num("year", 4, strict ? 4 : 9),
    opt(lit("-"), num("month", w, 2), opt(lit("-"), num("day", w, 2))),
    opt(
      lit("T"),
      opt(
        num("hour", w, 2),
        opt(lit(":"), num("minute", w, 2), opt(lit(":"), num("second", w, 2), opt(fraction(1)))),
        opt({ kind: "offset" }),
      ),
    ),
  ];
}

const OFFSET: Piece = { kind: "offset" };

/** Built-in formats (without the `strict_` prefix); the boolean says strict. */
const BUILT_IN: Record<string, (strict: boolean) => Piece[]> = {
  date_optional_time: optionalTime,
  date_optional_time_nanos: optionalTime,
  date: (s) => ymd(s),
  year_month_day: (s) => ymd(s),
  year: (s) => [num("year", 4, s ? 4 : 9)],
  year_month: (s) => [num("year", 4, s ? 4 : 9), lit("-"), num("month", s ? 2 : 1, 2)],
  date_hour: (s) => [...ymd(s), lit("T"), ...hms(s, "hour")],
  date_hour_minute: (s) => [...ymd(s), lit("T"), ...hms(s, "minute")],
  date_hour_minute_second: (s) => [...ymd(s), lit("T"), ...hms(s, "second")],
  date_hour_minute_second_millis: (s) => [...ymd(s), lit("T"), ...hms(s, "second"), fraction(1)],
  date_hour_minute_second_fraction: (s) => [...ymd(s), lit("T"), ...hms(s, "second"), fraction(1)],
  date_time: (s) => [...ymd(s), lit("T"), ...hms(s, "second"), fraction(1), OFFSET],
  date_time_no_millis: (s) => [...ymd(s), lit("T"), ...hms(s, "second"), OFFSET],
  basic_date: () => [num("year", 4), num("month", 2), num("day", 2)],
  basic_date_time: () => [
    num("year", 4),
    num("month", 2),
    num("day", 2),
    lit("T"),
    num("hour", 2),
    num("minute", 2),
    num("second", 2),
    fraction(1),
    OFFSET,
  ],
  basic_date_time_no_millis: () => [
    num("year", 4),
    num("month", 2),
    num("day", 2),
    lit("T"),
    num("hour", 2),
    num("minute", 2),
    num("second", 2),
    OFFSET,
  ],
  hour_minute_second: (s) => hms(s, "second"),
  hour_minute: (s) => hms(s, "minute"),
  hour: (s) => hms(s, "hour"),
};

/** Compiles a Java DateTimeFormatter pattern made of numeric fields, literals and offsets. */
function customPattern(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) throw new ValueParseError(`unterminated quote in date format [${pattern}]`);
      pieces.push(lit(end === i + 1 ? "'" : pattern.slice(i + 1, end)));
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (pattern[i + n] === c) n++;
      i += n;
      const field: Record<string, Field> = {
        y: "year",
        u: "year",
        M: "month",
        d: "day",
        H: "hour",
        m: "minute",
        s: "second",
      };
      if (field[c] && !(c === "M" && n > 2) && !((c === "y" || c === "u") && n === 2)) {
        const f = field[c]!;
        // Adjacent numeric fields (yyyyMMdd) need the year's width fixed, as Java's adjacent value parsing does.
        const adjacent = /^[A-Za-z]/.test(pattern[i] ?? "");
        pieces.push(
          f === "year" ? num(f, n >= 4 ? 4 : 1, adjacent ? Math.max(n, 4) : 9) : num(f, n === 1 ? 1 : n, 2),
        );
      } else if (c === "S") {
        pieces.push({ kind: "fraction", min: n, max: n, separators: "" });
      } else if (c === "X" || c === "Z" || c === "x") {
        pieces.push(OFFSET);
      } else {
        throw new ValueParseError(
          `date pattern letter '${c}' in [${pattern}] is not supported by the engine`,
        );
      }
      continue;
    }
    if (c === "[" || c === "]")
      throw new ValueParseError(
        `optional sections in date format [${pattern}] are not supported by the engine`,
      );
    pieces.push(lit(c));
    i++;
  }
  return pieces;
}

function singleFormat(name: string): (text: string, roundUp: boolean) => Instant | undefined {
  const trimmed = name.trim();
  if (trimmed === "epoch_millis") return epochParser(1, 6);
  if (trimmed === "epoch_second") return epochParser(1000, 9);
  const strict = trimmed.startsWith("strict_");
  const builtIn = BUILT_IN[strict ? trimmed.slice(7) : trimmed];
  if (builtIn) return patternParser(builtIn(strict));
  if (/^[a-z_]+$/.test(trimmed))
    throw new ValueParseError(`date format [${trimmed}] is not supported by the engine`);
  return patternParser(customPattern(trimmed));
}

const formatCache = new Map<string, DateFormat>();

/** The parser for a mapping's `format` (`a||b` tries each in turn). Throws ValueParseError for unsupported formats. */
export function dateFormat(format: string = DEFAULT_DATE_FORMAT): DateFormat {
  const cached = formatCache.get(format);
  if (cached) return cached;
  const parsers = format.split("||").map(singleFormat);
  const result: DateFormat = {
    text: format,
    parse(text, roundUp) {
      for (const p of parsers) {
        const instant = p(text, roundUp);
        if (instant) return instant;
      }
      return undefined;
    },
  };
  formatCache.set(format, result);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Date math (JavaDateMathParser).

function roundDown(i: Instant, unit: string): Instant {
  const p = toParts(i);
  switch (unit) {
    case "y":
      return fromParts({ ...p, mo: 1, d: 1, h: 0, mi: 0, s: 0, nano: 0 });
    case "M":
      return fromParts({ ...p, d: 1, h: 0, mi: 0, s: 0, nano: 0 });
    case "w": {
      const days = Math.floor(i.ms / MS_PER_DAY);
      const monday = days - ((((days + 3) % 7) + 7) % 7); // 1970-01-01 was a Thursday
      return { ms: monday * MS_PER_DAY, ns: 0 };
    }
    case "d":
      return fromParts({ ...p, h: 0, mi: 0, s: 0, nano: 0 });
    case "h":
    case "H":
      return fromParts({ ...p, mi: 0, s: 0, nano: 0 });
    case "m":
      return fromParts({ ...p, s: 0, nano: 0 });
    default:
      return fromParts({ ...p, nano: 0 });
  }
}

function plus(i: Instant, unit: string, n: number): Instant {
  switch (unit) {
    case "y":
      return addMonths(i, 12 * n);
    case "M":
      return addMonths(i, n);
    case "w":
      return addMs(i, n * 7 * MS_PER_DAY);
    case "d":
      return addMs(i, n * MS_PER_DAY);
    case "h":
    case "H":
      return addMs(i, n * 3_600_000);
    case "m":
      return addMs(i, n * 60_000);
    default:
      return addMs(i, n * 1000);
  }
}

function applyMath(math: string, start: Instant, roundUp: boolean): Instant {
  let time = start;
  let i = 0;
  while (i < math.length) {
    const c = math[i++]!;
    let round = false;
    let sign = 1;
    if (c === "/") round = true;
    else if (c === "+") sign = 1;
    else if (c === "-") sign = -1;
    else throw new ValueParseError(`operator not supported for date math [${math}]`);
    if (i >= math.length) throw new ValueParseError(`truncated date math [${math}]`);
    let n = 1;
    if (/\d/.test(math[i]!)) {
      const from = i;
      while (i < math.length && /\d/.test(math[i]!)) i++;
      if (i >= math.length) throw new ValueParseError(`truncated date math [${math}]`);
      n = Number(math.slice(from, i));
    }
    if (round && n !== 1)
      throw new ValueParseError(`rounding \`/\` can only be used on single unit types [${math}]`);
    const unit = math[i++]!;
    if (!"yMwdhHms".includes(unit))
      throw new ValueParseError(`unit [${unit}] not supported for date math [${math}]`);
    if (round) {
      time = roundDown(time, unit);
      if (roundUp) time = addMs(plus(time, unit, 1), -1);
    } else {
      time = plus(time, unit, sign * n);
    }
  }
  return time;
}

/**
 * Parses a date or date math expression as Elasticsearch does for a range bound or a term on a date field.
 * Throws ValueParseError with Elasticsearch's message when it cannot.
 */
export function parseDateMath(text: string, format: DateFormat, now: Instant, roundUp: boolean): Instant {
  if (text.startsWith("now")) return applyMath(text.slice(3), now, roundUp);
  const sep = text.indexOf("||");
  if (sep === -1) {
    const instant = format.parse(text, roundUp);
    if (!instant)
      throw new ValueParseError(`failed to parse date field [${text}] with format [${format.text}]`);
    return instant;
  }
  const anchor = format.parse(text.slice(0, sep), false);
  if (!anchor) {
    throw new ValueParseError(
      `failed to parse date field [${text.slice(0, sep)}] with format [${format.text}]`,
    );
  }
  return applyMath(text.slice(sep + 2), anchor, roundUp);
}

/** The instant Elasticsearch indexes for a document value: strings in the format, numbers as their text. */
export function dateFromDocument(value: unknown, format: DateFormat): Instant | undefined {
  if (typeof value === "string") return value === "" ? undefined : format.parse(value, false);
  if (typeof value === "number" && Number.isFinite(value)) return format.parse(String(value), false);
  return undefined;
}

/** A comparable key: milliseconds for `date` (sub-millisecond precision is dropped), nanoseconds for `date_nanos`. */
export type DateKey = number | bigint;

export function dateKey(i: Instant, nanos: boolean): DateKey {
  return nanos ? BigInt(i.ms) * 1_000_000n + BigInt(i.ns) : i.ms;
}

/** Which way each range operator rounds its bound. */
export function roundsUp(operator: RangeOperator): boolean {
  return operator === "gt" || operator === "lte";
}

/** ISO text of an instant, for messages. */
export function formatInstant(i: Instant): string {
  const iso = new Date(i.ms).toISOString();
  return i.ns === 0 ? iso : `${iso.slice(0, -1)}${String(i.ns).padStart(6, "0")}Z`;
}
