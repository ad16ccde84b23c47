/** The `boolean` field type, as Elasticsearch's BooleanFieldMapper reads document and query values. */
import type { RangeOperator } from "./types.js";
import { ValueParseError } from "./query-error.js";

/** Query value of a term query: only the strings `true` and `false` (or JSON booleans) parse. */
export function booleanTermValue(raw: string | boolean): boolean {
  if (raw === true || raw === "true") return true;
  if (raw === false || raw === "false") return false;
  throw new ValueParseError(`Can't parse boolean value [${raw}], expected [true] or [false]`);
}

/**
 * The value Elasticsearch indexes for a document value: JSON booleans and the strings `true`/`false`. `""` is
 * null; anything else is malformed and not indexed. Returns undefined when nothing is indexed.
 */
export function booleanFromDocument(value: unknown): boolean | undefined {
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  return undefined;
}

/** Range over booleans orders false (0) before true (1). */
export function booleanRangeTest(
  operator: RangeOperator,
  raw: string | boolean,
): (value: boolean) => boolean {
  const bound = booleanTermValue(raw) ? 1 : 0;
  switch (operator) {
    case "gt":
      return (v) => +v > bound;
    case "gte":
      return (v) => +v >= bound;
    case "lt":
      return (v) => +v < bound;
    case "lte":
      return (v) => +v <= bound;
  }
}
