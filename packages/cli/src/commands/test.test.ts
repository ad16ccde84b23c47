import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "@dac/schema";
import type { CommandContext, OptionValues } from "../command.js";
import { UsageError } from "../command.js";
import { repoRoot, runCli } from "../test-support.js";
import { checkCommand } from "./check.js";
import { chooseReporters, runHarness, testCommand, watchTests } from "./test.js";

/** How many rule files the repository has (seeds and examples), so adding an example rule changes no test. */
function repoRuleCount(): number {
  return readdirSync(join(repoRoot, "rules"), { recursive: true, encoding: "utf8" }).filter(
    (f) => f.endsWith(".yaml") && !f.endsWith(".exceptions.yaml"),
  ).length;
}

describe("chooseReporters", () => {
  const choose = (values: OptionValues) => chooseReporters(values);

  it.each([
    [{}, [{ name: "pretty" }]],
    [{ reporter: ["pretty"] }, [{ name: "pretty" }]],
    [
      { reporter: ["pretty,junit=out/junit.xml"] },
      [{ name: "pretty" }, { name: "junit", file: "out/junit.xml" }],
    ],
    [{ reporter: ["json"], output: ["r.json"] }, [{ name: "json", file: "r.json" }]],
    [
      { reporter: ["pretty", "markdown"], output: ["markdown=summary.md"] },
      [{ name: "pretty" }, { name: "markdown", file: "summary.md" }],
    ],
    [
      { reporter: ["pretty"], output: ["junit=j.xml"] },
      [{ name: "pretty" }, { name: "junit", file: "j.xml" }],
    ],
    [{ reporter: ["github", "github"] }, [{ name: "github" }]],
  ])("%j → %j", (values, expected) => {
    expect(choose(values as OptionValues)).toEqual(expected);
  });

  it.each([
    [{ reporter: ["tap"] }, "unknown reporter `tap`; choose from pretty, json, junit, github, markdown"],
    [
      { reporter: ["pretty", "json"], output: ["out.txt"] },
      "--output out.txt: with several reporters, write --output NAME=FILE (or --reporter NAME=FILE)",
    ],
    [{ reporter: ["json=a.json"], output: ["json=b.json"] }, "reporter `json` is given two output files"],
  ])("rejects %j", (values, message) => {
    expect(() => choose(values as OptionValues)).toThrow(new UsageError(message));
  });
});

/** Runs a command the way `main` does once flags are parsed, capturing output. */
async function run(
  command: typeof testCommand,
  values: OptionValues,
  positionals: string[] = [],
  cwd = repoRoot,
) {
  let stdout = "";
  let stderr = "";
  const ctx: CommandContext = {
    cwd,
    env: {},
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    color: false,
    version: "0.0.0",
    config: () => loadConfig(cwd),
  };
  const code = await command.run!({ values: { reporter: ["pretty"], ...values }, positionals }, ctx);
  return { code, stdout, stderr };
}

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

/** A copy of the repository's rules, fixtures and schemas to change freely. */
function copyOfRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "dac-test-cmd-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const part of ["rules", "fixtures", "schemas", "dac.config.yaml"])
    cpSync(join(repoRoot, part), join(dir, part), { recursive: true });
  return dir;
}

