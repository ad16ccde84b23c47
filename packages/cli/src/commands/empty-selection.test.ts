import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli, tempRepo } from "../test-support.js";

const seedDir = join(repoRoot, "rules", "kubernetes");
const seeds = Object.fromEntries(
  readdirSync(seedDir)
    .filter((f) => f.endsWith(".yaml") && !f.endsWith(".exceptions.yaml"))
    .map((f) => [`rules/kubernetes/${f}`, readFileSync(join(seedDir, f), "utf8")]),
);

describe("dac version on an empty selection (item 13)", () => {
  it.each([
    ["an empty folder", "rules-typo", true],
    ["a missing folder", "rules-typo", false],
  ])(
    "with the rules folder pointing at %s: exit 2, and the lock stays untouched",
    async (_, folder, create) => {
      const dir = tempRepo(seeds);
      expect((await runCli(["version"], dir)).code).toBe(0);
      const lock = readFileSync(join(dir, "rules.lock.json"), "utf8");
      const config = readFileSync(join(dir, "dac.config.yaml"), "utf8");
      writeFileSync(join(dir, "dac.config.yaml"), config.replace(/^rules: rules$/m, `rules: ${folder}`));
      if (create) mkdirSync(join(dir, folder));
      for (const args of [["version"], ["version", "--check"], ["version", "-f", "json"]]) {
        const run = await runCli(args, dir);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(
          create
            ? `no rule files (*.yaml, *.yml) found in ${join(dir, folder)}`
            : `${join(dir, folder)}: no such file or folder`,
        );
        expect(run.stdout).not.toMatch(/removed/);
        expect(readFileSync(join(dir, "rules.lock.json"), "utf8")).toBe(lock);
      }
    },
  );
});
