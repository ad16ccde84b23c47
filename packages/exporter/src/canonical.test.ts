import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, contentHash, sortKeysDeep } from "./canonical.js";

// The lock's hashes must not change when canonicalJson is written differently: it is held to the definition.
describe("canonicalJson", () => {
  it("is JSON.stringify of the deeply key-sorted copy, for any value", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withNullPrototype: true,
          withSparseArray: true,
          withObjectString: true,
          withDate: true,
        }),
        (value) => {
          expect(canonicalJson(value)).toBe(JSON.stringify(sortKeysDeep(value)));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it.each([
    [{ b: 1, a: [3, undefined, () => 0], c: undefined }, '{"a":[3,null,null],"b":1}'],
    [{ "10": "x", "9": "y", b: "z", "-1": "w", "01": "v" }, '{"9":"y","10":"x","-1":"w","01":"v","b":"z"}'],
    [{ n: Number.NaN, i: -0, big: 1e21 }, '{"big":1e+21,"i":0,"n":null}'],
    [{ nested: { z: { y: 1, x: 2 } } }, '{"nested":{"z":{"x":2,"y":1}}}'],
    // Keys that other objects inherit (JSON.stringify with a key list reads inherited properties too).
    [
      { x: { constructor: 1, valueOf: "v" }, y: { z: [{}] } },
      '{"x":{"constructor":1,"valueOf":"v"},"y":{"z":[{}]}}',
    ],
    [JSON.parse('{"a":{"__proto__":{"b":1}},"c":{}}'), '{"a":{"__proto__":{"b":1}},"c":{}}'],
    [{ a: { toJSON: "not a function" }, b: {} }, '{"a":{"toJSON":"not a function"},"b":{}}'],
  ])("writes %j as %s", (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    expect(JSON.stringify(sortKeysDeep(value))).toBe(expected);
  });

  it("hashes any object as the sorted copy without its version", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue(), (object, version) => {
        const payload = { ...object, version };
        const { version: _version, ...content } = payload;
        const expected = createHash("sha256")
          .update(JSON.stringify(sortKeysDeep(content)))
          .digest("hex");
        expect(contentHash(payload)).toBe(expected);
        expect(contentHash(content)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("leaves the lock's content hash as it was: sha256 of the sorted copy, without version", () => {
    const payload = { version: 3, tags: ["x"], name: "a", threat: [{ tactic: { name: "n", id: "i" } }] };
    const { version: _version, ...content } = payload;
    const expected = createHash("sha256")
      .update(JSON.stringify(sortKeysDeep(content)))
      .digest("hex");
    expect(contentHash(payload)).toBe(expected);
  });
});
