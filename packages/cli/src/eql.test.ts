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

  it("usage errors are exit 2", async () => {
    expect((await runCli(["eql", "eval", "-q", "any where true"], dir)).code).toBe(2);
    expect(
      (await runCli(["eql", "eval", "-q", "any where true", "-e", "events.ndjson", "--size", "x"], dir)).code,
    ).toBe(2);
  });
});
