import { describe, expect, it } from "vitest";
import type { KqlNode } from "./ast.js";
import { parse } from "./parser.js";
import { fieldsOf, visit } from "./walk.js";

describe("fieldsOf", () => {
  const cases: [query: string, fields: [name: string, text: string, node: KqlNode["type"]][]][] = [
    [
      "host.name: foo and user.id: 1",
      [
        ["host.name", "host.name", "is"],
        ["user.id", "user.id", "is"],
      ],
    ],
    [
      "a:1 and top:{ b:2 and middle:{ c:true } }",
      [
        ["a", "a", "is"],
        ["top", "top", "nested"],
        ["top.b", "b", "is"],
        ["top.middle", "middle", "nested"],
        ["top.middle.c", "c", "is"],
      ],
    ],
    ["a:(x or y or not z)", [["a", "a", "is"]]],
    [
      '"quoted name":x and b > 5 and machine*:osx',
      [
        ["quoted name", '"quoted name"', "is"],
        ["b", "b", "range"],
        ["machine*", "machine*", "is"],
      ],
    ],
    ["free text and *:*", []],
    [
      "a:x and a:y",
      [
        ["a", "a", "is"],
        ["a", "a", "is"],
      ],
    ],
  ];
  for (const [query, expected] of cases) {
    it(query, () => {
      const got = fieldsOf(parse(query)).map((f) => [
        f.name,
        query.slice(f.span.start, f.span.end),
        f.node.type,
      ]);
      expect(got).toEqual(expected);
    });
  }
});

describe("visit", () => {
  it("visits parents before children with the nested path and negation", () => {
    const seen: string[] = [];
    visit(parse("not (a:1 or n:{ b:2 and not m:{ c:3 } })"), (node, ctx) => {
      const label = node.type === "is" ? `is ${node.field?.name}` : node.type;
      seen.push(
        `${label} parent=${ctx.parent?.type ?? "-"} path=${ctx.nestedPath ?? "-"} neg=${ctx.negated}`,
      );
    });
    expect(seen).toEqual([
      "not parent=- path=- neg=false",
      "or parent=not path=- neg=true",
      "is a parent=or path=- neg=true",
      "nested parent=or path=- neg=true",
      "and parent=nested path=n neg=true",
      "is b parent=and path=n neg=true",
      "not parent=and path=n neg=true",
      "nested parent=not path=n neg=false",
      "is c parent=nested path=n.m neg=false",
    ]);
  });

  it("skips a node's children when the callback returns false", () => {
    const seen: string[] = [];
    visit(parse("a:1 and n:{ b:2 }"), (node) => {
      seen.push(node.type);
      return node.type !== "nested";
    });
    expect(seen).toEqual(["and", "is", "nested"]);
  });
});
