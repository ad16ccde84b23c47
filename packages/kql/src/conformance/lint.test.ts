import { describe, expect, it } from "vitest";
import type { KqlNode } from "../ast.js";
import { lint } from "../lint.js";
import { parse } from "../parser.js";
import { print } from "../print.js";
import { lintCases } from "./lint.cases.js";

/**
 * A clause's identity for Kibana: field name (quoting a field name changes nothing) and value, where quoting does
 * matter (match vs match_phrase).
 */
function clauseKey(node: KqlNode): string {
  if (node.type !== "is") throw new Error(`unexpected ${node.type} in a lint case`);
  const value =
    node.value.type === "wildcard"
      ? { parts: node.value.parts }
      : { v: node.value.value, q: node.value.quoted };
  return JSON.stringify([node.field?.name ?? null, value]);
}

function clauses(node: KqlNode, out = new Set<string>()): Set<string> {
  if (node.type === "and" || node.type === "or") node.children.forEach((c) => clauses(c, out));
  else if (node.type === "not") clauses(node.child, out);
  else out.add(clauseKey(node));
  return out;
}

function evaluate(node: KqlNode, truth: Map<string, boolean>): boolean {
  switch (node.type) {
    case "and":
      return node.children.every((c) => evaluate(c, truth));
    case "or":
      return node.children.some((c) => evaluate(c, truth));
    case "not":
      return !evaluate(node.child, truth);
    default:
      return truth.get(clauseKey(node))!;
  }
}

/** Same boolean function of the same clauses, checked over every assignment of the clauses. */
function equivalent(a: KqlNode, b: KqlNode): boolean {
  const keys = [...new Set([...clauses(a), ...clauses(b)])];
  for (let bits = 0; bits < 1 << keys.length; bits++) {
    const truth = new Map(keys.map((k, i) => [k, (bits & (1 << i)) !== 0]));
    if (evaluate(a, truth) !== evaluate(b, truth)) return false;
  }
  return true;
}

describe("lint conformance (detection-rules lib/kql optimizer cases)", () => {
  it("transcribes all 35 upstream cases", () => {
    expect(lintCases).toHaveLength(35);
  });

  for (const c of lintCases) {
    it(`${c.source} ${JSON.stringify(c.query)}`, () => {
      const ast = parse(c.query);
      const rewritten = parse(c.python);
      // Kibana does not rewrite: we print the tree as parsed, and it parses back unchanged.
      expect(print(ast)).toBe(c.printed);
      expect(print(parse(c.printed))).toBe(c.printed);
      expect(equivalent(ast, rewritten)).toBe(c.equivalent);
      // Our own lint (no catalogue) has nothing to say about these plain clauses, bar a leading wildcard.
      expect(lint(ast).map((f) => f.code)).toEqual(c.findings ?? []);
    });
  }
});
