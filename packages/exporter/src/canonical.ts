import { createHash } from "node:crypto";

/** Code-unit order, so the result never depends on the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy with every object's keys sorted, recursively; arrays keep their order. */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeysDeep) as T;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => compareStrings(a, b));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)])) as T;
  }
  return value;
}

/** JSON with keys sorted recursively and no whitespace: equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

/**
 * sha256 of the canonical payload without `version`, the hash the lock records: it changes exactly when what
 * would be published changes, and bumping the version does not change it.
 */
export function contentHash(payload: Record<string, unknown>): string {
  const { version: _version, ...content } = payload;
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
}
