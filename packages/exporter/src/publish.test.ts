import { startEmulator, type Emulator } from "@dac/kibana-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKibanaClient, type ClientOptions, type KibanaClient } from "./client.js";
import { lockSubjects, lockVersions, updateLock, type Lock } from "./lock.js";
import { buildPayloads, toKibanaPayload } from "./payload.js";
import { buildPlan, type Plan } from "./plan.js";
import { publishPlan, type PublishOptions } from "./publish.js";
import { fakeRequiredFields, generatedRules, seedLikeRules } from "./test-support.js";
import type { RuleSource } from "./types.js";

const apiKey = "publish-test-key";
const managementTag = "Managed by: dac";
const options = { managementTag, requiredFields: fakeRequiredFields };
let emu: Emulator;
let client: KibanaClient;

function connect(overrides: Partial<ClientOptions> = {}): KibanaClient {
  return createKibanaClient({
    url: emu.url,
    credentials: { kind: "apiKey", apiKey },
    sleep: async () => {},
    timeoutMs: 1_000,
    ...overrides,
  });
}

beforeEach(async () => {
  emu = await startEmulator({ apiKey, spaces: ["secops"] });
  client = connect();
});
afterEach(async () => {
  await client.close();
  await emu.close();
});

/** What `dac version` then `dac publish` do: lock, payloads, plan, publish. */
async function publish(rules: RuleSource[], lock: Lock, publishOptions: PublishOptions = {}, c = client) {
  const nextLock = updateLock(lock, lockSubjects(rules, options)).lock;
  const { payloads, errors } = buildPayloads(rules, { ...options, versionOf: lockVersions(nextLock) });
  expect(errors).toEqual([]);
  const plan = await buildPlan(c, payloads, { lock: nextLock, managementTag });
  const summary = await publishPlan(
    c,
    plan,
    new Map(payloads.map((p) => [p.payload.rule_id, p.payload])),
    publishOptions,
  );
  return { lock: nextLock, plan, summary };
}

const actions = (plan: Plan) => Object.fromEntries(plan.entries.map((e) => [e.rule_id, e.action]));
const remote = (ruleId: string, space = "default") => emu.rules(space).find((r) => r.rule_id === ruleId);
const imports = () => emu.state.requests.filter((r) => r.path.endsWith("/_import"));
const [self, denied] = seedLikeRules().map((r) => r.data.rule_id as string) as [string, string];

