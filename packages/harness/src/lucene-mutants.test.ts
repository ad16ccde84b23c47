import { describe, expect, it } from "vitest";
import { parse } from "@dac/lucene";
import { luceneMutations } from "./lucene-mutants.js";

const mutationsOf = (query: string) =>
  luceneMutations(query, parse(query)).map((m) => [
    m.operator,
    m.query,
    query.slice(m.span.start, m.span.end),
  ]);

describe("luceneMutations", () => {
  // Each row: a query and every mutant of it (operator, mutated query, the part of the query that changed).
  const table: [string, string[][]][] = [
    [
      "event.action:create AND user.name:alice",
      [
        ["drop-clause", "+user.name:alice", "event.action:create"],
        ["negate", "-event.action:create +user.name:alice", "event.action:create"],
        ["change-field", "user.name:create AND user.name:alice", "event.action"],
        ["change-literal", "event.action:create_mutant AND user.name:alice", "create"],
        ["drop-clause", "+event.action:create", "user.name:alice"],
        ["negate", "+event.action:create -user.name:alice", "user.name:alice"],
        ["change-field", "event.action:create AND event.action:alice", "user.name"],
        ["change-literal", "event.action:create AND user.name:alice_mutant", "alice"],
      ],
    ],
    [
      'NOT process.name:"cmd.exe"',
      [
        ["negate", '+process.name:"cmd.exe"', 'process.name:"cmd.exe"'],
        ["change-literal", 'NOT process.name:"cmd.exe_mutant"', '"cmd.exe"'],
      ],
    ],
    [
      "user.name:(alice OR bob*)",
      [
        ["negate", "-user.name:(alice OR bob*)", "user.name:(alice OR bob*)"],
        ["drop-clause", "user.name:(bob*)", "alice"],
        ["negate", "user.name:(-alice bob*)", "alice"],
        ["change-literal", "user.name:(alice_mutant OR bob*)", "alice"],
        ["drop-clause", "user.name:(alice)", "bob*"],
        ["negate", "user.name:(alice -bob*)", "bob*"],
        ["widen-wildcard", "user.name:(alice OR *)", "bob*"],
      ],
    ],
  ];
  it.each(table)("%s", (query, expected) => {
    expect(mutationsOf(query)).toEqual(expected);
  });

  it("keeps what each clause means when it rewrites a group (the classic parser has no precedence)", () => {
    // `a OR b AND c` is `a +b +c`: dropping a leaves `+b +c`.
    expect(mutationsOf("a OR b AND c")[0]).toEqual(["drop-clause", "+b +c", "a"]);
  });
});
