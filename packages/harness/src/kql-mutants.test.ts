import { describe, expect, it } from "vitest";
import { parse, print } from "@dac/kql";
import { mutateKql } from "./kql-mutants.js";

const mutants = (query: string) => mutateKql(parse(query), print).map((m) => [m.operator, print(m.ast)]);

describe("mutateKql", () => {
  it("drops each clause and swaps and/or", () => {
    expect(
      mutants("a:1 and (b:2 or c:3)").filter(([op]) => op === "drop-clause" || op === "swap-and-or"),
    ).toEqual([
      ["drop-clause", "b:2 or c:3"],
      ["drop-clause", "a:1"],
      ["swap-and-or", "a:1 or (b:2 or c:3)"],
      ["drop-clause", "a:1 and c:3"],
      ["drop-clause", "a:1 and b:2"],
      ["swap-and-or", "a:1 and (b:2 and c:3)"],
    ]);
  });

  it("removes a not", () => {
    expect(mutants("not a:x").filter(([op]) => op === "remove-not")).toEqual([["remove-not", "a:x"]]);
  });

  it.each([
    ['verb:"create"', [["change-literal", 'verb:"create_mutant"']]],
    ["flag:true", [["change-literal", "flag:false"]]],
    ["code:403", [["change-literal", "code:404"]]],
    ["bytes > 10", [["change-literal", "bytes > 11"]]],
    ["f:null", []],
    ["f:*", []],
  ])("changes the literal of %s", (query, expected) => {
    expect(mutants(query)).toEqual(expected);
  });

  it("widens a wildcard to exists and to a shorter prefix", () => {
    expect(mutants("user:system\\:serviceaccount\\:*")).toEqual([
      ["change-literal", "user:system\\:serviceaccount\\:_mutant*"],
      ["widen-wildcard", "user:*"],
      ["widen-wildcard", "user:system\\:serviceaccount*"],
    ]);
  });

  it("mutates inside nested groups and keeps the rest of the tree shared", () => {
    const ast = parse("a:1 and n:{ b:2 }");
    const all = mutateKql(ast, print);
    expect(all.map((m) => print(m.ast))).toContain("a:1 and n:{ b:3 }");
    const dropNested = all.find((m) => m.operator === "drop-clause" && print(m.ast) === "a:1")!;
    expect(dropNested.description).toBe("dropped `n:{ b:2 }`");
    expect(dropNested.span).toEqual({ start: 8, end: 17 });
    expect(print(ast)).toBe("a:1 and n:{ b:2 }");
  });

  it("describes each change in KQL", () => {
    const [first] = mutateKql(parse('verb:"create"'), print);
    expect(first!.description).toBe('`verb:"create"` became `verb:"create_mutant"`');
  });
});