describe("publish", () => {
  it("creates the seeds with versions 204 and 6, tagged, then a second run changes nothing", async () => {
    const first = await publish(seedLikeRules(), {});
    expect(first.plan.counts).toMatchObject({ create: 2, update: 0, unchanged: 0 });
    expect(first.summary.results.map((r) => [r.rule_id, r.status, r.version])).toEqual([
      [denied, "created", 6],
      [self, "created", 204],
    ]);
    expect(remote(self)).toMatchObject({
      version: 204,
      revision: 0,
      tags: expect.arrayContaining([managementTag]),
    });
    expect(remote(denied)).toMatchObject({ version: 6 });

    const requestsBefore = emu.state.requests.length;
    const second = await publish(seedLikeRules(), first.lock);
    expect(second.plan.counts).toMatchObject({ create: 0, update: 0, unchanged: 2, drift: 0 });
    expect(second.summary).toMatchObject({ failed: 0, changed: 0 });
    expect(second.lock).toEqual(first.lock);
    const later = emu.state.requests.slice(requestsBefore);
    expect(later.every((r) => r.method === "GET" && r.path.endsWith("/_find"))).toBe(true);
  });

  it("bumps an edited seed to 205 and updates only that rule", async () => {
    const { lock } = await publish(seedLikeRules(), {});
    const edited = seedLikeRules();
    edited[0]!.data.query = `${edited[0]!.data.query as string} and not kubernetes.audit.user.username:"system:kube-scheduler"`;
    const { plan, summary } = await publish(edited, lock);
    expect(actions(plan)).toEqual({ [self]: "update", [denied]: "unchanged" });
    const entry = plan.entries.find((e) => e.rule_id === self)!;
    expect(entry.changes!.map((c) => c.path)).toEqual(expect.arrayContaining(["query", "version"]));
    expect(entry.changes!.find((c) => c.path === "version")).toEqual({
      path: "version",
      kind: "changed",
      from: 204,
      to: 205,
    });
    expect(summary.results.filter((r) => r.status !== "unchanged")).toEqual([
      { rule_id: self, name: entry.name, status: "updated", version: 205 },
    ]);
    expect(remote(self)).toMatchObject({ version: 205, revision: 1 });
    expect(remote(denied)).toMatchObject({ version: 6, revision: 0 });
  });

  it("detects drift (edited in Kibana at the same version) and restores it", async () => {
    const { lock } = await publish(seedLikeRules(), {});
    await client.request("PATCH", "/api/detection_engine/rules", {
      json: { rule_id: denied, severity: "low", risk_score: 10 },
    });
    const { plan, summary } = await publish(seedLikeRules(), lock);
    expect(actions(plan)).toEqual({ [self]: "unchanged", [denied]: "drift" });
    const drift = plan.entries.find((e) => e.rule_id === denied)!;
    expect(drift.changes).toEqual([
      { path: "severity", kind: "changed", from: "low", to: "medium" },
      { path: "risk_score", kind: "changed", from: 10, to: 47 },
    ]);
    expect(summary.results.find((r) => r.rule_id === denied)!.status).toBe("restored");
    expect((await publish(seedLikeRules(), lock)).plan.counts.unchanged).toBe(2);
  });

  it("refuses to go back in version when Kibana holds a newer one", async () => {
    const payload = toKibanaPayload(seedLikeRules()[1]!.data, { version: 9, ...options });
    emu.seedRule(payload);
    const { plan, summary } = await publish(seedLikeRules(), {});
    expect(actions(plan)[denied]).toBe("conflict");
    expect(summary.failed).toBe(1);
    expect(summary.results.find((r) => r.rule_id === denied)!.message).toMatch(
      /version 9, newer than the repository's 6/,
    );
    expect(remote(denied)!.version).toBe(9);
  });

  it("will not overwrite an unmanaged or prebuilt rule with the same rule_id", async () => {
    const [first, second] = seedLikeRules();
    emu.seedRule({ ...toKibanaPayload(first!.data, { version: 1, ...options }), tags: ["someone else's"] });
    emu.seedRule(
      { ...toKibanaPayload(second!.data, { version: 1, ...options }), tags: [] },
      { prebuilt: true },
    );
    const { plan, summary } = await publish(seedLikeRules(), {});
    // The plan already knows (a `_find` by rule_id), so publish sends nothing for them.
    expect(plan.counts).toMatchObject({ create: 0, conflict: 2 });
    expect(summary.failed).toBe(2);
    expect(summary.results.map((r) => r.message).sort()).toEqual([
      expect.stringMatching(/prebuilt \(immutable\) rule with this rule_id/),
      expect.stringMatching(/without the management tag "Managed by: dac"/),
    ]);
    expect(emu.state.requests.some((r) => r.path.endsWith("/_import"))).toBe(false);
    expect(remote(self)!.tags).toEqual(["someone else's"]);
    expect(remote(denied)).toMatchObject({ immutable: true, version: 1 });
  });

  it("prunes only managed custom rules that left the repository, and lists them in the plan first", async () => {
    const { lock } = await publish([...seedLikeRules(), ...generatedRules(2, "old")], {});
    emu.seedRule(
      { ...toKibanaPayload(generatedRules(1, "prebuilt")[0]!.data, { version: 1, ...options }) },
      { prebuilt: true },
    );
    emu.seedRule({
      ...toKibanaPayload(generatedRules(1, "manual")[0]!.data, { version: 1, ...options }),
      tags: ["manual"],
    });

    const dry = await publish(seedLikeRules(), lock);
    expect(dry.plan.entries.filter((e) => e.action === "prune").map((e) => e.rule_id)).toEqual([
      "old-00000",
      "old-00001",
    ]);
    expect(dry.summary.results.filter((r) => r.status === "pruned")).toEqual([]);
    expect(emu.rules()).toHaveLength(6);

    const pruned = await publish(seedLikeRules(), lock, { prune: true });
    expect(pruned.summary.results.filter((r) => r.status === "pruned").map((r) => r.rule_id)).toEqual([
      "old-00000",
      "old-00001",
    ]);
    expect(
      emu
        .rules()
        .map((r) => r.rule_id)
        .sort(),
    ).toEqual(["manual-00000", "prebuilt-00000", denied, self].sort());
    expect((await publish(seedLikeRules(), lock, { prune: true })).summary.changed).toBe(0);
  });

  it("publishes to a space and leaves the default space alone", async () => {
    const secops = connect({ space: "secops" });
    const { summary } = await publish(seedLikeRules(), {}, {}, secops);
    expect(summary.changed).toBe(2);
    expect(emu.rules("secops")).toHaveLength(2);
    expect(emu.rules("default")).toHaveLength(0);
    expect(emu.state.requests.every((r) => r.space === "secops")).toBe(true);
    await secops.close();
  });

  it("imports in batches of at most 500", async () => {
    const { summary } = await publish(generatedRules(1_100), {});
    expect(summary.changed).toBe(1_100);
    expect(imports().map((r) => r.status)).toEqual([200, 200, 200]);
    expect(emu.rules()).toHaveLength(1_100);
  });
});

