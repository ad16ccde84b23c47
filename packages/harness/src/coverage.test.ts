import { describe, expect, it } from "vitest";
import { measureCoverage } from "./coverage.js";
import type { ClauseTree } from "./engine.js";

// A tiny tree builder: leaves test `event[field] === value`.
const span = { start: 0, end: 0 };
const leaf = (field: string, value: string): ClauseTree => ({
  kind: "leaf",
  text: `${field}:${value}`,
  span,
  test: (event) => event[field] === value,
});
const and = (...children: ClauseTree[]): ClauseTree => ({ kind: "and", children, text: "and", span });
const or = (...children: ClauseTree[]): ClauseTree => ({ kind: "or", children, text: "or", span });
const not = (child: ClauseTree): ClauseTree => ({ kind: "not", child, text: `not ${child.text}`, span });

const texts = <T extends { node: ClauseTree }>(items: T[], pick: (i: T) => boolean) =>
  items.filter(pick).map((i) => i.node.text);

describe("measureCoverage", () => {
  // verb:create and (user:sa or user:node)
  const tree = and(leaf("verb", "create"), or(leaf("user", "sa"), leaf("user", "node")));

  it("counts the branches a positive went through and the clauses that rejected negatives", () => {
    const c = measureCoverage(
      tree,
      [{ verb: "create", user: "sa" }],
      [
        { verb: "get", user: "sa" },
        { verb: "create", user: "human" },
      ],
    );
    expect(c.branches.map((b) => [b.node.text, b.positives])).toEqual([
      ["user:sa", 1],
      ["user:node", 0],
    ]);
    expect(c.branchPercent).toBe(50);
    expect(c.clauses.map((k) => [k.node.text, k.positives, k.negatives])).toEqual([
      ["verb:create", 1, 1],
      ["user:sa", 1, 1],
      ["user:node", 0, 1],
    ]);
  });

  it("reaches 100% when every alternative has a positive", () => {
    const c = measureCoverage(
      tree,
      [
        { verb: "create", user: "sa" },
        { verb: "create", user: "node" },
      ],
      [],
    );
    expect(c.branchPercent).toBe(100);
    expect(texts(c.branches, (b) => b.positives === 0)).toEqual([]);
  });

  it("ignores positives that did not match and negatives that did", () => {
    const c = measureCoverage(tree, [{ verb: "get", user: "sa" }], [{ verb: "create", user: "node" }]);
    expect(c.branches.every((b) => b.positives === 0)).toBe(true);
    expect(c.clauses.every((k) => k.positives === 0 && k.negatives === 0)).toBe(true);
  });

  it("treats an and under not as alternatives taken when false", () => {
    // not (user:sa and verb:get): matches when either side is false.
    const negated = not(and(leaf("user", "sa"), leaf("verb", "get")));
    const c = measureCoverage(negated, [{ user: "human", verb: "get" }], [{ user: "sa", verb: "get" }]);
    expect(c.branches.map((b) => [b.node.text, b.positives])).toEqual([
      ["user:sa", 1],
      ["verb:get", 0],
    ]);
    // The negative is rejected by both clauses together.
    expect(c.clauses.map((k) => [k.node.text, k.negatives])).toEqual([
      ["user:sa", 1],
      ["verb:get", 1],
    ]);
  });

  it("does not count an or under not as alternatives", () => {
    const c = measureCoverage(not(or(leaf("a", "1"), leaf("b", "1"))), [{}], []);
    expect(c.branches).toEqual([]);
    expect(c.branchPercent).toBe(100);
    expect(c.clauses.map((k) => k.positives)).toEqual([1, 1]);
  });
});
