// `dac esql parse | fmt | eval`. The result shapes follow the ES|QL REST API
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/esql-rest.html: `columns` of {name, type} and
// `values` row by row); the semantics are @dac/esql's, whose conformance table cites the ES|QL reference per rule.
import { describe, expect, it } from "vitest";
import { runCli, tempRepo } from "./test-support.js";

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const events = [
  { "@timestamp": t(1), user: { name: "alice" }, source: { ip: "10.0.0.1" }, event: { outcome: "failure" } },
  { "@timestamp": t(2), user: { name: "alice" }, source: { ip: "10.0.0.2" }, event: { outcome: "failure" } },
  { "@timestamp": t(3), user: { name: "alice" }, source: { ip: "10.0.0.2" }, event: { outcome: "success" } },
  {
    "@timestamp": t(4),
    user: { name: "bob" },
    source: { ip: "10.0.0.9" },
    event: { outcome: "failure" },
    tags: ["a", "b"],
  },
];

describe("dac esql", () => {
  const dir = tempRepo({
    "events.ndjson": events.map((e) => JSON.stringify(e)).join("\n") + "\n",
    "events.json": JSON.stringify(events),
    "users.json": JSON.stringify([
      { user: { name: "alice" }, user_dept: "sales" },
      { user: { name: "bob" }, user_dept: "it" },
    ]),
    "numbers.ndjson": '{"custom":{"n":"10"}}\n{"custom":{"n":"9"}}\n',
    "mapping.json": JSON.stringify({
      mappings: { properties: { custom: { properties: { n: { type: "long" } } } } },
    }),
    "query.esql": 'FROM logs-*\n| WHERE user.name == "alice"\n',
    "broken.ndjson": '{"a":1}\n{not json\n',
  });
  const esql = (...args: string[]) => runCli(["esql", ...args], dir);

  describe("parse", () => {
    it("prints the tree with source spans, without echoing the query text", async () => {
      const run = await esql("parse", "-q", "FROM logs-* METADATA _id | LIMIT 5", "--format", "json");
      expect(run.code).toBe(0);
      const tree = JSON.parse(run.stdout);
      expect(tree).toMatchObject({
        source: {
          type: "from",
          indices: [{ pattern: "logs-*", span: { start: 5, end: 11 } }],
          metadata: [{ name: "_id" }],
        },
        commands: [{ type: "limit", span: { start: 27, end: 34 } }],
        span: { start: 0, end: 34 },
      });
      expect(tree).not.toHaveProperty("text");
    });

    it("a syntax error is exit 1, at its line and column, in the ANTLR wording Elasticsearch answers with", async () => {
      const run = await esql("parse", "-q", "FROM logs-*\n| WHERE (");
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain("<query>:2:10 error mismatched input <EOF> expecting {");
      expect(run.stderr).toContain("DAC401");
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });

    it("reads --query-file and names the file in errors", async () => {
      expect((await esql("parse", "--query-file", "query.esql")).code).toBe(0);
      const missing = await esql("parse", "--query-file", "nope.esql");
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("cannot read nope.esql: ENOENT");
    });

    it("usage errors are exit 2", async () => {
      expect((await esql("parse")).code).toBe(2);
      expect((await esql("parse", "-q", "ROW a = 1", "--query-file", "query.esql")).code).toBe(2);
    });
  });

  describe("fmt", () => {
    it("prints one command per line, keywords upper-case", async () => {
      const run = await esql(
        "fmt",
        "-q",
        'from logs-*|where user.name=="alice"|stats n=count(*) by host.name',
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        'FROM logs-*\n| WHERE user.name == "alice"\n| STATS n = COUNT(*) BY host.name\n',
      );
      const json = await esql("fmt", "-q", "from a|limit 1", "--format", "json");
      expect(JSON.parse(json.stdout)).toEqual({ query: "FROM a\n| LIMIT 1" });
    });

    it("--check is exit 0 on a canonical query (a file's final newline allowed), 1 otherwise", async () => {
      const canonical = await esql("fmt", "--check", "--query-file", "query.esql");
      expect(canonical).toMatchObject({ code: 0, stdout: "" });
      const not = await esql("fmt", "--check", "-q", "from a | limit 1");
      expect(not.code).toBe(1);
      expect(not.stdout).toBe("");
      expect(not.stderr).toContain("<query>: not in canonical form");
    });

    it("a syntax error is exit 1 for --check too", async () => {
      expect((await esql("fmt", "--check", "-q", "FROM a | LIMIT")).code).toBe(1);
    });
  });

  describe("eval", () => {
    const stats =
      'FROM logs-* | WHERE event.outcome == "failure" | STATS addresses = COUNT_DISTINCT(source.ip), failures = COUNT(*) BY user.name | SORT user.name';

    it("prints the result table in aligned columns: aggregates first, then the BY groups", async () => {
      // STATS … BY answers the aggregate columns, then the BY columns, one row per group (the reference's examples:
      // https://www.elastic.co/docs/reference/query-languages/esql/commands/stats-by).
      const run = await esql("eval", "-q", stats, "-e", "events.ndjson");
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        [
          "addresses | failures | user.name",
          "----------+----------+----------",
          "2         | 2        | alice",
          "1         | 1        | bob",
          "",
        ].join("\n"),
      );
      expect(run.stderr).toBe("");
    });

    it("--format json is the POST /_query body: columns with ES|QL types, values row by row, warnings", async () => {
      const run = await esql("eval", "-q", stats, "-e", "events.json", "--format", "json");
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        columns: [
          { name: "addresses", type: "long" },
          { name: "failures", type: "long" },
          { name: "user.name", type: "keyword" },
        ],
        values: [
          [2, 2, "alice"],
          [1, 1, "bob"],
        ],
        warnings: [],
      });
    });

    it("a single-valued function on a multi-value is null with Elasticsearch's warning", async () => {
      // Single-value functions return null on a multi-value, with a Warning header
      // (https://www.elastic.co/docs/reference/query-languages/esql/esql-multivalued-fields).
      const q = 'FROM logs-* | WHERE user.name == "bob" | EVAL n = LENGTH(tags) | KEEP tags, n';
      const json = JSON.parse((await esql("eval", "-q", q, "-e", "events.ndjson", "-f", "json")).stdout);
      expect(json.values).toEqual([[["a", "b"], null]]);
      expect(json.warnings).toEqual([
        "Line 1:51: evaluation of [LENGTH(tags)] failed, treating result as null. Only first 20 failures recorded.",
        "Line 1:51: java.lang.IllegalArgumentException: single-value function encountered multi-value",
      ]);
      const pretty = await esql("eval", "-q", q, "-e", "events.ndjson");
      expect(pretty.stdout).toBe("tags   | n\n-------+-----\n[a, b] | null\n");
      expect(pretty.stderr).toContain("warning: Line 1:51: evaluation of [LENGTH(tags)] failed");
    });

    it("--mapping types a field: a long sorts numerically, an unmapped string as a keyword", async () => {
      const q = "FROM logs-* | SORT custom.n";
      const inferred = JSON.parse((await esql("eval", "-q", q, "-e", "numbers.ndjson", "-f", "json")).stdout);
      expect(inferred).toMatchObject({
        columns: [{ name: "custom.n", type: "keyword" }],
        values: [["10"], ["9"]],
      });
      const mapped = JSON.parse(
        (await esql("eval", "-q", q, "-e", "numbers.ndjson", "--mapping", "mapping.json", "-f", "json"))
          .stdout,
      );
      expect(mapped).toMatchObject({ columns: [{ name: "custom.n", type: "long" }], values: [[9], [10]] });
    });

    it("--unknown-fields: a field outside the catalogue is typed from its values, or with unmapped not a column", async () => {
      const q = "FROM logs-* | KEEP custom.n";
      const keyword = await esql("eval", "-q", q, "-e", "numbers.ndjson", "-f", "json");
      expect(JSON.parse(keyword.stdout).columns).toEqual([{ name: "custom.n", type: "keyword" }]);
      const unmapped = await esql("eval", "-q", q, "-e", "numbers.ndjson", "--unknown-fields", "unmapped");
      expect(unmapped.code).toBe(1);
      expect(unmapped.stderr).toContain("Unknown column [custom.n]");
    });

    it("--lookup NAME=FILE is the data of a LOOKUP JOIN index", async () => {
      const run = await esql(
        "eval",
        "-q",
        'FROM logs-* | WHERE event.outcome == "failure" | LOOKUP JOIN users ON user.name | KEEP user.name, user_dept',
        "-e",
        "events.ndjson",
        "--lookup",
        "users=users.json",
        "-f",
        "json",
      );
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).values).toEqual([
        ["alice", "sales"],
        ["alice", "sales"],
        ["bob", "it"],
      ]);
    });

    it("every validation error is exit 1 at its position: unsupported and unknown functions by name", async () => {
      const run = await esql(
        "eval",
        "-q",
        "FROM logs-* | EVAL x = SIN(1), y = FOO(user.name)",
        "-e",
        "events.ndjson",
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(
        "<query>:1:24 error function [SIN] is not supported by dac DAC443 esql-unsupported",
      );
      // Elasticsearch's verifier: "Unknown function [foo]" (lower-cased, as FunctionRegistry reports it).
      expect(run.stderr).toContain("<query>:1:36 error Unknown function [foo] DAC443");
      expect(run.stderr).toContain("2 errors");
    });

    it("a column that KEEP dropped is an unknown column (DAC440)", async () => {
      const run = await esql(
        "eval",
        "-q",
        'FROM logs-* | KEEP source.ip | WHERE user.name == "a"',
        "-e",
        "events.ndjson",
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("<query>:1:38 error Unknown column [user.name]");
      expect(run.stderr).toContain("DAC440 esql-unknown-column");
    });

    it("a field neither the documents nor the catalogue know is an unknown column", async () => {
      const run = await esql("eval", "-q", "FROM logs-* | KEEP no_such_field", "-e", "events.ndjson");
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("Unknown column [no_such_field]");
    });

    it("bad input is a clear usage error (exit 2), never a stack trace", async () => {
      const noEvents = await esql("eval", "-q", "FROM a");
      expect(noEvents.code).toBe(2);
      expect(noEvents.stderr).toContain("--events FILE is required");
      const badLookup = await esql("eval", "-q", "FROM a", "-e", "events.ndjson", "--lookup", "users");
      expect(badLookup.code).toBe(2);
      expect(badLookup.stderr).toContain("--lookup `users` is not NAME=FILE");
      const badNow = await esql("eval", "-q", "FROM a", "-e", "events.ndjson", "--now", "yesterday");
      expect(badNow.code).toBe(2);
      const broken = await esql("eval", "-q", "FROM a", "-e", "broken.ndjson");
      expect(broken.code).toBe(2);
      expect(broken.stderr).toContain("broken.ndjson:2:");
      for (const r of [noEvents, badLookup, badNow, broken]) expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it("--now is NOW()", async () => {
      const run = await esql(
        "eval",
        "-q",
        "ROW t = NOW()",
        "-e",
        "events.ndjson",
        "--now",
        "2026-03-01T10:00:00Z",
        "-f",
        "json",
      );
      expect(JSON.parse(run.stdout)).toMatchObject({
        columns: [{ name: "t", type: "date" }],
        values: [["2026-03-01T10:00:00.000Z"]],
      });
    });
  });
});
