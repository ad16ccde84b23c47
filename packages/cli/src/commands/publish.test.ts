import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateKibanaBody } from "@dac/exporter";
import { startEmulator, type Emulator } from "@dac/kibana-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot, runCli, tempRepo, type CliRun } from "../test-support.js";
import { commands } from "./index.js";
import { exportCommand } from "./export.js";
import { importCommand } from "./import.js";
import { planCommand } from "./plan.js";
import { publishCommand } from "./publish.js";
import { versionCommand } from "./version.js";

// Registered by the CLI's command list; added here only if missing, so these tests do not depend on the order
// in which the command files and the list land.
for (const command of [versionCommand, exportCommand, planCommand, publishCommand, importCommand]) {
  if (!commands.some((c) => c.name === command.name)) commands.push(command);
}

const apiKey = "ZGFjLXRlc3Q6dGhpcy1pcy1hLXNlY3JldA==";
const seedDir = join(repoRoot, "rules", "kubernetes");
const seedFiles = readdirSync(seedDir).filter((f) => f.endsWith(".yaml") && !f.endsWith(".exceptions.yaml"));
const seedText = Object.fromEntries(
  seedFiles.map((f) => [`rules/kubernetes/${f}`, readFileSync(join(seedDir, f), "utf8")]),
);
const ruleIdOf = (text: string) => /^rule_id: (\S+)$/m.exec(text)![1]!;
const selfReview = "rules/kubernetes/kubernetes_suspicious_self_subject_review.yaml";
const denied = "rules/kubernetes/kubernetes_denied_service_account_request.yaml";

let emu: Emulator;
let repo: string;
let outputs: CliRun[];

beforeEach(async () => {
  emu = await startEmulator({ apiKey, spaces: ["secops"] });
  repo = tempRepo(seedText);
  outputs = [];
});
afterEach(async () => {
  await emu.close();
  for (const run of outputs) expect(run.stdout + run.stderr).not.toContain(apiKey);
});

async function dac(
  args: string[],
  env: Record<string, string | undefined> = {},
  cwd = repo,
): Promise<CliRun> {
  const run = await runCli(args, cwd, { DAC_KIBANA_URL: emu.url, DAC_KIBANA_API_KEY: apiKey, ...env });
  outputs.push(run);
  return run;
}

const remote = (file: string, space = "default") =>
  emu.rules(space).find((r) => r.rule_id === ruleIdOf(seedText[file]!));

describe("dac version", () => {
  it("starts the seeds at 204 and 6, writes a sorted lock, and is then up to date", async () => {
    const run = await dac(["version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/added +Kubernetes Suspicious Self-Subject Review \[[^\]]+\] v204/);
    expect(run.stdout).toMatch(/added +Kubernetes Denied Service Account Request \[[^\]]+\] v6/);
    const lock = JSON.parse(readFileSync(join(repo, "rules.lock.json"), "utf8"));
    expect(lock[ruleIdOf(seedText[selfReview]!)]).toMatchObject({
      version: 204,
      name: "Kubernetes Suspicious Self-Subject Review",
    });
    expect(lock[ruleIdOf(seedText[denied]!)].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await dac(["version", "--check"])).code).toBe(0);
    expect((await dac(["version"])).stdout).toContain("rules.lock.json is up to date (2 rule(s))");
  });

  it("--check fails on a stale lock without writing it", async () => {
    await dac(["version"]);
    const before = readFileSync(join(repo, "rules.lock.json"), "utf8");
    writeFileSync(join(repo, denied), seedText[denied]!.replace("max_signals: 100", "max_signals: 150"));
    const run = await dac(["version", "--check"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/would bump +Kubernetes Denied Service Account Request \[[^\]]+\] v6 → v7/);
    expect(readFileSync(join(repo, "rules.lock.json"), "utf8")).toBe(before);
  });
});

