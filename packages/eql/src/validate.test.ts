// Type and function checks follow Elasticsearch's EQL analyzer and verifier (x-pack/plugin/eql Verifier, QL
// TypeResolutions: "<ordinal> argument of [<expr>] must be [<type>], found value [<v>] type [<t>]"; QL
// FunctionRegistry: "Unknown function [<name>]"), and the EQL function reference for arities.
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { fieldsOf, parse, validate } from "./index.js";

const catalog = fieldCatalog({
  ecs: true,
  overrides: { "message.body": "text", "big.keyword": "keyword" },
});

const cases: [string, string, string | null][] = [
  // [query, code, message fragment] ; null code = no finding
  ['process where process.name == "a"', "", null],
  ["process where length(process.name) > 3", "", null],
  ['process where CIDRMATCH(source.ip, "10.0.0.0/8")', "", null],
  ["process where lenght(process.name) > 3", "DAC403", "Unknown function [lenght], did you mean [length]?"],
  [
    "process where length(process.name, 1) > 3",
    "DAC403",
    "function [length] expects exactly 1 argument but found [2]",
  ],
  [
    'process where between(process.name, "a")',
    "DAC403",
    "function [between] expects 3 to 4 arguments but found [2]",
  ],
  [
    "process where length(process.pid) > 3",
    "DAC403",
    "first argument of [length(process.pid)] must be [string], found value [process.pid] type [long]",
  ],
  [
    'process where add(process.pid, "x") > 3',
    "DAC403",
    'second argument of [add(process.pid, "x")] must be [numeric]',
  ],
  ["process where length~(process.name) > 1", "DAC403", "Function [length] has no case-insensitive form"],
  ['process where startsWith~(process.name, "A")', "", null],
  ["process where process.name == 1", "DAC403", "second argument of [process.name == 1] must be [string]"],
  ['process where process.pid == "1"', "DAC403", "must be [numeric]"],
  ['process where process.pid : "1*"', "DAC403", 'first argument of [process.pid : "1*"] must be [string]'],
  ['process where process.name like "cmd%"', "DAC433", "`%` is not a wildcard in EQL"],
  ['process where message.body == "a b"', "DAC431", "is a text field"],
  ["processs where true", "DAC430", "`processs` is not an ECS event.category value, did you mean `process`?"],
  ['any where event.category == "proces"', "DAC430", "`proces` is not an ECS event.category value"],
  ['any where event.category in ("process", "netwrk")', "DAC430", "`netwrk`"],
  ['process where big.keyword : "*x"', "DAC414", "leading wildcard"],
  ['process where process.command_line : "*x"', "", null],
  ["sequence [process where true] [file where true]", "DAC432", "sequence without maxspan"],
  ["sequence with maxspan=1m [process where true] [file where true]", "", null],
];

describe("validate", () => {
  it.each(cases)("%s", (query, code, fragment) => {
    const findings = validate(parse(query), { catalog });
    if (fragment === null) expect(findings).toEqual([]);
    else {
      const f = findings.find((x) => x.code === code);
      expect(f, JSON.stringify(findings)).toBeDefined();
      expect(f!.message).toContain(fragment);
      expect(f!.span.end).toBeGreaterThan(f!.span.start);
    }
  });

  it("checks categories against the override field, not event.category", () => {
    const q = parse('processs where true and event.type == "x"');
    expect(validate(q, { catalog, categoryField: "event.type" }).map((f) => f.code)).not.toContain("DAC430");
  });

  it("lists fields, join keys included, with the optional marker", () => {
    const q = parse(
      "sequence by host.id [process where ?a.b == 1] by user.name [file where c == 2] by user.name",
    );
    expect(fieldsOf(q).map((f) => `${f.optional ? "?" : ""}${f.name}`)).toEqual([
      "host.id",
      "?a.b",
      "user.name",
      "c",
      "user.name",
    ]);
  });
});
