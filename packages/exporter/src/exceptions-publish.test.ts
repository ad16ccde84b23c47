import { startEmulator, type Emulator } from "@dac/kibana-emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKibanaClient, type KibanaClient } from "./client.js";
import {
  attachExceptionLists,
  stableListId,
  type ExceptionListSource,
  type ExceptionSetSource,
  type ValueListSource,
} from "./exceptions.js";
import { lockSubjects, lockVersions, updateLock, type Lock } from "./lock.js";
import { buildPayloads } from "./payload.js";
import { planSpace, publishSpace } from "./space-publish.js";
import { fakeRequiredFields, seedLikeRules } from "./test-support.js";
import type { RuleSource } from "./types.js";

const managementTag = "Managed by: dac";
const options = { managementTag, requiredFields: fakeRequiredFields };
let emu: Emulator;
let client: KibanaClient;

const [selfReview, denied] = seedLikeRules() as [RuleSource, RuleSource];
const operatorEntry = {
  type: "match",
  field: "kubernetes.audit.user.username",
  value: "system:serviceaccount:kube-system:operator",
  operator: "included",
};

/** A shared list for the denied-request rule, a rule-default list for the self-review rule, a value list. */
function exceptionSet(): ExceptionSetSource {
  return {
    lists: [
      {
        list_id: "k8s-known-operators",
        name: "Known Kubernetes operators",
        description: "Service accounts of operators that are refused by design.",
        type: "detection",
        namespace_type: "single",
        tags: ["kubernetes"],
        file: "exceptions/k8s-known-operators.yaml",
        items: [
          {
            item_id: "operator-service-account",
            name: "The operator's service account",
            description: "Retries requests it is not allowed to make.",
            entries: [operatorEntry],
            comments: [{ comment: "Agreed with the platform team." }],
          },
        ],
      },
      {
        list_id: "self-review-defaults",
        name: "Self-review exceptions",
        description: "Monitoring agents that review their own access.",
        type: "rule_default",
        namespace_type: "single",
        rule_id: String(selfReview.data.rule_id),
        file: "exceptions/self-review-defaults.yaml",
        items: [
          {
            item_id: "monitoring-agent",
            name: "Monitoring agents",
            description: "Agents from the monitoring value list.",
            entries: [
              {
                type: "list",
                field: "user.name",
                list: { id: "monitoring-agents", type: "keyword" },
                operator: "included",
              },
            ],
          },
        ],
      },
    ],
    valueLists: [
      {
        id: "monitoring-agents",
        type: "keyword",
        name: "Monitoring agents",
        description: "User names of monitoring agents.",
        values: ["datadog-agent", "prometheus"],
        file: "exceptions/lists/monitoring-agents.txt",
      },
    ],
  };
}

function rulesWith(set: ExceptionSetSource): RuleSource[] {
  const deniedWithList = {
    ...denied,
    data: { ...denied.data, exceptions_list: [{ list_id: "k8s-known-operators" }] },
  };
  const { rules, problems } = attachExceptionLists([selfReview, deniedWithList], set);
  expect(problems).toEqual([]);
  return rules;
}

async function run(set: ExceptionSetSource, lock: Lock, prune = false) {
  const rules = rulesWith(set);
  const nextLock = updateLock(lock, lockSubjects(rules, options)).lock;
  const { payloads, errors } = buildPayloads(rules, { ...options, versionOf: lockVersions(nextLock) });
  expect(errors).toEqual([]);
  const spacePlan = await planSpace(client, payloads, { lock: nextLock, managementTag, exceptions: set });
  const summary = await publishSpace(client, spacePlan, payloads, { managementTag, prune, exceptions: set });
  return { lock: nextLock, spacePlan, summary };
}

