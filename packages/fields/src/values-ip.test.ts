import { describe, expect, it } from "vitest";
import { booleanFromDocument, booleanRangeTest, booleanTermValue } from "./values-boolean.js";
import { cidrRange, ipFromDocument, ipKey, ipKeyText, ipRangeTest, ipTermRange } from "./values-ip.js";
import { compareCodePoints, globMatcher, keywordFromDocument, stringRangeTest } from "./values-string.js";

describe("ip", () => {
  it("stores IPv4 as IPv4-mapped IPv6", () => {
    expect(ipKey("10.0.0.1")).toBe(ipKey("::ffff:10.0.0.1"));
    expect(ipKeyText(ipKey("10.0.0.1")!)).toBe("10.0.0.1");
    expect(ipKeyText(ipKey("2001:db8::1")!)).toBe("2001:db8::1");
  });

  // InetAddresses.forString rejects leading zeros, short forms and zone ids.
  it.each(["010.0.0.1", "10.1", "1.2.3.256", "fe80::1%eth0", "host", ""])("rejects %j", (text) =>
    expect(ipKey(text)).toBeUndefined(),
  );

  it.each([
    ["10.0.0.0/8", "10.255.1.2", true],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["192.168.1.77/24", "192.168.1.1", true],
    ["0.0.0.0/0", "8.8.8.8", true],
    ["0.0.0.0/0", "2001:db8::1", false],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["::ffff:0:0/96", "1.2.3.4", true],
  ])("%s contains %s: %s", (cidr, address, expected) => {
    const { lo, hi } = cidrRange(cidr)!;
    const key = ipKey(address)!;
    expect(key >= lo && key <= hi).toBe(expected);
  });

  it("gives Elasticsearch's errors for bad term values", () => {
    expect(() => ipTermRange("not-an-ip")).toThrow("'not-an-ip' is not an IP string literal.");
    expect(() => ipTermRange("10.0.0.0/33")).toThrow("Expected [ip/prefix] but was [10.0.0.0/33]");
    expect(ipTermRange("10.0.0.1").lo).toBe(ipKey("10.0.0.1"));
  });

  it("orders addresses by their bytes", () => {
    expect(ipRangeTest("gt", "10.0.0.9")(ipKey("10.0.0.10")!)).toBe(true);
    expect(ipRangeTest("lt", "::1")(ipKey("0.0.0.1")!)).toBe(false);
    expect(ipFromDocument(17)).toBeUndefined();
  });
});

describe("boolean", () => {
  it("parses only true and false", () => {
    expect(booleanTermValue("true")).toBe(true);
    expect(booleanTermValue(false)).toBe(false);
    expect(() => booleanTermValue("yes")).toThrow(
      "Can't parse boolean value [yes], expected [true] or [false]",
    );
    expect(() => booleanTermValue("")).toThrow(/Can't parse/);
  });

  it("indexes JSON booleans and their strings only", () => {
    expect([true, "false", "", 1, "TRUE", null].map(booleanFromDocument)).toEqual([
      true,
      false,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(booleanRangeTest("gt", "false")(true)).toBe(true);
    expect(booleanRangeTest("lt", "true")(true)).toBe(false);
  });
});

describe("keyword strings", () => {
  it("compares by code point, as Lucene orders UTF-8 terms", () => {
    expect(compareCodePoints("a", "b")).toBeLessThan(0);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    // U+FF5E (BMP, high) sorts before U+1F600 (astral) in code points, after it in UTF-16 units.
    expect(compareCodePoints("\uff5e", "\u{1f600}")).toBeLessThan(0);
    expect("\uff5e" < "\u{1f600}").toBe(false);
    expect(stringRangeTest("gt", "5")("42")).toBe(false);
  });

  it("indexes scalars as their JSON text", () => {
    expect([1, true, "x", null, { a: 1 }, 1.5].map(keywordFromDocument)).toEqual([
      "1",
      "true",
      "x",
      undefined,
      undefined,
      "1.5",
    ]);
  });

  it.each([
    [["abc"], "abc", true],
    [["abc"], "ABC", false],
    [["ab", ""], "abc", true],
    [["", "bc"], "abc", true],
    [["a", "c"], "abc", true],
    [["a", "c"], "ac", true],
    [["ab", "bc"], "abc", false],
    [["", "b", ""], "abc", true],
    [["a", "b", "c"], "axbxc", true],
    [["a", "b", "b"], "ab", false],
    [["", ""], "", true],
    [["a?c"], "abc", false],
  ])("glob %j on %j: %s", (parts, value, expected) => expect(globMatcher(parts)(value)).toBe(expected));
});
