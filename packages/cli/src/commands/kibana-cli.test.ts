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
    .filter((f) => f.endsWith(".yaml") && !f.endsWith(".exceptions.yaml"))
    .map((f) => [`rules/kubernetes/${f}`, readFileSync(join(seedDir, f), "utf8")]),
);
const seedRuleIds = Object.values(seedText).map((text) => /^rule_id: (\S+)$/m.exec(text)![1]!);

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

describe("what Kibana sends is shown escaped, never as raw control characters", () => {
  it("a rule name from _find with ESC and NUL, in plan and publish", async () => {
    const { emu, dac } = await setup();
    for (const args of [["plan"], ["publish"]]) {
      if (!emu.rules().some((r) => r.rule_id === "hostile-1"))
        emu.seedRule(managedRule("hostile-1", "Clear\u001b[2J screen\u0000 rule"));
      const run = await dac([...args, "--no-color"]);
      expect(all(run)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(all(run)).toContain("hostile-1");
      expect(all(run)).toContain("Clear\\u001b[2J screen\\u0000 rule");
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

describe("--timeout is bounded (item 22)", () => {
  it.each(["1e9", "0", "-1", "abc", "", "3601", "0x10", "Infinity"])(
    "refuses --timeout %j with exit 2 before sending anything",
    async (value) => {
      const { emu, dac } = await setup();
      const run = await dac(["plan", `--timeout=${value}`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`--timeout must be a number of seconds from 1 to 3600, not \`${value}\``);
      expect(emu.state.requests).toEqual([]);
    },
  );

  it("accepts the bounds and fractions between", async () => {
    const { dac } = await setup();
    for (const value of ["1", "2.5", "3600"]) expect((await dac(["plan", "--timeout", value])).code).toBe(0);
  });
});

describe("spaces (item 23)", () => {
  it("refuses an empty --space instead of using the default space", async () => {
    const { emu, dac } = await setup();
    for (const command of ["plan", "publish", "import"]) {
      const args = command === "import" ? ["import", "--from-kibana"] : [command];
      const run = await dac([...args, "--space", ""]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("--space needs a space id");
    }
    expect(emu.state.requests).toEqual([]);
    expect(emu.rules()).toEqual([]);
  });

  it("names a space that does not exist in Kibana, exit 2, in pretty and json output", async () => {
    const { dac } = await setup();
    const run = await dac(["publish", "--space", "secops", "--space", "nope"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Kibana at http:\/\/127\.0\.0\.1:\d+ has no space "nope"/);
    const json = await dac(["plan", "--space", "nope", "-f", "json"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ kind: "configuration", status: 404 });
    expect(JSON.parse(json.stdout).error.message).toContain('has no space "nope"');
  });
});

describe("fatal errors in json output, and network causes (item 29)", () => {
  it("a 400 during publish -f json gives an error document, not an empty plan", async () => {
    const { emu, dac } = await setup();
    emu.injectFault({
      type: "status",
      status: 400,
      path: "_find",
      body: { message: "bad filter", status_code: 400 },
    });
    const run = await dac(["publish", "-f", "json"]);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(doc.error).toMatchObject({
      kind: "http",
      status: 400,
      method: "GET",
      url: `${emu.url}/api/detection_engine/rules/_find`,
    });
    expect(doc.error.message).toContain("answered 400: bad filter");
    expect(doc.spaces).toEqual([]);
  });

  it("keeps what was published before the failure next to the error", async () => {
    const { emu, dac } = await setup();
    const run = await dac(["publish", "-f", "json", "--space", "default", "--space", "nope"]);
    expect(run.code).toBe(2);
    const doc = JSON.parse(run.stdout);
    expect(doc.spaces).toMatchObject([{ space: "default", changed: 2, failed: 0 }]);
    expect(doc.error).toMatchObject({ kind: "configuration", status: 404 });
    expect(emu.rules()).toHaveLength(2);
  });

  it("an auth failure in json output is kind auth, exit 2", async () => {
    const { dac } = await setup();
    const run = await dac(["plan", "-f", "json"], { DAC_KIBANA_API_KEY: "d3Jvbmc6a2V5LXRoYXQtaXMtd3Jvbmc=" });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error).toMatchObject({ kind: "auth", status: 401 });
  });

  it("a configuration error in json output is an error document too", async () => {
    const { dac } = await setup();
    const run = await dac(["publish", "-f", "json"], { DAC_KIBANA_API_KEY: undefined });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error).toMatchObject({
      kind: "configuration",
      message: expect.stringContaining("no Kibana credentials"),
    });
  });

  it("a refused connection names the URL and the cause", async () => {
    const { dac } = await setup();
    const url = emu!.url;
    await emu!.close();
    emu = undefined;
    const run = await dac(["plan", "-f", "json", "--timeout", "1"], { DAC_KIBANA_URL: url });
    expect(run.code).toBe(1);
    const error = JSON.parse(run.stdout).error;
    expect(error).toMatchObject({
      kind: "network",
      code: "ECONNREFUSED",
      url: `${url}/api/detection_engine/rules/_find`,
    });
    expect(error.message).toContain(`GET ${url}/api/detection_engine/rules/_find`);
    expect(error.message).toMatch(/connection refused.*ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(run.stderr).not.toContain("fetch failed");
  }, 30_000);

  it("a host that does not resolve says so", async () => {
    const { dac } = await setup();
    const run = await dac(["plan"], { DAC_KIBANA_URL: "http://nonexistent.invalid" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /GET http:\/\/nonexistent\.invalid\/api\/detection_engine\/rules\/_find .*host name not found \(DNS\)/,
    );
  }, 30_000);
});

describe("plan shows the conflict publish would hit (item 11)", () => {
  it.each([
    ["an untagged custom rule", false, /without the management tag "Managed by: dac"/],
    ["an untagged prebuilt rule", true, /prebuilt \(immutable\) rule with this rule_id/],
  ])(
    "a rule_id that belongs to %s is a conflict in plan, with the reason, exit 1",
    async (_, prebuilt, reason) => {
      const { emu, dac } = await setup();
      const [taken, free] = seedRuleIds;
      emu.seedRule({ ...managedRule(taken!, "Hand-made"), tags: ["Team"] }, { prebuilt });
      const plan = await dac(["plan"]);
      expect(plan.code).toBe(1);
      expect(plan.stdout).toMatch(new RegExp(`x conflict +\\S.* \\[${taken}\\]`));
      expect(plan.stdout).toMatch(reason);
      expect(plan.stdout).toMatch(new RegExp(`\\+ create +\\S.* \\[${free}\\]`));
      expect(plan.stdout).toContain("1 to create, 0 to update, 0 drifted, 1 in conflict");
      const json = JSON.parse((await dac(["plan", "-f", "json"])).stdout);
      expect(json.spaces[0].entries.find((e: { rule_id: string }) => e.rule_id === taken)).toMatchObject({
        action: "conflict",
        reason: expect.stringMatching(reason),
        remote: { version: 1 },
      });
      const publish = await dac(["publish"]);
      expect(publish.code).toBe(1);
      expect(publish.stdout).toMatch(new RegExp(`failed +\\S.* \\[${taken}\\].*${reason.source}`));
      expect(emu.rules().find((r) => r.rule_id === taken)).toMatchObject({
        name: "Hand-made",
        tags: ["Team"],
      });
      expect(emu.rules().find((r) => r.rule_id === free)).toBeDefined();
    },
  );
});

describe("plan lists every rule, and publish shows rules waiting for --prune (item 21)", () => {
  it("prints one line per unchanged rule", async () => {
    const { dac } = await setup();
    expect((await dac(["publish"])).code).toBe(0);
    const plan = await dac(["plan"]);
    expect(plan.code).toBe(0);
    for (const id of seedRuleIds)
      expect(plan.stdout).toMatch(new RegExp(`= unchanged +\\S.* \\[${id}\\] v\\d+`));
  });

  it("publish without --prune shows managed rules it would prune, and applies nothing to them", async () => {
    const { emu, dac } = await setup();
    expect((await dac(["publish"])).code).toBe(0);
    emu.seedRule(managedRule("gone-1", "Removed From The Repository"));
    const run = await dac(["publish"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Removed From The Repository \[gone-1\] v1 \(would prune with --prune\)/);
    const json = JSON.parse((await dac(["publish", "-f", "json"])).stdout);
    expect(json.spaces[0].results).toContainEqual({
      rule_id: "gone-1",
      name: "Removed From The Repository",
      status: "kept",
      version: 1,
      message: "would prune with --prune",
    });
    expect(json.spaces[0].changed).toBe(0);
    expect(emu.rules().some((r) => r.rule_id === "gone-1")).toBe(true);
  });
});