const exceptionActions = (p: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(p.spacePlan.exceptions.entries.map((e) => [`${e.kind}:${e.id}`, e.action]));

beforeEach(async () => {
  emu = await startEmulator({ spaces: ["secops"], withoutListIndex: ["default"] });
  client = createKibanaClient({
    url: emu.url,
    credentials: { kind: "apiKey", apiKey: "k" },
    sleep: async () => {},
  });
});
afterEach(async () => {
  await client.close();
  await emu.close();
});

describe("publishing exceptions", () => {
  it("creates value lists, lists and items before the rules, which refer to Kibana's list ids; a second run changes nothing", async () => {
    const first = await run(exceptionSet(), {});
    expect(first.summary.failed).toBe(0);
    expect(Object.values(exceptionActions(first))).toEqual([
      "create",
      "create",
      "create",
      "create",
      "create",
    ]);
    const paths = emu.state.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
    // Dependency order: the value-list data streams, value list and values, lists, items, then the rules.
    expect(paths.indexOf("POST /api/lists/index")).toBeLessThan(paths.indexOf("POST /api/lists"));
    expect(paths.lastIndexOf("POST /api/lists/items")).toBeLessThan(
      paths.indexOf("POST /api/exception_lists"),
    );
    expect(paths.lastIndexOf("POST /api/exception_lists")).toBeLessThan(
      paths.indexOf("POST /api/exception_lists/items"),
    );
    expect(paths.lastIndexOf("POST /api/exception_lists/items")).toBeLessThan(
      paths.indexOf("POST /api/detection_engine/rules/_import"),
    );
    const kibanaId = (listId: string) => emu.exceptionLists().find((l) => l.list_id === listId)!.id;
    const rule = (r: RuleSource) => emu.rules().find((x) => x.rule_id === r.data.rule_id)!;
    expect(rule(denied).exceptions_list).toEqual([
      {
        id: kibanaId("k8s-known-operators"),
        list_id: "k8s-known-operators",
        type: "detection",
        namespace_type: "single",
      },
    ]);
    // The rule-default list is attached to its rule without the YAML saying so.
    expect(rule(selfReview).exceptions_list).toMatchObject([
      { list_id: "self-review-defaults", type: "rule_default" },
    ]);
    expect(kibanaId("k8s-known-operators")).not.toBe(stableListId("single", "k8s-known-operators"));
    expect(emu.valueLists()).toMatchObject([
      { id: "monitoring-agents", values: ["datadog-agent", "prometheus"] },
    ]);
    expect(emu.exceptionItems().every((i) => i.tags.includes(managementTag))).toBe(true);

    const second = await run(exceptionSet(), first.lock);
    expect(new Set(Object.values(exceptionActions(second)))).toEqual(new Set(["unchanged"]));
    expect(second.spacePlan.plan.counts).toMatchObject({ unchanged: 2, create: 0, update: 0, drift: 0 });
    expect(second.summary.changed).toBe(0);
  });

  it("shows a diff per item and updates only what changed; values are added and removed", async () => {
    const { lock } = await run(exceptionSet(), {});
    const changed = exceptionSet();
    changed.lists[0]!.items[0]!.entries = [{ ...operatorEntry, value: "system:serviceaccount:ops:operator" }];
    changed.lists[0]!.items[0]!.comments!.push({ comment: "Moved to the ops namespace." });
    changed.valueLists[0]!.values = ["prometheus", "zabbix"];
    const next = await run(changed, lock);
    const item = next.spacePlan.exceptions.entries.find((e) => e.id === "operator-service-account")!;
    expect(item.action).toBe("update");
    expect([...item.changes!].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: "comments[1]", kind: "added", to: { comment: "Moved to the ops namespace." } },
      {
        path: "entries[0].value",
        kind: "changed",
        from: operatorEntry.value,
        to: "system:serviceaccount:ops:operator",
      },
    ]);
    const values = next.spacePlan.exceptions.entries.find((e) => e.kind === "value_list")!;
    expect(values).toMatchObject({
      action: "update",
      values: { added: ["zabbix"], removed: ["datadog-agent"] },
    });
    expect(next.summary.failed).toBe(0);
    const stored = emu.exceptionItems().find((i) => i.item_id === "operator-service-account")!;
    expect(stored.comments.map((c) => c.comment)).toEqual([
      "Agreed with the platform team.",
      "Moved to the ops namespace.",
    ]);
    expect(emu.valueLists()[0]!.values).toEqual(["prometheus", "zabbix"]);
    expect(exceptionActions(await run(changed, next.lock))["exception_item:operator-service-account"]).toBe(
      "unchanged",
    );
  });

  it("prunes only what dac manages: a hand-made list, and a hand-made item in a dac list, survive", async () => {
    const { lock } = await run(exceptionSet(), {});
    emu.seedExceptionList(
      { list_id: "hand-made", name: "Made in the UI", description: "d", type: "detection" },
      [{ item_id: "by-hand", type: "simple", name: "By hand", description: "", entries: [operatorEntry] }],
    );
    await fetch(`${emu.url}/api/exception_lists/items`, {
      method: "POST",
      headers: {
        authorization: "ApiKey k",
        "kbn-xsrf": "1",
        "elastic-api-version": "2023-10-31",
        "content-type": "application/json",
      },
      body: JSON.stringify({
        item_id: "ui-item",
        list_id: "k8s-known-operators",
        type: "simple",
        name: "UI",
        description: "",
        entries: [operatorEntry],
      }),
    });
    const fewer = exceptionSet() as { lists: ExceptionListSource[]; valueLists: ValueListSource[] };
    fewer.lists[0]!.items = [];
    fewer.lists.splice(1, 1);
    fewer.valueLists = [];
    const withoutPrune = await run(fewer, lock);
    expect(
      withoutPrune.summary.exceptions
        .filter((r) => r.status === "kept")
        .map((r) => r.id)
        .sort(),
    ).toEqual(["monitoring-agents", "operator-service-account", "self-review-defaults"]);
    expect(emu.exceptionLists()).toHaveLength(3);
    const pruned = await run(fewer, withoutPrune.lock, true);
    expect(pruned.summary.failed).toBe(0);
    expect(
      emu
        .exceptionLists()
        .map((l) => l.list_id)
        .sort(),
    ).toEqual(["hand-made", "k8s-known-operators"]);
    expect(
      emu
        .exceptionItems()
        .map((i) => i.item_id)
        .sort(),
    ).toEqual(["by-hand", "ui-item"]);
    expect(emu.valueLists()).toEqual([]);
  });

  it("never overwrites a list with the same list_id that dac does not manage", async () => {
    emu.seedExceptionList({
      list_id: "k8s-known-operators",
      name: "Theirs",
      description: "d",
      type: "detection",
    });
    const result = await run(exceptionSet(), {});
    const entry = result.spacePlan.exceptions.entries.find((e) => e.id === "k8s-known-operators")!;
    expect(entry.action).toBe("conflict");
    expect(entry.reason).toMatch(/without the management tag/);
    expect(emu.exceptionLists().find((l) => l.list_id === "k8s-known-operators")!.name).toBe("Theirs");
    // The rule that refers to it is held back rather than published with a dangling reference.
    const deniedResult = result.summary.rules.results.find((r) => r.rule_id === denied.data.rule_id)!;
    expect(deniedResult).toMatchObject({ status: "failed" });
    expect(result.summary.failed).toBeGreaterThan(0);
  });

  it("reports a failing item and carries on; the next run retries it", async () => {
    emu.injectFault({
      type: "status",
      status: 400,
      method: "POST",
      path: "/api/exception_lists/items",
      body: { message: "bad entry", status_code: 400 },
    });
    const first = await run(exceptionSet(), {});
    const failed = first.summary.exceptions.filter((r) => r.status === "failed");
    expect(failed.map((r) => r.id)).toEqual(["operator-service-account"]);
    expect(failed[0]!.message).toMatch(/400: bad entry/);
    const second = await run(exceptionSet(), first.lock);
    expect(exceptionActions(second)["exception_item:operator-service-account"]).toBe("create");
    expect(second.summary.failed).toBe(0);
  });

  it("keeps agnostic lists in one place for every space", async () => {
    const set = exceptionSet();
    set.lists[0]!.namespace_type = "agnostic";
    const { lock } = await run(set, {});
    const secops = createKibanaClient({
      url: emu.url,
      space: "secops",
      credentials: { kind: "apiKey", apiKey: "k" },
    });
    try {
      const rules = rulesWith(set);
      const { payloads } = buildPayloads(rules, { ...options, versionOf: lockVersions(lock) });
      const plan = await planSpace(secops, payloads, { lock, managementTag, exceptions: set });
      expect(plan.exceptions.entries.find((e) => e.id === "k8s-known-operators")!.action).toBe("unchanged");
      expect(plan.exceptions.entries.find((e) => e.id === "self-review-defaults")!.action).toBe("create");
    } finally {
      await secops.close();
    }
  });
});
