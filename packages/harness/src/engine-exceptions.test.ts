// An engine that applies a rule's exceptions itself (`appliesExceptions`, as the Elasticsearch engine does with
// a `must_not` in every search, after Kibana's `getQueryFilter`/`buildExceptionFilter`) gets the items, the value
// lists and `now` in `ExecuteOptions.exceptions`, and every event (no in-memory pre-filter). Its answer per event
// (`excepted`) is checked against the in-memory verdict of the same items: a disagreement is a case error naming
// the event and the item, never a silent pass. Without a node, these engines stand in for one: the faithful one
// excepts what the items remove, the others get it wrong in each direction.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compileExceptions } from "@dac/exceptions";
import { executeRule } from "./alerts/execute.js";
import type { Engine, Evaluation, ExecuteOptions } from "./engine.js";
import { kqlEngine } from "./kql-engine.js";
import { testRepository } from "./repository.js";
import { tempTree } from "./test-support/tree.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

type Mode = "faithful" | "ignores" | "overreaches";

/** kqlEngine's verdicts; `excepted` as `mode` says; alerts from the events the search would keep. */
function applyingEngine(mode: Mode) {
  const seen: { options: ExecuteOptions; removedGiven: number }[] = [];
  const engine: Engine = {
    name: `applying-${mode}`,
    appliesExceptions: true,
    supports: (rule) => kqlEngine.supports(rule),
    execute(rule, executions, options = {}) {
      let removedGiven = 0;
      const results = executions.map((execution) => {
        const compiled = kqlEngine.compile!(rule, {
          catalog: execution.catalog,
          ...(options.now ? { now: options.now } : {}),
        });
        const x = options.exceptions;
        const items = x
          ? compileExceptions(x.items, x.valueLists, execution.catalog, { now: execution.now ?? x.now })
          : undefined;
        const events = execution.events.map((event): Evaluation => {
          const evaluation = compiled.evaluate(event);
          const removed = items ? items.removedBy(event).length > 0 : false;
          if (removed) removedGiven++;
          if (!items || !evaluation.matched) return evaluation;
          const excepted = mode === "faithful" ? removed : mode === "overreaches";
          return { matched: true, excepted, explain: () => evaluation.explain() };
        });
        const { alerts } = executeRule({
          rule,
          events: execution.events,
          matched: events.map((e) => e.matched && e.excepted !== true && e.error === undefined),
          ...(execution.range ? { window: execution.range } : {}),
          executedAt: execution.now ?? options.now ?? new Date(),
          catalog: execution.catalog,
        });
        return { events, alerts };
      });
      seen.push({ options, removedGiven });
      return Promise.resolve({ executions: results, fields: [] });
    },
  };
  return { engine, seen };
}

const statuses = (run: Awaited<ReturnType<typeof testRepository>>) =>
  run.result.rules.flatMap((r) => r.cases.map((c) => [c.name, c.status, c.message ?? ""] as const));

describe("the seed rules on an engine that applies the exceptions itself", () => {
  it("gets the items, value lists and now, and every event; the suppressed cases pass as in memory", async () => {
    const memory = await testRepository({ cwd: repoRoot, paths: ["rules/kubernetes"] });
    const { engine, seen } = applyingEngine("faithful");
    const applied = await testRepository({ cwd: repoRoot, paths: ["rules/kubernetes"], engines: [engine] });
    expect(statuses(applied).every(([, status]) => status === "passed")).toBe(true);
    expect(statuses(applied).map(([n, s]) => [n, s])).toEqual(statuses(memory).map(([n, s]) => [n, s]));
    // Attribution still comes from the in-memory verdict (`by:`), the same as without the engine.
    const suppressed = (run: typeof memory) =>
      run.result.rules.flatMap((r) => (r.exceptions ?? []).map((e) => [e.itemId, e.suppressed]));
    expect(suppressed(applied)).toEqual([
      ["argocd-application-controller", ["Argo CD controller probes cluster roles it may not read"]],
      ["datadog-cluster-agent-permission-check", ["monitoring agent checks its own permissions"]],
    ]);
    expect(suppressed(applied)).toEqual(suppressed(memory));
    const items = seen.flatMap((s) => s.options.exceptions?.items.map((i) => i.item.item_id) ?? []);
    expect(new Set(items)).toEqual(
      new Set(["argocd-application-controller", "datadog-cluster-agent-permission-check"]),
    );
    expect(seen.every((s) => s.options.exceptions?.now instanceof Date)).toBe(true);
    // The events the items remove reach the engine: its own must_not is what removes them.
    expect(seen.reduce((n, s) => n + s.removedGiven, 0)).toBeGreaterThanOrEqual(2);
  });

  it("an engine that returns an event an item removes fails that case, naming the event and the item", async () => {
    const { engine } = applyingEngine("ignores");
    const run = await testRepository({ cwd: repoRoot, paths: ["rules/kubernetes"], engines: [engine] });
    const failed = statuses(run).filter(([, status]) => status === "failed");
    expect(failed).toEqual([
      [
        "Argo CD controller probes cluster roles it may not read",
        "failed",
        "event 1: the search with the exceptions returned it, but exception item `argocd-application-controller` removes it in memory",
      ],
      [
        "monitoring agent checks its own permissions",
        "failed",
        "event 1: the search with the exceptions returned it, but exception item `datadog-cluster-agent-permission-check` removes it in memory",
      ],
    ]);
  });

  it("an engine whose exceptions drop an event no item removes fails that case too", async () => {
    const { engine } = applyingEngine("overreaches");
    const run = await testRepository({ cwd: repoRoot, paths: ["rules/kubernetes"], engines: [engine] });
    const failed = statuses(run).filter(([, status]) => status === "failed");
    // Every positive of both rules (the suppressed cases agree: their items do remove those events).
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.map(([name]) => name)).toContain("Argo CD server account refused");
    for (const [, , message] of failed)
      expect(message).toMatch(
        /^event \d+: the exceptions in the search removed it, but no exception item removes it in memory/,
      );
    expect(failed.map(([name]) => name)).not.toContain(
      "Argo CD controller probes cluster roles it may not read",
    );
  });

  it("an engine without appliesExceptions gets no exceptions: the harness removes the events first", async () => {
    const { engine, seen } = applyingEngine("faithful");
    const plain: Engine = { ...engine, appliesExceptions: false };
    const run = await testRepository({ cwd: repoRoot, paths: ["rules/kubernetes"], engines: [plain] });
    expect(statuses(run).every(([, status]) => status === "passed")).toBe(true);
    expect(seen.every((s) => s.options.exceptions === undefined)).toBe(true);
  });
});

