import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { explain, formatExplain, type ExplainNode } from "./explain.js";
import { parse } from "./parser.js";

const catalog = fieldCatalog({
  ecs: true,
  mappings: [
    {
      properties: {
        kubernetes: {
          properties: {
            audit: {
              properties: {
                verb: { type: "keyword" },
                user: { properties: { username: { type: "keyword" }, groups: { type: "text" } } },
                rules: {
                  type: "nested",
                  properties: { verbs: { type: "keyword" }, resources: { type: "keyword" } },
                },
              },
            },
          },
        },
        tag: { type: "keyword", ignore_above: 8 },
        n: { type: "long" },
      },
    },
  ],
  unknownFields: "unmapped",
});

function find(node: ExplainNode, text: string): ExplainNode {
  if (node.text === text) return node;
  for (const child of node.children) {
    const found = find(child, text);
    if (found.text === text) return found;
  }
  return node;
}

describe("explain", () => {
  const doc = {
    kubernetes: { audit: { verb: "create", user: { username: "System:serviceaccount:ns:sa" } } },
  };
  const query = "kubernetes.audit.verb:create and kubernetes.audit.user.username:system\\:serviceaccount\\:*";

  it("says why each clause matched or not, with the field's values and query", () => {
    const trace = explain(query, doc, { catalog });
    expect(trace).toMatchObject({ kind: "and", matched: false, span: { start: 0, end: query.length } });
    const [verb, user] = trace.children as [ExplainNode, ExplainNode];
    expect(verb).toMatchObject({
      kind: "clause",
      matched: true,
      field: "kubernetes.audit.verb",
      fieldType: "keyword",
      query: "term",
      values: ["create"],
    });
    expect(user.reason).toBe(
      "keyword comparison is case-sensitive: `System:serviceaccount:ns:sa` does not match `system:serviceaccount:*`",
    );
    expect(user.query).toBe("wildcard");
    expect(query.slice(user.span.start, user.span.end)).toBe(user.text);
  });

  it("formats the trace with one line per clause", () => {
    expect(formatExplain(explain(query, doc, { catalog }))).toBe(
      [
        "✗ kubernetes.audit.verb:create and kubernetes.audit.user.username:system\\:serviceaccount\\:* — 1 of 2 conditions do not hold: kubernetes.audit.user.username:system\\:serviceaccount\\:*",
        "  ✓ kubernetes.audit.verb:create — keyword field `kubernetes.audit.verb` has `create`, which matches `create`",
        "  ✗ kubernetes.audit.user.username:system\\:serviceaccount\\:* — keyword comparison is case-sensitive: `System:serviceaccount:ns:sa` does not match `system:serviceaccount:*`",
      ].join("\n"),
    );
  });

  it.each([
    ["kubernetes.audit.verb:get", {}, "field `kubernetes.audit.verb` is missing"],
    [
      "other.field:x",
      { other: { field: "x" } },
      "field `other.field` is not mapped (unknown fields are not searchable, as with dynamic: false)",
    ],
    ["tag:*", { tag: "much-too-long" }, "longer than ignore_above 8"],
    ["tag:much-too-long", { tag: "much-too-long" }, "longer than ignore_above 8 of `tag`"],
    ["n:5.5", { n: 5 }, "`5.5` has a decimal part"],
    [
      "n:5",
      { n: "five" },
      "`five` is not a valid long value, so Elasticsearch does not index it (ignore_malformed)",
    ],
    [
      "kubernetes.audit.user.groups:masters",
      { kubernetes: { audit: { user: { groups: ["system:masters"] } } } },
      "analysed into [system:masters], which contains none of [masters]",
    ],
    [
      "not kubernetes.audit.verb:get",
      { kubernetes: { audit: { verb: "get" } } },
      "`not` (must_not) excludes the document",
    ],
  ])("%s: %s", (q, d, reason) => {
    const trace = explain(q, d, { catalog });
    expect(formatExplain(trace)).toContain(reason);
  });

  it("shows which nested object satisfied the conditions, or that none did", () => {
    const q = "kubernetes.audit.rules:{ verbs:create and resources:secrets }";
    const split = {
      kubernetes: {
        audit: {
          rules: [
            { verbs: ["create"], resources: ["pods"] },
            { verbs: ["get"], resources: ["secrets"] },
          ],
        },
      },
    };
    const miss = explain(q, split, { catalog });
    expect(miss).toMatchObject({ kind: "nested", matched: false, field: "kubernetes.audit.rules" });
    expect(miss.reason).toContain("none of the 2 objects");
    expect(miss.children).toHaveLength(2);
    const hit = explain(
      q,
      { kubernetes: { audit: { rules: { verbs: "create", resources: "secrets" } } } },
      { catalog },
    );
    expect(hit.reason).toBe("object #1 of nested field `kubernetes.audit.rules` satisfies the conditions");
  });

  it("lists the fields that matched free text", () => {
    const trace = explain("create", doc, { catalog });
    expect(trace.matched).toBe(true);
    expect(trace.children.map((c) => c.field)).toEqual(["kubernetes.audit.verb"]);
  });

  it("describes clauses of a syntax tree without the query text", () => {
    const trace = explain(parse("n > 3 or tag:(a or b)"), { n: 2, tag: "b" }, { catalog });
    expect(find(trace, 'n > "3"')).toMatchObject({ matched: false });
    expect(trace.text).toBe('n > "3" or tag:"a" or tag:"b"');
  });
});
