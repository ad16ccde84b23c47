import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportFileNames, ExportError, splitLines, writeExport } from "./export.js";
import { validateKibanaBody } from "./kibana-schema.js";
import { buildPayloads } from "./payload.js";
import { fakeRequiredFields, generatedRules, seedLikeRules } from "./test-support.js";

function payloadsOf(rules: ReturnType<typeof generatedRules>) {
  const { payloads, errors } = buildPayloads(rules, {
    versionOf: () => 1,
    requiredFields: fakeRequiredFields,
  });
  expect(errors).toEqual([]);
  return payloads.map((p) => p.payload);
}

describe("splitLines", () => {
  it.each([
    ["by count", ["a", "b", "c", "d", "e"], { maxRules: 2, maxBytes: 1000 }, [["a", "b"], ["c", "d"], ["e"]]],
    [
      "by bytes (each line counts its newline)",
      ["aaa", "bbb", "ccc"],
      { maxRules: 100, maxBytes: 8 },
      [["aaa", "bbb"], ["ccc"]],
    ],
    ["exactly at the limit", ["aaa", "bbb"], { maxRules: 2, maxBytes: 8 }, [["aaa", "bbb"]]],
    ["nothing", [], { maxRules: 2, maxBytes: 8 }, []],
  ])("splits %s", (_label, lines, limits, expected) => {
    expect(splitLines(lines, limits)).toEqual(expected);
  });

  it("refuses a single line over the byte limit", () => {
    expect(() => splitLines(["x".repeat(20)], { maxRules: 10, maxBytes: 10 })).toThrow(ExportError);
  });

  it("names the parts out.ndjson, out-2.ndjson, …", () => {
    expect(exportFileNames("dist/out.ndjson", 3)).toEqual([
      "dist/out.ndjson",
      "dist/out-2.ndjson",
      "dist/out-3.ndjson",
    ]);
  });
});

describe("writeExport", () => {
  it("writes one rule per line ordered by rule_id, each line a valid import line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dac-export-"));
    const payloads = payloadsOf([...generatedRules(3, "zz"), ...seedLikeRules()]);
    const { files } = await writeExport(join(dir, "out.ndjson"), payloads);
    expect(files).toHaveLength(1);
    const text = await readFile(files[0]!.path, "utf8");
    const lines = text.trimEnd().split("\n");
    expect(text.endsWith("\n")).toBe(true);
    expect(lines.map((l) => JSON.parse(l).rule_id)).toEqual(
      [...lines.map((l) => JSON.parse(l).rule_id)].sort(),
    );
    for (const line of lines) expect(validateKibanaBody("importLine", JSON.parse(line))).toEqual([]);
    const again = await writeExport(join(dir, "again.ndjson"), [...payloads].reverse());
    expect(await readFile(again.files[0]!.path, "utf8")).toBe(text);
    expect((await readdir(dir)).sort()).toEqual(["again.ndjson", "out.ndjson"]);
  });

  it("splits over the limits and reports stale parts of an earlier, larger export", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dac-export-"));
    const out = join(dir, "rules.ndjson");
    const payloads = payloadsOf(generatedRules(25));
    const split = await writeExport(out, payloads, { maxRules: 10, maxBytes: 10 * 1024 * 1024 });
    expect(split.files.map((f) => [f.path.slice(dir.length + 1), f.rules])).toEqual([
      ["rules.ndjson", 10],
      ["rules-2.ndjson", 10],
      ["rules-3.ndjson", 5],
    ]);
    const bySize = await writeExport(out, payloads, { maxRules: 10_000, maxBytes: split.files[0]!.bytes });
    expect(bySize.files).toHaveLength(3);
    for (const f of bySize.files)
      expect((await readFile(f.path)).length).toBeLessThanOrEqual(split.files[0]!.bytes);
    const smaller = await writeExport(out, payloads.slice(0, 5), {
      maxRules: 10,
      maxBytes: 10 * 1024 * 1024,
    });
    expect(smaller.staleParts.map((p) => p.slice(dir.length + 1))).toEqual([
      "rules-2.ndjson",
      "rules-3.ndjson",
    ]);
  });

  it("requires an .ndjson name", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dac-export-"));
    await writeFile(join(dir, "x"), "");
    await expect(writeExport(join(dir, "out.json"), [])).rejects.toThrow(/\.ndjson/);
  });
});
