import { describe, expect, it } from "vitest";
import { fieldsOf, LuceneSyntaxError, parse } from "./parser.js";
import type { BoolNode, TermNode } from "./ast.js";

const occurs = (q: string) =>
  parse(q).clauses.map((c) => [c.occur, q.slice(c.node.span.start, c.node.span.end)]);

describe("clause occurrence (QueryParserBase.addClause, default_operator OR)", () => {
  it.each([
    // split_on_whitespace off: adjacent plain words are one text (Lucene's MultiTerm).
    ["a b", [["should", "a b"]]],
    [
      "a b AND c",
      [
        ["should", "a"],
        ["must", "b"],
        ["must", "c"],
      ],
    ],
    [
      "x:1 a b c:2",
      [
        ["should", "x:1"],
        ["should", "a b"],
        ["should", "c:2"],
      ],
    ],
    [
      "a AND b",
      [
        ["must", "a"],
        ["must", "b"],
      ],
    ],
    [
      "a && b || c",
      [
        ["must", "a"],
        ["must", "b"],
        ["should", "c"],
      ],
    ],
    [
      "a OR b AND c",
      [
        ["should", "a"],
        ["must", "b"],
        ["must", "c"],
      ],
    ],
    [
      "-a AND b",
      [
        ["must_not", "a"],
        ["must", "b"],
      ],
    ],
    [
      "a AND NOT b",
      [
        ["must", "a"],
        ["must_not", "b"],
      ],
    ],
    [
      "+a !b c",
      [
        ["must", "a"],
        ["must_not", "b"],
        ["should", "c"],
      ],
    ],
    [
      "field:(a b)^2 x",
      [
        ["should", "field:(a b)^2"],
        ["should", "x"],
      ],
    ],
  ])("%s", (query, expected) => {
    expect(occurs(query)).toEqual(expected);
  });
});

describe("terms", () => {
  const only = (q: string) => parse(q).clauses[0]!.node as TermNode;
  it("keeps escapes out of text and fields, and splits wildcards at unescaped stars", () => {
    expect(only("process.command_line:*g+s\\**")).toMatchObject({
      kind: "wildcard",
      field: { name: "process.command_line" },
      parts: ["", "g+s*", ""],
    });
    expect(only("user.\\*:a\\:b")).toMatchObject({ kind: "word", field: { name: "user.*" }, text: "a:b" });
    expect(only('message:"a \\"b\\""~2^3')).toMatchObject({ kind: "phrase", text: 'a "b"', tilde: "2" });
    expect(only("x:/ab[c]+/")).toMatchObject({ kind: "regex", text: "ab[c]+" });
    expect(only("a-b+c")).toMatchObject({ kind: "word", text: "a-b+c" });
  });
  it("reads ranges with either bracket and * as unbounded", () => {
    const node = parse('event.code:{1 TO *] "x"').clauses[0]!.node;
    expect(node).toMatchObject({
      type: "range",
      lower: "1",
      upper: null,
      includeLower: false,
      includeUpper: true,
    });
  });
  it("gives every node its span, field groups included", () => {
    const q = "a:1 AND b:(c OR d)";
    const group = parse(q).clauses[1]!.node;
    expect(q.slice(group.span.start, group.span.end)).toBe("b:(c OR d)");
    expect(fieldsOf(parse(q)).map((f) => [f.name, q.slice(f.span.start, f.span.end)])).toEqual([
      ["a", "a"],
      ["b", "b"],
    ]);
  });
});

describe("syntax errors carry an offset, line and column", () => {
  it.each([
    ["a AND", 5, /end of the query/],
    ["a:(b", 4, /"\)"/],
    ['x:"open', 2, /unterminated phrase/],
    ["source.ip:10.0.0.0/8", 18, /unterminated regular expression/],
    ["a:[1 TO 2", 9, /closes with/],
    ["process.*:x", 0, /escape the wildcard/],
    ["a:b^x", 4, /boost/],
    ["a ) b", 2, /unexpected "\)"/],
    ["a\nAND :b", 6, /expected a term/],
  ])("%j", (query, offset, message) => {
    try {
      parse(query);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LuceneSyntaxError);
      expect((error as LuceneSyntaxError).offset).toBe(offset);
      expect((error as LuceneSyntaxError).message).toMatch(message);
    }
  });
  it("line and column count from 1", () => {
    const error = (() => {
      try {
        parse("a\nAND :b");
      } catch (e) {
        return e as LuceneSyntaxError;
      }
    })()!;
    expect([error.line, error.column]).toEqual([2, 5]);
  });
});

describe("Elastic's prebuilt Lucene rules parse", () => {
  // elastic/detection-rules rules/_deprecated/privilege_escalation_setgid_bit_set_via_chmod.toml (the only rule
  // with language = "lucene" in the repository): lowercase `or` is a term, `/…/` a regex, `g+s` one term.
  const query =
    "event.category:process AND event.type:(start or process_started) AND process.name:chmod AND process.args:(g+s OR /2[0-9]{3}/) AND NOT user.name:root";
  it("setgid bit set via chmod", () => {
    const root: BoolNode = parse(query);
    expect(root.clauses.map((c) => c.occur)).toEqual(["must", "must", "must", "must", "must_not"]);
    expect(fieldsOf(root).map((f) => f.name)).toEqual([
      "event.category",
      "event.type",
      "process.name",
      "process.args",
      "user.name",
    ]);
    // With split_on_whitespace off, `start or process_started` is one text: on keyword `event.type` the single
    // term "start or process_started", which no event has (checked on a node in node.test.ts's table).
    const group = root.clauses[1]!.node;
    expect(group.type === "group" && group.query.clauses.map((c) => (c.node as TermNode).text)).toEqual([
      "start or process_started",
    ]);
  });
});
