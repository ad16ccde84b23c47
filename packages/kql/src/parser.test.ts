import { describe, expect, it } from "vitest";
import type { KqlNode } from "./ast.js";
import { KqlSyntaxError } from "./errors.js";
import { parse } from "./parser.js";
import { shape } from "./test-support/shape.js";

function syntaxError(query: string, options?: { allowLeadingWildcards?: boolean }): KqlSyntaxError {
  try {
    parse(query, options);
  } catch (error) {
    if (error instanceof KqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(query)}`);
}

// The grammar's behaviour, case by case (Kibana's ast.test.ts and the reference's lexical facts).
const accepted: [query: string, shape: string][] = [
  ["", "matchAll"],
  ["  ", "matchAll"],
  ["*:*", "matchAll"],
  [" * : * ", "matchAll"],
  ["foo", "is(null, 'foo')"],
  ["  foo ", "is(null, 'foo')"],
  ["foo bar", "is(null, 'foo bar')"],
  ["foo and bar", "and(is(null, 'foo'), is(null, 'bar'))"],
  ["foo and\u00a0bar", "and(is(null, 'foo'), is(null, 'bar'))"],
  ["foo or bar", "or(is(null, 'foo'), is(null, 'bar'))"],
  ["foo and bar and baz", "and(is(null, 'foo'), is(null, 'bar'), is(null, 'baz'))"],
  ["foo or bar or baz", "or(is(null, 'foo'), is(null, 'bar'), is(null, 'baz'))"],
  ["not (foo or bar)", "not(or(is(null, 'foo'), is(null, 'bar')))"],
  [
    "foo or bar and baz or qux",
    "or(is(null, 'foo'), and(is(null, 'bar'), is(null, 'baz')), is(null, 'qux'))",
  ],
  ["(foo or bar) and baz", "and(or(is(null, 'foo'), is(null, 'bar')), is(null, 'baz'))"],
  ["a:x OR a:y AND NOT b:z", "or(is(a, 'x'), and(is(a, 'y'), not(is(b, 'z'))))"],
  ["a:b AnD c:d oR NoT e:f", "or(and(is(a, 'b'), is(c, 'd')), not(is(e, 'f')))"],
  ["foo:bar", "is(foo, 'bar')"],
  ["foo:bar baz", "is(foo, 'bar baz')"],
  ['foo:"bar baz"', 'is(foo, "bar baz")'],
  ["foo:(bar or baz)", "or(is(foo, 'bar'), is(foo, 'baz'))"],
  ["foo:((bar or baz) and not qux)", "and(or(is(foo, 'bar'), is(foo, 'baz')), not(is(foo, 'qux')))"],
  ["a:(b or c and not d)", "or(is(a, 'b'), and(is(a, 'c'), not(is(a, 'd'))))"],
  ["a:(not (not b))", "not(not(is(a, 'b')))"],
  ["bytes > 1000 and bytes < 8000", "and(range(bytes gt '1000'), range(bytes lt '8000'))"],
  ["bytes >= 1000 and bytes <= 8000", "and(range(bytes gte '1000'), range(bytes lte '8000'))"],
  ["a<b", "range(a lt 'b')"],
  ['a >= "2020-01-01T00:00:00"', 'range(a gte "2020-01-01T00:00:00")'],
  ["a > true", "range(a gt true)"],
  ["a > 5*", "range(a gt '5*')"],
  ["machine*:osx", 'is(~["machine",""], \'osx\')'],
  ["*:foo", 'is(~["",""], \'foo\')'],
  ['"*":*', 'is("*", ~["",""])'],
  ["foo:ba*", 'is(foo, ~["ba",""])'],
  ["foo:*", 'is(foo, ~["",""])'],
  ["foo:**", 'is(foo, ~["","",""])'],
  ["nestedField:{ childOfNested: foo }", "nested(nestedField, is(childOfNested, 'foo'))"],
  [
    "response:200 and nestedField:{ childOfNested:foo or childOfNested:bar }",
    "and(is(response, '200'), nested(nestedField, or(is(childOfNested, 'foo'), is(childOfNested, 'bar'))))",
  ],
  [
    "response:200 and ( nestedField:{ childOfNested:foo } or nestedField:{ childOfNested:bar } )",
    "and(is(response, '200'), or(nested(nestedField, is(childOfNested, 'foo')), nested(nestedField, is(childOfNested, 'bar'))))",
  ],
  [
    "nestedField:{ nestedChild:{ doublyNestedChild:foo } }",
    "nested(nestedField, nested(nestedChild, is(doublyNestedChild, 'foo')))",
  ],
  ["a:{ *:* }", "nested(a, matchAll)"],
  // Values are strings; only unquoted true/false/null become JSON values.
  ["a:1", "is(a, '1')"],
  ["a:-5", "is(a, '-5')"],
  ["a:070", "is(a, '070')"],
  ["a:0.0", "is(a, '0.0')"],
  ["a:true", "is(a, true)"],
  ["a:false", "is(a, false)"],
  ["a:null", "is(a, null)"],
  ['a:"true"', 'is(a, "true")'],
  ["a:True", "is(a, 'True')"],
  ["true:x", "is(true, 'x')"],
  ["null:x", "is(null, 'x')"],
  ['"null":x', "is(\"null\", 'x')"],
  ["null > 1", "range(null gt '1')"],
  // `?` is not a wildcard.
  ["a:foo?bar", "is(a, 'foo?bar')"],
  // A trailing and/or with nothing after it is part of the value.
  ["a:x or", "is(a, 'x or')"],
  ["a:x and", "is(a, 'x and')"],
  ["a:x not", "is(a, 'x not')"],
  ["a:x  or b:y", "or(is(a, 'x'), is(b, 'y'))"],
  ["a:x orb", "is(a, 'x orb')"],
  ["nothing", "is(null, 'nothing')"],
  ["a:x\nand\nnot", "and(is(a, 'x'), is(null, 'not'))"],
  ["not:x", "is(not, 'x')"],
  ["a:knot", "is(a, 'knot')"],
  // Escapes in unquoted values.
  ["a:x\\:y", "is(a, 'x:y')"],
  ["a:foo\\*bar", "is(a, 'foo*bar')"],
  ['a:\\\\\\(\\)\\:\\<\\>\\"\\*\\{\\}', "is(a, '\\\\():<>\\\"*{}')"],
  ["a:\\u0041\\u00e9", "is(a, 'Aé')"],
  ["a:x\\ty\\rz\\n", "is(a, 'x\\ty\\rz')"],
  ["a:\\or \\and \\NOT", "is(a, 'or and NOT')"],
  ["a:x \\or y", "is(a, 'x or y')"],
  // `\n` is tried before the escaped keyword `\not`: this is a newline, then "ot", and the newline is trimmed.
  ["a:\\not b", "is(a, 'ot b')"],
  ["a:\\t", "is(a, '')"],
  ["a:\\\\u00A0", "is(a, '\\\\u00A0')"],
  // Escapes in quoted values: only \" \\ \t \r \n \uXXXX; other backslashes are kept.
  ['a:"\\\\():<>\\"*"', 'is(a, "\\\\():<>\\"*")'],
  ['a:"\\\\"', 'is(a, "\\\\")'],
  ['a:"x\\ty\\u0041\\q"', 'is(a, "x\\tyA\\\\q")'],
  ['a:"\\\\u00A0"', 'is(a, "\\\\u00A0")'],
  ['a:"line\nbreak"', 'is(a, "line\\nbreak")'],
  ['a:"foo*bar"', 'is(a, "foo*bar")'],
  // Field names: quoted, escaped, wildcarded, with spaces.
  ['"quoted field":x', "is(\"quoted field\", 'x')"],
  ["a\\:b:x", "is(a:b, 'x')"],
  ["a\\*:x", "is(a*, 'x')"],
  ["foo bar:x", "is(foo bar, 'x')"],
  [
    "kubernetes.audit.annotations.authorization_k8s_io/decision:allow",
    "is(kubernetes.audit.annotations.authorization_k8s_io/decision, 'allow')",
  ],
  // Whitespace: space, tab, CR, LF and NBSP, anywhere between tokens.
  ["\t a\u00a0:\u00a0b \r\n", "is(a, 'b')"],
  ["a:x\nor\nb:y", "or(is(a, 'x'), is(b, 'y'))"],
  ["( a:b )", "is(a, 'b')"],
  ["a:( b or c )", "or(is(a, 'b'), is(a, 'c'))"],
];

const seedSelfSubjectReview = `event.dataset : "kubernetes.audit_logs"
  and kubernetes.audit.annotations.authorization_k8s_io/decision:"allow"
  and kubernetes.audit.verb:"create"
  and kubernetes.audit.objectRef.resource:("selfsubjectaccessreviews" or "selfsubjectrulesreviews")
  and (kubernetes.audit.user.username:(system\\:serviceaccount\\:* or system\\:node\\:*)
  or kubernetes.audit.impersonatedUser.username:(system\\:serviceaccount\\:* or system\\:node\\:*))`;

describe("parse: the seed rules", () => {
  it("parses the self-subject review query into flat and/or with expanded value lists", () => {
    const user = (f: string) =>
      `or(is(${f}, ~["system:serviceaccount:",""]), is(${f}, ~["system:node:",""]))`;
    expect(shape(parse(seedSelfSubjectReview))).toBe(
      `and(is(event.dataset, "kubernetes.audit_logs"), ` +
        `is(kubernetes.audit.annotations.authorization_k8s_io/decision, "allow"), ` +
        `is(kubernetes.audit.verb, "create"), ` +
        `or(is(kubernetes.audit.objectRef.resource, "selfsubjectaccessreviews"), ` +
        `is(kubernetes.audit.objectRef.resource, "selfsubjectrulesreviews")), ` +
        `or(${user("kubernetes.audit.user.username")}, ${user("kubernetes.audit.impersonatedUser.username")}))`,
    );
  });
});

describe("parse: Kibana's grammar", () => {
  for (const [query, expected] of accepted) {
    it(`${JSON.stringify(query)} → ${expected}`, () => {
      expect(shape(parse(query))).toBe(expected);
    });
  }
});

// Kibana's own syntax-error tests (kuery_syntax_error.test.ts) and the reference's gotchas. The expectation
// lists follow peggy with Kibana's `cache: true`: a rule evaluated first inside a named rule stays silent.
const rejected: [query: string, offset: number, message: string][] = [
  ["response:", 9, 'Expected "(", "{", value, whitespace but end of input found.'],
  ["response:200 or ", 16, 'Expected "(", NOT, field name, value but end of input found.'],
  ["response:(200 or )", 17, 'Expected "(", NOT, value but ")" found.'],
  ["response:200 and not ", 21, 'Expected "(", field name, value but end of input found.'],
  ["response:(200 and not )", 22, 'Expected "(", value but ")" found.'],
  ['foo:"ba ', 4, 'Expected "(", "{", value, whitespace but """ found.'],
  ['foo:"ba "r"', 9, 'Expected AND, OR, end of input but "r" found.'],
  ["foo:ba:r", 6, 'Expected AND, OR, end of input but ":" found.'],
  ["foo > ", 6, "Expected literal, whitespace but end of input found."],
  ["< 1000", 0, 'Expected "(", NOT, end of input, field name, value, whitespace but "<" found.'],
  // The reference (run without peggy's cache) also lists "whitespace" here; Kibana caches, as `foo:"ba "r"` shows.
  ["message:cannot find", 11, 'Expected AND, OR, end of input but "n" found.'],
  ["a:knot b", 3, 'Expected AND, OR, end of input but "n" found.'],
  ["not not a:b", 4, 'Expected "(", field name, value but "n" found.'],
  ["a:x or ", 7, 'Expected "(", NOT, field name, value but end of input found.'],
  ["a >= 2020-01-01T00:00:00", 18, 'Expected AND, OR, end of input but ":" found.'],
  ["a:<b", 2, 'Expected "(", "{", value, whitespace but "<" found.'],
  ["a:{}", 3, 'Expected "(", NOT, field name, value, whitespace but "}" found.'],
  ["a:{ b:c ", 8, 'Expected "}", AND, OR but end of input found.'],
  ["(a:b", 4, 'Expected ")", AND, OR but end of input found.'],
  ["(a:b)x", 5, 'Expected AND, OR, end of input but "x" found.'],
  ["a:*:*", 3, 'Expected AND, OR, end of input but ":" found.'],
  ["a:b)", 3, 'Expected AND, OR, end of input but ")" found.'],
  ["a:foo\\qbar", 5, 'Expected AND, OR, end of input but "\\" found.'],
  ["a:\\u00zz", 2, 'Expected "(", "{", value, whitespace but "\\" found.'],
  ['"a" "b"', 4, 'Expected ":", "<", "<=", ">", ">=", end of input, whitespace but """ found.'],
];

describe("parse: syntax errors like Kibana's", () => {
  for (const [query, offset, message] of rejected) {
    it(JSON.stringify(query), () => {
      const error = syntaxError(query);
      expect(error.offset).toBe(offset);
      expect(error.message).toBe(message);
      expect(error.found).toBe(offset < query.length ? query[offset] : null);
      expect(error.name).toBe("KqlSyntaxError");
    });
  }

  it("reports expectations as a list and the full message with a caret", () => {
    const error = syntaxError("foo:ba:r");
    expect(error.expected).toEqual(["AND", "OR", "end of input"]);
    expect(error.detail).toBe('Expected AND, OR, end of input but ":" found.\nfoo:ba:r\n------^');
  });

  it("gives 1-based line and column inside multi-line queries", () => {
    const error = syntaxError('event.dataset: "x"\n  and a:b\n  and c:d e:f');
    expect([error.line, error.column]).toEqual([3, 12]);
    expect(syntaxError("a:").line).toBe(1);
    expect(syntaxError("a:").column).toBe(3);
  });

  it("rejects leading wildcards only when they are disabled, and never a lone *", () => {
    expect(shape(parse("a:*foo"))).toBe('is(a, ~["","foo"])');
    const error = syntaxError("a:b and c:*foo", { allowLeadingWildcards: false });
    expect(error.message).toBe(
      "Leading wildcards are disabled. See query:allowLeadingWildcards in Advanced Settings.",
    );
    expect(error.offset).toBe(10);
    expect(error.expected).toEqual([]);
    expect(shape(parse("a:* and *", { allowLeadingWildcards: false }))).toBe(
      'and(is(a, ~["",""]), is(null, ~["",""]))',
    );
    expect(() => parse("*foo", { allowLeadingWildcards: false })).toThrow(KqlSyntaxError);
    expect(() => parse("a:**", { allowLeadingWildcards: false })).toThrow(KqlSyntaxError);
    expect(shape(parse("*foo:x", { allowLeadingWildcards: false }))).toBe('is(~["","foo"], \'x\')');
  });

  it("reports absurd nesting as a syntax error instead of overflowing the stack", () => {
    const deep = `${"(".repeat(100_000)}a:b${")".repeat(100_000)}`;
    expect(syntaxError(deep).message).toBe("The query is nested more than 100 levels deep.");
    expect(syntaxError(deep).offset).toBe(100);
    expect(shape(parse(`${"(".repeat(100)}a:b${")".repeat(100)}`))).toBe("is(a, 'b')");
  });

  it("keeps working after an error (no state leaks between calls)", () => {
    expect(() => parse("a:(")).toThrow(KqlSyntaxError);
    expect(shape(parse("a:b"))).toBe("is(a, 'b')");
  });
});

describe("parse: spans", () => {
  const text = (query: string, node: { span: { start: number; end: number } }) =>
    query.slice(node.span.start, node.span.end);

  it("gives every node its exact source range", () => {
    const q = ' event.dataset : "kubernetes.audit_logs"  and (a:x  or not b > 5) and c:{ d:(e or f) } ';
    const ast = parse(q);
    if (ast.type !== "and") throw new Error("expected and");
    expect(text(q, ast)).toBe(
      'event.dataset : "kubernetes.audit_logs"  and (a:x  or not b > 5) and c:{ d:(e or f) }',
    );
    const [first, second, third] = ast.children as [KqlNode, KqlNode, KqlNode];
    if (first.type !== "is" || second.type !== "or" || third.type !== "nested") throw new Error("shape");
    expect(text(q, first)).toBe('event.dataset : "kubernetes.audit_logs"');
    expect(text(q, first.field!)).toBe("event.dataset");
    expect(text(q, first.value)).toBe('"kubernetes.audit_logs"');
    expect(text(q, second)).toBe("a:x  or not b > 5");
    const [ax, notB] = second.children as [KqlNode, KqlNode];
    expect(text(q, ax)).toBe("a:x");
    expect(text(q, notB)).toBe("not b > 5");
    if (notB.type !== "not") throw new Error("shape");
    expect(text(q, notB.child)).toBe("b > 5");
    expect(text(q, third)).toBe("c:{ d:(e or f) }");
    expect(text(q, third.path)).toBe("c");
    const list = third.child;
    if (list.type !== "or") throw new Error("shape");
    expect(text(q, list)).toBe("d:(e or f)");
    expect(list.children.map((c) => text(q, c))).toEqual(["e", "f"]);
  });

  it("spans a value list's not and a parenthesised value", () => {
    const q = "a:(not b) and c:(d)";
    const ast = parse(q);
    if (ast.type !== "and") throw new Error("shape");
    expect(ast.children.map((c) => text(q, c))).toEqual(["a:(not b)", "c:(d)"]);
  });

  it("covers the whole query for the empty query", () => {
    expect(parse("   ").span).toEqual({ start: 0, end: 3 });
  });
});
