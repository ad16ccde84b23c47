import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldNode, KqlNode, LiteralNode, Span, ValueNode } from "./ast.js";
import { parse } from "./parser.js";
import { print } from "./print.js";
import { parserCases } from "./conformance/parser.cases.js";
import { stripSpans } from "./test-support/shape.js";

const span: Span = { start: 0, end: 0 };

// Text built from pieces that stress the escaping: specials, whitespace kinds, keywords in every case.
const piece = fc.constantFrom(
  "a",
  "b",
  "x",
  "1",
  "é",
  "😀",
  "-",
  "/",
  ".",
  "?",
  " ",
  " ",
  "\t",
  "\n",
  "\r",
  "\u00a0",
  "\u2003",
  "or",
  "and",
  "not",
  "OR",
  "And",
  "NOT",
  "Not",
  "n",
  "true",
  "null",
  "\\",
  "(",
  ")",
  ":",
  "<",
  ">",
  '"',
  "*",
  "{",
  "}",
  "\\u0041",
  "\\n",
);
const anyText = fc.array(piece, { maxLength: 6 }).map((p) => p.join(""));
/** Text the parser can produce unquoted: Kibana trims unquoted values, and true/false/null become JSON values. */
const unquotedText = anyText.filter((t) => t === t.trim() && t !== "true" && t !== "false" && t !== "null");

/** Wildcard pieces: the first has no leading, the last no trailing whitespace (both are trimmed). */
const wildcardParts = fc
  .array(anyText, { minLength: 2, maxLength: 4 })
  .filter((parts) => parts[0] === parts[0]!.trimStart() && parts.at(-1) === parts.at(-1)!.trimEnd());

const literal: fc.Arbitrary<LiteralNode> = fc.oneof(
  anyText.map((value) => ({ type: "literal" as const, value, quoted: true, span })),
  unquotedText.map((value) => ({ type: "literal" as const, value, quoted: false, span })),
  fc
    .constantFrom(true, false, null)
    .map((value) => ({ type: "literal" as const, value, quoted: false, span })),
);

const value: fc.Arbitrary<ValueNode> = fc.oneof(
  literal,
  wildcardParts.map((parts) => ({ type: "wildcard" as const, parts, span })),
);

const field: fc.Arbitrary<FieldNode> = fc.oneof(
  anyText.map((name) => ({ type: "field" as const, name, wildcard: null, quoted: true, span })),
  unquotedText.map((name) => ({ type: "field" as const, name, wildcard: null, quoted: false, span })),
  fc
    .constantFrom("true", "false")
    .map((name) => ({ type: "field" as const, name, wildcard: null, quoted: false, span })),
  wildcardParts.map((parts) => ({
    type: "field" as const,
    name: parts.join("*"),
    wildcard: parts,
    quoted: false,
    span,
  })),
);

const lone = (parts: string[] | null) =>
  parts !== null && parts.length === 2 && parts[0] === "" && parts[1] === "";

/** An unquoted `null` field is "no field" in Kibana, and `*:*` is matchAll: neither is an `is` with that field. */
const isField = field.filter((f) => f.quoted || f.wildcard !== null || f.name !== "null");

function isNode(f: FieldNode | null, v: ValueNode): KqlNode {
  return { type: "is", field: f, value: v, span };
}

const isLeaf: fc.Arbitrary<KqlNode> = fc
  .tuple(fc.option(isField, { nil: null }), value)
  .filter(([f, v]) => !(f && lone(f.wildcard) && v.type === "wildcard" && lone(v.parts)))
  .map(([f, v]) => isNode(f, v));

const rangeLeaf: fc.Arbitrary<KqlNode> = fc
  .tuple(
    fc.oneof(
      field,
      fc.constant<FieldNode>({ type: "field", name: "null", wildcard: null, quoted: false, span }),
    ),
    fc.constantFrom("gt" as const, "gte" as const, "lt" as const, "lte" as const),
    literal,
  )
  .map(([f, operator, v]) => ({ type: "range", field: f, operator, value: v, span }));

const leaf = fc.oneof(isLeaf, isLeaf, rangeLeaf, fc.constant<KqlNode>({ type: "matchAll", span }));

