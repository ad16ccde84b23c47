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

/**
 * JSON with keys sorted recursively and no whitespace: equal content gives equal text. Exactly
 * `JSON.stringify(sortKeysDeep(value))`, written directly (the lock hashes every rule, and the copy was most of
 * the cost): object keys in `Object.fromEntries` order, array indexes first, then the sorted rest.
 */
export function canonicalJson(value: unknown): string {
  return write(value) as string;
}

const arrayIndex = /^(?:0|[1-9]\d*)$/;

function write(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") {
    // Primitives as JSON.stringify writes them; undefined, functions and symbols are left out by the caller.
    return typeof value === "function" || typeof value === "symbol" ? undefined : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? "," : ""}${write(value[i]) ?? "null"}`;
    return `${out}]`;
  }
  const keys = Object.keys(value).sort(compareStrings);
  const indexes = keys.filter((k) => arrayIndex.test(k) && Number(k) < 2 ** 32 - 1);
  const ordered =
    indexes.length === 0
      ? keys
      : [
          ...indexes.sort((a, b) => Number(a) - Number(b)),
          ...keys.filter((k) => !(arrayIndex.test(k) && Number(k) < 2 ** 32 - 1)),
        ];
  let out = "{";
  let first = true;
  for (const key of ordered) {
    const text = write((value as Record<string, unknown>)[key]);
    if (text === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * sha256 of the canonical payload without `version`, the hash the lock records: it changes exactly when what
 * would be published changes, and bumping the version does not change it.
 */
export function contentHash(payload: Record<string, unknown>): string {
  const { version: _version, ...content } = payload;
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
}