describe("faults", () => {
  it.each([
    ["500 then success", { type: "status" as const, status: 500, path: "_import", times: 2 }],
    ["503 then success", { type: "status" as const, status: 503, times: 3 }],
    ["429 with Retry-After on _find", { type: "status" as const, status: 429, retryAfter: 1, path: "_find" }],
    ["a connection reset", { type: "reset" as const, path: "_import" }],
    ["a slow answer past the timeout", { type: "delay" as const, ms: 1_500, path: "_import" }],
  ])("retries %s and publishes everything", async (_label, fault) => {
    emu.injectFault(fault);
    const { summary } = await publish(seedLikeRules(), {});
    expect(summary).toMatchObject({ failed: 0, changed: 2 });
    expect(emu.pendingFaults()).toEqual([]);
    expect(emu.rules()).toHaveLength(2);
  });

  it("confirms a create whose answer was lost (reset after handling) instead of failing on 409", async () => {
    emu.injectFault({ type: "reset", when: "after", path: "_import" });
    const { summary } = await publish(seedLikeRules(), {});
    expect(summary.results.map((r) => r.status)).toEqual(["created", "created"]);
    expect(imports().map((r) => r.status)).toEqual(["reset", 200]);
  });

  it("reports per-rule import failures, exits with failures, and a re-run converges", async () => {
    emu.injectFault({ type: "import-errors", ruleIds: [self], status: 500, message: "boom" });
    const first = await publish(seedLikeRules(), {});
    expect(first.summary.failed).toBe(1);
    expect(first.summary.results.find((r) => r.rule_id === self)).toMatchObject({
      status: "failed",
      message: "500: boom",
    });
    const second = await publish(seedLikeRules(), first.lock);
    expect(actions(second.plan)).toEqual({ [self]: "create", [denied]: "unchanged" });
    expect(second.summary).toMatchObject({ failed: 0, changed: 1 });
  });

  it("fails a whole batch when Kibana keeps failing, then converges once it recovers", async () => {
    const flaky = connect({ retry: { maxAttempts: 2 } });
    emu.injectFault({ type: "status", status: 503, path: "_import", times: Infinity });
    const first = await publish(seedLikeRules(), {}, {}, flaky);
    expect(first.summary.failed).toBe(2);
    expect(first.summary.results[0]!.message).toMatch(/answered 503.*after 2 attempts/);
    emu.clearFaults();
    const second = await publish(seedLikeRules(), first.lock, {}, flaky);
    expect(second.summary).toMatchObject({ failed: 0, changed: 2 });
    await flaky.close();
  });

  it("retries a prune delete after a reset", async () => {
    const { lock } = await publish([...seedLikeRules(), ...generatedRules(1, "old")], {});
    emu.injectFault({ type: "reset", method: "DELETE" });
    const { summary } = await publish(seedLikeRules(), lock, { prune: true });
    expect(summary.results.find((r) => r.rule_id === "old-00000")!.status).toBe("pruned");
    expect(emu.rules()).toHaveLength(2);
  });
});
