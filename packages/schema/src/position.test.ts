import { describe, expect, it } from "vitest";
import { defaultConfig } from "./config.js";
import { validateRuleFile } from "./rules.js";

// A valid rule around a query; the query's lines start at line 9.
const rule = (query: string) => `# yaml-language-server: $schema=../../schemas/rule.schema.json
rule_id: 5a0a0f7e-3a52-4d8e-9a43-6f7d2f1f0c11
name: Test rule
description: A test rule.
type: query
language: kuery
index:
  - logs-*
${query}
severity: low
risk_score: 21
metadata:
  maturity: production
  created: "2026-11-22"
  updated: "2026-11-22"
  integration: kubernetes
`;

const config = defaultConfig(process.cwd());

// Each query has one KQL syntax error; `line:column` is where its character sits in the file.
const cases = [
  {
    name: "literal block, error on the third line",
    query: 'query: |\n  a: "x"\n    and b: "y"\n    and c: )',
    line: 12,
    column: 12,
  },
  {
    name: "folded block (line breaks become spaces)",
    query: 'query: >\n  a: "x"\n  and b: "y"\n  and c: )',
    line: 12,
    column: 10,
  },
  {
    name: "folded block with a blank line (kept as one line break)",
    query: 'query: >-\n  a: "x"\n\n  and c: )',
    line: 12,
    column: 10,
  },
  {
    name: "literal block, end of input: the end of the query text, not the next key",
    query: 'query: |\n  a: "x"\n    and (b: "y"',
    line: 11,
    column: 16,
  },
  {
    name: "folded block, end of input",
    query: 'query: >\n  a: "x"\n  and (b: "y"\n\n',
    line: 11,
    column: 14,
  },
  {
    name: "double-quoted over two lines",
    query: 'query: "a: \\"x\\"\n  and c: )"',
    line: 10,
    column: 10,
  },
  {
    name: "single-quoted over three lines with a blank line",
    query: "query: 'a: ''x''\n\n  and c: )'",
    line: 11,
    column: 10,
  },
  {
    name: "double-quoted with trailing spaces before the line break",
    query: 'query: "a: x   \n   and c: )"',
    line: 10,
    column: 11,
  },
  {
    name: "literal block with an explicit indentation indicator",
    query: 'query: |2\n    a: "x"\n    and c: )',
    line: 11,
    column: 12,
  },
  {
    name: "plain scalar over two lines",
    query: "query: a:x\n  and c:)",
    line: 10,
    column: 9,
  },
];

const endings = [
  ["LF", (text: string) => text],
  ["CRLF", (text: string) => text.replace(/\n/g, "\r\n")],
] as const;

describe("KQL error positions inside YAML scalars are the same with LF and CRLF line endings", () => {
  const table = cases.flatMap((c) => endings.map(([ending, convert]) => ({ ...c, ending, convert })));
  it.each(table)("$name ($ending) → $line:$column", ({ query, convert, line, column }) => {
    const { diagnostics } = validateRuleFile("rule.yaml", convert(rule(query)), config);
    const syntax = diagnostics.filter((d) => d.code === "DAC401");
    expect(syntax, JSON.stringify(diagnostics, null, 1)).toHaveLength(1);
    expect({ line: syntax[0]!.line, column: syntax[0]!.column }).toEqual({ line, column });
  });
});
