// `dac survey` on a node: the repository's rules against a generated corpus of 100,000 Kubernetes audit events,
// checked against the in-memory engine's verdicts on the same events, read-only.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client } from "@elastic/elasticsearch";
import { kqlEngine } from "@dac/harness";
import { loadConfig, loadRules, ruleFieldCatalog } from "@dac/schema";
import type { Rule } from "@dac/schema";
import { mappingFor, documentPaths } from "./mapping.js";
import { surveyRules } from "./survey.js";
import type { SurveyRule } from "./survey.js";
import { formatSurvey } from "./survey-format.js";
import { describeWithElasticsearch } from "@dac/es-test-node";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const EVENTS = 100_000;
const INTERVAL_MS = 5 * 60_000;

const verbs = ["get", "list", "watch", "create", "update", "delete"];
const resources = ["pods", "secrets", "selfsubjectaccessreviews", "selfsubjectrulesreviews", "configmaps"];
const users = [
  "system:serviceaccount:payments:api",
  "system:node:ip-10-0-1-9",
  "oidc:alice@example.com",
  "system:serviceaccounts:kube-system:x",
];
const decisions = ["allow", "forbid", "allow", "allow"];

/** A deterministic corpus: the last six days, a burst of 300 denials in one interval, and old events outside. */
function corpus(now: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < EVENTS; i++) {
    let at = now - 60_000 - Math.floor((i * 6 * 24 * 3600_000) / EVENTS);
    let user = users[i % users.length]!;
    let decision = decisions[Math.floor(i / 7) % decisions.length]!;
    if (i % 1000 < 300 && i < 1000) {
      // The burst: one interval of denied service-account requests, more than max_signals (100).
      at = now - 2 * 24 * 3600_000;
      user = users[0]!;
      decision = "forbid";
    }
    if (i >= EVENTS - 50) at = now - 9 * 24 * 3600_000; // before the window
    const iso = new Date(at).toISOString();
    out.push({
      "@timestamp": iso,
      event: { dataset: "kubernetes.audit_logs", ingested: new Date(at + 2000).toISOString() },
      kubernetes: {
        audit: {
          verb: verbs[i % verbs.length],
          objectRef: { resource: resources[Math.floor(i / 3) % resources.length] },
          user: { username: user },
          ...(i % 11 === 0 ? { impersonatedUser: { username: users[(i + 1) % users.length] } } : {}),
          annotations: { "authorization_k8s_io/decision": decision },
        },
      },
    });
  }
  return out;
}

