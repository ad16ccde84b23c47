import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { Client } from "@elastic/elasticsearch";
import { kqlEngine, testRepository } from "@dac/harness";
import type { EngineRule, Execution } from "@dac/harness";
import { fieldCatalog } from "@dac/fields";
import { elasticsearchEngine, sweepStaleIndices, testIndexPrefix, testIndices } from "./engine.js";
import { describeWithElasticsearch } from "@dac/es-test-node";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** A copy of the repository's rules, fixtures and field files, to change without touching the real ones. */
function repositoryCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "dac-es-engine-"));
  for (const part of ["rules", "fixtures", "schemas", "dac.config.yaml"])
    cpSync(join(repoRoot, part), join(dir, part), { recursive: true });
  return dir;
}

const rule = (data: Record<string, unknown>): EngineRule => ({
  file: "rules/r.yaml",
  data: data as EngineRule["data"],
});

describe("the engine without a cluster", () => {
  // Nothing is sent for a rule the engine cannot run.
  const engine = elasticsearchEngine({ client: {} as Client, runId: "offline" });

  it.each([
    [{ type: "query", language: "kuery" }, true],
    [{ type: "query" }, true],
    [{ type: "query", language: "lucene" }, true],
    [{ type: "threshold", language: "kuery" }, true],
    [{ type: "eql", language: "eql" }, true],
    [{ type: "eql", language: "kuery" }, false],
    [{ type: "esql", language: "esql" }, true],
    [{ type: "new_terms" }, true],
    [{ type: "threat_match" }, true],
    [{ type: "machine_learning" }, false],
  ])("supports %j: %s", (data, expected) => {
    expect(engine.supports(rule(data))).toBe(expected);
  });
});

