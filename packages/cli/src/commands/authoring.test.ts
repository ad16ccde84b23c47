import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "@dac/schema";
import type { CommandContext } from "../command.js";
import { repoRoot, runCli, tempRepo } from "../test-support.js";
import { changesetCommand } from "./changeset.js";
import { fmtCommand } from "./fmt.js";
import { commands } from "./index.js";
import { newCommand, runNew } from "./new.js";
import { testCommand } from "./test.js";
import { versionCommand } from "./version.js";
import type { Prompter } from "./new.js";

// Registered by the CLI's command list; added here only if missing, so these tests do not depend on the order
// in which the command files and the list land.
for (const command of [newCommand, fmtCommand, changesetCommand, testCommand, versionCommand]) {
  if (!commands.some((c) => c.name === command.name)) commands.push(command);
}

const newFlags = [
  "--name",
  "Kubernetes Pod Exec",
  "--index",
  "logs-kubernetes.*",
  "--severity",
  "high",
  "--tactic",
  "Execution",
  "--dir",
  "kubernetes",
];
const ruleFile = "rules/kubernetes/kubernetes_pod_exec.yaml";
const casesFile = "fixtures/kubernetes/kubernetes_pod_exec/cases.yaml";

/** The repository's schemas, so the new rule's header resolves as in a real checkout. */
function repoWithSchemas(): string {
  const root = tempRepo({});
  execFileSync("cp", ["-r", join(repoRoot, "schemas"), join(root, "schemas")]);
  return root;
}

