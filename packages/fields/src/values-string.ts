/** String helpers shared by keyword-like field types. */
import type { RangeOperator } from "./types.js";

/**
 * Compares two strings by Unicode code point, which is the order of their UTF-8 bytes (Lucene's term order).
 * UTF-16 order differs only between a surrogate pair and a BMP character at U+E000 or above.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y >= 0xe000 : x >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** A predicate for `value <op> bound` in term (code point) order. */
export function stringRangeTest(operator: RangeOperator, bound: string): (value: string) => boolean {
  switch (operator) {
    case "gt":
      return (v) => compareCodePoints(v, bound) > 0;
    case "gte":
      return (v) => compareCodePoints(v, bound) >= 0;
    case "lt":
      return (v) => compareCodePoints(v, bound) < 0;
    case "lte":
      return (v) => compareCodePoints(v, bound) <= 0;
  }
}

/**
 * The string a keyword field indexes for a document value: strings as they are, numbers and booleans as their
 * JSON text (Elasticsearch takes the token's text). Objects and null index nothing (undefined).
 */
export function keywordFromDocument(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * A whole-value glob where only `*` is special (Kibana escapes everything else), case-sensitive. `parts` are the
 * literal pieces between the stars, as in the AST's WildcardNode.
 */
export function globMatcher(parts: readonly string[]): (value: string) => boolean {
  if (parts.length === 1) {
    const exact = parts[0]!;
    return (v) => v === exact;
  }
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== "");
  const minLength = first.length + last.length + middle.reduce((n, p) => n + p.length, 0);
  if (middle.length === 0) {
    if (last === "") return first === "" ? () => true : (v) => v.startsWith(first);
    if (first === "") return (v) => v.endsWith(last);
    return (v) => v.length >= minLength && v.startsWith(first) && v.endsWith(last);
  }
  if (middle.length === 1 && first === "" && last === "") {
    const needle = middle[0]!;
    return (v) => v.includes(needle);
  }
  return (v) => {
    if (v.length < minLength || !v.startsWith(first) || !v.endsWith(last)) return false;
    // Greedy leftmost search is exact for `*`-only globs.
    let at = first.length;
    const end = v.length - last.length;
    for (const piece of middle) {
      const found = v.indexOf(piece, at);
      if (found === -1 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}
