// The Elasticsearch engine's exception wiring without a node: a stand-in (test-support/fake-node.ts) answers the
// searches from memory and records them. What the engine sends is Kibana's shape (the exception clause in the
// rule filter's must_not, `getQueryFilter` → `buildEsQuery`); how it reads the answers is what the harness
// checks against the in-memory verdict. The node-gated exceptions-node.test.ts runs the same on a real node.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exceptionsQuery } from "@dac/exceptions";
import { testRepository } from "@dac/harness";
import type { EngineRule } from "@dac/harness";
import { catalog, exceptions, now } from "./test-support/backup-operator.js";
import { elasticsearchEngine } from "./engine.js";
import { fakeNode } from "./test-support/fake-node.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const logon = (at: string, user: string) => ({
  "@timestamp": at,
  event: { category: "authentication" },
  user: { name: user },
});
const events = [logon("2026-03-01T09:50:00Z", "svc-backup"), logon("2026-03-01T09:51:00Z", "alice")];
const rule: EngineRule = {
  file: "rules/r.yaml",
  data: {
    type: "query",
    index: ["logs-*"],
    from: "now-1h",
    query: "event.category: authentication",
  } as unknown as EngineRule["data"],
};

describe("the Elasticsearch engine with a rule's exceptions (stand-in node)", () => {
  it("searches with the clause in the rule filter's must_not, and reads excepted from the two answers", async () => {
    const node = fakeNode();
    const es = elasticsearchEngine({ client: node.client });
    const answer = await es.execute(
      rule,
      [
        { events, catalog },
        { events, catalog, range: { from: new Date("2026-03-01T09:00:00Z"), to: now }, now },
      ],
      { now, exceptions: { ...exceptions, now } },
    );
    await es.cleanup();
    const [each, judged] = answer.executions;
    expect(each!.events.map((e) => [e.matched, e.excepted])).toEqual([
      [true, true],
      [true, false],
    ]);
    expect(each!.alerts.map((a) => a.events)).toEqual([[1]]);
    expect(judged!.alerts.map((a) => a.events)).toEqual([[1]]);
    expect(each!.events[0]!.explain()).toContain("the rule's exceptions in the search's must_not remove it");
    const clause = exceptionsQuery(exceptions.items, {}, { now });
    const carries = (q: unknown) =>
      JSON.stringify(q).includes(JSON.stringify({ must_not: [clause] }).slice(1, -1));
    // The query alone once, then every other search (the events search and the alert case's) with the clause.
    expect(node.searches.map((s) => carries(s.query))).toEqual([false, true, true]);
    expect(answer.notes ?? []).not.toContainEqual(expect.stringContaining("not applied"));
  });

  it("without exceptions, one search and no excepted", async () => {
    const node = fakeNode();
    const es = elasticsearchEngine({ client: node.client });
    const answer = await es.execute(rule, [{ events, catalog }], { now });
    await es.cleanup();
    expect(answer.executions[0]!.events.map((e) => [e.matched, e.excepted])).toEqual([
      [true, undefined],
      [true, undefined],
    ]);
    expect(node.searches).toHaveLength(1);
  });
});

describe("dac's harness on the Elasticsearch engine (stand-in node) with the seed rules' exceptions", () => {
  const seed = "rules/kubernetes/kubernetes_denied_service_account_request.yaml";

  it("passes the seed rules with their suppressed cases, attributed as in memory", async () => {
    const node = fakeNode();
    const es = elasticsearchEngine({ client: node.client });
    const run = await testRepository({ cwd: repoRoot, paths: ["rules/kubernetes"], engines: [es] });
    await es.cleanup();
    const memory = await testRepository({ cwd: repoRoot, paths: ["rules/kubernetes"] });
    const cases = (r: typeof run) => r.result.rules.flatMap((x) => x.cases.map((c) => [c.name, c.status]));
    expect(cases(run)).toEqual(cases(memory));
    expect(cases(run).every(([, s]) => s === "passed")).toBe(true);
    const items = (r: typeof run) =>
      r.result.rules.flatMap((x) => (x.exceptions ?? []).map((e) => [e.itemId, e.suppressed]));
    expect(items(run)).toEqual(items(memory));
    expect(items(run).every(([, suppressed]) => suppressed!.length > 0)).toBe(true);
  });

  it("a node that ignores the must_not fails the suppressed case, naming the event and the item", async () => {
    const node = fakeNode({ ignoreMustNot: true });
    const es = elasticsearchEngine({ client: node.client });
    const run = await testRepository({ cwd: repoRoot, paths: [seed], engines: [es] });
    await es.cleanup();
    const failed = run.result.rules.flatMap((x) =>
      x.cases.filter((c) => c.status === "failed").map((c) => [c.name, c.message]),
    );
    expect(failed).toEqual([
      [
        "Argo CD controller probes cluster roles it may not read",
        "event 1: the search with the exceptions returned it, but exception item `argocd-application-controller` removes it in memory",
      ],
    ]);
  });
});
