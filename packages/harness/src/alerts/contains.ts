/**
 * Does an alert contain a partial alert document (a fixture's `alert:`)? Every leaf of the partial document,
 * addressed by its dotted path (nested and dotted keys alike), must be present in the alert with an equal value.
 * Lists compare whole and in order; an ISO 8601 string equals another that names the same instant
 * (`2026-03-01T10:00:00Z` = `2026-03-01T10:00:00.000Z`).
 */
import { isObject, valueAt } from "./document.js";

export interface Mismatch {
  field: string;
  expected: unknown;
  /** Undefined when the alert lacks the field. */
  actual: unknown;
}

/** The fields of `partial` that the alert does not have as given; empty when the alert contains it. */
export function alertMismatches(
  alert: Record<string, unknown>,
  partial: Record<string, unknown>,
): Mismatch[] {
  const out: Mismatch[] = [];
  const walk = (expected: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(expected)) {
      const field = prefix ? `${prefix}.${key}` : key;
      const actual = valueAt(alert, field);
      // A nested expectation matches nested or dotted alert keys alike (`kibana: {alert: {...}}`).
      if (isObject(value) && (actual === undefined || isObject(actual))) {
        walk(value, field);
        continue;
      }
      if (!sameValue(actual, value)) out.push({ field, expected: value, actual });
    }
  };
  walk(partial, "");
  return out;
}

export function sameValue(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => sameValue(actual[i], e))
    );
  }
  if (isObject(expected)) {
    return (
      isObject(actual) &&
      Object.keys(expected).every((k) => sameValue(valueAt(actual, k), expected[k])) &&
      Object.keys(actual).every((k) => k in expected || actual[k] === undefined)
    );
  }
  if (actual === expected) return true;
  // A one-element list in the event equals its value (Elasticsearch does not tell `a` from `[a]`).
  if (Array.isArray(actual) && actual.length === 1) return sameValue(actual[0], expected);
  if (typeof actual === "string" && typeof expected === "string") {
    const a = isoInstant(actual);
    const e = isoInstant(expected);
    return a !== undefined && a === e;
  }
  return false;
}

const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function isoInstant(text: string): number | undefined {
  if (!isoDate.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}
