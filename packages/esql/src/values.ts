/**
 * ES|QL values and types. A cell is `null`, one value, or an array of at least two values (a multi-value). Values
 * by type: keyword/text/version → string; integer/long/double/unsigned_long → number; date → epoch milliseconds;
 * ip → canonical text; boolean; geo_point → {x, y}; time_duration → {ms}; date_period → {months, days}.
 */
import ipaddr from "ipaddr.js";
import type { EsFieldType } from "@dac/fields";

export type EsqlType =
  | "keyword"
  | "text"
  | "integer"
  | "long"
  | "unsigned_long"
  | "double"
  | "boolean"
  | "date"
  | "date_nanos"
  | "ip"
  | "version"
  | "geo_point"
  | "cartesian_point"
  | "time_duration"
  | "date_period"
  | "null"
  | "unsupported"
  /** The validator's type for a field the catalogue does not know: anything goes. */
  | "unknown";

export interface GeoPoint {
  x: number;
  y: number;
}
export interface Duration {
  ms: number;
}
export interface Period {
  months: number;
  days: number;
}
export type Scalar = string | number | boolean | GeoPoint | Duration | Period;
export type Cell = null | Scalar | Scalar[];

export const isString = (t: EsqlType): boolean => t === "keyword" || t === "text";
export const isWholeNumber = (t: EsqlType): boolean =>
  t === "integer" || t === "long" || t === "unsigned_long";
export const isNumeric = (t: EsqlType): boolean => isWholeNumber(t) || t === "double";
export const isDate = (t: EsqlType): boolean => t === "date" || t === "date_nanos";

/** The ES|QL type of a mapped field (EsqlDataTypeRegistry): float family → double, byte/short → integer. */
export function esqlTypeOfField(type: EsFieldType): EsqlType {
  switch (type) {
    case "keyword":
    case "constant_keyword":
    case "wildcard":
      return "keyword";
    case "text":
    case "match_only_text":
      return "text";
    case "long":
      return "long";
    case "integer":
    case "short":
    case "byte":
      return "integer";
    case "double":
    case "float":
    case "half_float":
    case "scaled_float":
      return "double";
    case "unsigned_long":
      return "unsigned_long";
    case "date":
      return "date";
    case "date_nanos":
      return "date_nanos";
    case "boolean":
      return "boolean";
    case "ip":
      return "ip";
    case "version":
      return "version";
    case "geo_point":
      return "geo_point";
    default:
      return "unsupported";
  }
}

export const INT_MIN = -(2 ** 31);
export const INT_MAX = 2 ** 31 - 1;
export const LONG_LIMIT = 2 ** 63;

/** Values of a cell as an array (null → []). */
export function valuesOf(c: Cell): Scalar[] {
  return c === null ? [] : Array.isArray(c) ? c : [c];
}

/** A cell from values: none → null, one → the value, more → the array. */
export function cellOf(values: Scalar[]): Cell {
  return values.length === 0 ? null : values.length === 1 ? values[0]! : values;
}

/** 16 bytes of an address; IPv4 as IPv4-mapped IPv6, as Elasticsearch's ip doc values store it. */
export function ipBytes(text: string): number[] {
  const a = ipaddr.parse(text);
  return a.kind() === "ipv4" ? (a as ipaddr.IPv4).toIPv4MappedAddress().toByteArray() : a.toByteArray();
}

/** Canonical text of an ip (IPv4-mapped IPv6 shown as IPv4), or undefined when not an address. */
export function parseIp(text: string): string | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  const a = ipaddr.parse(text);
  if (a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress())
    return (a as ipaddr.IPv6).toIPv4Address().toString();
  // Elasticsearch's InetAddresses.toAddrString: RFC 5952 form.
  return a.kind() === "ipv6" ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}

function compareBytes(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Elasticsearch's byte-wise (UTF-8) string order; UTF-16 comparison differs only for astral characters. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ba = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  return Buffer.compare(ba, bb);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Order of two values of one type (the type of the column or of a comparison's common type). */
export function compareValues(a: Scalar, b: Scalar, type: EsqlType): number {
  if (type === "ip") return compareBytes(ipBytes(a as string), ipBytes(b as string));
  if (type === "version") return compareVersions(a as string, b as string);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (typeof a === "object" && typeof b === "object" && "ms" in a && "ms" in b) return a.ms - b.ms;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export function sameValue(a: Scalar, b: Scalar, type: EsqlType): boolean {
  if (typeof a === "object" || typeof b === "object") return JSON.stringify(a) === JSON.stringify(b);
  return compareValues(a, b, type) === 0;
}

/** The JSON form `POST /_query` returns for a value of a type. */
export function jsonValue(v: Scalar, type: EsqlType): unknown {
  if (type === "date") return new Date(v as number).toISOString();
  if (type === "date_nanos") return new Date(v as number).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
  if (type === "geo_point" || type === "cartesian_point") {
    const p = v as GeoPoint;
    return `POINT (${p.x} ${p.y})`;
  }
  if (type === "time_duration") return `${(v as Duration).ms}ms`;
  if (type === "date_period") {
    const p = v as Period;
    return p.months ? `P${p.months}M${p.days ? `${p.days}D` : ""}` : `P${p.days}D`;
  }
  return v;
}

export function jsonCell(c: Cell, type: EsqlType): unknown {
  if (c === null) return null;
  return Array.isArray(c) ? c.map((v) => jsonValue(v, type)) : jsonValue(c, type);
}

/** A value as TO_STRING / CONCAT would write it. */
export function stringOf(v: Scalar, type: EsqlType): string {
  if (type === "double") return doubleToString(v as number);
  const j = jsonValue(v, type);
  return typeof j === "string" ? j : String(j);
}

/** Java's Double.toString: `1.0`, `1.5`, `1.0E10`. */
export function doubleToString(d: number): string {
  if (Number.isNaN(d)) return "NaN";
  if (!Number.isFinite(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(d) && Math.abs(d) < 1e7) return `${d}.0`;
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) return String(d);
  const [m, e] = d.toExponential().split("e");
  const mant = m!.includes(".") ? m! : `${m}.0`;
  return `${mant}E${Number(e)}`;
}
