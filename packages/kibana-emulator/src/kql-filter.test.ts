import { describe, expect, it } from "vitest";
import { FilterSyntaxError, parseFilter } from "./kql-filter.js";
import type { StoredRule } from "./store.js";

const rule = (fields: Partial<StoredRule>): StoredRule =>
  ({
    id: "i",
    rule_id: "r1",
    name: "Rule one",
    type: "query",
    tags: [],
    enabled: false,
    immutable: false,
    version: 1,
    revision: 0,
    ...fields,
  }) as StoredRule;

describe("parseFilter", () => {
  it.each<[string, Partial<StoredRule>, boolean]>([
    ['alert.attributes.tags:"Managed by: dac"', { tags: ["x", "Managed by: dac"] }, true],
    ['alert.attributes.tags:"Managed by: dac"', { tags: ["Managed by: dacx"] }, false],
    ['alert.attributes.tags:("a" OR "b")', { tags: ["b"] }, true],
    ['alert.attributes.tags:"a" and alert.attributes.enabled:true', { tags: ["a"], enabled: false }, false],
    ["not alert.attributes.params.immutable:true", { immutable: true }, false],
    ["alert.attributes.params.ruleId:r* AND NOT alert.attributes.name:x", { rule_id: "r9" }, true],
    [
      '(alert.attributes.tags:"a" or alert.attributes.tags:"b") and alert.attributes.params.type:query',
      { tags: ["b"] },
      true,
    ],
    ['alert.attributes.name:"say \\"hi\\""', { name: 'say "hi"' }, true],
  ])("%s", (filter, fields, expected) => {
    expect(parseFilter(filter)(rule(fields))).toBe(expected);
  });

  it.each([
    "unknown.field:1",
    'alert.attributes.tags:"open',
    "alert.attributes.tags:",
    "(alert.attributes.tags:a",
    "alert.attributes.tags:a b",
  ])("rejects %s", (filter) => {
    expect(() => parseFilter(filter)).toThrow(FilterSyntaxError);
  });
});