describe("dac publish against the emulator", () => {
  it("creates the seeds at 204 and 6, changes nothing the second time, and updates only an edited seed to 205", async () => {
    await dac(["version"]);
    const first = await dac(["publish"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created +Kubernetes Suspicious Self-Subject Review \[[^\]]+\] v204/);
    expect(first.stdout).toMatch(/created +Kubernetes Denied Service Account Request \[[^\]]+\] v6/);
    expect(remote(selfReview)).toMatchObject({
      version: 204,
      revision: 0,
      tags: expect.arrayContaining(["Managed by: dac"]),
    });
    expect(remote(denied)).toMatchObject({ version: 6 });

    const second = await dac(["publish"]);
    expect(second).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("Nothing to publish: 2 rule(s) already up to date"),
    });

    writeFileSync(
      join(repo, selfReview),
      seedText[selfReview]!.replace("max_signals: 100", "max_signals: 200"),
    );
    const stale = await dac(["publish"]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/DAC601 the rule changed since version 204 was locked; run `dac version`/);
    expect(stale.stderr).toContain("nothing was sent or written");
    expect((await dac(["version"])).stdout).toMatch(
      /bumped +Kubernetes Suspicious Self-Subject Review \[[^\]]+\] v204 → v205/,
    );
    const third = await dac(["publish"]);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(
      /~ update +Kubernetes Suspicious Self-Subject Review \[[^\]]+\] v204 → v205/,
    );
    expect(third.stdout).toContain("max_signals: 100 → 200");
    expect(third.stdout).toMatch(/updated +Kubernetes Suspicious Self-Subject Review \[[^\]]+\] v205/);
    expect(third.stdout).toContain("Done: 1 changed, 1 unchanged, 0 failed.");
    expect(remote(selfReview)).toMatchObject({ version: 205, revision: 1, max_signals: 200 });
    expect(remote(denied)).toMatchObject({ version: 6, revision: 0 });
  });

  it("plans drift and prune, prunes only with --prune, and only managed custom rules", async () => {
    await dac(["version"]);
    await dac(["publish"]);
    emu.seedRule(
      {
        rule_id: "prebuilt-1",
        name: "Prebuilt",
        description: "d",
        type: "query",
        severity: "low",
        risk_score: 1,
        tags: ["Managed by: dac"],
      },
      { prebuilt: true },
    );
    emu.seedRule({
      rule_id: "manual-1",
      name: "Manual",
      description: "d",
      type: "query",
      severity: "low",
      risk_score: 1,
      tags: ["Team"],
    });
    await fetch(`${emu.url}/api/detection_engine/rules`, {
      method: "PATCH",
      headers: {
        authorization: `ApiKey ${apiKey}`,
        "kbn-xsrf": "x",
        "elastic-api-version": "2023-10-31",
        "content-type": "application/json",
      },
      body: JSON.stringify({ rule_id: ruleIdOf(seedText[denied]!), risk_score: 99 }),
    });
    rmSync(join(repo, selfReview));
    await dac(["version"]);

    const plan = await dac(["plan"]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /! drift +Kubernetes Denied Service Account Request .*changed in Kibana since version 6 was published/,
    );
    expect(plan.stdout).toContain("risk_score: 99 → 47");
    expect(plan.stdout).toMatch(
      /- prune +Kubernetes Suspicious Self-Subject Review \[[^\]]+\] v204 \(would prune with --prune\)/,
    );
    const json = JSON.parse((await dac(["plan", "--format", "json", "--prune"])).stdout);
    expect(json.spaces[0].counts).toEqual({
      create: 0,
      update: 0,
      unchanged: 0,
      drift: 1,
      conflict: 0,
      prune: 1,
    });

    const kept = await dac(["publish"]);
    expect(kept.stdout).toMatch(/restored +Kubernetes Denied Service Account Request/);
    expect(remote(selfReview)).toBeDefined();
    const pruned = await dac(["publish", "--prune"]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/pruned +Kubernetes Suspicious Self-Subject Review/);
    expect(
      emu
        .rules()
        .map((r) => r.rule_id)
        .sort(),
    ).toEqual([ruleIdOf(seedText[denied]!), "manual-1", "prebuilt-1"].sort());
  });

  it("publishes to a space", async () => {
    await dac(["version"]);
    expect((await dac(["publish", "--space", "secops"])).code).toBe(0);
    expect(emu.rules("secops")).toHaveLength(2);
    expect(emu.rules()).toHaveLength(0);
  });

  it("exits 1 when Kibana keeps failing, retrying first, and converges on the next run", async () => {
    await dac(["version"]);
    emu.injectFault({ type: "status", status: 503, path: "_import", times: Infinity });
    const failing = await dac(["publish", "--timeout", "2"]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/retrying POST \/api\/detection_engine\/rules\/_import/);
    expect(failing.stdout).toMatch(/failed +Kubernetes .*answered 503/);
    emu.clearFaults();
    emu.injectFault({ type: "status", status: 429, retryAfter: 0, path: "_find" });
    const recovered = await dac(["publish"]);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toContain("Done: 2 changed, 0 unchanged, 0 failed.");
  }, 60_000);

  it("reports missing credentials and a missing URL as configuration errors (exit 2)", async () => {
    await dac(["version"]);
    const noCreds = await dac(["publish"], { DAC_KIBANA_API_KEY: undefined });
    expect(noCreds.code).toBe(2);
    expect(noCreds.stderr).toContain(
      "no Kibana credentials: set DAC_KIBANA_API_KEY, or DAC_KIBANA_USERNAME and DAC_KIBANA_PASSWORD",
    );
    const noUrl = await dac(["plan"], { DAC_KIBANA_URL: undefined });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain("no Kibana URL");
    expect(emu.state.requests).toEqual([]);
  });

  it("maps refused credentials to exit 2 without showing them", async () => {
    await dac(["version"]);
    const run = await dac(["plan"], { DAC_KIBANA_API_KEY: "d3Jvbmc6a2V5LXRoYXQtaXMtd3Jvbmc=" });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/answered 401/);
    expect(run.stderr).not.toContain("d3Jvbmc6a2V5LXRoYXQtaXMtd3Jvbmc=");
  });

  it("warns about --insecure", async () => {
    await dac(["version"]);
    const run = await dac(["plan", "--insecure"]);
    expect(run.stderr).toContain("warning: --insecure");
  });
});

