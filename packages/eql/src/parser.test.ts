// Syntax cases follow Elasticsearch's grammar, x-pack/plugin/eql/src/main/antlr/EqlBase.g4, and the messages of
// its AST builders (x-pack/plugin/eql/src/main/java/org/elasticsearch/xpack/eql/parser/LogicalPlanBuilder.java,
// AbstractBuilder.java, EqlParser.java).
import { describe, expect, it } from "vitest";
import { EqlSyntaxError, parse, parseExpression, print, printExpression } from "./index.js";

const valid: [string, string][] = [
  ['process where process.name == "cmd.exe"', 'process where process.name == "cmd.exe"'],
  ["any where true", "any where true"],
  ['"network" where x == 1', "network where x == 1"],
  ['process where a : "x*" and b : ("y", "z*")', 'process where a : "x*" and b : ("y", "z*")'],
  ['process where a like~ "x*" or b regex~ "[a-z]+"', 'process where a like~ "x*" or b regex~ "[a-z]+"'],
  [
    'process where a in ("x", "y") and b not in (1, 2) and c in~ ("Z")',
    'process where a in ("x", "y") and b not in (1, 2) and c in~ ("Z")',
  ],
  ["process where not (a == 1 or b == 2)", "process where not (a == 1 or b == 2)"],
  ["process where ?x.y != null", "process where ?x.y != null"],
  ["process where `my field`.sub == 1", "process where `my field`.sub == 1"],
  ['process where a == """C:\\raw\\path"""', 'process where a == """C:\\raw\\path"""'],
  ['process where a == "tab\\tquote\\"q"', 'process where a == "tab\\tquote\\"q"'],
  ["process where a + 2 * b > -3", "process where a + 2 * b > -3"],
  ["process where (a + 2) * b >= 1.5e3", "process where (a + 2) * b >= 1.5e3"],
  [
    'process where startsWith~(a, "x") and length(b) < 5',
    'process where startsWith~(a, "x") and length(b) < 5',
  ],
  [
    "process where a == 1 // comment\n and /* block /* nested */ */ b == 2",
    "process where a == 1 and b == 2",
  ],
  [
    "sequence by host.id with maxspan=30s [process where a == 1] by user.name [file where b == 2] by user.name until [process where c == 3] by user.name",
    "sequence by host.id with maxspan=30s\n  [process where a == 1] by user.name\n  [file where b == 2] by user.name\nuntil [process where c == 3] by user.name",
  ],
  ["sequence [process where true] with runs=2", "sequence\n  [process where true] with runs=2"],
  [
    "sequence by h [a where true] ![b where true] [c where true]",
    "sequence by h\n  [a where true]\n  ![b where true]\n  [c where true]",
  ],
  [
    "sample by host.id [any where a == 1] [any where b == 2]",
    "sample by host.id\n  [any where a == 1]\n  [any where b == 2]",
  ],
  ["process where true | head 5 | tail 2", "process where true\n| head 5\n| tail 2"],
  ["process where event.sequence == 1", "process where event.sequence == 1"],
];

describe("parse and print", () => {
  it.each(valid)("%s", (query, printed) => {
    const ast = parse(query);
    expect(print(ast)).toBe(printed);
    expect(print(parse(print(ast)))).toBe(printed);
  });

  it("gives every node a span covering its text", () => {
    const q = 'process where a : "x*" and length(b) == 2';
    const ast = parse(q);
    expect(ast.span).toEqual({ start: 0, end: q.length });
    if (ast.body.type !== "event") throw new Error("event");
    const cond = ast.body.condition;
    if (cond.type !== "and") throw new Error("and");
    expect(q.slice(cond.left.span.start, cond.left.span.end)).toBe('a : "x*"');
    expect(q.slice(cond.right.span.start, cond.right.span.end)).toBe("length(b) == 2");
  });

  it("keeps operator precedence: not > and > or", () => {
    const e = parseExpression("not a == 1 and b == 2 or c == 3");
    expect(e.type).toBe("or");
    expect(printExpression(e)).toBe("not a == 1 and b == 2 or c == 3");
  });
});

const errors: [string, string][] = [
  // EqlParser.PostProcessor.exitProcessCheck
  ["process where descendant of [process where a == 1]", "Process relationships are not supported"],
  // EqlParser.PostProcessor.exitQualifiedName
  ["process where a[0] == 1", "Array indexes are not supported"],
  // LogicalPlanBuilder.pipe
  ["process where true | unique a", "Pipe [unique] is not supported"],
  ["process where true | count", "Pipe [count] is not supported"],
  ["process where true | heda 3", "Unrecognized pipe [heda], did you mean [head]?"],
  ["process where true | head", "Pipe [head] expects exactly one argument but found [0]"],
  ["process where true | head a", "Pipe [head] expects a positive integer but found [a]"],
  // LogicalPlanBuilder.visitSequenceParams
  [
    "sequence with maxspan=5 [a where true] [b where true]",
    "No time unit specified, did you mean [s] as in [5s]?",
  ],
  [
    "sequence with maxspan=5y [a where true] [b where true]",
    "Unrecognized time unit [y] in [5y], please specify one of [ms, s, m, h, d]",
  ],
  [
    "sequence with maxspan=0s [a where true] [b where true]",
    "A positive maxspan value is required; found [0]",
  ],
  [
    "sequence with maxspan=1.5s [a where true] [b where true]",
    "Decimal time interval [1.5] not supported; please use an positive integer",
  ],
  // LogicalPlanBuilder.visitSequence
  [
    "sequence with maxspan=1s by a [x where true] [y where true]",
    "Please specify sequence [by] before [with] not after",
  ],
  [
    "sequence [x where true] by a [y where true]",
    "Inconsistent number of join keys specified; expected [1] but found [0]",
  ],
  ["sequence [x where true]", "A sequence requires a minimum of 2 queries, found [1]"],
  // AbstractBuilder.unquoteString
  ["process where a == 'x'", `Use double quotes ["] to define string literals, not single quotes [']`],
  ['process where a == ?"x"', `Use triple double quotes ["""] to define unescaped string literals, not [?"]`],
  ["process where a = 1", "mismatched input '=' expecting {'==', '!=', '<', '<=', '>', '>='}"],
  ["process where a == ", "mismatched input <EOF> expecting"],
  ['process where a == "unterminated', "token recognition error at"],
  ['process where a == "bad \\d escape"', "token recognition error at"],
  ["process a == 1", "mismatched input 'a' expecting 'where'"],
  ["join [a where true] [b where true]", "Join is not supported"],
];

describe("syntax errors", () => {
  it.each(errors)("%s", (query, message) => {
    let error: unknown;
    try {
      parse(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EqlSyntaxError);
    expect((error as EqlSyntaxError).message).toContain(message);
    const { offset, end } = error as EqlSyntaxError;
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(end).toBeLessThanOrEqual(query.length);
  });

  it("reports line and column", () => {
    try {
      parse("process where\n  a == 'x'");
      expect.unreachable();
    } catch (e) {
      expect((e as EqlSyntaxError).line).toBe(2);
      expect((e as EqlSyntaxError).column).toBe(8);
    }
  });
});
