import { describe, expect, it } from "vitest";
import type { DslField, DslOptions, DslQuery } from "./dsl.js";
import { KqlDslError, toDsl, toKibanaQueryDsl, toQueryStringQuery } from "./dsl.js";
import { parse } from "./parser.js";

/** `{bool:{should:[...],minimum_should_match:1}}`, Kibana's shape for every is/range clause. */
const should = (...clauses: DslQuery[]): DslQuery => ({ bool: { should: clauses, minimum_should_match: 1 } });

function same(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

describe("toDsl: the rule query wrapper", () => {
  it("puts the query in bool.filter of the four-list bool", () => {
    same(toDsl("process.name:cmd.exe"), {
      bool: {
        must: [],
        filter: [should({ match: { "process.name": "cmd.exe" } })],
        should: [],
        must_not: [],
      },
    });
  });

  it("drops match_all: the empty query, a blank one and *:* give an empty filter", () => {
    for (const q of ["", "   ", "*:*"])
      same(toDsl(q), { bool: { must: [], filter: [], should: [], must_not: [] } });
  });

  it("keeps match_all below the top level", () => {
    same(toDsl("not *:*").bool.filter, [{ bool: { must_not: { match_all: {} } } }]);
  });

  it("uses must instead of filter with filtersInMustClause, inside and out", () => {
    same(toDsl("a:1 and b:2", { filtersInMustClause: true }), {
      bool: {
        must: [{ bool: { must: [should({ match: { a: "1" } }), should({ match: { b: "2" } })] } }],
        filter: [],
        should: [],
        must_not: [],
      },
    });
  });

  it("accepts a parsed tree as well as text", () => {
    same(toDsl(parse("a:b")), toDsl("a:b"));
    same(toKibanaQueryDsl("a:b"), should({ match: { a: "b" } }));
  });

  it("parses with leading wildcards allowed unless told otherwise", () => {
    same(toKibanaQueryDsl("a:*b"), should({ query_string: { fields: ["a"], query: "*b" } }));
    expect(() => toDsl("a:*b", { allowLeadingWildcards: false })).toThrow(/Leading wildcards are disabled/);
  });
});

describe("toDsl: the seed rules", () => {
  it("translates the denied service account request query as the detection engine does", () => {
    const query = `event.dataset: "kubernetes.audit_logs"
  and kubernetes.audit.user.username: system\\:serviceaccount\\:*
  and kubernetes.audit.annotations.authorization_k8s_io/decision: "forbid"`;
    same(toDsl(query), {
      bool: {
        must: [],
        filter: [
          {
            bool: {
              filter: [
                should({ match_phrase: { "event.dataset": "kubernetes.audit_logs" } }),
                should({
                  query_string: {
                    fields: ["kubernetes.audit.user.username"],
                    query: "system\\:serviceaccount\\:*",
                  },
                }),
                should({
                  match_phrase: { "kubernetes.audit.annotations.authorization_k8s_io/decision": "forbid" },
                }),
              ],
            },
          },
        ],
        should: [],
        must_not: [],
      },
    });
  });
});

// The worked examples of the reference's appendix §3 (current Kibana logic, no field list).
const worked: [query: string, dsl: DslQuery][] = [
  ["process.name:cmd.exe", should({ match: { "process.name": "cmd.exe" } })],
  ['a:"hello world"', should({ match_phrase: { a: "hello world" } })],
  ["a:*", should({ exists: { field: "a" } })],
  ["a:10.0.0.*", should({ query_string: { fields: ["a"], query: "10.0.0.*" } })],
  [
    'a:(1 or "2" or three)',
    {
      bool: {
        should: [
          should({ match: { a: "1" } }),
          should({ match_phrase: { a: "2" } }),
          should({ match: { a: "three" } }),
        ],
        minimum_should_match: 1,
      },
    },
  ],
  ["a:{ b:c }", { nested: { path: "a", query: should({ match: { "a.b": "c" } }), score_mode: "none" } }],
  ["a.*:x", should({ match: { "a.*": "x" } })],
  ["*:foo", should({ match: { "*": "foo" } })],
  ["a:1", should({ match: { a: "1" } })],
  ["a:-5", should({ match: { a: "-5" } })],
  ["a:foo?bar", should({ match: { a: "foo?bar" } })],
  ['a:"foo*bar"', should({ match_phrase: { a: "foo*bar" } })],
  ["a:x or", should({ match: { a: "x or" } })],
  ["bytes > 1000", should({ range: { bytes: { gt: "1000" } } })],
  ['a >= "2020-01-01T00:00:00"', should({ range: { a: { gte: "2020-01-01T00:00:00" } } })],
  ["a:foo-bar*", should({ query_string: { fields: ["a"], query: "foo\\-bar*" } })],
  ["a:C\\:\\\\Win*", should({ query_string: { fields: ["a"], query: "C\\:\\\\Win*" } })],
  ["message:foo bar*", should({ query_string: { fields: ["message"], query: "foo bar*" } })],
  [
    "a:{ b:{ c:x } }",
    {
      nested: {
        path: "a",
        query: { nested: { path: "a.b", query: should({ match: { "a.b.c": "x" } }), score_mode: "none" } },
        score_mode: "none",
      },
    },
  ],
  ["a:{ *:* }", { nested: { path: "a", query: { match_all: {} }, score_mode: "none" } }],
  // Kibana prefixes the nested path onto a missing field too: free text inside a group targets `path.null`.
  ["a:{ foo }", { nested: { path: "a", query: should({ match: { "a.null": "foo" } }), score_mode: "none" } }],
  // An unquoted `null` field is a null literal: free text. Unquoted true stays a JSON value where Kibana writes it.
  ["null:foo", { multi_match: { type: "best_fields", query: "foo", lenient: true } }],
  ["true:*", should({ exists: { field: true } })],
];

describe("toKibanaQueryDsl: worked examples", () => {
  for (const [query, dsl] of worked) {
    it(query, () => same(toKibanaQueryDsl(query), dsl));
  }

  it("field list process.name:keyword with caseInsensitive", () => {
    const fields: DslField[] = [{ name: "process.name", type: "string", esTypes: ["keyword"] }];
    same(
      toKibanaQueryDsl("process.name:CMD* or process.name:powershell.exe", { fields, caseInsensitive: true }),
      {
        bool: {
          should: [
            should({ wildcard: { "process.name": { value: "CMD*", case_insensitive: true } } }),
            should({ term: { "process.name": { value: "powershell.exe", case_insensitive: true } } }),
          ],
          minimum_should_match: 1,
        },
      },
    );
  });
});

// A field list shaped like Kibana's test stub (filters/stubs/fields.mocks.ts), without its scripted fields.
const fields: DslField[] = [
  { name: "bytes", type: "number" },
  { name: "ssl", type: "boolean" },
  { name: "@timestamp", type: "date" },
  { name: "extension", type: "string" },
  { name: "machine.os", type: "string" },
  { name: "machine.os.raw", type: "string" },
  { name: "machine.os.keyword", type: "string", esTypes: ["keyword"] },
  { name: "nestedField.child", type: "string", subType: { nested: { path: "nestedField" } } },
  {
    name: "nestedField.nestedChild.doublyNestedChild",
    type: "string",
    subType: { nested: { path: "nestedField.nestedChild" } },
  },
];

const autoNested = (path: string, query: DslQuery, extra: DslQuery = {}): DslQuery => ({
  nested: { path, query, score_mode: "none", ...extra },
});

// Kibana's is/range/nested/get_full_field_name_node tests, as KQL text (so values are the parser's strings).
const withFields: [query: string, options: DslOptions, dsl: DslQuery][] = [
  ["*:*", {}, { match_all: {} }],
  ["200", {}, { multi_match: { type: "best_fields", query: "200", lenient: true } }],
  ["jpg*", {}, { query_string: { query: "jpg*" } }],
  ["extension:*", {}, should({ exists: { field: "extension" } })],
  ["extension:jpg", {}, should({ match: { extension: "jpg" } })],
  ['extension:"jpg"', {}, should({ match_phrase: { extension: "jpg" } })],
  ["extension:jpg*", {}, should({ query_string: { fields: ["extension"], query: "jpg*" } })],
  ["machine.os.keyword:win*", {}, should({ wildcard: { "machine.os.keyword": { value: "win*" } } })],
  [
    "machine.os.keyword:win*",
    { caseInsensitive: true },
    should({ wildcard: { "machine.os.keyword": { value: "win*", case_insensitive: true } } }),
  ],
  ["machine.os.keyword:*\\\\*", {}, should({ wildcard: { "machine.os.keyword": { value: "*\\\\*" } } })],
  ["machine.os.keyword:Win 7", {}, should({ term: { "machine.os.keyword": { value: "Win 7" } } })],
  [
    "machine.os.keyword:Win 7",
    { caseInsensitive: false },
    should({ term: { "machine.os.keyword": { value: "Win 7", case_insensitive: false } } }),
  ],
  [
    '@timestamp:"2018-04-03T19:04:17"',
    { dateFormatTZ: "" },
    should({ range: { "@timestamp": { gte: "2018-04-03T19:04:17", lte: "2018-04-03T19:04:17" } } }),
  ],
  [
    '@timestamp:"2018-04-03T19:04:17"',
    { dateFormatTZ: "America/Phoenix" },
    should({
      range: {
        "@timestamp": {
          gte: "2018-04-03T19:04:17",
          lte: "2018-04-03T19:04:17",
          time_zone: "America/Phoenix",
        },
      },
    }),
  ],
  // The detection engine's dateFormatTZ is 'Zulu'; epoch values never get a time zone.
  [
    '@timestamp:"2018-04-03"',
    {},
    should({ range: { "@timestamp": { gte: "2018-04-03", lte: "2018-04-03", time_zone: "Zulu" } } }),
  ],
  [
    "@timestamp:1776338120239",
    {},
    should({ range: { "@timestamp": { gte: "1776338120239", lte: "1776338120239" } } }),
  ],
  ["@timestamp:2018*", {}, should({ query_string: { fields: ["@timestamp"], query: "2018*" } })],
  [
    "nestedField:{ extension:jpg }",
    {},
    autoNested("nestedField", should({ match: { "nestedField.extension": "jpg" } })),
  ],
  [
    "nestedField:{ child:foo }",
    {},
    autoNested("nestedField", should({ match: { "nestedField.child": "foo" } })),
  ],
  ["ext*:jpg", {}, should({ match: { extension: "jpg" } })],
  [
    "*doublyNested*:foo",
    {},
    should(
      autoNested("nestedField.nestedChild", {
        match: { "nestedField.nestedChild.doublyNestedChild": "foo" },
      }),
    ),
  ],
  [
    "*doublyNested*:foo",
    { nestedIgnoreUnmapped: true },
    should(
      autoNested(
        "nestedField.nestedChild",
        { match: { "nestedField.nestedChild.doublyNestedChild": "foo" } },
        { ignore_unmapped: true },
      ),
    ),
  ],
  [
    "nested*:foo",
    {},
    should(
      autoNested("nestedField", { match: { "nestedField.child": "foo" } }),
      autoNested("nestedField.nestedChild", {
        match: { "nestedField.nestedChild.doublyNestedChild": "foo" },
      }),
    ),
  ],
  [
    "*:200",
    {},
    should(
      { match: { bytes: "200" } },
      { match: { ssl: "200" } },
      { range: { "@timestamp": { gte: "200", lte: "200" } } },
      { match: { extension: "200" } },
      { match: { "machine.os": "200" } },
      { match: { "machine.os.raw": "200" } },
      { term: { "machine.os.keyword": { value: "200" } } },
      autoNested("nestedField", { match: { "nestedField.child": "200" } }),
      autoNested("nestedField.nestedChild", {
        match: { "nestedField.nestedChild.doublyNestedChild": "200" },
      }),
    ),
  ],
  ["bytes > 1000", {}, should({ range: { bytes: { gt: "1000" } } })],
  ["byt* > 1000", {}, should({ range: { bytes: { gt: "1000" } } })],
  [
    '@timestamp > "2018-01-03T19:04:17"',
    { dateFormatTZ: "" },
    should({ range: { "@timestamp": { gt: "2018-01-03T19:04:17" } } }),
  ],
  [
    '@timestamp > "2018-01-03T19:04:17"',
    { dateFormatTZ: "America/Phoenix" },
    should({ range: { "@timestamp": { gt: "2018-01-03T19:04:17", time_zone: "America/Phoenix" } } }),
  ],
  [
    "@timestamp > 1776338120239",
    { dateFormatTZ: "America/Phoenix" },
    should({ range: { "@timestamp": { gt: "1776338120239" } } }),
  ],
  [
    "nestedField:{ bytes > 1000 }",
    {},
    autoNested("nestedField", should({ range: { "nestedField.bytes": { gt: "1000" } } })),
  ],
  [
    "*doublyNested* < 8000",
    {},
    should(
      autoNested("nestedField.nestedChild", {
        range: { "nestedField.nestedChild.doublyNestedChild": { lt: "8000" } },
      }),
    ),
  ],
  [
    "nestedField:{ nestedChild:{ doublyNestedChild:foo } }",
    {},
    autoNested(
      "nestedField",
      autoNested(
        "nestedField.nestedChild",
        should({ match: { "nestedField.nestedChild.doublyNestedChild": "foo" } }),
      ),
    ),
  ],
  [
    "nestedField:{ child:foo }",
    { nestedIgnoreUnmapped: false },
    autoNested("nestedField", should({ match: { "nestedField.child": "foo" } }), { ignore_unmapped: false }),
  ],
];

describe("toKibanaQueryDsl with a field list (Kibana's kuery tests)", () => {
  for (const [query, options, dsl] of withFields) {
    it(`${query} ${JSON.stringify(options)}`, () =>
      same(toKibanaQueryDsl(query, { fields, ...options }), dsl));
  }

  const errors: [query: string, message: string][] = [
    [
      "machine:{ os:x }",
      'machine.os is not a nested field but is in nested group "machine" in the KQL expression.',
    ],
    [
      "nestedField.child:x",
      "nestedField.child is a nested field, but is not in a nested group in the KQL expression.",
    ],
    [
      "nestedField:{ nestedChild.doublyNestedChild:x }",
      "Nested field nestedField.nestedChild.doublyNestedChild is being queried with the incorrect nested path. The correct path is nestedField.nestedChild.",
    ],
    [
      "nestedField.child > 1",
      "nestedField.child is a nested field, but is not in a nested group in the KQL expression.",
    ],
  ];
  for (const [query, message] of errors) {
    it(`refuses ${query}`, () => {
      expect(() => toDsl(query, { fields })).toThrow(KqlDslError);
      expect(() => toDsl(query, { fields })).toThrow(message);
    });
  }

  it("skips the nested checks without a field list, as the detection engine does", () => {
    same(toKibanaQueryDsl("nestedField.child:x"), should({ match: { "nestedField.child": "x" } }));
  });
});

describe("toQueryStringQuery", () => {
  it("escapes Lucene's reserved characters but not spaces, and keeps each * as a wildcard", () => {
    expect(toQueryStringQuery(["", 'a+b-c=d&e|f>g<h!i(j)k{l}m[n]o^p"q~r?s:t\\u/v w', ""])).toBe(
      '*a\\+b\\-c\\=d\\&e\\|f\\>g\\<h\\!i\\(j\\)k\\{l\\}m\\[n\\]o\\^p\\"q\\~r\\?s\\:t\\\\u\\/v w*',
    );
    expect(toQueryStringQuery(["a*b", ""])).toBe("a\\*b*");
  });
});
