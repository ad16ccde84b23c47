import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "./test-support/temp-repo.js";
import {
  checkCommand,
  checkWorkflow,
  registeredDacCommands,
  repoFacts,
  shellCommands,
} from "./test-support/workflow-check.js";
import type { RepoFacts, Workflow } from "./test-support/workflow-check.js";

const workflowsDir = join(repoRoot, ".github", "workflows");
const files = readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const facts = repoFacts(repoRoot);
const read = (file: string) => readFileSync(join(workflowsDir, file), "utf8");

describe("the repository's workflows", () => {
  it("are ci.yml and release.yml", () => {
    expect(files).toEqual(["ci.yml", "release.yml"]);
  });

  // Pinned actions, permissions per job, and run steps calling only scripts, commands and files that exist.
  it.each(files)("%s passes every check", (file) => {
    expect(checkWorkflow(`.github/workflows/${file}`, read(file), facts)).toEqual([]);
  });

  it("ci runs .ci/run, and on pull requests the rule checks with --changed against the base", () => {
    const ci = parse(read("ci.yml")) as Workflow & {
      on: Record<string, unknown>;
      jobs: Record<string, { steps: { run?: string; uses?: string }[]; env?: Record<string, string> }>;
    };
    expect(Object.keys(ci.on)).toEqual(["pull_request", "push"]);
    const runs = Object.values(ci.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    expect(runs).toContain("bash .ci/run");
    for (const command of [
      "validate --format github",
      "validate --format sarif",
      "version --check",
      "changeset --check",
      "fmt --check",
    ]) {
      expect(runs.some((r) => r.includes(`dac -- ${command}`))).toBe(true);
    }
    expect(
      runs.some((r) =>
        /dac -- test \$CHANGED --reporter github --reporter junit --reporter markdown/.test(r),
      ),
    ).toBe(true);
    expect(runs.some((r) => r.includes('>> "$GITHUB_STEP_SUMMARY"'))).toBe(true);
    expect(ci.jobs.rules!.env!.CHANGED).toContain("--changed --base origin/{0}', github.base_ref");
    const uses = Object.values(ci.jobs).flatMap((j) => j.steps.map((s) => s.uses ?? ""));
    expect(uses.some((u) => u.startsWith("github/codeql-action/upload-sarif@"))).toBe(true);
    expect(uses.some((u) => u.startsWith("actions/upload-artifact@"))).toBe(true);
  });

  it("release versions with changesets, then plans and publishes in a protected environment, one at a time", () => {
    const release = parse(read("release.yml")) as {
      concurrency?: unknown;
      on: { push: { branches: string[] } };
      jobs: Record<
        string,
        {
          environment?: string;
          concurrency?: { group: string; "cancel-in-progress": boolean };
          env?: Record<string, string>;
          needs?: string;
          if?: string;
          steps: { run?: string; uses?: string; with?: Record<string, string> }[];
        }
      >;
    };
    expect(release.on.push.branches).toEqual(["main"]);
    expect(release.concurrency).toMatchObject({ "cancel-in-progress": false });
    const version = release.jobs.version!;
    const changesets = version.steps.find((s) => s.uses?.startsWith("changesets/action@"));
    expect(changesets?.with).toMatchObject({ title: "Version Packages" });
    const publish = release.jobs.publish!;
    expect(publish).toMatchObject({
      environment: "kibana-production",
      needs: "version",
      concurrency: { "cancel-in-progress": false },
    });
    expect(publish.if).toContain("has-changesets == 'false'");
    expect(publish.env).toEqual({
      DAC_KIBANA_URL: "${{ secrets.DAC_KIBANA_URL }}",
      DAC_KIBANA_API_KEY: "${{ secrets.DAC_KIBANA_API_KEY }}",
    });
    const runs = publish.steps.map((s) => s.run ?? "");
    const plan = runs.findIndex((r) => r.includes("dac -- plan"));
    const publishStep = runs.findIndex((r) => r.includes("dac -- publish"));
    expect(plan).toBeGreaterThanOrEqual(0);
    expect(publishStep).toBeGreaterThan(plan);
    expect(runs[plan]).toContain('>> "$GITHUB_STEP_SUMMARY"');
  });
});

describe("the workflow checks", () => {
  const fake: RepoFacts = {
    root: repoRoot,
    npmScripts: new Set(["build", "test", "dac"]),
    dacCommands: new Set(["validate", "fmt"]),
  };
  const wf = (body: string) =>
    `name: x\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n${body}`;

  it.each([
    [
      "a tag instead of a SHA",
      "      - uses: actions/checkout@v4\n",
      "`actions/checkout@v4` is not pinned to a full commit SHA",
    ],
    [
      "a SHA without its tag",
      `      - uses: actions/checkout@${"a".repeat(40)}\n`,
      "has no `# vX.Y.Z` comment",
    ],
    ["an unknown npm script", "      - run: npm run deploy\n", "no npm script `deploy` in package.json"],
    [
      "an unregistered dac command",
      "      - run: npm run --silent dac -- publish --prune\n",
      "`dac publish` is not a registered dac command",
    ],
    ["a missing file", "      - run: bash .ci/nothing\n", ".ci/nothing does not exist"],
    ["an unknown tool", "      - run: |\n          make all\n", "`make` is not a known command"],
  ])("catches %s", (_label, steps, problem) => {
    expect(checkWorkflow("w.yml", wf(steps), fake).join("\n")).toContain(problem);
  });

  it("requires permissions at the top and per job", () => {
    const text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n";
    expect(checkWorkflow("w.yml", text, fake)).toEqual([
      "w.yml: no workflow-level `permissions:`",
      "w.yml: job `a` sets no `permissions:`",
    ]);
  });

  it("accepts what exists", () => {
    const steps = `      - uses: actions/checkout@${"a".repeat(40)} # v4.2.2\n      - run: npm ci && npm run build\n      - run: node packages/cli/dist/bin.js fmt --check\n      - run: npm test\n`;
    expect(checkWorkflow("w.yml", wf(steps), fake)).toEqual([]);
  });

  it("reads shell scripts into simple commands", () => {
    expect(
      shellCommands(
        'set +e\nX=1 npm run --silent dac -- test $A \\\n  --reporter github 2> out.log\nif [ "$s" -eq 2 ] && grep -q "a | b" f; then\n  echo hi | tee -a "$F" >&2 # note\nfi\n{ echo a; cat f; } >> "$S"\n',
      ),
    ).toEqual([
      ["set", "+e"],
      ["npm", "run", "--silent", "dac", "--", "test", "$A", "--reporter", "github"],
      ["[", "$s", "-eq", "2", "]"],
      ["grep", "-q", "a | b", "f"],
      ["echo", "hi"],
      ["tee", "-a", "$F"],
      ["echo", "a"],
      ["cat", "f"],
    ]);
    expect(checkCommand(["dac", "validate"], fake)).toBeUndefined();
  });

  it("reads the registered commands from the CLI's list", () => {
    const names = registeredDacCommands(join(repoRoot, "packages", "cli", "src", "commands"));
    expect(names.has("validate")).toBe(true);
    expect(names.has("parse")).toBe(false); // a subcommand of `dac kql`, not a command
  });
});
