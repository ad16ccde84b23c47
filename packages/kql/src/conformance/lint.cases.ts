/**
 * Lint conformance: the detection-rules `lib/kql` lint tests (test_lint.py). Their `kql.lint` is the Python
 * optimizer's rewrite (merge fields, De Morgan, drop double negation), which Kibana never does: Kibana sends the
 * tree as written. So the meaningful checks here are that both the query and Python's rewrite parse in Kibana's
 * grammar, that we print the query canonically (without rewriting it), and that Python's rewrite means the same
 * under Kibana's semantics, or, where it does not (`equivalent: false`), why.
 */
export interface LintCase {
  source: string;
  query: string;
  /** Our canonical print of the query: the same tree, no optimisation. */
  printed: string;
  /** `kql.lint(query)` upstream. */
  python: string;
  /** Whether Python's rewrite is the same query for Kibana (same boolean function of the same clauses). */
  equivalent: boolean;
  note?: string;
  /** Our lint codes for the query (no catalogue), when there are any. */
  findings?: string[];
}

export const lintCases: LintCase[] = [
  { source: "test_lint_field:16", query: "a : b", printed: "a:b", python: "a:b", equivalent: true },
  { source: "test_lint_field:17", query: '"a": b', printed: '"a":b', python: "a:b", equivalent: true },
  {
    source: "test_lint_field:18",
    query: 'a : "b"',
    printed: 'a:"b"',
    python: "a:b",
    equivalent: false,
    note: 'Python drops the quotes; in Kibana `"b"` is match_phrase and `b` is match, which differ on text fields.',
  },
  { source: "test_lint_field:19", query: "a : (b)", printed: "a:b", python: "a:b", equivalent: true },
  { source: "test_lint_field:20", query: "a:1.234", printed: "a:1.234", python: "a:1.234", equivalent: true },
  {
    source: "test_lint_field:21",
    query: 'a:"1.234"',
    printed: 'a:"1.234"',
    python: "a:1.234",
    equivalent: false,
    note: "Python drops the quotes; in Kibana that turns match_phrase into match.",
  },
  {
    source: "test_lint_precedence:44",
    query: "a:b or (c:d and e:f)",
    printed: "a:b or c:d and e:f",
    python: "a:b or c:d and e:f",
    equivalent: true,
  },
  {
    source: "test_lint_precedence:45",
    query: "(a:b and (c:d or e:f))",
    printed: "a:b and (c:d or e:f)",
    python: "a:b and (c:d or e:f)",
    equivalent: true,
  },
  {
    source: "test_extract_not:48",
    query: "a:(not b)",
    printed: "not a:b",
    python: "not a:b",
    equivalent: true,
  },
  {
    source: "test_merge_fields:51",
    query: "a:b or a:c",
    printed: "a:(b or c)",
    python: "a:(b or c)",
    equivalent: true,
  },
  {
    source: "test_merge_fields:52",
    query: "a:b or a:(c or d)",
    printed: "a:(b or (c or d))",
    python: "a:(b or c or d)",
    equivalent: true,
  },
  {
    source: "test_merge_fields:53",
    query: "a:b or a:(c or d) or a:e",
    printed: "a:(b or (c or d) or e)",
    python: "a:(b or c or d or e)",
    equivalent: true,
  },
  {
    source: "test_merge_fields:55",
    query: "a:b or a:(c and d) or x:y or a:e",
    printed: "a:b or a:(c and d) or x:y or a:e",
    python: "a:(b or e or c and d) or x:y",
    equivalent: true,
  },
  {
    source: "test_merge_fields:56",
    query: "a:b and a:(c and d) or x:y or a:e",
    printed: "a:(b and (c and d)) or x:y or a:e",
    python: "a:(e or b and c and d) or x:y",
    equivalent: true,
  },
  {
    source: "test_and_not:59",
    query: "a:b and not a:c",
    printed: "a:(b and not c)",
    python: "a:(b and not c)",
    equivalent: true,
  },
  {
    source: "test_not_demorgans:62",
    query: "not a:b and not a:c and not a:d",
    printed: "a:(not b and not c and not d)",
    python: "not a:(b or c or d)",
    equivalent: true,
  },
  {
    source: "test_not_demorgans:63",
    query: "not a:b or not a:c or not a:d",
    printed: "a:(not b or not c or not d)",
    python: "not a:(b and c and d)",
    equivalent: true,
  },
  {
    source: "test_not_demorgans:64",
    query: "a:(not b and not c and not d)",
    printed: "a:(not b and not c and not d)",
    python: "not a:(b or c or d)",
    equivalent: true,
  },
  {
    source: "test_not_demorgans:65",
    query: "a:(not b or not c or not d)",
    printed: "a:(not b or not c or not d)",
    python: "not a:(b and c and d)",
    equivalent: true,
  },
  {
    source: "test_not_or:68",
    query: "not (a:1 or a:2)",
    printed: "not a:(1 or 2)",
    python: "not a:(1 or 2)",
    equivalent: true,
  },
  {
    source: "test_mixed_demorgans:71",
    query: "a:(b and not c and not d)",
    printed: "a:(b and not c and not d)",
    python: "a:(b and not (c or d))",
    equivalent: true,
  },
  {
    source: "test_mixed_demorgans:72",
    query: "a:(b or not c or not d or not e)",
    printed: "a:(b or not c or not d or not e)",
    python: "a:(b or not (c and d and e))",
    equivalent: true,
  },
  {
    source: "test_mixed_demorgans:73",
    query: "a:((b or not c or not d) and e)",
    printed: "a:((b or not c or not d) and e)",
    python: "a:(e and (b or not (c and d)))",
    equivalent: true,
  },
  {
    source: "test_double_negate:76",
    query: "not (not a:b)",
    printed: "not (not a:b)",
    python: "a:b",
    equivalent: true,
  },
  {
    source: "test_double_negate:77",
    query: "a:(not (not b))",
    printed: "not (not a:b)",
    python: "a:b",
    equivalent: true,
  },
  {
    source: "test_double_negate:78",
    query: "not (a:(not b))",
    printed: "not (not a:b)",
    python: "a:b",
    equivalent: true,
  },
  {
    source: "test_double_negate:79",
    query: "not (not (a:b or c:d))",
    printed: "not (not (a:b or c:d))",
    python: "a:b or c:d",
    equivalent: true,
  },
  {
    source: "test_double_negate:80",
    query: "not (not (a:(not b) or c:(not d)))",
    printed: "not (not (not a:b or not c:d))",
    python: "not a:b or not c:d",
    equivalent: true,
  },
  {
    source: "test_free_text:83",
    query: '"Accepted password for root"',
    printed: '"Accepted password for root"',
    python: '"Accepted password for root"',
    equivalent: true,
  },
  { source: "test_free_text:84", query: "agent12", printed: "agent12", python: "agent12", equivalent: true },
  {
    source: "test_free_text:85",
    query: "*password*",
    printed: "*password*",
    python: "*password*",
    equivalent: true,
    findings: ["DAC414"],
  },
  { source: "test_free_text:86", query: "*", printed: "*", python: "*", equivalent: true },
  {
    source: "test_free_text:87",
    query: 'process.name : agent12 and "Accepted password for root"',
    printed: 'process.name:agent12 and "Accepted password for root"',
    python: 'process.name:agent12 and "Accepted password for root"',
    equivalent: true,
  },
  {
    source: "test_ip:93",
    query: "a:ff02\\:\\:fb",
    printed: "a:ff02\\:\\:fb",
    python: 'a:"ff02::fb"',
    equivalent: false,
    note: "Python quotes the IPv6 value; in Kibana that turns match into match_phrase (the same on an ip field, not on text).",
  },
  {
    source: "test_compound:96",
    query: "a:1 and b:2 and not (c:3 or c:4)",
    printed: "a:1 and b:2 and not c:(3 or 4)",
    python: "a:1 and b:2 and not c:(3 or 4)",
    equivalent: true,
  },
];
