import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileWalker, forEachLeaf, valuesAt } from "./document.js";

function walk(doc: unknown, path: string): unknown[] {
  const seen: unknown[] = [];
  compileWalker(path, (v) => (seen.push(v), false))(doc);
  return seen;
}

describe("field access", () => {
  it.each([
    [{ a: { b: 1 } }, "a.b", [1]],
    [{ "a.b": 1 }, "a.b", [1]],
    [{ "a.b": { c: 1 }, a: { "b.c": 2, b: { c: 3 } } }, "a.b.c", [2, 3, 1]],
    [{ a: [{ b: 1 }, { b: [2, [3]] }, null, { c: 4 }] }, "a.b", [1, 2, 3]],
    [{ a: { b: null } }, "a.b", []],
    [{ a: { b: [] } }, "a.b", []],
    [{ a: { b: [null, 0, false, ""] } }, "a.b", [0, false, ""]],
    [{ a: { b: { c: 1 } } }, "a.b", [{ c: 1 }]],
    [
      { annotations: { "authorization_k8s_io/decision": "allow" } },
      "annotations.authorization_k8s_io/decision",
      ["allow"],
    ],
    [{ a: "x" }, "a.b", []],
    [{ a: [[{ b: 1 }]] }, "a.b", [1]],
  ])("%j at %s → %j", (doc, path, expected: unknown[]) => {
    expect(walk(doc, path)).toEqual(expect.arrayContaining(expected));
    expect(walk(doc, path)).toHaveLength(expected.length);
    expect(valuesAt(doc, path)).toEqual(expect.arrayContaining(expected));
    expect(valuesAt(doc, path)).toHaveLength(expected.length);
  });

  it("does not read Object.prototype members", () => {
    expect(walk({}, "constructor")).toEqual([]);
    expect(walk({ a: {} }, "a.toString")).toEqual([]);
    expect(walk(JSON.parse('{"__proto__": {"x": 1}}'), "__proto__.x")).toEqual([1]);
    expect(walk({ constructor: "c" }, "constructor")).toEqual(["c"]);
  });

  it("keeps any field name safe in the generated walker", () => {
    const name = `a"];throw new Error("x");//`;
    expect(walk({ [name]: 1 }, name)).toEqual([1]);
  });

  it("stops at the first value the visitor accepts", () => {
    let calls = 0;
    const found = compileWalker("a", (v) => (calls++, v === 2))({ a: [1, 2, 3] });
    expect([found, calls]).toEqual([true, 2]);
  });

  it("lists every leaf with its dotted path", () => {
    const leaves: [string, unknown][] = [];
    forEachLeaf({ a: { b: [1, { c: 2 }] }, "d.e": "x", f: null }, (p, v) => (leaves.push([p, v]), false));
    expect(leaves).toEqual([
      ["a.b", 1],
      ["a.b.c", 2],
      ["d.e", "x"],
    ]);
  });

  // The generated walkers and the generic collector used by explain must agree on any document.
  it("agrees with the generic collector on random documents", () => {
    const key = fc.constantFrom("a", "b", "a.b", "b.a", "c");
    const doc = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.integer(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 3 }),
        fc.dictionary(key, tie("value"), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(
        fc.dictionary(key, doc, { maxKeys: 4 }),
        fc.constantFrom("a", "a.b", "a.b.a", "b.a.b", "c"),
        (raw, path) => {
          const d: unknown = JSON.parse(JSON.stringify(raw));
          const canonical = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();
          expect(canonical(walk(d, path))).toEqual(canonical(valuesAt(d, path)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
