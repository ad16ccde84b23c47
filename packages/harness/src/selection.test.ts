import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { defaultConfig } from "@dac/schema";
import { affectedRules, changedFiles, GitError, isWithin } from "./selection.js";
import type { GitRunner } from "./selection.js";
import { toyRule, toyRuleYaml } from "./test-support/toy-engine.js";
import { treesRemovedAfterEach } from "./test-support/tree.js";
import { watchPaths } from "./watch.js";

const tree = treesRemovedAfterEach();

const rule = (file: string, integration?: string) => {
  const text =
    toyRuleYaml({ name: file, query: {} }) +
    (integration
      ? `related_integrations:\n  - {package: kubernetes, integration: ${integration}, version: "^1.0.0"}\n`
      : "");
  return toyRule(file, text);
};

describe("affectedRules", () => {
  const root = "/repo";
  const config = { ...defaultConfig(root), fields: [], file: "/repo/dac.config.yaml" };
  const rules = [rule("rules/k8s/a.yaml"), rule("rules/k8s/b.yaml"), rule("rules/linux/c.yaml")];
  const affected = (...paths: string[]) => affectedRules(paths, rules, { config, cwd: root });

  it.each([
    [["rules/k8s/a.yaml"], ["rules/k8s/a.yaml"]],
    [["rules/k8s"], ["rules/k8s/a.yaml", "rules/k8s/b.yaml"]],
    [["fixtures/k8s/b/negative/x.json"], ["rules/k8s/b.yaml"]],
    [["fixtures/k8s/a"], ["rules/k8s/a.yaml"]],
    [["fixtures/linux"], ["rules/linux/c.yaml"]],
    [["fixtures/k8s/zzz/cases.yaml"], []],
    [["README.md"], []],
    [["dac.config.yaml"], ["rules/k8s/a.yaml", "rules/k8s/b.yaml", "rules/linux/c.yaml"]],
    [
      ["/repo/rules/linux/c.yaml", "fixtures/k8s/a/cases.yaml"],
      ["rules/k8s/a.yaml", "rules/linux/c.yaml"],
    ],
  ])("%j affects %j", (paths, expected) => {
    expect(affected(...paths)).toEqual(expected);
  });

  it("follows field files to the rules whose integrations read them", () => {
    const dir = tree({
      "fields/kubernetes.audit_logs.yml": "",
      "fields/_custom.yml": "",
      "fields/aws.yml": "",
    });
    const withFields = { ...defaultConfig(dir), fields: [join(dir, "fields")] };
    const rs = [rule("rules/k8s.yaml", "audit_logs"), rule("rules/other.yaml")];
    const run = (p: string) => affectedRules([join(dir, "fields", p)], rs, { config: withFields, cwd: dir });
    expect(run("kubernetes.audit_logs.yml")).toEqual(["rules/k8s.yaml"]);
    expect(run("_custom.yml")).toEqual(["rules/k8s.yaml", "rules/other.yaml"]);
    expect(run("aws.yml")).toEqual([]);
  });

  it("knows what lies within a folder", () => {
    expect(isWithin("/a/b/c", "/a/b")).toBe(true);
    expect(isWithin("/a/b", "/a/b")).toBe(true);
    expect(isWithin("/a/bc", "/a/b")).toBe(false);
  });
});

describe("changedFiles", () => {
  const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, stdio: "pipe" });

  it("lists committed, staged, unstaged and untracked changes since the base", () => {
    const dir = tree({ "rules/a.yaml": "a", "rules/b.yaml": "b", "fixtures/keep.json": "{}" });
    git(dir, "init", "-q", "-b", "main");
    git(dir, "-c", "user.email=t@t", "-c", "user.name=t", "-c", "commit.gpgsign=false", "add", ".");
    git(
      dir,
      "-c",
      "user.email=t@t",
      "-c",
      "user.name=t",
      "-c",
      "commit.gpgsign=false",
      "commit",
      "-qm",
      "base",
    );
    git(dir, "checkout", "-qb", "feature");
    writeFileSync(join(dir, "rules/a.yaml"), "a2");
    git(
      dir,
      "-c",
      "user.email=t@t",
      "-c",
      "user.name=t",
      "-c",
      "commit.gpgsign=false",
      "commit",
      "-qam",
      "change a",
    );
    writeFileSync(join(dir, "rules/b.yaml"), "b2");
    writeFileSync(join(dir, "fixtures/new.json"), "{}");
    const sub = join(dir, "rules");
    expect(changedFiles({ cwd: sub, base: "main" })).toEqual([
      join(dir, "fixtures/new.json"),
      join(dir, "rules/a.yaml"),
      join(dir, "rules/b.yaml"),
    ]);
    expect(changedFiles({ cwd: dir })).toEqual([join(dir, "fixtures/new.json"), join(dir, "rules/b.yaml")]);
    expect(() => changedFiles({ cwd: dir, base: "no-such-branch" })).toThrow(GitError);
  });

  it("passes arguments as a list, never through a shell", () => {
    const calls: (readonly string[])[] = [];
    const fake: GitRunner = (args) => {
      calls.push(args);
      return args[0] === "rev-parse" && args[1] === "--show-toplevel" ? "/repo\n" : "";
    };
    changedFiles({ cwd: "/repo", base: "origin/main; rm -rf /", git: fake });
    expect(calls).toContainEqual([
      "diff",
      "--name-only",
      "-z",
      "--no-renames",
      "--merge-base",
      "origin/main; rm -rf /",
    ]);
  });

  it("reports a folder outside any repository", () => {
    expect(() => changedFiles({ cwd: tree({}) })).toThrow(/git rev-parse --show-toplevel failed/);
  });
});

describe("watchPaths", () => {
  it("reports a burst of changes once, after a quiet time", async () => {
    const dir = tree({ "fixtures/a/positive/x.json": "{}" });
    const batches: string[][] = [];
    const watcher = watchPaths(
      [join(dir, "fixtures"), join(dir, "missing")],
      (files) => batches.push(files),
      { debounceMs: 50 },
    );
    onTestFinished(() => watcher.close());
    await new Promise((r) => setTimeout(r, 50));
    writeFileSync(join(dir, "fixtures/a/positive/x.json"), '{"a":1}');
    writeFileSync(join(dir, "fixtures/a/positive/y.json"), "{}");
    await expect.poll(() => batches.length, { timeout: 3000 }).toBe(1);
    expect(batches[0]).toEqual([
      join(dir, "fixtures/a/positive/x.json"),
      join(dir, "fixtures/a/positive/y.json"),
    ]);
  });
});