describe("dac export and dac import", () => {
  it("exports ndjson whose every line validates, then imports it back to byte-identical payloads", async () => {
    await dac(["version"]);
    const exported = await dac(["export", "--out", "dist/rules.ndjson"]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^wrote dist\/rules\.ndjson \(2 rules, \d+ bytes\)\n$/);
    const text = readFileSync(join(repo, "dist/rules.ndjson"), "utf8");
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(validateKibanaBody("importLine", JSON.parse(line))).toEqual([]);
    expect(lines.map((l) => JSON.parse(l).version).sort((a, b) => a - b)).toEqual([6, 204]);

    const fresh = tempRepo({});
    const imported = await dac(["import", "--from-ndjson", join(repo, "dist/rules.ndjson")], {}, fresh);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      "wrote rules/kubernetes/kubernetes_denied_service_account_request.yaml",
    );
    expect((await dac(["validate"], {}, fresh)).code).toBe(0);
    expect((await dac(["version", "--check"], {}, fresh)).code).toBe(0);
    await dac(["export", "--out", "again.ndjson"], {}, fresh);
    expect(readFileSync(join(fresh, "again.ndjson"), "utf8")).toBe(text);

    const again = await dac(["import", "--from-ndjson", join(repo, "dist/rules.ndjson")], {}, fresh);
    // Nothing to do is not a failure: the same rules are already there.
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(
      /skipped .*:1 "Kubernetes [^"]+" \[[^\]]+\]: already in the repository as .*, with the same content/,
    );
  });

  it("imports a Kibana space's custom rules", async () => {
    await dac(["version"]);
    await dac(["publish"]);
    await dac(["export", "--out", "out.ndjson"]);
    const fresh = tempRepo({});
    const run = await dac(["import", "--from-kibana"], {}, fresh);
    expect(run.code).toBe(0);
    await dac(["export", "--out", "out.ndjson"], {}, fresh);
    expect(readFileSync(join(fresh, "out.ndjson"), "utf8")).toBe(
      readFileSync(join(repo, "out.ndjson"), "utf8"),
    );
  });

  it("rejects bad usage with exit 2", async () => {
    expect((await dac(["export"])).code).toBe(2);
    expect((await dac(["export", "--out", "x.json"])).code).toBe(2);
    expect((await dac(["import"])).code).toBe(2);
    expect((await dac(["import", "--from-kibana", "--from-ndjson", "x"])).code).toBe(2);
    expect(existsSync(join(repo, "x.json"))).toBe(false);
  });
});
