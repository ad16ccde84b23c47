// A rule's exceptions on a real node: the engine sends them in the `must_not` of every search (Kibana's
// `getQueryFilter` with `exceptionFilter`; for EQL and ES|QL in the request `filter`, `buildEqlSearchRequest`
// and `buildEsqlSearchRequest`), so the node itself drops what the items match. Per event the engine says
// whether the query alone returns it (`matched`) and whether the exceptions removed it (`excepted`); the alerts
// come from the searches with the exceptions. Each rule type gets one event the item removes and one it keeps.
import { afterAll, expect, it } from "vitest";
import { describeWithElasticsearch } from "@dac/es-test-node";
import { compileExceptions } from "@dac/exceptions";
import { EngineError } from "@dac/harness";
import type { EngineRule, Execution } from "@dac/harness";
import { catalog, exceptions, now } from "./test-support/backup-operator.js";
import { elasticsearchEngine, testIndexPrefix, testIndices } from "./engine.js";

const logon = (at: string, user: string) => ({
  "@timestamp": at,
  event: { category: "authentication" },
  user: { name: user },
  host: { name: "h1" },
});
// Event 0: the operator (removed by the item); event 1: alice (kept).
const events = [logon("2026-03-01T09:50:00Z", "svc-backup"), logon("2026-03-01T09:51:00Z", "alice")];
const window = { from: new Date("2026-03-01T09:00:00Z"), to: now };

const rule = (data: Record<string, unknown>): EngineRule => ({
  file: "rules/r.yaml",
  data: { index: ["logs-*"], from: "now-1h", ...data } as unknown as EngineRule["data"],
});

const scenarios: { name: string; rule: EngineRule; alerted: number[][] }[] = [
  {
    name: "query (KQL)",
    rule: rule({ type: "query", query: "event.category: authentication" }),
    alerted: [[1]],
  },
  {
    name: "query (Lucene)",
    rule: rule({ type: "query", language: "lucene", query: "event.category:authentication" }),
    alerted: [[1]],
  },
  {
    // Two logons on h1 without the exception; one with it: below the threshold, no alert.
    name: "threshold",
    rule: rule({ type: "threshold", query: "*", threshold: { field: ["host.name"], value: 2 } }),
    alerted: [],
  },
  {
    name: "new_terms",
    rule: rule({
      type: "new_terms",
      query: "*",
      new_terms_fields: ["user.name"],
      history_window_start: "now-7d",
    }),
    alerted: [[1]],
  },
  {
    name: "eql (event query)",
    rule: rule({ type: "eql", language: "eql", query: "authentication where true" }),
    alerted: [[1]],
  },
  {
    // The operator's logon is the first step: with it dropped before sequencing, there is no sequence at all.
    name: "eql (sequence)",
    rule: rule({
      type: "eql",
      language: "eql",
      query:
        'sequence [authentication where user.name == "svc-backup"] [authentication where user.name == "alice"]',
    }),
    alerted: [],
  },
  {
    name: "esql",
    rule: rule({
      type: "esql",
      language: "esql",
      query: 'FROM logs-* METADATA _id | WHERE event.category == "authentication"',
    }),
    alerted: [[1]],
  },
];

describeWithElasticsearch("the rule's exceptions on a node (must_not in every search)", (node) => {
  const runIds: string[] = [];
  afterAll(async () => {
    const left = await testIndices(node.client);
    expect(left.filter((i) => runIds.some((id) => i.startsWith(`${testIndexPrefix}${id}-`)))).toEqual([]);
  });

  it.for(scenarios)("$name: the node drops what the item removes in memory", async (scenario, ctx) => {
    const es = elasticsearchEngine({ client: node.client });
    runIds.push(es.runId);
    const perEvent: Execution = { events, catalog };
    const alertCase: Execution = { events, catalog, range: window, now };
    let answer;
    try {
      answer = await es.execute(scenario.rule, [perEvent, alertCase], {
        now,
        exceptions: { ...exceptions, now },
      });
    } catch (error) {
      // A node without EQL or ES|QL says so; the other suites report that already.
      if (error instanceof EngineError && error.message.startsWith("unsupported: ")) return ctx.skip();
      throw error;
    } finally {
      await es.cleanup();
    }
    const inMemory = compileExceptions(exceptions.items, {}, catalog, { now });
    expect(events.map((e) => inMemory.removedBy(e))).toEqual([["backup-operator"], []]);
    const [each, judged] = answer.executions;
    expect(each!.error).toBeUndefined();
    expect(judged!.error).toBeUndefined();
    // The query alone returns both; the exceptions remove the operator's only.
    expect(each!.events.map((e) => [e.matched, e.excepted])).toEqual([
      [true, true],
      [true, false],
    ]);
    expect(judged!.alerts.map((a) => a.events)).toEqual(scenario.alerted);
    // Without the exceptions the same execution alerts on the operator too (or, for threshold, reaches 2).
    const bare = elasticsearchEngine({ client: node.client });
    runIds.push(bare.runId);
    try {
      const plain = await bare.execute(scenario.rule, [alertCase], { now });
      expect(plain.executions[0]!.alerts.length).toBeGreaterThan(0);
      expect(plain.executions[0]!.events.every((e) => e.excepted === undefined)).toBe(true);
    } finally {
      await bare.cleanup();
    }
  });
});
