import { describe, expect, it } from "vitest";
import { runCli, tempRepo } from "./test-support.js";

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const events = [
  { "@timestamp": t(9), event: { category: "network" }, host: { id: "h1" } },
  { "@timestamp": t(1), event: { category: "process" }, host: { id: "h1" }, process: { name: "cmd.exe" } },
  { "@timestamp": t(2), event: { category: "file" }, host: { id: "h1" } },
  { "@timestamp": t(3), event: { category: "process" }, host: { id: "h2" }, process: { name: "CMD.EXE" } },
  { event: { category: "process" }, host: { id: "h2" }, process: { name: "cmd.exe" } },
];

describe("dac eql", () => {
  const dir = tempRepo({ "events.ndjson": events.map((e) => JSON.stringify(e)).join("\n") + "\n" });

  it("parse prints the tree with spans", async () => {
    const run = await runCli(["eql", "parse", "--query", "any where a == 1", "--format", "json"], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      type: "query",
      body: { type: "event" },
      span: { start: 0, end: 16 },
    });
  });

  it("a syntax error is exit 1 with Elasticsearch's message at its line and column", async () => {
    const run = await runCli(["eql", "parse", "--query", "process where true | unique a"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("<query>:1:20 error Pipe [unique] is not supported");
  });

  it("fmt prints one step per line", async () => {
    const run = await runCli(
      ["eql", "fmt", "--query", "sequence by host.id [process where true] [file where true]"],
      dir,
    );
    expect(run.stdout).toBe("sequence by host.id\n  [process where true]\n  [file where true]\n");
  });

  it("eval prints the matching events' positions in timestamp order, case-sensitive ==", async () => {
    const run = await runCli(
      ["eql", "eval", "-q", 'process where process.name == "cmd.exe"', "-e", "events.ndjson"],
      dir,
    );
    expect(run.code).toBe(0);
    // Event 4 has no @timestamp: Elasticsearch's EQL search does not return it.
    expect(run.stdout).toBe('{"event":1}\n');
    const insensitive = await runCli(
      ["eql", "eval", "-q", 'process where process.name : "cmd.exe"', "-e", "events.ndjson"],
      dir,
    );
    expect(insensitive.stdout).toBe('{"event":1}\n{"event":3}\n');
  });

  it("eval prints sequences with their join keys", async () => {
    const run = await runCli(
      [
        "eql",
        "eval",
        "-q",
        "sequence by host.id with maxspan=5s [process where true] [file where true]",
        "-e",
        "events.ndjson",
      ],
      dir,
    );
    expect(run.stdout).toBe('{"events":[1,2],"join_keys":["h1"]}\n');
  });

  it("explain names the step and the reason a sequence stopped", async () => {
    const run = await runCli(
      [
        "eql",
        "explain",
        "-q",
        "sequence by host.id with maxspan=5s [process where true] [file where true] [network where true]",
        "-e",
        "events.ndjson",
        "--format",
        "json",
      ],
      dir,
    );
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({ joinKeys: ["h1"], reason: "maxspan", stoppedAtStep: 3 }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ joinKeys: ["h2"], reason: "no-match", stoppedAtStep: 2 }),
    );
  });

  it("eval orders by --timestamp-field, then --tiebreaker-field, then file order", async () => {
    // EQL search API: events are sorted by timestamp_field, then tiebreaker_field
    // (elasticsearch docs reference/query-languages/eql/eql-search-api: "timestamp_field", "tiebreaker_field").
    const at = (s: number) => `2026-01-01T00:00:0${s}Z`;
    const ordered = tempRepo({
      "ordered.ndjson": [
        { "@timestamp": at(1), event: { created: at(9), category: "process", sequence: 2 } },
        { "@timestamp": at(2), event: { created: at(2), category: "file", sequence: 1 } },
        { "@timestamp": at(3), event: { created: at(2), category: "process", sequence: 0 } },
      ]
        .map((e) => JSON.stringify(e))
        .join("\n"),
    });
    const seq = (...extra: string[]) =>
      runCli(
        [
          "eql",
          "eval",
          "-q",
          "sequence [process where true] [file where true]",
          "-e",
          "ordered.ndjson",
          ...extra,
        ],
        ordered,
      );
    expect((await seq()).stdout).toBe('{"events":[0,1],"join_keys":[]}\n');
    // By event.created the file event (file order first among the 00:02 pair) precedes both process events.
    expect((await seq("--timestamp-field", "event.created")).stdout).toBe("");
    expect(
      (await seq("--timestamp-field", "event.created", "--tiebreaker-field", "event.sequence")).stdout,
    ).toBe('{"events":[2,1],"join_keys":[]}\n');
  });

  it("eval reads field types from --mapping: a long compares as a number", async () => {
    const typed = tempRepo({
      "n.ndjson": ["10", "9", "100"]
        .map((n, i) => JSON.stringify({ "@timestamp": `2026-01-01T00:00:0${i}Z`, custom: { n } }))
        .join("\n"),
      "map.json": JSON.stringify({
        i: { mappings: { properties: { custom: { properties: { n: { type: "long" } } } } } },
      }),
    });
    const run = await runCli(
      ["eql", "eval", "-q", "any where custom.n > 9", "-e", "n.ndjson", "--mapping", "map.json"],
      typed,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('{"event":0}\n{"event":2}\n');
  });

  it("usage errors are exit 2", async () => {
    expect((await runCli(["eql", "eval", "-q", "any where true"], dir)).code).toBe(2);
    expect(
      (await runCli(["eql", "eval", "-q", "any where true", "-e", "events.ndjson", "--size", "x"], dir)).code,
    ).toBe(2);
  });
});
