import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkLock,
  DuplicateRuleIdError,
  LockFileError,
  lockSubjects,
  readLock,
  serializeLock,
  updateLock,
  writeLock,
  type Lock,
  type LockSubject,
} from "./lock.js";
import { seedLikeRules } from "./test-support.js";

const h = (c: string) => c.repeat(64);
const subject = (rule_id: string, sha: string, startVersion?: number): LockSubject => ({
  rule_id,
  name: `Rule ${rule_id}`,
  file: `rules/${rule_id}.yaml`,
  sha256: h(sha),
  ...(startVersion !== undefined ? { startVersion } : {}),
});
const entry = (version: number, sha: string, deleted = false) => ({
  name: "old",
  sha256: h(sha),
  version,
  ...(deleted ? { deleted: true as const } : {}),
});

describe("updateLock", () => {
  it.each<[string, Lock, LockSubject[], Lock, string[]]>([
    [
      "a new rule starts at 1",
      {},
      [subject("a", "1")],
      { a: { name: "Rule a", sha256: h("1"), version: 1 } },
      ["added"],
    ],
    [
      "a new rule starts at metadata.version",
      {},
      [subject("a", "1", 204)],
      { a: { name: "Rule a", sha256: h("1"), version: 204 } },
      ["added"],
    ],
    [
      "an unchanged hash keeps the version",
      { a: entry(5, "1") },
      [subject("a", "1")],
      { a: { name: "Rule a", sha256: h("1"), version: 5 } },
      ["unchanged"],
    ],
    [
      "a changed hash is +1",
      { a: entry(204, "1") },
      [subject("a", "2", 204)],
      { a: { name: "Rule a", sha256: h("2"), version: 205 } },
      ["bumped"],
    ],
    [
      "a lower metadata.version never lowers it",
      { a: entry(9, "1") },
      [subject("a", "2", 2)],
      { a: { name: "Rule a", sha256: h("2"), version: 10 } },
      ["bumped"],
    ],
    [
      "a higher metadata.version moves it forward",
      { a: entry(9, "1") },
      [subject("a", "1", 20)],
      { a: { name: "Rule a", sha256: h("1"), version: 20 } },
      ["bumped"],
    ],
    [
      "a removed rule leaves a tombstone",
      { a: entry(7, "1") },
      [],
      { a: { ...entry(7, "1", true) } },
      ["deleted"],
    ],
    ["a tombstone stays", { a: entry(7, "1", true) }, [], { a: entry(7, "1", true) }, []],
    [
      "a rule coming back continues from its tombstone",
      { a: entry(7, "1", true) },
      [subject("a", "2")],
      { a: { name: "Rule a", sha256: h("2"), version: 8 } },
      ["restored"],
    ],
    [
      "a development rule without an entry stays out of the lock",
      {},
      [{ ...subject("a", "1"), unpublished: true }],
      {},
      ["waiting"],
    ],
    [
      "a development rule keeps its tombstone",
      { a: entry(7, "1", true) },
      [{ ...subject("a", "2"), unpublished: true }],
      { a: entry(7, "1", true) },
      ["waiting"],
    ],
    [
      "a development rule with a live entry is versioned as before",
      { a: entry(3, "1") },
      [{ ...subject("a", "2"), unpublished: true }],
      { a: { name: "Rule a", sha256: h("2"), version: 4 } },
      ["bumped"],
    ],
  ])("%s", (_label, lock, subjects, expected, kinds) => {
    const result = updateLock(lock, subjects);
    expect(result.lock).toEqual(expected);
    expect(result.changes.map((c) => c.kind)).toEqual(kinds);
  });

  it("refuses duplicate rule_ids", () => {
    expect(() => updateLock({}, [subject("a", "1"), subject("a", "2")])).toThrow(DuplicateRuleIdError);
  });

  it("never decreases a version and always ends fresh (property)", () => {
    const step = fc.record({
      id: fc.constantFrom("a", "b", "c"),
      sha: fc.constantFrom("1", "2", "3"),
      start: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
      present: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(fc.array(step, { maxLength: 3 }), { maxLength: 8 }), (rounds) => {
        let lock: Lock = {};
        for (const round of rounds) {
          const subjects = [
            ...new Map(
              round.filter((s) => s.present).map((s) => [s.id, subject(s.id, s.sha, s.start)]),
            ).values(),
          ];
          const next = updateLock(lock, subjects).lock;
          for (const [id, e] of Object.entries(lock))
            expect(next[id]!.version).toBeGreaterThanOrEqual(e.version);
          expect(checkLock(next, subjects)).toEqual([]);
          expect(updateLock(next, subjects).lock).toEqual(next);
          lock = next;
        }
      }),
    );
  });
});

