/**
 * Kibana filter objects as exported rules carry them (shapes from `@kbn/es-query` src/filters/build_filters:
 * phrase_filter.ts, phrases_filter.ts, exists_filter.ts, range_filter.ts, custom_filter.ts), evaluated in
 * memory as `buildQueryFromFilters` adds them to the rule's search: `filter`, or `must_not` when negated,
 * skipped when disabled.
 */
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { compileFilters, FilterError } from "./filters.js";

const catalog = fieldCatalog({
  definitions: [
    [
      { name: "user.name", type: "keyword", source: "override" as const },
      { name: "host.name", type: "keyword", source: "override" as const },
      { name: "process.pid", type: "long", source: "override" as const },
      { name: "@timestamp", type: "date", source: "override" as const },
      { name: "message", type: "text", source: "override" as const },
      { name: "source.ip", type: "ip", source: "override" as const },
    ],
  ],
});
const meta = (extra: Record<string, unknown> = {}) => ({
  alias: null,
  disabled: false,
  negate: false,
  ...extra,
});
const alice = {
  "user.name": "alice",
  "host.name": "web-1",
  "process.pid": 42,
  "@timestamp": "2026-03-01T10:00:00Z",
  message: "Failed password for alice",
  "source.ip": "10.1.2.3",
};

const rows: [string, unknown, boolean][] = [
  [
    "phrase",
    {
      meta: meta({ type: "phrase", key: "user.name", params: { query: "alice" } }),
      query: { match_phrase: { "user.name": "alice" } },
    },
    true,
  ],
  ["phrase, other value", { meta: meta(), query: { match_phrase: { "user.name": "bob" } } }, false],
  [
    "negated phrase",
    { meta: meta({ negate: true }), query: { match_phrase: { "user.name": "alice" } } },
    false,
  ],
  [
    "disabled filter is skipped",
    { meta: meta({ disabled: true }), query: { match_phrase: { "user.name": "bob" } } },
    true,
  ],
  [
    "phrases",
    {
      meta: meta({ type: "phrases" }),
      query: {
        bool: {
          should: [{ match_phrase: { "user.name": "bob" } }, { match_phrase: { "user.name": "alice" } }],
          minimum_should_match: 1,
        },
      },
    },
    true,
  ],
  [
    "exists (query form)",
    { meta: meta({ type: "exists" }), query: { exists: { field: "host.name" } } },
    true,
  ],
  [
    "exists (legacy top-level form)",
    { meta: meta({ type: "exists" }), exists: { field: "process.parent.name" } },
    false,
  ],
  [
    "range on a number",
    { meta: meta({ type: "range" }), query: { range: { "process.pid": { gte: 40, lt: 50 } } } },
    true,
  ],
  [
    "range on a number, outside",
    { meta: meta({ type: "range" }), query: { range: { "process.pid": { gt: 42 } } } },
    false,
  ],
  [
    "range on a date (legacy form)",
    {
      meta: meta({ type: "range" }),
      range: { "@timestamp": { gte: "2026-03-01T00:00:00Z", lt: "2026-03-02T00:00:00Z" } },
    },
    true,
  ],
  ["custom: term", { meta: meta({ type: "custom" }), query: { term: { "host.name": "web-1" } } }, true],
  [
    "custom: terms",
    { meta: meta({ type: "custom" }), query: { terms: { "host.name": ["web-2", "web-1"] } } },
    true,
  ],
  [
    "custom: match on text is analysed",
    { meta: meta({ type: "custom" }), query: { match: { message: "PASSWORD" } } },
    true,
  ],
  ["custom: prefix", { meta: meta({ type: "custom" }), query: { prefix: { "host.name": "web-" } } }, true],
  [
    "custom: wildcard",
    { meta: meta({ type: "custom" }), query: { wildcard: { "host.name": { value: "w*-1" } } } },
    true,
  ],
  [
    "custom: bool must_not",
    { meta: meta({ type: "custom" }), query: { bool: { must_not: [{ term: { "user.name": "alice" } }] } } },
    false,
  ],
  [
    "custom: bool filter and should (should optional)",
    {
      meta: meta(),
      query: {
        bool: { filter: [{ term: { "user.name": "alice" } }], should: [{ term: { "host.name": "x" } }] },
      },
    },
    true,
  ],
  ["custom: match_all", { meta: meta(), query: { match_all: {} } }, true],
  [
    "range on an ip (CIDR semantics come from the catalogue)",
    { meta: meta(), query: { range: { "source.ip": { gte: "10.0.0.0", lte: "10.255.255.255" } } } },
    true,
  ],
];

describe("rule filters in memory", () => {
  it.each(rows)("%s", (_name, filter, expected) => {
    const compiled = compileFilters([filter], catalog);
    expect(compiled.rejects(alice) === undefined).toBe(expected);
  });

  it.each([
    [
      "script",
      { meta: meta(), query: { script: { script: "doc['x'].value > 1" } } },
      /`script` queries are not supported/,
    ],
    [
      "query_string",
      { meta: meta(), query: { query_string: { query: "a:b" } } },
      /`query_string` queries are not supported/,
    ],
    ["term on a text field", { meta: meta(), query: { term: { message: "Failed" } } }, /text field message/],
    [
      "minimum_should_match 2",
      { meta: meta(), query: { bool: { should: [{ match_all: {} }], minimum_should_match: 2 } } },
      /minimum_should_match/,
    ],
  ])("refuses %s, naming the filter", (_name, filter, message) => {
    expect(() => compileFilters([{ meta: meta(), query: { match_all: {} } }, filter], catalog)).toThrow(
      FilterError,
    );
    expect(() => compileFilters([{ meta: meta(), query: { match_all: {} } }, filter], catalog)).toThrow(
      /filter 2/,
    );
    expect(() => compileFilters([filter], catalog)).toThrow(message);
  });
});
