import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli, tempRepo } from "./test-support.js";

const seedDir = join(repoRoot, "rules", "kubernetes");
const seed = readdirSync(seedDir).find((f) => f.endsWith(".yaml") && !f.endsWith(".exceptions.yaml"))!;
const ruleText = readFileSync(join(seedDir, seed), "utf8");

function repo(): string {
  const dir = tempRepo({ [`rules/kubernetes/${seed}`]: ruleText });
  mkdirSync(join(dir, "reports"));
  writeFileSync(join(dir, "plain-file"), "x");
  return dir;
}

describe("an output path that is a directory, or under a file, is a usage error (item 17)", () => {
  it.each([
    [["validate", "--output", "reports"], "--output reports is a directory"],
    [["validate", "-f", "json", "-o", "reports/"], "--output reports/ is a directory"],
    [["validate", "--output", "plain-file/report.txt"], "plain-file is not a directory"],
    [["test", "--reporter", "junit", "--output", "reports"], "--output reports is a directory"],
    [["test", "--reporter", "json=reports"], "--output reports is a directory"],
    [["check", "--reporter", "pretty", "--reporter", "junit=reports"], "--output reports is a directory"],
    [["export", "--out", "reports.ndjson"], "--out reports.ndjson is a directory"],
  ])("dac %j", async (args, message) => {
    const dir = repo();
    mkdirSync(join(dir, "reports.ndjson"));
    const before = readdirSync(dir).sort();
    if (args[0] === "export") expect((await runCli(["version"], dir)).code).toBe(0);
    const run = await runCli(args, dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/internal error|EISDIR/);
    expect(run.stdout).toBe("");
    expect(readdirSync(join(dir, "reports"))).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(
      args[0] === "export" ? [...before, "rules.lock.json"].sort() : before,
    );
  });
});

describe("report files go through the same redaction as the terminal", () => {
  it("hides the API key in a test report written to a file", async () => {
    const key = "c2VjcmV0LWlkOnNlY3JldC1hcGkta2V5";
    const dir = tempRepo({
      [`rules/kubernetes/${seed}`]: ruleText.replace(/^name: .*$/m, `name: Leak ${key}`),
      "fixtures/.keep": "",
    });
    const run = await runCli(
      ["test", "--reporter", "json=out/report.json", "--fixtures", join(repoRoot, "fixtures")],
      dir,
      {
        DAC_KIBANA_API_KEY: key,
      },
    );
    expect(run.stderr).toContain("wrote json report to out/report.json");
    const report = readFileSync(join(dir, "out/report.json"), "utf8");
    expect(report).not.toContain(key);
    expect(report).toContain("Leak [REDACTED]");
    expect(JSON.parse(report)).toBeTypeOf("object");
  });
});