describe("dac new", () => {
  it("creates a rule that validates and fixtures that fail until filled in", async () => {
    const root = repoWithSchemas();
    const created = await runCli(["new", ...newFlags], root);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    expect(created.stdout).toContain(`created ${ruleFile}\ncreated ${casesFile}\n`);
    expect(readFileSync(join(root, ruleFile), "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../../schemas/rule.schema.json",
    );
    expect(readFileSync(join(root, casesFile), "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../../../schemas/fixture-cases.schema.json",
    );
    // `dac new` records the rule in the version lock, so it passes `dac validate` at once, with no finding.
    expect(created.stdout).toMatch(/added .* to rules\.lock\.json at version 1/);
    const validated = await runCli(["validate", "--format", "json"], root);
    expect(validated.code).toBe(0);
    expect((JSON.parse(validated.stdout) as { diagnostics: unknown[] }).diagnostics).toEqual([]);
    expect(await runCli(["version", "--check"], root)).toMatchObject({ code: 0 });
    expect(await runCli(["fmt", "--check"], root)).toMatchObject({ code: 0 });
    const tested = await runCli(["test", ruleFile], root);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain("not filled in yet: paste an event the rule must match");
  });

  it("never overwrites", async () => {
    const root = repoWithSchemas();
    await runCli(["new", ...newFlags], root);
    writeFileSync(join(root, ruleFile), "edited\n");
    const again = await runCli(["new", ...newFlags], root);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${ruleFile} and ${casesFile} already exist; dac new never overwrites`);
    expect(readFileSync(join(root, ruleFile), "utf8")).toBe("edited\n");
  });

  it("without a terminal, a missing flag is a usage error", async () => {
    const run = await runCli(["new", "--name", "X"], repoWithSchemas());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing --index, --severity, --tactic, --dir (stdin is not a terminal");
  });

  it.each([
    [["--tactic", "Nope"], "`Nope` is not an ATT&CK Enterprise tactic"],
    [["--severity", "urgent"], "--severity must be one of low, medium, high, critical"],
    [["--type", "eql", "--language", "kuery"], "a eql rule is written in eql, not `kuery`"],
  ])("rejects %j", async (extra, message) => {
    const run = await runCli(["new", ...newFlags, ...extra], repoWithSchemas());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("asks for what is missing when it can, and asks again after a wrong answer", async () => {
    const root = repoWithSchemas();
    const answers = [
      "Kubernetes Pod Exec",
      "",
      "",
      "logs-kubernetes.*",
      "urgent",
      "high",
      "Lateral Moves",
      "TA0002",
      "kubernetes",
    ];
    const asked: string[] = [];
    const told: string[] = [];
    const prompter: Prompter = {
      interactive: true,
      ask: async (q) => {
        asked.push(q);
        return answers.shift() ?? "";
      },
      tell: (m) => void told.push(m),
      close: () => undefined,
    };
    let stdout = "";
    const ctx: CommandContext = {
      cwd: root,
      env: {},
      stdout: (t) => void (stdout += t),
      stderr: () => undefined,
      color: false,
      version: "0.0.0",
      config: () => loadConfig(root),
    };
    expect(await runNew({}, ctx, prompter)).toBe(0);
    expect(asked.map((q) => q.split(" ")[0])).toEqual([
      "Rule",
      "Rule",
      "Query",
      "Index",
      "Severity",
      "Severity",
      "ATT&CK",
      "ATT&CK",
      "Folder",
    ]);
    expect(asked[2]).toBe("Query language (kuery/lucene) [kuery]: ");
    expect(told).toEqual([
      "  choose one of low, medium, high, critical\n",
      expect.stringMatching(/^ {2}not an Enterprise tactic/),
    ]);
    expect(stdout).toContain(`created ${ruleFile}`);
    expect(readFileSync(join(root, ruleFile), "utf8")).toContain("id: TA0002");
  });
});

describe("dac fmt", () => {
  const messy =
    "# yaml-language-server: $schema=../../schemas/rule.schema.json\nseverity: low\nname: 'Rule'\n";

  it("--check lists drift, writes nothing and exits 1; fmt then fixes it", async () => {
    const root = tempRepo({
      "rules/k/a.yaml": messy,
      "rules/k/b.yaml": "# yaml-language-server: $schema=../../schemas/rule.schema.json\nname: B\n",
    });
    const check = await runCli(["fmt", "--check"], root);
    expect(check).toMatchObject({
      code: 1,
      stdout:
        "would reformat rules/k/a.yaml\n1 file(s) would be reformatted, 1 already formatted. Run `dac fmt` to fix.\n",
    });
    expect(readFileSync(join(root, "rules/k/a.yaml"), "utf8")).toBe(messy);
    const fixed = await runCli(["fmt"], root);
    expect(fixed).toMatchObject({
      code: 0,
      stdout: "formatted rules/k/a.yaml\nFormatted 1 file(s), 1 already formatted.\n",
    });
    expect(readFileSync(join(root, "rules/k/a.yaml"), "utf8")).toBe(
      "# yaml-language-server: $schema=../../schemas/rule.schema.json\nname: Rule\nseverity: low\n",
    );
    expect(await runCli(["fmt", "--check"], root)).toMatchObject({ code: 0 });
  });

  it("reports a file it cannot format and exits 1", async () => {
    const root = tempRepo({ "rules/k/bad.yaml": "name: [\n" });
    const run = await runCli(["fmt", "rules"], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^rules\/k\/bad\.yaml(:\d+)?: cannot format: /);
  });

  it("an empty selection or a missing path is a usage error", async () => {
    expect((await runCli(["fmt"], tempRepo({}))).code).toBe(2);
    expect((await runCli(["fmt", "nowhere"], tempRepo({}))).stderr).toContain(
      "nowhere: no such file or folder",
    );
  });

  it("passes on the repository", async () => {
    expect(await runCli(["fmt", "--check"], repoRoot)).toMatchObject({ code: 0 });
  });
});

describe("dac changeset", () => {
  function gitRepo() {
    const root = tempRepo({
      "rules/package.json": '{ "name": "@dac/rules", "version": "0.1.0", "private": true }\n',
      "rules/k/a.yaml": "rule_id: 11111111-1111-4111-8111-111111111111\nname: Rule A\n",
      ".changeset/config.json": '{ "baseBranch": "main" }\n',
    });
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=dac", "-c", "user.email=dac@example.com", ...args], {
        cwd: root,
      });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    git("checkout", "-q", "-b", "feature");
    return root;
  }

  it("writes a changeset for an added rule, which --check then accepts", async () => {
    const root = gitRepo();
    writeFileSync(
      join(root, "rules/k/b.yaml"),
      "rule_id: 22222222-2222-4222-8222-222222222222\nname: Rule B\n",
    );
    const check = await runCli(["changeset", "--check", "--base", "main"], root);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("no changeset added since the base releases @dac/rules");
    const run = await runCli(["changeset", "--base", "main"], root);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("They need a minor release of @dac/rules.");
    const files = readdirSync(join(root, ".changeset")).filter((f) => f.endsWith(".md"));
    expect(files).toEqual(["rules-added-rule-b.md"]);
    expect(readFileSync(join(root, ".changeset", files[0]!), "utf8")).toContain('"@dac/rules": minor');
    expect(await runCli(["changeset", "--check", "--base", "main"], root)).toMatchObject({ code: 0 });
    // Run again: already covered, nothing more written.
    expect((await runCli(["changeset", "--base", "main"], root)).stdout).toContain(
      "Covered by .changeset/rules-added-rule-b.md (minor)",
    );
  });

  it("says so when no rule changed, and writes nothing", async () => {
    const root = gitRepo();
    const run = await runCli(["changeset"], root);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^No rule changed since main \([0-9a-f]{12}\): no changeset needed\.\n$/);
    expect(readdirSync(join(root, ".changeset"))).toEqual(["config.json"]);
  });

  it("a base that does not resolve is a usage error", async () => {
    const root = gitRepo();
    rmSync(join(root, "rules/k/a.yaml"));
    const run = await runCli(["changeset", "--base", "origin/nope"], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot resolve the base `origin/nope`");
  });
});
