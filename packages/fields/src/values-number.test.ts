import { describe, expect, it } from "vitest";
import type { RangeOperator } from "./types.js";
import { ValueParseError } from "./query-error.js";
import {
  nextDown,
  nextUp,
  numberSpec,
  parseJavaDouble,
  toHalfFloat,
  type NumberType,
} from "./values-number.js";

describe("parseJavaDouble (Double.parseDouble)", () => {
  it.each([
    ["1", 1],
    ["-5", -5],
    ["1.5", 1.5],
    [".5", 0.5],
    ["1.", 1],
    ["1e3", 1000],
    [" 42 ", 42],
    ["2f", 2],
    ["3d", 3],
    ["+7", 7],
  ])("%j → %d", (text, expected) => expect(parseJavaDouble(text)).toBe(expected));

  it.each(["abc", "", "1,5", "0x10", "1 2", "--1", "e5"])("%j does not parse", (text) =>
    expect(parseJavaDouble(text)).toBeUndefined(),
  );

  it("accepts NaN and Infinity", () => {
    expect(parseJavaDouble("NaN")).toBeNaN();
    expect(parseJavaDouble("-Infinity")).toBe(-Infinity);
  });
});

describe("half floats and ulps", () => {
  it.each([
    [1, 1],
    [0.1, 0.0999755859375],
    [65504, 65504],
    [65519, 65504],
    [65520, Infinity],
    [1e-8, 0],
    [2049, 2048],
    [2051, 2052],
  ])("toHalfFloat(%d) = %d", (value, expected) => expect(toHalfFloat(value)).toBe(expected));

  it("steps to the neighbouring doubles", () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextDown(1)).toBe(1 - Number.EPSILON / 2);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
  });
});

// NumberFieldMapper: a decimal value on an integer field is a match-none query, not an error; an out-of-range or
// unparsable value is an error (source: NumberFieldMapper.NumberType.INTEGER/LONG.termQuery, elastic/elasticsearch).
describe("term values", () => {
  const cases: [NumberType, string, number | null | "error"][] = [
    ["long", "5", 5],
    ["long", "5.0", 5],
    ["long", "1e3", 1000],
    ["long", "5.5", null],
    ["long", "abc", "error"],
    ["integer", "2147483647", 2147483647],
    ["integer", "2147483648", "error"],
    ["short", "40000", "error"],
    ["byte", "-128", -128],
    ["unsigned_long", "-1", "error"],
    ["double", "0.1", 0.1],
    ["double", "NaN", "error"],
    ["float", "0.1", Math.fround(0.1)],
    ["half_float", "0.1", 0.0999755859375],
    ["half_float", "70000", "error"],
  ];
  it.each(cases)("%s %j → %j", (type, raw, expected) => {
    const spec = numberSpec(type);
    if (expected === "error") expect(() => spec.termValue(raw)).toThrow(ValueParseError);
    else expect(spec.termValue(raw)).toBe(expected);
  });

  it("scales scaled_float values", () => {
    const spec = numberSpec("scaled_float", 100);
    expect(spec.termValue("1.234")).toBe(123);
    expect(spec.fromDocument(1.226)).toBe(123);
    expect(() => numberSpec("scaled_float")).toThrow(/scaling_factor/);
  });
});

describe("document values (coerce: true, ignore_malformed)", () => {
  const cases: [NumberType, unknown, number][] = [
    ["long", 5, 5],
    ["long", "5", 5],
    ["long", 5.9, 5],
    ["long", -5.9, -5],
    ["long", "", NaN],
    ["long", "abc", NaN],
    ["long", true, NaN],
    ["integer", 3e10, NaN],
    ["float", 0.1, Math.fround(0.1)],
    ["double", "1e2", 100],
    ["double", { a: 1 }, NaN],
  ];
  it.each(cases)("%s %j indexes %d", (type, value, expected) => {
    expect(numberSpec(type).fromDocument(value)).toBe(expected);
  });
});

describe("range bounds", () => {
  const cases: [NumberType, RangeOperator, string, number, boolean][] = [
    ["long", "gt", "1.5", 2, true],
    ["long", "gt", "1.5", 1, false],
    ["long", "gte", "-1.5", -1, true],
    ["long", "lt", "-1.5", -2, true],
    ["long", "lt", "-1.5", -1, false],
    ["long", "lte", "5", 5, true],
    ["float", "gt", "0.1", Math.fround(0.1), false],
    ["float", "gte", "0.1", Math.fround(0.1), true],
    ["double", "gt", "0.1", 0.1, false],
  ];
  it.each(cases)("%s value %d %s %s → %s", (type, operator, raw, value, expected) => {
    expect(numberSpec(type).rangeTest(operator, raw)(value)).toBe(expected);
  });

  it("rounds scaled_float bounds like ScaledFloatFieldMapper", () => {
    const spec = numberSpec("scaled_float", 10);
    // Stored 1.26 → 13 (1.3); `> 1.25` → scaled 12.5 → ceil(nextUp) 13, so 13 matches.
    expect(spec.rangeTest("gt", "1.25")(spec.fromDocument(1.26))).toBe(true);
    expect(spec.rangeTest("lt", "1.3")(spec.fromDocument(1.26))).toBe(false);
    expect(spec.rangeTest("lte", "1.3")(spec.fromDocument(1.26))).toBe(true);
  });

  it("rejects unparsable and out-of-range bounds", () => {
    expect(() => numberSpec("long").rangeTest("gt", "x")).toThrow(/For input string/);
    expect(() => numberSpec("integer").rangeTest("gt", "1e12")).toThrow(/out of range for an integer/);
  });
});
