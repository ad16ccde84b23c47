import { describe, expect, it } from "vitest";
import { explain, formatExplain } from "./explain.js";
import { lint } from "./lint.js";
import { clipText, MAX_SHOWN, quoteValue } from "@dac/fields";
import { parse } from "./parser.js";

describe("values shown in messages", () => {
  it.each([
    ["short", "`short`"],
    ["line\nbreak", "`line\\nbreak`"],
    [42, "`42`"],
    [{ a: 1 }, '`{"a":1}`'],
  ])("%j → %s", (value, expected) => {
    expect(quoteValue(value)).toBe(expected);
  });

  it("are cut to a bounded length, saying how long they were", () => {
    const shown = quoteValue("x".repeat(600_000));
    expect(shown.length).toBeLessThan(MAX_SHOWN + 40);
    expect(shown).toContain("… (600000 characters)");
    expect(clipText("abc", 10)).toBe("abc");
  });

  it("one leading-wildcard warning on a 600 KB value stays small", () => {
    const value = `*${"a".repeat(600_000)}`;
    const findings = lint(parse(`f:${value}`));
    expect(findings.map((f) => f.code)).toContain("DAC414");
    const size = findings.reduce((n, f) => n + f.message.length + (f.hint?.length ?? 0), 0);
    expect(size).toBeLessThan(2_000);
  });

  it("a space-splitting warning lists a bounded number of terms", () => {
    const words = Array.from({ length: 5_000 }, (_, i) => `w${i}`).join(" ");
    const [finding] = lint(parse(`f:*${words}`)).filter((f) => f.code === "DAC410");
    expect(finding!.message.length).toBeLessThan(2_000);
    expect(finding!.message).toContain("5000 terms");
  });

  it("explain lines show event values escaped and cut", () => {
    const text = formatExplain(explain("f:b", { f: `a\n\u001b[2J${"z".repeat(10_000)}` }));
    expect(text.split("\n")).toHaveLength(1);
    expect(text.length).toBeLessThan(400);
  });
});

describe("nesting depth", () => {
  it("a query nested deeper than the limit is a syntax error at the parenthesis that crosses it", () => {
    const depth = 1_000;
    const query = `${"(".repeat(depth)}a:b${")".repeat(depth)}`;
    expect(() => parse(query)).toThrow(/nested more than 100 levels deep/);
    try {
      parse(query);
    } catch (error) {
      expect((error as { offset: number }).offset).toBe(100);
    }
  });

  it("100 levels parse", () => {
    expect(() => parse(`${"(".repeat(100)}a:b${")".repeat(100)}`)).not.toThrow();
    expect(() => parse(`f:${"(".repeat(100)}b${")".repeat(100)}`)).not.toThrow();
    expect(() => parse(`${"a:{".repeat(100)}b:c${"}".repeat(100)}`)).not.toThrow();
  });

  it("deep value lists and nested groups count too", () => {
    expect(() => parse(`f:${"(".repeat(150)}b${")".repeat(150)}`)).toThrow(/nested more than 100/);
    expect(() => parse(`${"a:{".repeat(150)}b:c${"}".repeat(150)}`)).toThrow(/nested more than 100/);
  });
});
