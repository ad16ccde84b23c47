import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./test-support.js";

const git = (...args: string[]) => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" });

// Reports written with `--output` (out/, and reports/ in CI) and build outputs never belong in the repository.
const generated = [
  "out/report.json",
  "reports/dac-junit.xml",
  "packages/cli/dist/bin.js",
  "coverage/index.html",
];

describe("generated files", () => {
  it("are not tracked", () => {
    const tracked = git("ls-files", "--", "out", "reports", "**/dist/**", "coverage");
    expect(tracked).toBe("");
  });

  it.each(generated)("%s is ignored", (file) => {
    // check-ignore prints the path when it is ignored (and exits 1 when it is not).
    expect(git("check-ignore", "--no-index", file).trim()).toBe(file);
  });
});