describe("dac test", () => {
  it("passes on the seed rules and prints the summary", async () => {
    const r = await run(testCommand, {});
    const n = repoRuleCount();
    expect(r.stdout).toMatch(new RegExp(`^Rules {2}${n} \\(${n} passed\\)$`, "m"));
    expect(r.stdout).toMatch(/^Cases {2}\d+ \(\d+ passed, 0 failed\)$/m);
    expect(r.stdout).toMatch(/^Exempt 0$/m);
    expect(r.stdout).toMatch(/^Time {3}\d/m);
    expect(r.code).toBe(0);
  });

  it("fails with an explanation when one literal of a seed query changes", async () => {
    const dir = copyOfRepo();
    const file = join(dir, "rules/kubernetes/kubernetes_denied_service_account_request.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace('decision: "forbid"', 'decision: "forbidden"'));
    const r = await run(testCommand, {}, [], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(" FAIL  rules/kubernetes/kubernetes_denied_service_account_request.yaml");
    expect(r.stdout).toContain("expected a match, but the rule did not match");
    expect(r.stdout).toMatch(/explain:\n.*✗/);
    expect(r.stdout).toContain('"kubernetes.audit.annotations.authorization_k8s_io/decision": "forbid"');
  });

  it("writes several reports at once; JUnit and JSON parse", async () => {
    const dir = copyOfRepo();
    const r = await run(
      testCommand,
      { reporter: ["pretty", "junit=out/junit.xml", "json=out/result.json"] },
      [],
      dir,
    );
    expect(r.code).toBe(0);
    // Well-formedness of the JUnit output is checked with an XML parser in @dac/report's tests.
    expect(readFileSync(join(dir, "out/junit.xml"), "utf8")).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="dac test" tests="\d+" failures="0"/,
    );
    const json = JSON.parse(readFileSync(join(dir, "out/result.json"), "utf8")) as {
      format: string;
      summary: { ok: boolean };
    };
    expect(json).toMatchObject({ format: "dac-test-result", summary: { ok: true } });
    expect(r.stderr).toContain("wrote junit report to out/junit.xml");
  });

  it("selects rules by path, and calls an empty selection a usage error", async () => {
    const r = await run(testCommand, { reporter: ["json"] }, [
      "fixtures/kubernetes/kubernetes_denied_service_account_request",
    ]);
    const result = JSON.parse(r.stdout) as { rules: { file: string }[] };
    expect(result.rules.map((x) => x.file)).toEqual([
      "rules/kubernetes/kubernetes_denied_service_account_request.yaml",
    ]);
    await expect(run(testCommand, {}, ["README.md"])).rejects.toThrow(UsageError);
  });

  it("reports the surviving mutants of the seeds with --mutate", async () => {
    const r = await run(testCommand, { mutate: true, reporter: ["json"] });
    const result = JSON.parse(r.stdout) as {
      rules: { file: string; mutation: { mutants: number; killed: number; survivors: unknown[] } }[];
    };
    // The KQL seeds; the Lucene engine has no mutation operators yet.
    const seeds = result.rules.filter((rule) => rule.file.startsWith("rules/kubernetes/"));
    expect(seeds.length).toBeGreaterThan(0);
    for (const rule of seeds) {
      expect(rule.mutation.mutants).toBeGreaterThan(5);
      expect(rule.mutation.killed + rule.mutation.survivors.length).toBe(rule.mutation.mutants);
    }
  });

  it("measures coverage and fails below --min-branch-coverage", async () => {
    const dir = copyOfRepo();
    const cases = join(dir, "fixtures/kubernetes/kubernetes_suspicious_self_subject_review/cases.yaml");
    // Without the node-impersonation positive one branch goes uncovered.
    const text = readFileSync(cases, "utf8");
    const start = text.indexOf("  - name: admin impersonates a node");
    const end = text.indexOf("  - name:", start + 10);
    writeFileSync(cases, text.slice(0, start) + text.slice(end));
    const covered = await run(testCommand, { coverage: true }, [], dir);
    expect(covered.code).toBe(0);
    expect(covered.stdout).toContain("uncovered branch");
    const strict = await run(testCommand, { "min-branch-coverage": "100" }, [], dir);
    expect(strict.code).toBe(1);
    await expect(run(testCommand, { "min-branch-coverage": "lots" })).rejects.toThrow(UsageError);
  });
});

describe("dac test --watch", () => {
  it("re-runs the rules a changed fixture affects, until stopped", async () => {
    const dir = copyOfRepo();
    let stdout = "";
    let stderr = "";
    const ctx: CommandContext = {
      cwd: dir,
      env: {},
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      color: false,
      version: "0.0.0",
      config: () => loadConfig(dir),
    };
    const options = { cwd: dir, config: ctx.config() };
    const first = await runHarness(options);
    const stop = new AbortController();
    const watching = watchTests(options, [{ name: "json" }], ctx, false, first, stop.signal);
    await new Promise((r) => setTimeout(r, 100));
    const negative = join(
      dir,
      "fixtures/kubernetes/kubernetes_denied_service_account_request/negative/decision-allow.json",
    );
    // The near miss now carries `forbid`: the rule matches it and the re-run fails.
    writeFileSync(negative, readFileSync(negative, "utf8").replace('"allow"', '"forbid"'));
    await expect.poll(() => stdout, { timeout: 5000 }).toContain('"ok": false');
    stop.abort();
    expect(await watching).toBe(1);
    expect(stderr).toContain("1 rule(s) re-run");
    const rerun = JSON.parse(stdout) as { rules: { file: string }[] };
    expect(rerun.rules.map((r) => r.file)).toEqual([
      "rules/kubernetes/kubernetes_denied_service_account_request.yaml",
    ]);
  });
});

describe("dac check", () => {
  it("validates and tests the seeds", async () => {
    const r = await run(checkCommand, {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("All fixtures pass.");
  });

  it("fails on a validation error even when the fixtures pass", async () => {
    const dir = copyOfRepo();
    const file = join(dir, "rules/kubernetes/kubernetes_denied_service_account_request.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("risk_score: 47", "risk_score: 47\nrisk_scor: 1"));
    const r = await run(checkCommand, { reporter: ["github"] }, [], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("DAC101");
  });
});

describe("a folder that does not exist is a usage or configuration error (exit 2), never a pass", () => {
  it.each([
    [["test", "--fixtures", "/nonexistent-dac"], "/nonexistent-dac: no such folder"],
    [["check", "--fixtures", "/nonexistent-dac"], "/nonexistent-dac: no such folder"],
    [["test", "rules/kubernetes", "no-such-rules"], "no-such-rules: no such file or folder"],
    [["check", "--changed", "no-such-rules"], "no-such-rules: no such file or folder"],
  ])("dac %j", async (argv, message) => {
    const r = await runCli(argv);
    expect(r.stderr).toContain(message);
    expect(r.stdout).not.toContain("All fixtures pass");
    expect(r.code).toBe(2);
  });

  it("names the configured fixtures folder and the configuration file", async () => {
    const dir = copyOfRepo();
    const config = join(dir, "dac.config.yaml");
    writeFileSync(config, readFileSync(config, "utf8").replace("fixtures: fixtures", "fixtures: fixturse"));
    for (const command of ["test", "check"]) {
      const r = await runCli([command], dir);
      expect(r.stderr).toContain("fixturse: no such folder (`fixtures` in dac.config.yaml)");
      expect(r.code).toBe(2);
    }
  });

  it("a fixtures root that is a file is not a folder", async () => {
    const r = await runCli(["test", "--fixtures", "README.md"]);
    expect(r.stderr).toContain("README.md: not a folder");
    expect(r.code).toBe(2);
  });
});

describe("--changed with nothing changed", () => {
  /** A committed copy of the repository: nothing differs from HEAD. */
  function cleanGitCopy(): string {
    const dir = copyOfRepo();
    cpSync(join(repoRoot, "rules.lock.json"), join(dir, "rules.lock.json"));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=dac", "-c", "user.email=dac@example.com", ...args], { cwd: dir });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    return dir;
  }

  it("dac check validates every rule, tests none, and succeeds with a clear message", async () => {
    const dir = cleanGitCopy();
    const r = await runCli(["check", "--changed"], dir);
    const n = repoRuleCount();
    expect(r.stdout).toMatch(new RegExp(`${n} files, ${n} rules checked: 0 errors`));
    expect(r.stderr).toContain("no rule is affected by the files changed since HEAD: nothing to test");
    expect(r.stdout).toContain("No rules tested.");
    expect(r.code).toBe(0);
  });

  it("dac check still fails on a validation error in a rule the change does not touch", async () => {
    const dir = cleanGitCopy();
    const file = join(dir, "rules/kubernetes/kubernetes_denied_service_account_request.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("risk_score: 47", "risk_score: 47\nrisk_scor: 1"));
    execFileSync("git", ["-c", "user.name=dac", "-c", "user.email=d@e", "commit", "-qam", "x"], { cwd: dir });
    const r = await runCli(["check", "--changed"], dir);
    expect(r.stdout).toContain("DAC101");
    expect(r.code).toBe(1);
  });

  it("dac test writes valid, empty reports and exits 0", async () => {
    const dir = cleanGitCopy();
    const r = await runCli(["test", "--changed", "--reporter", "json", "--reporter", "junit=out/j.xml"], dir);
    expect(r.stderr).toContain("nothing to test");
    expect(JSON.parse(r.stdout)).toMatchObject({ rules: [], summary: { rules: 0, ok: true } });
    expect(readFileSync(join(dir, "out/j.xml"), "utf8")).toContain('tests="0" failures="0"');
    expect(r.code).toBe(0);
  });

  it("a PATH that selects no rule is still a usage error", async () => {
    const dir = cleanGitCopy();
    const r = await runCli(["test", "--changed", "README.md"], dir);
    expect(r.code).toBe(2);
  });
});

describe("--mutate on a huge query", () => {
  it("runs a bounded number of mutants and says how many it skipped", async () => {
    const dir = copyOfRepo();
    const file = join(dir, "rules/kubernetes/kubernetes_denied_service_account_request.yaml");
    const names = Array.from({ length: 600 }, (_, i) => `user${i}`).join(" or ");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "kubernetes.audit.user.username: system\\:serviceaccount\\:*",
        `kubernetes.audit.user.username: (${names} or system\\:serviceaccount\\:*)`,
      ),
    );
    const started = Date.now();
    const json = await run(testCommand, { mutate: true, reporter: ["json"] }, [file], dir);
    const result = JSON.parse(json.stdout) as {
      rules: { mutation: { mutants: number; skipped?: number; survivors: { query: string }[] } }[];
    };
    const mutation = result.rules[0]!.mutation;
    expect(mutation.mutants).toBeLessThanOrEqual(200);
    expect(mutation.skipped).toBeGreaterThan(1000);
    for (const s of mutation.survivors) expect(s.query.length).toBeLessThan(1100);
    const pretty = await run(testCommand, { mutate: true }, [file], dir);
    expect(pretty.stdout).toMatch(
      /\d+\/\d+ mutants killed \(\d+ more mutants not run: over the limit per rule\)/,
    );
    expect(pretty.stdout.length).toBeLessThan(1_000_000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
