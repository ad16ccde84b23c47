import { describe, expect, it } from "vitest";
import { fieldCatalog } from "./catalog.js";
import { docValuesReader, NotAggregatableError } from "./values-doc.js";
import type { DocValue } from "./values-doc.js";

const catalog = fieldCatalog({
  ecs: true,
  overrides: {
    "short.kw": { type: "keyword", ignoreAbove: 5 },
    "lower.kw": { type: "keyword", normalizer: "lowercase" },
    "fixed.kw": { type: "constant_keyword", value: "prod" },
    "n.int": "integer",
    "n.float": "half_float",
    flag: "boolean",
  },
  unknownFields: "unmapped",
});

// What Elasticsearch's terms/composite aggregations return as bucket keys for each document value.
const rows: { field: string; doc: unknown; want: DocValue[]; source: string }[] = [
  {
    field: "user.name",
    doc: { user: { name: ["bob", "alice", "bob"] } },
    want: ["bob", "alice"],
    source: "keyword doc values are a sorted set: each value once per document",
  },
  {
    field: "user.name",
    doc: { "user.name": 42 },
    want: ["42"],
    source: "KeywordFieldMapper indexes a number's text",
  },
  {
    field: "short.kw",
    doc: { short: { kw: ["abcdef", "abc"] } },
    want: ["abc"],
    source: "keyword ignore_above: longer values are neither indexed nor stored in doc values",
  },
  {
    field: "lower.kw",
    doc: { lower: { kw: "Alice" } },
    want: ["alice"],
    source: "keyword normalizer lowercase applies to doc values",
  },
  {
    field: "fixed.kw",
    doc: {},
    want: ["prod"],
    source: "constant_keyword: every document has the mapping's value",
  },
  {
    field: "source.ip",
    doc: { source: { ip: "::ffff:10.0.0.1" } },
    want: ["10.0.0.1"],
    source: "ip doc values format as the usual address text (DocValueFormat.IP)",
  },
  {
    field: "n.int",
    doc: { n: { int: "7.9" } },
    want: [7],
    source: "integer fields coerce and truncate document values",
  },
  {
    field: "n.float",
    doc: { n: { float: 0.1 } },
    want: [0.0999755859375],
    source: "half_float stores the value in half precision",
  },
  {
    field: "@timestamp",
    doc: { "@timestamp": "2026-03-01T00:00:00.500Z" },
    want: [Date.parse("2026-03-01T00:00:00.500Z")],
    source: "date bucket keys are epoch milliseconds",
  },
  { field: "flag", doc: { flag: "true" }, want: [true], source: "boolean parses true/false strings" },
  {
    field: "nothing.here",
    doc: { nothing: { here: "x" } },
    want: [],
    source: "an unmapped field has no doc values (no buckets)",
  },
  { field: "user.name", doc: { user: { name: null } }, want: [], source: "null is no value" },
];

describe("docValuesReader", () => {
  it.each(rows)("$field of $doc: $source", (row) => {
    expect(docValuesReader(catalog, row.field)(row.doc)).toEqual(row.want);
  });

  it("refuses text fields, as Elasticsearch does (fielddata is disabled)", () => {
    expect(() => docValuesReader(catalog, "message")).toThrow(NotAggregatableError);
  });
});