describe("checkLock", () => {
  it("reports stale and missing entries with codes", () => {
    const lock: Lock = {
      a: entry(1, "1"),
      b: entry(1, "1"),
      gone: entry(3, "1"),
      old: entry(2, "1", true),
      c: entry(4, "1"),
    };
    const problems = checkLock(lock, [
      subject("a", "1"),
      subject("b", "2"),
      subject("c", "1", 9),
      subject("new", "1"),
      subject("old", "1"),
    ]);
    expect(problems.map((p) => [p.code, p.rule_id, p.file])).toEqual([
      ["DAC601", "b", "rules/b.yaml"],
      ["DAC601", "c", "rules/c.yaml"],
      ["DAC601", "gone", "rules.lock.json"],
      ["DAC602", "new", "rules/new.yaml"],
      ["DAC602", "old", "rules/old.yaml"],
    ]);
    expect(problems[0]!.reason).toContain("dac version");
  });

  it("asks no entry of a development rule, but checks the one it has", () => {
    const dev = (id: string, sha: string): LockSubject => ({ ...subject(id, sha), unpublished: true });
    expect(checkLock({}, [dev("a", "1")])).toEqual([]);
    expect(checkLock({ a: entry(2, "1", true) }, [dev("a", "2")])).toEqual([]);
    expect(checkLock({ a: entry(2, "1") }, [dev("a", "2")]).map((p) => p.code)).toEqual(["DAC601"]);
  });

  it("is clean after updateLock for real rules", () => {
    const subjects = lockSubjects(seedLikeRules(), {});
    const { lock } = updateLock({}, subjects);
    expect(
      Object.values(lock)
        .map((e) => e.version)
        .sort((a, b) => a - b),
    ).toEqual([6, 204]);
    expect(checkLock(lock, subjects)).toEqual([]);
  });
});

describe("lock file", () => {
  it("writes sorted keys, two-space JSON and a trailing newline, atomically", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dac-lock-"));
    const file = join(dir, "rules.lock.json");
    await writeLock(file, {
      b: { version: 2, sha256: h("b"), name: "B" },
      a: { version: 1, name: "A", sha256: h("a") },
    });
    const text = await readFile(file, "utf8");
    expect(text).toBe(
      `{\n  "a": {\n    "name": "A",\n    "sha256": "${h("a")}",\n    "version": 1\n  },\n  "b": {\n    "name": "B",\n    "sha256": "${h("b")}",\n    "version": 2\n  }\n}\n`,
    );
    expect(await readdir(dir)).toEqual(["rules.lock.json"]);
    expect(await readLock(file)).toEqual(JSON.parse(text));
    expect(serializeLock(await readLock(file))).toBe(text);
  });

  it("reads a missing file as empty and rejects malformed ones", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dac-lock-"));
    expect(await readLock(join(dir, "none.json"))).toEqual({});
    await writeFile(join(dir, "bad.json"), "{");
    await expect(readLock(join(dir, "bad.json"))).rejects.toThrow(LockFileError);
    await writeFile(
      join(dir, "shape.json"),
      JSON.stringify({ a: { version: 0, sha256: h("a"), name: "A" } }),
    );
    await expect(readLock(join(dir, "shape.json"))).rejects.toThrow(/entry for "a"/);
  });
});
