import { describe, expect, it } from "vitest";
import { mutations, parse, print } from "./index.js";

const variants = (q: string) => mutations(parse(q)).map((m) => `${m.operator}: ${print(m.query)}`);

describe("mutations", () => {
  it("swaps == for : and back, drops clauses, removes not, widens the category", () => {
    expect(variants('process where a == "x" and not b : "y"')).toEqual([
      'drop-clause: process where not b : "y"',
      'drop-clause: process where a == "x"',
      'swap-equals-match: process where a : "x" and not b : "y"',
      'remove-not: process where a == "x" and b : "y"',
      'swap-equals-match: process where a == "x" and not b == "y"',
      'any-category: any where a == "x" and not b : "y"',
    ]);
  });

  it("drops steps, widens and drops maxspan, drops until", () => {
    const ops = mutations(
      parse(
        "sequence by h with maxspan=1m [a where true] [b where true] [c where true] until [d where true]",
      ),
    ).map((m) => `${m.operator}: ${m.description}`);
    expect(ops).toEqual(
      expect.arrayContaining([
        "drop-step: drop step 1",
        "drop-step: drop step 3",
        "widen-maxspan: maxspan=1m → maxspan=10m",
        "drop-maxspan: drop maxspan",
        "drop-until: drop until",
      ]),
    );
  });

  it("never leaves a sequence with fewer than two steps", () => {
    const ops = mutations(parse("sequence [a where true] [b where true]")).map((m) => m.operator);
    expect(ops).not.toContain("drop-step");
    for (const m of mutations(parse("sequence [a where true] with runs=2 [b where true]")))
      expect(() => parse(print(m.query))).not.toThrow();
  });
});
