import { describe, expect, it } from "vitest";
import { scalarOffsetToPosition } from "./position.js";
import { loadYaml } from "./yaml-source.js";

function codesOf(text: string | Uint8Array, limits = {}) {
  return loadYaml("f.yaml", text, limits).diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
}

describe("YAML hazards are diagnostics, never exceptions", () => {
  it("a merge key `<<` is an error at the key, never silently an ordinary key", () => {
    expect(codesOf("base: &b {a: 1}\nx:\n  <<: *b\n  c: 2\n")).toEqual(["DAC012@3:3"]);
    expect(codesOf("x:\n  - {<<: {a: 1}}\n")).toEqual(["DAC012@2:6"]);
    // A quoted "<<" is an ordinary key in every YAML version, and an alias as a whole value is fine.
    expect(codesOf('base: &b {a: 1}\nx: *b\n"<<": 1\n')).toEqual([]);
  });

  it("duplicate keys, at the second key", () => {
    expect(codesOf("a: 1\nb: 2\na: 3\n")).toEqual(["DAC002@3:1"]);
  });

  it("a duplicate key is named in full and spanned, in any key style", () => {
    for (const [text, line, key] of [
      ["severity: low\nname: x\nseverity: high\n", 3, "severity"],
      ["a:\n  risk_score: 1\n  risk_score: 2\n", 3, "risk_score"],
      ['severity: low\n"severity": high\n', 2, "severity"],
      ["severity: low\n? severity\n: high\n", 2, "severity"],
    ] as const) {
      const [d] = loadYaml("f.yaml", text).diagnostics;
      expect(d).toMatchObject({
        code: "DAC002",
        line,
        message: `duplicate key \`${key}\`: keys must be unique`,
      });
      expect(d!.endColumn - d!.column).toBeGreaterThanOrEqual(key.length);
    }
  });

  it("more than one document, at the second", () => {
    expect(codesOf("a: 1\n---\nb: 2\n")).toEqual(["DAC003@2:1"]);
  });

  it("alias expansion bombs are bounded", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
    ].join("\n");
    const started = Date.now();
    // At the alias where yaml's count of expanded nodes crosses the limit (a `*b` on line 3).
    expect(codesOf(bomb)).toEqual(["DAC004@3:40"]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("an alias bomb under a nested key is reported at the alias, not at the document's start", () => {
    const bomb = [
      "# yaml-language-server: $schema=../../schemas/rule.schema.json",
      "name: x",
      "metadata:",
      "  a: &x [1]",
      "  b: [*x, *x, *x]",
    ].join("\n");
    // yaml counts the anchored node as well: with a limit of 2, the second `*x` crosses it.
    const [diagnostic] = loadYaml("f.yaml", bomb, { maxAliasCount: 2 }).diagnostics;
    expect(diagnostic).toMatchObject({ code: "DAC004", line: 5, column: 11, endLine: 5, endColumn: 13 });
    expect(diagnostic!.message).toContain("alias `*x` (anchor `&x` at 4:6) expands past 2 nodes");
  });

  it("an alias without an anchor is invalid YAML, reported at the alias", () => {
    const { diagnostics } = loadYaml("r.yaml", "a: 1\nb: *foo\n");
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: "DAC001",
        line: 2,
        column: 4,
        message: "alias `*foo` has no anchor `&foo` before it",
      }),
    ]);
  });

  it("a few aliases are fine", () => {
    expect(codesOf("a: &x [1]\nb: *x\n")).toEqual([]);
  });

  it("a file that is not UTF-8, at the bad byte", () => {
    const bytes = new Uint8Array([...Buffer.from("a: 1\nb: caf"), 0xe9, ...Buffer.from("\n")]);
    expect(codesOf(bytes)).toEqual(["DAC005@2:7"]);
  });

  it("a file over the size limit is refused before parsing", () => {
    expect(codesOf(`a: "${"x".repeat(2000)}"\n`, { maxFileBytes: 1000 })).toEqual(["DAC006@1:1"]);
  });

  it("an empty file, or one with only comments", () => {
    expect(codesOf("")).toEqual(["DAC007@1:1"]);
    expect(codesOf("# nothing here\n\n")).toEqual(["DAC007@1:1"]);
  });

  it("a top level that is not a mapping", () => {
    expect(codesOf("- a\n- b\n")).toEqual(["DAC008@1:1"]);
    expect(codesOf("just a string\n")).toEqual(["DAC008@1:1"]);
  });

  it("a syntax error, with its position", () => {
    expect(codesOf("a: [1, 2\nb: 3\n")[0]).toMatch(/^DAC001@/);
  });

  it("a UTF-8 byte-order mark is accepted", () => {
    expect(codesOf(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from("a: 1\n")]))).toEqual([]);
  });

  it("a hostile deeply nested file does not crash", () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const result = loadYaml("f.yaml", `a: ${deep}\n`);
    expect(Array.isArray(result.diagnostics)).toBe(true);
  });
});

describe("offsets inside scalars map back to file positions", () => {
  function position(text: string, offset: number) {
    const { source } = loadYaml("f.yaml", text);
    return scalarOffsetToPosition(source!, ["q"], offset);
  }

  it("block literal", () => {
    // value: "a:b\n  and c:d\n" — offset 6 is the `a` of `and` on the second line
    expect(position("x: 1\nq: |\n  a:b\n    and c:d\n", 6)).toEqual({ line: 4, column: 5 });
    expect(position("x: 1\nq: |\n  a:b\n    and c:d\n", 0)).toEqual({ line: 3, column: 3 });
  });

  it("block literal with strip chomping and a blank line", () => {
    expect(position("q: |-\n  a:b\n\n  c:d\n", 5)).toEqual({ line: 4, column: 3 });
  });

  it("plain single-line scalar", () => {
    expect(position("q: a:b and c\n", 6)).toEqual({ line: 1, column: 10 });
  });

  it("double-quoted scalar", () => {
    expect(position('q: "a:b and c"\n', 6)).toEqual({ line: 1, column: 11 });
  });

  it("folded multi-line plain scalar", () => {
    expect(position("q: a:b\n  and c\n", 4)).toEqual({ line: 2, column: 3 });
  });
});
