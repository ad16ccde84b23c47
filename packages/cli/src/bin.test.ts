import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { version } from "./main.js";
import { repoRoot } from "./test-support.js";

// npm links a workspace's bins at install time (`npm ci`), before any build: a bin pointing into dist/ is
// not linked, and `npx dac` then asks the public registry for its unrelated `dac` package.
const offline = {
  ...process.env,
  npm_config_offline: "true",
  // Unroutable: any request to a registry fails at once.
  npm_config_registry: "http://127.0.0.1:9",
  npm_config_update_notifier: "false",
  NO_COLOR: "1",
};
const built = existsSync(join(repoRoot, "packages", "cli", "dist", "bin.js"));
const notBuilt = /not built yet: run `npm run build`/;

/** What running the workspace's own CLI with `--version` prints: the version, or before a build the shim's hint. */
function expectOwnCli(run: ReturnType<typeof spawnSync>): void {
  const out = `${String(run.stdout)}${String(run.stderr)}`;
  if (built) {
    // npm run prints its own banner lines first; the CLI's output is the last line.
    expect(String(run.stdout).split("\n").slice(-2), out).toEqual([version, ""]);
    expect(run.status, out).toBe(0);
  } else {
    expect(String(run.stderr), out).toMatch(notBuilt);
    expect(run.status, out).toBe(2);
  }
}

describe("the dac bin", () => {
  it("points, in every workspace package, at a committed file that exists before the build", () => {
    const dirs = readdirSync(join(repoRoot, "packages")).map((d) => join("packages", d));
    const bins = dirs.flatMap((dir) => {
      const pkg = JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as {
        bin?: Record<string, string>;
      };
      return Object.entries(pkg.bin ?? {}).map(([name, file]) => ({ name, file: join(dir, file) }));
    });
    expect(bins.map((b) => b.name)).toContain("dac");
    for (const { file } of bins) {
      expect(file, `${file} is a build output`).not.toMatch(/(^|\/)dist\//);
      expect(existsSync(join(repoRoot, file)), `${file} is missing`).toBe(true);
      expect(readFileSync(join(repoRoot, file), "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
  });

  it("says to build first, with exit 2, when dist/ is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "dac-bin-"));
    mkdirSync(join(dir, "bin"));
    copyFileSync(join(repoRoot, "packages", "cli", "bin", "dac.js"), join(dir, "bin", "dac.js"));
    const run = spawnSync(process.execPath, [join(dir, "bin", "dac.js"), "--version"], { encoding: "utf8" });
    expect(run.stderr).toMatch(notBuilt);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
  });

  it("runs offline through the README's route (`the CLI is `…``), never the registry", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8").replace(/\s+/g, " ");
    const route = /the CLI is `([^`]+?) …`/.exec(readme)?.[1];
    expect(route, "README.md names the CLI as `the CLI is `COMMAND …``").toBeDefined();
    const [command, ...args] = route!.split(" ");
    const run = spawnSync(command!, [...args, "--version"], {
      cwd: repoRoot,
      env: offline,
      encoding: "utf8",
    });
    expectOwnCli(run);
  });

  it("runs offline as `npx --offline --no-install dac` (run `npm ci` after changing a bin)", () => {
    const run = spawnSync("npx", ["--offline", "--no-install", "dac", "--version"], {
      cwd: repoRoot,
      env: offline,
      encoding: "utf8",
    });
    expectOwnCli(run);
  });
});
