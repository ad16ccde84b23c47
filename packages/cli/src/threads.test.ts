// `dac validate` checks many files on several threads (DAC_THREADS, or one per core past a threshold). The
// findings must not depend on it: the same diagnostics, in the same order, with the same positions, on one
// thread or several, and a problem that stops validation on one thread stops it the same way on several.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultThreads, parallelThreshold, threadCount } from "@dac/schema";
import { repoRoot, runCli, tempRepo } from "./test-support.js";

const builtBin = join(repoRoot, "packages", "cli", "dist", "bin.js");

const sample = readFileSync(new URL("./test-data/elastic-rules/sample.ndjson", import.meta.url), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as { rule_id: string; name: string });

/** The Elastic sample three times over (fresh rule_ids), and one rule twice. */
async function repoWithRules(): Promise<string> {
  const repo = tempRepo({ "rules/.keep": "", "fixtures/.keep": "" });
  const lines = Array.from({ length: sample.length * 3 }, (_, i) => {
    const rule = sample[i % sample.length]!;
    return { ...rule, rule_id: randomUUID(), name: `${rule.name} #${i}` };
  });
  writeFileSync(join(repo, "export.ndjson"), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  const imported = await runCli(["import", "--from-ndjson", "export.ndjson"], repo);
  expect(imported.code).toBe(0);
  // A copy of a rule under another name: cross-rule findings (duplicate rule_id and name) that need positions.
  const first = readdirSync(join(repo, "rules"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".yaml"))
    .sort()[0]!;
  copyFileSync(join(repo, "rules", first), join(repo, "rules", "zz-copy.yaml"));
  return repo;
}

describe("validation on several threads", () => {
  it("gives the same findings, in the same order, as on one thread", async () => {
    const repo = await repoWithRules();
    const one = await runCli(["validate", "--format", "json"], repo, { DAC_THREADS: "1" });
    const diagnostics = (JSON.parse(one.stdout) as { diagnostics: { code: string }[] }).diagnostics;
    // Findings of every kind: per file (queries, fields) and across files (the duplicated name).
    expect(diagnostics.some((d) => d.code === "DAC203")).toBe(true);
    expect(diagnostics.length).toBeGreaterThan(sample.length);
    for (const threads of ["2", "3"]) {
      const many = await runCli(["validate", "--format", "json"], repo, { DAC_THREADS: threads });
      expect(many).toEqual(one);
    }
    // The pretty report quotes the source lines of rules checked on other threads too.
    const prettyOne = await runCli(["validate"], repo, { DAC_THREADS: "1" });
    expect(await runCli(["validate"], repo, { DAC_THREADS: "2" })).toEqual(prettyOne);
  });

  // `bin` starts the worker threads before the CLI loads (prestartRuleWorkers); they get their files later.
  it.skipIf(!existsSync(builtBin))(
    "gives the same findings through the bin, whose workers start early",
    async () => {
      const repo = await repoWithRules();
      const run = (threads: string) =>
        spawnSync(process.execPath, [builtBin, "validate", "--format", "json"], {
          cwd: repo,
          encoding: "utf8",
          env: { ...process.env, DAC_THREADS: threads, NO_COLOR: "1" },
        });
      const one = run("1");
      expect(one.status, one.stderr).toBe(1);
      expect(JSON.parse(one.stdout)).toMatchObject({ diagnostics: expect.any(Array) });
      for (const threads of ["2", "3"]) {
        const many = run(threads);
        expect(many.stdout).toBe(one.stdout);
        expect(many.status).toBe(one.status);
      }
      // Fewer files than threads: the workers started early are ended, and the run is the same.
      const single = spawnSync(
        process.execPath,
        [builtBin, "validate", "--format", "json", "rules/zz-copy.yaml"],
        {
          cwd: repo,
          encoding: "utf8",
          env: { ...process.env, DAC_THREADS: "3" },
        },
      );
      expect(JSON.parse(single.stdout)).toMatchObject({ diagnostics: expect.any(Array) });
    },
  );

  it("stops with the same configuration error on several threads as on one", async () => {
    const repo = await repoWithRules();
    writeFileSync(join(repo, "fields.json"), "{ not json");
    writeFileSync(
      join(repo, "dac.config.yaml"),
      `${readFileSync(join(repo, "dac.config.yaml"), "utf8").replace("fields:\n", "fields:\n  - fields.json\n")}`,
    );
    const one = await runCli(["validate", "--format", "json"], repo, { DAC_THREADS: "1" });
    expect(one.code).toBe(2);
    expect(await runCli(["validate", "--format", "json"], repo, { DAC_THREADS: "2" })).toEqual(one);
  });

  it("refuses a DAC_THREADS that is not a whole number", async () => {
    const repo = await repoWithRules();
    const run = await runCli(["validate"], repo, { DAC_THREADS: "two" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("DAC_THREADS must be a whole number from 1, not `two`");
  });

  it("starts threads only past a threshold that pays for them, and never more than files", () => {
    expect(threadCount(parallelThreshold - 1)).toBe(1);
    expect(threadCount(parallelThreshold)).toBe(defaultThreads());
    // Worker threads from 3 cores: on 2, a second thread costs CPU and saves no time (see defaultThreads).
    expect([1, 2, 3, 4, 8].map((cores) => defaultThreads(cores))).toEqual([1, 1, 3, 4, 4]);
    expect(threadCount(10, 1)).toBe(1);
    expect(threadCount(3, 8)).toBe(3);
  });
});