/** A value list `f:(… or … and not …)`: a boolean tree whose leaves all compare the same field. */
function valueList(f: FieldNode): fc.Arbitrary<KqlNode> {
  const item = value
    .filter((v) => !(lone(f.wildcard) && v.type === "wildcard" && lone(v.parts)))
    .map((v) => isNode(f, v));
  return fc.letrec<{ list: KqlNode }>((tie) => ({
    list: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      item,
      fc
        .array(tie("list"), { minLength: 2, maxLength: 3 })
        .map((children) => ({ type: "or" as const, children, span })),
      fc
        .array(tie("list"), { minLength: 2, maxLength: 3 })
        .map((children) => ({ type: "and" as const, children, span })),
      tie("list").map((child) => ({ type: "not" as const, child, span })),
    ),
  })).list;
}

const tree = fc.letrec<{ node: KqlNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    isField.chain(valueList),
    fc
      .array(tie("node"), { minLength: 2, maxLength: 3 })
      .map((children) => ({ type: "or" as const, children, span })),
    fc
      .array(tie("node"), { minLength: 2, maxLength: 3 })
      .map((children) => ({ type: "and" as const, children, span })),
    tie("node").map((child) => ({ type: "not" as const, child, span })),
    fc.tuple(field, tie("node")).map(([path, child]) => ({ type: "nested" as const, path, child, span })),
  ),
})).node;

describe("print", () => {
  it("re-parses to the same tree for generated trees (fast-check)", () => {
    fc.assert(
      fc.property(tree, (ast) => {
        const text = print(ast);
        expect(stripSpans(parse(text))).toEqual(stripSpans(ast));
      }),
      { numRuns: 3000 },
    );
  });

  it("is canonical: printing the re-parsed tree gives the same text", () => {
    fc.assert(
      fc.property(tree, (ast) => {
        const text = print(ast);
        expect(print(parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips every accepted conformance query", () => {
    for (const c of parserCases.filter((p) => !p.error)) {
      const ast = parse(c.query);
      expect(stripSpans(parse(print(ast))), c.query).toEqual(stripSpans(ast));
    }
  });

  const canonical: [query: string, printed: string][] = [
    ["A:B AND C:D OR NOT (E:F or g:h)", "A:B and C:D or not (E:F or g:h)"],
    ["a:x or", "a:x \\or"],
    ["a:(b) and c:(d or e)", "a:b and c:(d or e)"],
    ["a:b or (a:c or a:d)", "a:(b or (c or d))"],
    ["(a:b or c:d) and e:f", "(a:b or c:d) and e:f"],
    ["not (not a:b)", "not (not a:b)"],
    ["not a:(b or c)", "not a:(b or c)"],
    ["a:(not (not b))", "not (not a:b)"],
    ["a:(b and not (not c))", "a:(b and not (not c))"],
    ['a : "x\\"y\\\\z" and "free text"', 'a:"x\\"y\\\\z" and "free text"'],
    ["a:x\\:y\\*z*", "a:x\\:y\\*z*"],
    ['"quoted field":x', '"quoted field":x'],
    ["a:\\u006eot found", "a:\\u006eot found"],
    ["a:\\NOT found", "a:\\NOT found"],
    ["a:knot", "a:k\\u006eot"],
    ["a:x\\ty", "a:x\\ty"],
    ["a:\\t", "a:\\t"],
    ["a:x\\u00a0y", "a:x\\u00a0y"],
    ["  ", "*:*"],
    ["bytes>=1000", "bytes >= 1000"],
    ["top:{a:hello and b:1}", "top:{ a:hello and b:1 }"],
    ["true:x and null:y", "true:x and y"],
  ];
  for (const [query, printed] of canonical) {
    it(`${JSON.stringify(query)} prints as ${JSON.stringify(printed)}`, () => {
      expect(print(parse(query))).toBe(printed);
    });
  }

  it("prints strings that only quotes can hold, rather than changing their meaning silently", () => {
    const lit = (v: string): KqlNode => ({
      type: "is",
      field: { type: "field", name: "a", wildcard: null, quoted: false, span },
      value: { type: "literal", value: v, quoted: false, span },
      span,
    });
    // An unquoted string "true" cannot come from the parser (it would be the boolean); it prints quoted.
    expect(print(lit("true"))).toBe('a:"true"');
    expect(() => print({ type: "and", children: [], span })).toThrow(/empty and/);
  });
});
