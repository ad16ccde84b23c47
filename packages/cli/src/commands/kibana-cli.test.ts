/** Publishing commands as a new user meets them: credentials, bad flags, conflicts and fatal errors. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type Emulator, type EmulatorOptions } from "@dac/kibana-emulator";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, runCli, tempRepo, type CliRun } from "../test-support.js";

const apiKey = Buffer.from("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw").toString("base64");
const seedDir = join(repoRoot, "rules", "kubernetes");
const seedText = Object.fromEntries(
  readdirSync(seedDir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => [`rules/kubernetes/${f}`, readFileSync(join(seedDir, f), "utf8")]),
);
export const seedRuleIds = Object.values(seedText).map((text) => /^rule_id: (\S+)$/m.exec(text)![1]!);

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** A repository with the seed rules and an up-to-date lock, and an emulator. */
async function setup(options: EmulatorOptions = { apiKey, spaces: ["secops"] }) {
  emu = await startEmulator(options);
  const repo = tempRepo(seedText);
  const url = emu.url;
  const dac = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(args, repo, { DAC_KIBANA_URL: url, DAC_KIBANA_API_KEY: apiKey, ...env });
  expect((await dac(["version"])).code).toBe(0);
  return { emu, repo, dac };
}

const all = (run: CliRun) => run.stdout + run.stderr;
const managedRule = (rule_id: string, name: string) => ({
  rule_id,
  name,
  description: "d",
  type: "query",
  severity: "low",
  risk_score: 1,
  tags: ["Managed by: dac"],
});

describe("credentials never reach the output (item 4)", () => {
  it("hides a key that a per-rule _import error echoes, in pretty and json output", async () => {
    const { emu, dac } = await setup();
    for (const format of ["pretty", "json"]) {
      emu.injectFault({
        type: "import-errors",
        count: 1,
        status: 400,
        message: `invalid header Authorization: ApiKey ${apiKey}`,
      });
      const run = await dac(["publish", "-f", format]);
      expect(run.code).toBe(1);
      expect(all(run)).not.toContain(apiKey);
      expect(all(run)).toContain("invalid header Authorization: [REDACTED]");
      emu.clearFaults();
      for (const rule of emu.rules()) emu.state.spaces.get("default")!.rules.delete(rule.id);
    }
  });

  it("hides a key in a rule name from _find, in plan and publish, pretty and json", async () => {
    const { emu, dac } = await setup();
    for (const args of [["plan"], ["plan", "-f", "json"], ["publish"], ["publish", "-f", "json"]]) {
      // Pruned by the publish before: seeded again.
      if (!emu.rules().some((r) => r.rule_id === "leaky-1")) {
        emu.seedRule(managedRule("leaky-1", `Leaky ${apiKey} rule`));
        emu.seedRule(managedRule("leaky-2", `Decoded VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw`));
      }
      const run = await dac([...args, "--prune"]);
      expect(all(run)).not.toContain(apiKey);
      expect(all(run)).not.toContain("ui2lp2axTNmsyakw9tvNnw");
      expect(all(run)).toContain("Leaky [REDACTED] rule");
    }
  });
});

describe("redaction is exact and credentials are checked (item 5)", () => {
  it("does not garble output for a one-letter password, and a refused password exits 2", async () => {
    const { dac } = await setup({ basic: { username: "elastic", password: "a" } });
    const basic = { DAC_KIBANA_API_KEY: undefined, DAC_KIBANA_USERNAME: "elastic", DAC_KIBANA_PASSWORD: "a" };
    const ok = await dac(["plan"], basic);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("Summary: 2 to create");
    expect(ok.stdout).toContain('(rules tagged "Managed by: dac")');
    const refused = await dac(["plan"], { ...basic, DAC_KIBANA_PASSWORD: "b" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("unable to authenticate user");
    expect(refused.stderr).not.toContain("[REDACTED]");
  });

  it("refuses an API key that cannot go into a header: exit 2, the variable named, nothing of the key shown", async () => {
    const { emu, dac } = await setup();
    const key = "ZGFjLXRlc3Q6c2VjcmV0\u2713";
    for (const command of ["plan", "publish"]) {
      const run = await dac([command], { DAC_KIBANA_API_KEY: key });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/DAC_KIBANA_API_KEY .*cannot be sent in an HTTP header/);
      expect(run.stderr).not.toMatch(/10003|index|network error|ZGFj|\u2713/);
    }
    expect(emu.state.requests).toEqual([]);
  });
});
