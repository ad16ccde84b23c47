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
const isArrayIndex = (key: string) => arrayIndex.test(key) && Number(key) < 2 ** 32 - 1;

/** Keys repeat across every rule (`rule_id`, `threat`, …): each is quoted once. */
const quotedKeys = new Map<string, string>();

function quoted(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, q);
  }
  return q;
}

/** `leaveOut`: a key of this object (not of those inside it) written as if absent. */
function write(value: unknown, leaveOut?: string): string | undefined {
  if (value === null || typeof value !== "object") {
    // Primitives as JSON.stringify writes them; undefined, functions and symbols are left out by the caller.
    return typeof value === "function" || typeof value === "symbol" ? undefined : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += `${i > 0 ? "," : ""}${write(value[i]) ?? "null"}`;
    return `${out}]`;
  }
  // The default sort compares UTF-16 code units, as compareStrings does.
  let keys = Object.keys(value).sort();
  // Integer-like keys come first, in numeric order, as in any JavaScript object; only they start with a digit.
  if (keys.some((k) => k.charCodeAt(0) >= 48 && k.charCodeAt(0) <= 57)) {
    const indexes = keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
    if (indexes.length > 0) keys = [...indexes, ...keys.filter((k) => !isArrayIndex(k))];
  }
  let out = "{";
  let first = true;
  for (const key of keys) {
    if (key === leaveOut) continue;
    const text = write((value as Record<string, unknown>)[key]);
    if (text === undefined) continue;
    out += first ? `${quoted(key)}:${text}` : `,${quoted(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * sha256 of the canonical payload without `version`, the hash the lock records: it changes exactly when what
 * would be published changes, and bumping the version does not change it.
 */
export function contentHash(payload: Record<string, unknown>): string {
  return createHash("sha256").update(write(payload, "version")!).digest("hex");
}
