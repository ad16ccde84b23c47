// `validateWithFields` walks a query once for what `validateEsql` and `fieldsOf` each walk it for: the findings
// and the source fields must be theirs, for every query of the conformance table and for broken queries too.
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { fieldsOf, parseEsql, validateEsql, validateWithFields } from "./index.js";
import { CASES } from "./conformance/cases.js";

const catalog = fieldCatalog({ ecs: true });

const broken = [
  "FROM logs-* | WHERE process.name == 1 AND nope.field > 2 | KEEP host.name",
  'FROM logs-* | EVAL x = TO_LOWER(user.name) + 1 | WHERE x > 3 AND source.ip == "a"',
  'FROM logs-* | STATS c = COUNT(*) BY host.name | WHERE user.name == "x"',
  'FROM logs-* | WHERE KQL("process.name: cmd.exe and not event.code: 1") | LIMIT 5',
  'FROM logs-* | RENAME host.name AS h | WHERE host.name == "x" OR h == "y"',
  "FROM logs-* | WHERE MAX(event.duration) > 1",
];

describe("validateWithFields", () => {
  const queries = [...CASES.map((c) => c.query), ...broken];

  it.each(queries.map((q) => [q]))("matches validateEsql and fieldsOf: %s", (text) => {
    const q = parseEsql(text);
    const once = validateWithFields(q, { catalog });
    expect(once.findings).toEqual(validateEsql(q, { catalog }));
    expect(once.fields).toEqual(fieldsOf(q));
  });

  it("reports findings of broken queries, and their fields", () => {
    const once = validateWithFields(parseEsql(broken[0]!), { catalog });
    expect(once.findings.length).toBeGreaterThan(0);
    expect(once.fields.map((f) => f.name)).toEqual(["process.name", "nope.field", "host.name"]);
  });
});