describe("an alert case on an engine that applies the exceptions", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  // The denied-request seed rule and its rule-default list, with one alert case over the controller's refused
  // request (removed by the item) and the server account's (kept): one alert, for the server account.
  const seed = "rules/kubernetes/kubernetes_denied_service_account_request";
  const fixture = parse(
    readFileSync(
      join(repoRoot, "fixtures/kubernetes/kubernetes_denied_service_account_request/cases.yaml"),
      "utf8",
    ),
  ) as { cases: { name: string; events: Record<string, unknown>[] }[] };
  const eventOf = (name: string) => fixture.cases.find((c) => c.name === name)!.events[0]!;
  const at = "2025-03-04T09:31:00.000Z";
  const tree = () =>
    tempTree({
      "dac.config.yaml": `rules: rules\nfixtures: fixtures\nfields:\n  - ${join(repoRoot, "schemas", "fields")}\nunknown_fields: unmapped\n`,
      "rules/r.yaml": readFileSync(join(repoRoot, `${seed}.yaml`), "utf8"),
      "rules/r.exceptions.yaml": readFileSync(join(repoRoot, `${seed}.exceptions.yaml`), "utf8").replace(
        "../../schemas/",
        "../schemas/",
      ),
      "fixtures/r/cases.yaml": JSON.stringify({
        cases: [
          {
            name: "one alert, for the server account",
            expect: "alert",
            now: "2025-03-04T09:32:00.000Z",
            alerts: 1,
            events: [
              { ...eventOf("Argo CD controller probes cluster roles it may not read"), "@timestamp": at },
              { ...eventOf("Argo CD server account refused"), "@timestamp": at },
            ],
          },
          {
            // The item removes the controller's request, but the rule's query does not match it (allowed): the
            // item suppresses nothing here, on either engine.
            name: "the controller's allowed request",
            expect: "no-alert",
            now: "2025-03-04T09:32:00.000Z",
            events: [
              JSON.parse(
                JSON.stringify({
                  ...eventOf("Argo CD controller probes cluster roles it may not read"),
                  "@timestamp": at,
                }).replaceAll('"forbid"', '"allow"'),
              ) as Record<string, unknown>,
            ],
          },
        ],
      }),
    });

  it("passes when the engine's exceptions remove what the item removes", async () => {
    const t = tree();
    cleanup = t.cleanup;
    const { engine, seen } = applyingEngine("faithful");
    const run = await testRepository({ cwd: t.root, engines: [engine] });
    expect(statuses(run)).toEqual([
      ["one alert, for the server account", "passed", ""],
      ["the controller's allowed request", "passed", ""],
    ]);
    expect(seen.reduce((n, s) => n + s.removedGiven, 0)).toBe(2);
    expect(run.result.rules[0]!.exceptions!.map((e) => [e.itemId, e.suppressed])).toEqual([
      ["argocd-application-controller", ["one alert, for the server account"]],
    ]);
  });

  it("fails, naming the event and the item, when the engine returns the removed event", async () => {
    const t = tree();
    cleanup = t.cleanup;
    const { engine } = applyingEngine("ignores");
    const run = await testRepository({ cwd: t.root, engines: [engine] });
    expect(statuses(run)).toEqual([
      [
        "one alert, for the server account",
        "failed",
        "event 1: the search with the exceptions returned it, but exception item `argocd-application-controller` removes it in memory",
      ],
      // The query does not match the event: whether the exceptions removed it is no disagreement.
      ["the controller's allowed request", "passed", ""],
    ]);
  });
});
