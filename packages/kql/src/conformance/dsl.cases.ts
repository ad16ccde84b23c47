import type { DslQuery } from "../dsl.js";

/**
 * DSL conformance: every query of the detection-rules `lib/kql` DSL tests (test_dsl.py, plus two from
 * test_parser.py), with the query Kibana builds for it as a rule query (no field list, as the detection engine
 * sends it). `kibana` is the rule's single `bool.filter` clause; the test checks the whole wrapper. The Python
 * library's DSL differs in shape everywhere (its own wrapper, optimizer and value conversion): each `note` says
 * how. Structure (and/or/not/nested/range/exists) and the query_string escaping are what the two share.
 */
export interface DslCase {
  source: string;
  query: string;
  note: string;
  kibana: DslQuery;
}

export const dslCases: DslCase[] = [
  {
    source: "test_field_match:21",
    query: "user:bob",
    note: "Kibana wraps every `is` in bool.should + minimum_should_match:1, even for one field; Python emits the bare match.",
    kibana: { bool: { should: [{ match: { user: "bob" } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_match:22",
    query: "number:-1",
    note: 'Kibana keeps unquoted numbers as strings ("-1"); Python converts them to numbers. Elasticsearch coerces either way.',
    kibana: { bool: { should: [{ match: { number: "-1" } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_match:23",
    query: "number:1.1",
    note: 'Kibana keeps unquoted numbers as strings ("-1"); Python converts them to numbers. Elasticsearch coerces either way.',
    kibana: { bool: { should: [{ match: { number: "1.1" } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_match:24",
    query: "boolean:true",
    note: "Unquoted true/false are JSON booleans in both.",
    kibana: { bool: { should: [{ match: { boolean: true } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_match:25",
    query: "boolean:false",
    note: "Unquoted true/false are JSON booleans in both.",
    kibana: { bool: { should: [{ match: { boolean: false } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_exists:28",
    query: "user:*",
    note: "exists inside Kibana's bool.should wrapper.",
    kibana: { bool: { should: [{ exists: { field: "user" } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_inequality:34",
    query: "field < value",
    note: "Same range; Kibana wraps it in bool.should.",
    kibana: { bool: { should: [{ range: { field: { lt: "value" } } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_inequality:35",
    query: "field > -1",
    note: "Kibana sends the range bound as written (a string); Python converts it to a number.",
    kibana: { bool: { should: [{ range: { field: { gt: "-1" } } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_inequality:36",
    query: "field <= 1.1",
    note: "Kibana sends the range bound as written (a string); Python converts it to a number.",
    kibana: { bool: { should: [{ range: { field: { lte: "1.1" } } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_inequality:37",
    query: "field >= 0",
    note: "Kibana sends the range bound as written (a string); Python converts it to a number.",
    kibana: { bool: { should: [{ range: { field: { gte: "0" } } }], minimum_should_match: 1 } },
  },
  {
    source: "test_field_inequality:38",
    query: "field >= abc",
    note: "Same range; Kibana wraps it in bool.should.",
    kibana: { bool: { should: [{ range: { field: { gte: "abc" } } }], minimum_should_match: 1 } },
  },
  {
    source: "test_or_query:41",
    query: "field:value or field2:value2",
    note: "Kibana does not merge the or's children into one should list: each `is` keeps its own bool.",
    kibana: {
      bool: {
        should: [
          { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } },
          { bool: { should: [{ match: { field2: "value2" } }], minimum_should_match: 1 } },
        ],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_and_query:47",
    query: "field:value and field2:value2",
    note: "and → bool.filter in both; Kibana keeps each child's bool.should wrapper.",
    kibana: {
      bool: {
        filter: [
          { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } },
          { bool: { should: [{ match: { field2: "value2" } }], minimum_should_match: 1 } },
        ],
      },
    },
  },
  {
    source: "test_not_query:53",
    query: "not field:value",
    note: "Kibana's must_not is a single object, not an array (not.ts).",
    kibana: {
      bool: { must_not: { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } } },
    },
  },
  {
    source: "test_not_query:54",
    query: "field:(not value)",
    note: "A value-list `not` is the same not(is) node in Kibana as `not field:value`.",
    kibana: {
      bool: { must_not: { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } } },
    },
  },
  {
    source: "test_not_query:55",
    query: "field:(a and not b)",
    note: "Kibana builds and[is, not(is)]; Python folds the not into the and's must_not.",
    kibana: {
      bool: {
        filter: [
          { bool: { should: [{ match: { field: "a" } }], minimum_should_match: 1 } },
          { bool: { must_not: { bool: { should: [{ match: { field: "b" } }], minimum_should_match: 1 } } } },
        ],
      },
    },
  },
  {
    source: "test_not_query:58",
    query: "not field:value and not field2:value2",
    note: "Kibana keeps and[not, not]; Python merges both into one must_not list.",
    kibana: {
      bool: {
        filter: [
          {
            bool: {
              must_not: { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } },
            },
          },
          {
            bool: {
              must_not: { bool: { should: [{ match: { field2: "value2" } }], minimum_should_match: 1 } },
            },
          },
        ],
      },
    },
  },
  {
    source: "test_not_query:62",
    query: "not (field:value or field2:value2)",
    note: "Kibana: must_not holds the bool itself (an object), and the inner clauses keep their wrappers.",
    kibana: {
      bool: {
        must_not: {
          bool: {
            should: [
              { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } },
              { bool: { should: [{ match: { field2: "value2" } }], minimum_should_match: 1 } },
            ],
            minimum_should_match: 1,
          },
        },
      },
    },
  },
  {
    source: "test_not_query:77",
    query: "not (field:value and field2:value2)",
    note: "Kibana: must_not holds the bool itself (an object), and the inner clauses keep their wrappers.",
    kibana: {
      bool: {
        must_not: {
          bool: {
            filter: [
              { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } },
              { bool: { should: [{ match: { field2: "value2" } }], minimum_should_match: 1 } },
            ],
          },
        },
      },
    },
  },
  {
    source: "test_optimizations:83",
    query: "(field:value or field2:value2) and field3:value3",
    note: "Python's optimizer flattens nested bools; Kibana translates the tree as parsed.",
    kibana: {
      bool: {
        filter: [
          {
            bool: {
              should: [
                { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } },
                { bool: { should: [{ match: { field2: "value2" } }], minimum_should_match: 1 } },
              ],
              minimum_should_match: 1,
            },
          },
          { bool: { should: [{ match: { field3: "value3" } }], minimum_should_match: 1 } },
        ],
      },
    },
  },
  {
    source: "test_optimizations:92",
    query: "(field:value and field2:value2) or field3:value3",
    note: "Python's optimizer flattens nested bools; Kibana translates the tree as parsed.",
    kibana: {
      bool: {
        should: [
          {
            bool: {
              filter: [
                { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } },
                { bool: { should: [{ match: { field2: "value2" } }], minimum_should_match: 1 } },
              ],
            },
          },
          { bool: { should: [{ match: { field3: "value3" } }], minimum_should_match: 1 } },
        ],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_optimizations:103",
    query: "a:(v1 or v2 or v3) or b:(v4 or v5)",
    note: "Python's optimizer flattens nested bools; Kibana translates the tree as parsed.",
    kibana: {
      bool: {
        should: [
          {
            bool: {
              should: [
                { bool: { should: [{ match: { a: "v1" } }], minimum_should_match: 1 } },
                { bool: { should: [{ match: { a: "v2" } }], minimum_should_match: 1 } },
                { bool: { should: [{ match: { a: "v3" } }], minimum_should_match: 1 } },
              ],
              minimum_should_match: 1,
            },
          },
          {
            bool: {
              should: [
                { bool: { should: [{ match: { b: "v4" } }], minimum_should_match: 1 } },
                { bool: { should: [{ match: { b: "v5" } }], minimum_should_match: 1 } },
              ],
              minimum_should_match: 1,
            },
          },
        ],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_optimizations:117",
    query: "a:(v1 or v2 or v3) and b:(v4 or v5)",
    note: "Python's optimizer flattens nested bools; Kibana translates the tree as parsed.",
    kibana: {
      bool: {
        filter: [
          {
            bool: {
              should: [
                { bool: { should: [{ match: { a: "v1" } }], minimum_should_match: 1 } },
                { bool: { should: [{ match: { a: "v2" } }], minimum_should_match: 1 } },
                { bool: { should: [{ match: { a: "v3" } }], minimum_should_match: 1 } },
              ],
              minimum_should_match: 1,
            },
          },
          {
            bool: {
              should: [
                { bool: { should: [{ match: { b: "v4" } }], minimum_should_match: 1 } },
                { bool: { should: [{ match: { b: "v5" } }], minimum_should_match: 1 } },
              ],
              minimum_should_match: 1,
            },
          },
        ],
      },
    },
  },
  {
    source: "test_optimizations:128",
    query: "(field:value and not field2:value2) or field3:value3",
    note: "Python's optimizer flattens nested bools; Kibana translates the tree as parsed.",
    kibana: {
      bool: {
        should: [
          {
            bool: {
              filter: [
                { bool: { should: [{ match: { field: "value" } }], minimum_should_match: 1 } },
                {
                  bool: {
                    must_not: {
                      bool: { should: [{ match: { field2: "value2" } }], minimum_should_match: 1 },
                    },
                  },
                },
              ],
            },
          },
          { bool: { should: [{ match: { field3: "value3" } }], minimum_should_match: 1 } },
        ],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_free_text_value:148",
    query: 'process.name : agent12 and "Accepted password for root"',
    note: "Free text is a multi_match in both; the quoted phrase is type phrase.",
    kibana: {
      bool: {
        filter: [
          { bool: { should: [{ match: { "process.name": "agent12" } }], minimum_should_match: 1 } },
          { multi_match: { type: "phrase", query: "Accepted password for root", lenient: true } },
        ],
      },
    },
  },
  {
    source: "test_free_text_value:159",
    query: "agent12",
    note: "Free text without quotes: multi_match best_fields, lenient.",
    kibana: { multi_match: { type: "best_fields", query: "agent12", lenient: true } },
  },
  {
    source: "test_free_text_value:165",
    query: "1",
    note: "Free text without quotes: multi_match best_fields, lenient.",
    kibana: { multi_match: { type: "best_fields", query: "1", lenient: true } },
  },
  {
    source: "test_free_text_value:166",
    query: "true",
    note: "Kibana's unquoted true/null are JSON values, so the multi_match query is the boolean/null itself; Python sends the string.",
    kibana: { multi_match: { type: "best_fields", query: true, lenient: true } },
  },
  {
    source: "test_free_text_value:167",
    query: "null",
    note: "Kibana's unquoted true/null are JSON values, so the multi_match query is the boolean/null itself; Python sends the string.",
    kibana: { multi_match: { type: "best_fields", query: null, lenient: true } },
  },
  {
    source: "test_free_text_value:171",
    query: "*password*",
    note: "Free-text wildcards are a query_string without fields, escaped the same way in both.",
    kibana: { query_string: { query: "*password*" } },
  },
  {
    source: "test_free_text_value:172",
    query: "/var/log/auth*",
    note: "Free-text wildcards are a query_string without fields, escaped the same way in both.",
    kibana: { query_string: { query: "\\/var\\/log\\/auth*" } },
  },
  {
    source: "test_free_text_value:176",
    query: "*",
    note: "Free-text wildcards are a query_string without fields, escaped the same way in both.",
    kibana: { query_string: { query: "*" } },
  },
  {
    source: "test_free_text_value:177",
    query: "process.name : agent12 and *",
    note: "Free-text wildcards are a query_string without fields, escaped the same way in both.",
    kibana: {
      bool: {
        filter: [
          { bool: { should: [{ match: { "process.name": "agent12" } }], minimum_should_match: 1 } },
          { query_string: { query: "*" } },
        ],
      },
    },
  },
  {
    source: "test_free_text_value:181",
    query: '"*"',
    note: "A quoted * is a phrase, not a wildcard.",
    kibana: { multi_match: { type: "phrase", query: "*", lenient: true } },
  },
  {
    source: "test_nested_query:194",
    query: "top:{ a:hello }",
    note: "Nested groups prefix child names in both; Kibana adds its bool.should wrappers and runs without Python's schema (detection rules send no field list).",
    kibana: {
      nested: {
        path: "top",
        query: { bool: { should: [{ match: { "top.a": "hello" } }], minimum_should_match: 1 } },
        score_mode: "none",
      },
    },
  },
  {
    source: "test_nested_query:211",
    query: "top:{ a:ADD and b:(x or y) }",
    note: "Nested groups prefix child names in both; Kibana adds its bool.should wrappers and runs without Python's schema (detection rules send no field list).",
    kibana: {
      nested: {
        path: "top",
        query: {
          bool: {
            filter: [
              { bool: { should: [{ match: { "top.a": "ADD" } }], minimum_should_match: 1 } },
              {
                bool: {
                  should: [
                    { bool: { should: [{ match: { "top.b": "x" } }], minimum_should_match: 1 } },
                    { bool: { should: [{ match: { "top.b": "y" } }], minimum_should_match: 1 } },
                  ],
                  minimum_should_match: 1,
                },
              },
            ],
          },
        },
        score_mode: "none",
      },
    },
  },
  {
    source: "test_nested_query:234",
    query: "top:{ middle:{ bool: true } }",
    note: "Nested groups prefix child names in both; Kibana adds its bool.should wrappers and runs without Python's schema (detection rules send no field list).",
    kibana: {
      nested: {
        path: "top",
        query: {
          nested: {
            path: "top.middle",
            query: { bool: { should: [{ match: { "top.middle.bool": true } }], minimum_should_match: 1 } },
            score_mode: "none",
          },
        },
        score_mode: "none",
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:264",
    query: "process.args:/lockscreenurl\\:http*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "\\/lockscreenurl\\:http*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:270",
    query: "process.args:/tmp/foo*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "\\/tmp\\/foo*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:274",
    query: "process.args:foo/bar*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "foo\\/bar*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:281",
    query: "process.args:foo[bar]*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "foo\\[bar\\]*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:285",
    query: "process.args:foo+bar*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "foo\\+bar*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:289",
    query: "process.args:foo-bar*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "foo\\-bar*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:294",
    query: "process.args:foo?bar*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "foo\\?bar*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:300",
    query: "process.args:*.exe",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "*.exe" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:306",
    query: "field: *S3 Browser*",
    note: "Spaces are not escaped: query_string sees two terms, `*S3` OR `Browser*` (lint DAC410).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["field"], query: "*S3 Browser*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:313",
    query: "process.args:foo\\(bar*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "foo\\(bar*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_wildcard_query_string_escaping:317",
    query: "process.args:foo\\:bar*",
    note: "Wildcard escaping of the Lucene reserved characters is the same in both (Kibana's toQueryStringQuery).",
    kibana: {
      bool: {
        should: [{ query_string: { fields: ["process.args"], query: "foo\\:bar*" } }],
        minimum_should_match: 1,
      },
    },
  },
  {
    source: "test_optimization:99",
    query: 'host.name: test-* and not (destination.ip : "127.0.0.53" and destination.ip : "169.254.169.254")',
    note: "Kibana: quoted values are match_phrase (Python: match), and the negated and stays one bool under must_not.",
    kibana: {
      bool: {
        filter: [
          {
            bool: {
              should: [{ query_string: { fields: ["host.name"], query: "test\\-*" } }],
              minimum_should_match: 1,
            },
          },
          {
            bool: {
              must_not: {
                bool: {
                  filter: [
                    {
                      bool: {
                        should: [{ match_phrase: { "destination.ip": "127.0.0.53" } }],
                        minimum_should_match: 1,
                      },
                    },
                    {
                      bool: {
                        should: [{ match_phrase: { "destination.ip": "169.254.169.254" } }],
                        minimum_should_match: 1,
                      },
                    },
                  ],
                },
              },
            },
          },
        ],
      },
    },
  },
  {
    source: "test_escaped_wildcard_is_literal:267",
    query: "field:\\*",
    note: "An escaped * is a literal: match, not query_string.",
    kibana: { bool: { should: [{ match: { field: "*" } }], minimum_should_match: 1 } },
  },
];
