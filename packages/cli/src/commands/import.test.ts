import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli, tempRepo } from "../test-support.js";
import { commands } from "./index.js";
import { exportCommand } from "./export.js";
import { fmtCommand } from "./fmt.js";
import { importCommand } from "./import.js";
import { versionCommand } from "./version.js";

for (const command of [versionCommand, exportCommand, importCommand, fmtCommand]) {
  if (!commands.some((c) => c.name === command.name)) commands.push(command);
}

const seedDir = join(repoRoot, "rules", "kubernetes");
const seeds = Object.fromEntries(
  readdirSync(seedDir)
    .filter((f) => f.endsWith(".yaml") && !f.endsWith(".exceptions.yaml"))
    .map((f) => [`rules/kubernetes/${f}`, readFileSync(join(seedDir, f), "utf8")]),
);

/** The seed rules exported as ndjson lines (what Kibana's export holds). */
async function exportedLines(): Promise<Record<string, unknown>[]> {
  const repo = tempRepo(seeds);
  expect((await runCli(["version"], repo)).code).toBe(0);
  expect((await runCli(["export", "--out", "out.ndjson"], repo)).code).toBe(0);
  return readFileSync(join(repo, "out.ndjson"), "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function ndjson(root: string, lines: Record<string, unknown>[]): string {
  const file = join(root, "in.ndjson");
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return file;
}

/** A fresh repository with the schemas, so headers resolve and `dac fmt` agrees on them. */
function freshRepo(): string {
  return tempRepo({});
}

describe("dac import", () => {
  it("refuses an --out-dir outside the rules folder (exit 2), writing neither files nor lock entries", async () => {
    const root = freshRepo();
    const file = ndjson(root, await exportedLines());
    const run = await runCli(["import", "--from-ndjson", file, "--out-dir", "elsewhere"], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--out-dir elsewhere is outside the rules folder rules");
    expect(existsSync(join(root, "elsewhere"))).toBe(false);
    expect(existsSync(join(root, "rules.lock.json"))).toBe(false);
    const inside = await runCli(["import", "--from-ndjson", file, "--out-dir", "rules/imported"], root);
    expect(inside.code).toBe(0);
    expect(readdirSync(join(root, "rules/imported"))).toHaveLength(2);
    expect((await runCli(["validate"], root)).code).toBe(0);
  });

  it("refuses an --out-dir that leads outside the rules folder through a symbolic link (exit 2, nothing written)", async () => {
    const root = freshRepo();
    const file = ndjson(root, await exportedLines());
    const outside = mkdtempSync(join(tmpdir(), "dac-import-outside-"));
    mkdirSync(join(root, "rules"), { recursive: true });
    symlinkSync(outside, join(root, "rules", "elsewhere"));
    for (const outDir of ["rules/elsewhere", "rules/elsewhere/deeper"]) {
      const run = await runCli(["import", "--from-ndjson", file, "--out-dir", outDir], root);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--out-dir ${outDir} is outside the rules folder rules`);
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(root, "rules.lock.json"))).toBe(false);
  });

  it("never writes through a linked folder inside the rules folder: skipped, exit 1, no lock entry", async () => {
    const lines = await exportedLines();
    const root = freshRepo();
    const file = ndjson(root, lines);
    // The default folder, rules/<integration>/, is a link to another folder of the rules folder.
    mkdirSync(join(root, "rules", "real"), { recursive: true });
    symlinkSync("real", join(root, "rules", "kubernetes"));
    const run = await runCli(["import", "--from-ndjson", file], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "rules/kubernetes is a symbolic link; dac never writes through or over a link",
    );
    expect(run.stderr).toContain(`"${String(lines[0]!.name)}"`);
    expect(readdirSync(join(root, "rules", "real"))).toEqual([]);
    expect(existsSync(join(root, "rules.lock.json"))).toBe(false);
  });

  it("writes canonical files: `dac fmt --check` finds nothing to change", async () => {
    const root = freshRepo();
    const run = await runCli(["import", "--from-ndjson", ndjson(root, await exportedLines())], root);
    expect(run.code).toBe(0);
    const check = await runCli(["fmt", "--check"], root);
    expect(check.stdout).not.toContain("would reformat");
    expect(check.code).toBe(0);
  });

  it("gives rules whose names clash unique file names, and skips none", async () => {
    const [line] = await exportedLines();
    const ids = ["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"];
    const lines = [...ids, "aaaaaaaa-0000-4000-8000-000000000003"].map((rule_id) => ({
      ...line,
      rule_id,
    }));
    const root = freshRepo();
    const run = await runCli(["import", "--from-ndjson", ndjson(root, lines)], root);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const files = readdirSync(join(root, "rules/kubernetes")).sort();
    expect(files).toHaveLength(3);
    expect(new Set(files).size).toBe(3);
    // The same input gives the same names.
    const again = freshRepo();
    await runCli(["import", "--from-ndjson", ndjson(again, lines.reverse())], again);
    expect(readdirSync(join(again, "rules/kubernetes")).sort()).toEqual(files);
  });

  it("names the rule in skip messages, and exits 1 only for skips that need attention", async () => {
    const lines = await exportedLines();
    const root = freshRepo();
    const file = ndjson(root, lines);
    expect((await runCli(["import", "--from-ndjson", file], root)).code).toBe(0);
    const same = await runCli(["import", "--from-ndjson", file], root);
    expect(same.code).toBe(0);
    const name = String(lines[0]!.name);
    expect(same.stderr).toContain(
      `"${name}" [${String(lines[0]!.rule_id)}]: already in the repository as rules/`,
    );
    expect(same.stderr).not.toContain(`as ${root}`);
    const changed = lines.map((l, i) => (i === 0 ? { ...l, max_signals: 7 } : l));
    const other = await runCli(["import", "--from-ndjson", ndjson(root, changed)], root);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`"${name}" [${String(lines[0]!.rule_id)}]: already in the repository`);
    expect(other.stderr).toContain("with other content (use --force to overwrite it)");
    const prebuilt = await runCli(
      ["import", "--from-ndjson", ndjson(freshRepo(), [{ ...lines[0], immutable: true }])],
      root,
    );
    expect(prebuilt.code).toBe(0);
    expect(prebuilt.stderr).toContain(`"${name}"`);
  });
});