describeWithElasticsearch("the Elasticsearch engine on a node", (node) => {
  const client = () => node.client;
  const dirs: string[] = [];
  const runIds: string[] = [];
  const engine = () => {
    const e = elasticsearchEngine({ client: client() });
    runIds.push(e.runId);
    return e;
  };
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    // No index of these runs is left behind (`_cat/indices`).
    const left = await testIndices(client());
    expect(left.filter((i) => runIds.some((id) => i.startsWith(`${testIndexPrefix}${id}-`)))).toEqual([]);
  });

  it("passes the repository's fixtures, and deletes its indices", async () => {
    const es = engine();
    const run = await testRepository({ cwd: repoRoot, engines: [es], engineLabel: "elasticsearch" });
    // A node without the EQL or ES|QL module (the CI node) cannot run those rules: they are `unsupported`, never a
    // pass.
    const missing = (language: string) =>
      run.result.rules.some((r) => r.message?.startsWith(`unsupported: ${language} on this cluster`));
    const eqlMissing = missing("eql");
    const esqlMissing = missing("esql");
    const expected = (r: (typeof run.result.rules)[number]) =>
      (eqlMissing && r.engine.startsWith("eql/")) || (esqlMissing && r.engine.startsWith("esql/"))
        ? "unsupported"
        : "passed";
    expect(run.result.rules.map((r) => [r.file, r.status])).toEqual(
      run.result.rules.map((r) => [r.file, expected(r)]),
    );
    expect(run.result.summary.ok).toBe(!eqlMissing && !esqlMissing);
    expect(run.result.summary.cases).toBeGreaterThan(20);
    expect(es.liveIndices()).toEqual([]);
    const left = await testIndices(client());
    expect(left.filter((i) => i.startsWith(`${testIndexPrefix}${es.runId}-`))).toEqual([]);
  });

  it("fails on a changed literal in a seed query exactly where the in-memory engine fails", async () => {
    const dir = repositoryCopy();
    dirs.push(dir);
    const file = join(dir, "rules/kubernetes/kubernetes_denied_service_account_request.yaml");
    const text = readFileSync(file, "utf8");
    expect(text).toContain('authorization_k8s_io/decision: "forbid"');
    writeFileSync(
      file,
      text.replace('authorization_k8s_io/decision: "forbid"', 'authorization_k8s_io/decision: "forbidden"'),
    );
    const paths = ["rules/kubernetes/kubernetes_denied_service_account_request.yaml"];
    const onNode = await testRepository({
      cwd: dir,
      paths,
      engines: [engine()],
      engineLabel: "elasticsearch",
    });
    const inMemory = await testRepository({ cwd: dir, paths, engines: [kqlEngine] });
    const verdicts = (r: typeof onNode) => r.result.rules[0]!.cases.map((c) => [c.name, c.status]);
    expect(onNode.result.summary.ok).toBe(false);
    expect(verdicts(onNode)).toEqual(verdicts(inMemory));
    // The node's verdict, with the in-memory engine's clause-by-clause reading as a guide.
    const failure = onNode.result.rules[0]!.cases.find((c) => c.status === "failed")!.failures[0]!;
    expect(failure.explanation).toMatch(
      /^✗ the rule's search on Elasticsearch did not return this event\n {2}the in-memory engine reads it so:\n/,
    );
    expect(failure.explanation).toContain("which does not match `forbidden`");
    // Every positive fails (nothing says "forbidden"), and so does every case an exception should suppress (the
    // rule no longer matches what it removes); every negative still passes.
    expect(onNode.result.rules[0]!.cases.filter((c) => c.status === "failed").map((c) => c.expect)).toEqual(
      onNode.result.rules[0]!.cases.filter((c) => c.expect === "match" || c.expect === "suppressed").map(
        (c) => c.expect,
      ),
    );
  });

  it("judges every event past max_signals, and writes at most max_signals alerts", async () => {
    const catalog = fieldCatalog({ ecs: true, unknownFields: "unmapped" });
    const events = Array.from({ length: 7 }, (_, i) => ({
      // Newest first: Kibana's search sorts by time, so the alerts are the oldest matches.
      "@timestamp": `2025-01-01T00:00:0${6 - i}Z`,
      user: { name: i === 3 ? "nobody" : "root" },
    }));
    const execution: Execution = { events, catalog };
    const r = rule({ type: "query", query: "user.name: root", max_signals: 2 });
    const answer = await engine().execute(r, [execution]);
    const [only] = answer.executions;
    expect(only!.events.map((e) => e.matched)).toEqual([true, true, true, false, true, true, true]);
    // Kibana's order: ascending @timestamp, the first max_signals hits; the in-memory engine agrees.
    expect(only!.alerts.map((a) => a.events)).toEqual([[6], [5]]);
    const inMemory = (await kqlEngine.execute(r, [execution])).executions[0]!.alerts;
    expect(inMemory.map((a) => a.events)).toEqual(only!.alerts.map((a) => a.events));
  });

  // One execution per row on both engines: the same alerts, with the same Kibana fields.
  const at = (s: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, s)).toISOString();
  const fail = (s: number, user: string, ip = "10.0.0.5") => ({
    "@timestamp": at(s),
    event: { outcome: "failure" },
    user: { name: user },
    source: { ip },
  });
  const executionRows: [string, Record<string, unknown>, Record<string, unknown>[], number][] = [
    [
      "threshold over two fields, one group reaches it",
      { threshold: { field: ["user.name", "source.ip"], value: 3 } },
      [fail(1, "alice"), fail(2, "alice"), fail(3, "bob"), fail(4, "alice"), fail(5, "alice", "10.0.0.9")],
      60,
    ],
    [
      "threshold with cardinality",
      { threshold: { field: ["source.ip"], value: 2, cardinality: [{ field: "user.name", value: 2 }] } },
      [
        fail(1, "a"),
        fail(2, "a"),
        fail(3, "a", "10.0.0.10"),
        fail(4, "b", "10.0.0.10"),
        fail(5, "c", "10.0.0.9"),
      ],
      60,
    ],
    [
      "threshold without fields, one event outside the window",
      { threshold: { field: [], value: 2 } },
      [fail(-400, "a"), fail(2, "b"), fail(3, "c")],
      60,
    ],
    [
      "threshold buckets in key order, ip addresses by address",
      {
        threshold: { field: ["source.ip"], value: 1 },
        alert_suppression: { duration: { value: 5, unit: "m" } },
      },
      [fail(1, "a", "10.0.0.10"), fail(2, "a", "10.0.0.9"), fail(3, "a", "10.0.0.100")],
      60,
    ],
    ["query rule in a window", { type: "query" }, [fail(-400, "a"), fail(2, "b"), fail(3, "c")], 60],
    [
      "query rule with suppression",
      { type: "query", alert_suppression: { group_by: ["user.name"] } },
      [fail(1, "b"), fail(2, "a"), fail(3, "b"), fail(4, "a")],
      60,
    ],
  ];

  it.each(executionRows)("agrees with the in-memory engine: %s", async (_name, data, events, now) => {
    const catalog = fieldCatalog({ ecs: true, unknownFields: "unmapped" });
    const r = rule({ type: "threshold", query: 'event.outcome: "failure"', rule_id: "x", ...data });
    const executedAt = new Date(at(now));
    const execution: Execution = {
      events,
      catalog,
      range: { from: new Date(executedAt.getTime() - 360_000), to: executedAt },
      now: executedAt,
    };
    const onNode = (await engine().execute(r, [execution])).executions[0]!;
    const inMemory = (await kqlEngine.execute(r, [execution])).executions[0]!;
    expect(onNode.error).toBeUndefined();
    expect(onNode.alerts.length).toBeGreaterThan(0);
    const shape = (alerts: typeof onNode.alerts) =>
      alerts.map((a) => ({
        events: a.events,
        original: a.document["kibana.alert.original_time"],
        threshold: a.document["kibana.alert.threshold_result"],
        suppression: [
          a.document["kibana.alert.suppression.terms"],
          a.document["kibana.alert.suppression.docs_count"],
          a.document["kibana.alert.suppression.start"],
          a.document["kibana.alert.suppression.end"],
        ],
      }));
    expect(shape(onNode.alerts)).toEqual(shape(inMemory.alerts));
  });

  it("runs a Lucene rule as query_string", async () => {
    const catalog = fieldCatalog({ ecs: true, unknownFields: "unmapped" });
    const events = [{ user: { name: "root" } }, { user: { name: "rooted" } }, { user: { name: "admin" } }];
    const answer = await engine().execute(
      rule({ type: "query", language: "lucene", query: "user.name:root*" }),
      [{ events, catalog }],
    );
    expect(answer.executions[0]!.events.map((e) => e.matched)).toEqual([true, true, false]);
  });

  it("stamps an event without a timestamp, and reports an event the mapping refuses", async () => {
    const catalog = fieldCatalog({ ecs: true, unknownFields: "unmapped" });
    const execution: Execution = {
      events: [{ user: { name: "root" } }, { user: { name: "root" }, source: { port: "not a number" } }],
      catalog,
    };
    const answer = await engine().execute(rule({ type: "query", query: "user.name: root" }), [execution]);
    const [first, second] = answer.executions[0]!.events;
    expect(first!.matched).toBe(true);
    expect(second!.matched).toBe(false);
    expect(second!.error).toMatch(
      /refused to index the event: document_parsing_exception|mapper_parsing_exception/,
    );
  });

  it("deletes the index when the search fails", async () => {
    const real = client();
    const failing = new Proxy(real, {
      get(target, key, receiver) {
        if (key === "search") return () => Promise.reject(new Error("search exploded"));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const es = elasticsearchEngine({ client: failing });
    runIds.push(es.runId);
    const catalog = fieldCatalog({ ecs: true, unknownFields: "unmapped" });
    await expect(
      es.execute(rule({ type: "query", query: "user.name: root" }), [
        { events: [{ user: { name: "x" } }], catalog },
      ]),
    ).rejects.toThrow(/the rule's search failed: search exploded/);
    expect(es.liveIndices()).toEqual([]);
    expect((await testIndices(real)).filter((i) => i.includes(es.runId))).toEqual([]);
  });

  it("sweeps dac-test indices older than the cutoff and keeps younger ones", async () => {
    const name = `${testIndexPrefix}sweep-${Date.now().toString(36)}`;
    await client().indices.create({ index: name, settings: { number_of_replicas: 0 } });
    // Only this test's index: other test files may have live test indices on the same node.
    const pattern = name;
    expect(await sweepStaleIndices(client(), { olderThanMinutes: 60, pattern })).toEqual([]);
    const later = new Date(Date.now() + 61 * 60_000);
    expect(await sweepStaleIndices(client(), { olderThanMinutes: 60, now: later, pattern })).toEqual([name]);
    expect(await testIndices(client())).not.toContain(name);
  });
});
