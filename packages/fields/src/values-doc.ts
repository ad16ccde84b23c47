/**
 * Doc values: what Elasticsearch's aggregations (`terms`, `composite`, `min`) read of a field, as the bucket keys
 * they return. Rules that group events (new_terms, threshold) see a field through these, not through queries:
 *
 * - keyword-like fields give their indexed strings, once each (doc values are a sorted set), without the values
 *   over `ignore_above` (not indexed); a `constant_keyword` with a value gives that value for every document;
 * - `ip` gives the address's usual text; numbers give the indexed number in the field's precision; `date` and
 *   `date_nanos` give epoch milliseconds (the composite and terms aggregations' `key`); `boolean` gives
 *   `true`/`false`;
 * - `text` has no doc values: Elasticsearch refuses to aggregate on it ("Fielddata is disabled");
 * - a field the index does not map has no values (a composite aggregation on it returns no buckets).
 */
import { resolveField } from "./catalog.js";
import type { FieldCatalog, FieldInfo } from "./catalog-types.js";
import { valuesAt } from "./document.js";
import { booleanFromDocument } from "./values-boolean.js";
import { dateFormat, dateFromDocument } from "./values-date.js";
import { ipFromDocument, ipKeyText } from "./values-ip.js";
import { isNumberType, numberSpec } from "./values-number.js";
import { keywordFromDocument } from "./values-string.js";

export type DocValue = string | number | boolean;

/** Thrown for a field Elasticsearch cannot aggregate on; the message is Elasticsearch's reason. */
export class NotAggregatableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotAggregatableError";
  }
}

/** Reads one field's doc values from documents; built once per field and catalogue. */
export type DocValuesReader = (document: unknown) => DocValue[];

/**
 * The doc values reader for field `name` in `catalog`. Throws `NotAggregatableError` for a field whose type has
 * no doc values (text) or that the engine does not model for aggregations (objects, geo points).
 */
export function docValuesReader(catalog: FieldCatalog, name: string): DocValuesReader {
  const resolution = resolveField(catalog, name);
  if (resolution.kind === "unmapped") return () => [];
  const info = resolution.info;
  const path = info.sourcePath ?? name;
  const one = scalarReader(info);
  if (info.type === "constant_keyword" && info.value !== undefined) {
    const value = info.value;
    return () => [value];
  }
  return (document) => {
    const out: DocValue[] = [];
    for (const raw of valuesAt(document, path)) {
      const v = one(raw);
      if (v !== undefined && !out.includes(v)) out.push(v);
    }
    return out;
  };
}

function scalarReader(info: FieldInfo): (raw: unknown) => DocValue | undefined {
  const type = info.type;
  if (type === "keyword" || type === "wildcard" || type === "constant_keyword") {
    const limit = info.ignoreAbove ?? Infinity;
    const lower = info.normalizer === "lowercase";
    return (raw) => {
      const s = keywordFromDocument(raw);
      if (s === undefined || s.length > limit) return undefined;
      return lower ? s.toLowerCase() : s;
    };
  }
  if (type === "text" || type === "match_only_text")
    throw new NotAggregatableError(
      `Fielddata is disabled on [${info.name}]: text fields are not aggregatable; use a keyword field`,
    );
  if (type === "ip")
    return (raw) => {
      const key = ipFromDocument(raw);
      return key === undefined ? undefined : ipKeyText(key);
    };
  if (isNumberType(type)) {
    const spec = numberSpec(type, info.scalingFactor);
    return (raw) => {
      const n = spec.fromDocument(raw);
      return Number.isNaN(n) ? undefined : n;
    };
  }
  if (type === "date" || type === "date_nanos") {
    const format = dateFormat(info.format);
    return (raw) => {
      try {
        return dateFromDocument(raw, format)?.ms;
      } catch {
        // A malformed date is not indexed (logs-* data streams set ignore_malformed).
        return undefined;
      }
    };
  }
  if (type === "boolean") return (raw) => booleanFromDocument(raw);
  throw new NotAggregatableError(`aggregating on ${type} field [${info.name}] is not modelled by the engine`);
}