describeWithElasticsearch("dac survey on a node", (node) => {
  const client = () => node.client;
  const index = `dac-test-survey-${Date.now().toString(36)}`;
  const mismatched = `${index}-mismatch`;
  const now = Date.now();
  const events = corpus(now);
  let rules: Rule[] = [];
  let surveyed: SurveyRule[] = [];

  beforeAll(async () => {
    const config = loadConfig(repoRoot);
    // The corpus is Kubernetes audit events: the survey runs the Kubernetes rules over it.
    rules = loadRules(["rules/kubernetes"], config, repoRoot).rules;
    surveyed = rules.map((r) => ({
      file: r.file,
      data: r.data,
      name: String(r.data.name),
      catalog: ruleFieldCatalog(r.data, config),
    }));
    // The index is mapped from the rules' own catalogue, as the integration maps its data stream.
    const paths = new Set<string>();
    for (const e of events.slice(0, 1000)) documentPaths(e, paths);
    const { mappings } = mappingFor(surveyed[0]!.catalog, paths);
    await client().indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: "-1" },
      mappings,
    });
    // Bulk in batches of 5,000, one after another: gentle on a small test node's heap.
    for (let i = 0; i < events.length; i += 5_000) {
      const batch = events.slice(i, i + 5_000);
      const response = await client().bulk({
        operations: batch.flatMap((doc) => [{ index: { _index: index } }, doc]),
      });
      expect(response.errors).toBe(false);
    }
    await client().indices.refresh({ index });
    // A second index that types a query field as text: the survey must call it out.
    await client().indices.create({
      index: mismatched,
      mappings: {
        dynamic: false,
        properties: { kubernetes: { properties: { audit: { properties: { verb: { type: "text" } } } } } },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await client().indices.delete({ index: [index, mismatched], ignore_unavailable: true });
  });

  /** What the in-memory engine says: matching events in the window, and alerts per interval capped at max_signals. */
  async function expected(rule: SurveyRule, from: number) {
    const answer = await kqlEngine.execute(rule, [{ events, catalog: rule.catalog }]);
    const primary =
      typeof rule.data.timestamp_override === "string" ? rule.data.timestamp_override : "@timestamp";
    const perInterval = new Map<number, number>();
    let hits = 0;
    answer.executions[0]!.events.forEach((e, i) => {
      if (!e.matched) return;
      const doc = events[i] as { "@timestamp": string; event: { ingested: string } };
      const at = Date.parse(primary === "event.ingested" ? doc.event.ingested : doc["@timestamp"]);
      if (at < from || at > now) return;
      hits++;
      const bucket = Math.floor(at / INTERVAL_MS);
      perInterval.set(bucket, (perInterval.get(bucket) ?? 0) + 1);
    });
    const max = typeof rule.data.max_signals === "number" ? rule.data.max_signals : 100;
    const alerts = [...perInterval.values()].reduce((n, c) => n + Math.min(c, max), 0);
    return { hits, alerts, runs: perInterval.size };
  }

  it("counts hits and would-be alerts as the in-memory engine does, and writes nothing", async () => {
    // A separate client whose every request is recorded: only reads may reach the cluster.
    const observed = new Client({ node: node.url });
    const requests: string[] = [];
    observed.diagnostic.on("request", (_err, event) => {
      const params = event?.meta.request.params;
      if (params) requests.push(`${params.method} ${params.path}`);
    });
    const before = await client().count({ index });
    const from = now - 7 * 24 * 3600_000;
    const result = await surveyRules(observed, surveyed, {
      index: [index],
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
    });
    await observed.close();

    expect(result.rules).toHaveLength(surveyed.length);
    for (const [i, r] of result.rules.entries()) {
      const want = await expected(surveyed[i]!, from);
      expect(r.status, r.errors.join("; ")).toBe("ok");
      expect([r.file, r.hits, r.alerts, r.executionsWithHits]).toEqual([
        r.file,
        want.hits,
        want.alerts,
        want.runs,
      ]);
      expect(r.hits).toBeGreaterThan(0);
    }
    // The burst of 300 denials in one interval yields at most max_signals alerts.
    const denied = result.rules.find((r) => r.file.includes("denied_service_account"))!;
    expect(denied.alerts).toBeLessThan(denied.hits);
    expect(requests.length).toBeGreaterThanOrEqual(2 * surveyed.length);
    expect(
      requests.every((r) => /^(GET|POST) \/[^ ]*\/(_field_caps|_search)(\?|$)/.test(r)),
      requests.join("\n"),
    ).toBe(true);
    expect((await client().count({ index })).count).toBe(before.count);
  }, 60_000);

  it("reports a query field the cluster types differently from the catalogue", async () => {
    const result = await surveyRules(client(), surveyed, { index: [mismatched] });
    const review = result.rules.find((r) => r.file.includes("self_subject_review"))!;
    expect(review.status).toBe("error");
    expect(review.errors).toContain(
      `field kubernetes.audit.verb is keyword in the rule's field catalogue but text in ${mismatched}`,
    );
    expect(formatSurvey(result, "markdown")).toContain("| ❌ |");
  });

  it("prints pretty, json and markdown", async () => {
    const result = await surveyRules(client(), surveyed.slice(0, 1), { index: [index] });
    expect(JSON.parse(formatSurvey(result, "json"))).toMatchObject({ version: 1, rules: [{ status: "ok" }] });
    expect(formatSurvey(result, "pretty")).toMatch(/^Survey: now-7d → now, index dac-test-survey-/);
    expect(formatSurvey(result, "markdown")).toMatch(/^## Rule survey\n/);
  });
});
