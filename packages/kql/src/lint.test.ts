import { describe, expect, it } from "vitest";
import type { FieldCatalog, FieldInfo, UnknownFieldPolicy } from "@dac/fields";
import { lint } from "./lint.js";
import { parse } from "./parser.js";

function catalog(unknownFields: UnknownFieldPolicy, fields: Omit<FieldInfo, "source">[]): FieldCatalog {
  return {
    unknownFields,
    fields: new Map(fields.map((f) => [f.name, { ...f, source: "override" as const }])),
  };
}

const k8s = catalog("unmapped", [
  { name: "event.dataset", type: "constant_keyword" },
  { name: "kubernetes.audit.verb", type: "keyword" },
  { name: "kubernetes.audit.user.username", type: "keyword" },
  { name: "kubernetes.audit.impersonatedUser.username", type: "keyword" },
  { name: "kubernetes.audit.objectRef.resource", type: "keyword" },
  { name: "kubernetes.audit.annotations.authorization_k8s_io/decision", type: "keyword" },
  { name: "kubernetes.audit.user.groups", type: "text" },
  { name: "message", type: "match_only_text" },
  { name: "process.command_line", type: "wildcard" },
  { name: "host.name", type: "keyword", normalizer: "lowercase" },
  { name: "top", type: "nested" },
  { name: "top.a", type: "keyword", nestedPath: "top" },
  { name: "top.middle", type: "nested", nestedPath: "top" },
  { name: "top.middle.flag", type: "boolean", nestedPath: "top.middle" },
]);

/** `[code, text under the span]` for each finding. */
function findings(query: string, options = {}): [string, string][] {
  return lint(query, options).map((f) => [f.code, query.slice(f.span.start, f.span.end)]);
}

const cases: [query: string, expected: [string, string][], withCatalog?: boolean][] = [
  // DAC410: a wildcard value with a space goes to query_string as two OR terms.
  ["a:foo bar*", [["DAC410", "foo bar*"]]],
  [
    "a:*S3 Browser*",
    [
      ["DAC410", "*S3 Browser*"],
      ["DAC414", "*S3 Browser*"],
    ],
  ],
  ['a:"foo bar*"', []],
  ["a:foo*bar*", []],
  // DAC411: `?` is literal.
  ["a:foo?bar", [["DAC411", "foo?bar"]]],
  ["a:foo?b*", [["DAC411", "foo?b*"]]],
  ['a:"what?"', []],
  // DAC414: leading wildcard (a lone * is exists, not a wildcard search).
  ["a:*foo", [["DAC414", "*foo"]]],
  ["*password*", [["DAC414", "*password*"]]],
  ["a:* and *", []],
  // DAC416: a trailing keyword absorbed into the value.
  ["a:x or", [["DAC416", "x or"]]],
  ["a:x and", [["DAC416", "x and"]]],
  [
    "a:x* NOT",
    [
      ["DAC410", "x* NOT"],
      ["DAC416", "x* NOT"],
    ],
  ],
  ["a > 5 or", [["DAC416", "5 or"]]],
  ["a:x or b:y", []],
  // DAC417: an unquoted multi-word value without wildcard.
  ["a:foo bar", [["DAC417", "foo bar"]]],
  ["foo bar", [["DAC417", "foo bar"]]],
  ['a:"foo bar"', []],
  ["a:(foo bar or baz)", [["DAC417", "foo bar"]]],
  // Several findings in one query, in source order.
  [
    "a:foo? bar or b:*x",
    [
      ["DAC411", "foo? bar"],
      ["DAC417", "foo? bar"],
      ["DAC414", "*x"],
    ],
  ],
  // With the catalogue. DAC412: mixed case against a case-sensitive field.
  ["kubernetes.audit.verb:Create", [["DAC412", "Create"]], true],
  ["kubernetes.audit.verb:create", [], true],
  ["kubernetes.audit.verb:CREATE", [], true],
  [
    "kubernetes.audit.user.username:System\\:serviceaccount\\:*",
    [["DAC412", "System\\:serviceaccount\\:*"]],
    true,
  ],
  ['event.dataset:"Kubernetes.audit_logs"', [["DAC412", '"Kubernetes.audit_logs"']], true],
  [
    "process.command_line:*Invoke-Expression*",
    [
      ["DAC412", "*Invoke-Expression*"],
      ["DAC414", "*Invoke-Expression*"],
    ],
    true,
  ],
  ["host.name:WebServer", [], true],
  ["kubernetes.audit.user.groups:Admins", [], true],
  // DAC413: wildcard on text.
  ["kubernetes.audit.user.groups:system\\:*", [["DAC413", "system\\:*"]], true],
  ["message:err*", [["DAC413", "err*"]], true],
  ["message:*", [], true],
  // DAC415: never matches.
  ["kubernetes.audit.bogus:x", [["DAC415", "kubernetes.audit.bogus:x"]], true],
  ["not kubernetes.audit.bogus:*", [["DAC415", "kubernetes.audit.bogus:*"]], true],
  ["kubernetes.audit.bogus > 5", [["DAC415", "kubernetes.audit.bogus > 5"]], true],
  ["top.a:x", [["DAC415", "top.a:x"]], true],
  ["top:{ a:x }", [], true],
  ["top:{ middle:{ flag:true } }", [], true],
  ["top:{ middle.flag:true }", [["DAC415", "middle.flag:true"]], true],
  ["top*:x", [], true],
  ["free text", [["DAC417", "free text"]], true],
];

describe("lint", () => {
  for (const [query, expected, withCatalog] of cases) {
    it(`${JSON.stringify(query)}${withCatalog ? " (catalogue)" : ""}`, () => {
      expect(findings(query, withCatalog ? { catalog: k8s } : {})).toEqual(expected);
    });
  }

  it("skips the catalogue checks without a catalogue, and under the keyword policy for unknown fields", () => {
    expect(findings("kubernetes.audit.verb:Create and bogus:x")).toEqual([]);
    const keyword = { ...k8s, unknownFields: "keyword" as const };
    expect(findings("bogus:Mixed and bogus:*x", { catalog: keyword })).toEqual([["DAC414", "*x"]]);
  });

  it("has nothing to say about the seed rules' queries", () => {
    const seed = `event.dataset : "kubernetes.audit_logs"
  and kubernetes.audit.annotations.authorization_k8s_io/decision:"allow"
  and kubernetes.audit.verb:"create"
  and kubernetes.audit.objectRef.resource:("selfsubjectaccessreviews" or "selfsubjectrulesreviews")
  and (kubernetes.audit.user.username:(system\\:serviceaccount\\:* or system\\:node\\:*)
  or kubernetes.audit.impersonatedUser.username:(system\\:serviceaccount\\:* or system\\:node\\:*))`;
    expect(lint(seed, { catalog: k8s })).toEqual([]);
  });

  it("fills in code, name, severity, message and hint", () => {
    const [finding] = lint("a:foo bar*");
    expect(finding).toEqual({
      code: "DAC410",
      name: "or-splitting",
      severity: "warning",
      message:
        "`a:foo bar*` is sent as query_string `foo bar*`, which Elasticsearch splits at spaces: it matches `foo` OR `bar*`",
      hint: expect.stringContaining("replace each space with `*`"),
      span: { start: 2, end: 10 },
    });
    const [unmapped] = lint("kubernetes.audit.bogus:x", { catalog: k8s });
    expect(unmapped!.name).toBe("never-matches");
    expect(unmapped!.message).toContain("`kubernetes.audit.bogus`");
  });

  it("takes a parsed tree as well as text", () => {
    expect(lint(parse("a:x or"))).toEqual(lint("a:x or"));
  });
});
