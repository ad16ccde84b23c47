/**
 * One space, rules and exceptions together, in dependency order: value lists and exception lists with their
 * items before the rules that refer to them (a rule's `exceptions_list` carries the Kibana id of each list),
 * deletions after the rules.
 */
import type { KibanaClient } from "./client.js";
import {
  buildExceptionPlan,
  publishExceptionDeletions,
  publishExceptionUpserts,
  type ExceptionPlan,
  type ExceptionPublishResult,
} from "./exceptions-plan.js";
import { listKey, resolveListIds, type ExceptionListRef, type ExceptionSetSource } from "./exceptions.js";
import type { Lock } from "./lock.js";
import type { BuiltPayload } from "./payload.js";
import { buildPlan, type Plan } from "./plan.js";
import { publishPlan, type PublishResult, type PublishSummary } from "./publish.js";
import type { KibanaPayload } from "./types.js";

export interface SpacePlan {
  plan: Plan;
  exceptions: ExceptionPlan;
}

const emptySet: ExceptionSetSource = { lists: [], valueLists: [] };

export async function planSpace(
  client: KibanaClient,
  payloads: readonly BuiltPayload[],
  options: { lock: Lock; managementTag: string; exceptions?: ExceptionSetSource },
): Promise<SpacePlan> {
  const set = options.exceptions ?? emptySet;
  // The rules API first: it tells an unknown space or a wrong URL apart (see KibanaClient.findRules).
  const probe = client.findRules({ perPage: 1 });
  await probe.next();
  await probe.return(undefined);
  const exceptions = await buildExceptionPlan(client, set, { managementTag: options.managementTag });
  const resolved = payloads.map((p) => ({
    file: p.file,
    payload: resolveListIds(p.payload, exceptions.kibanaIds),
  }));
  const plan = await buildPlan(client, resolved, {
    lock: options.lock,
    managementTag: options.managementTag,
    repositoryLists: new Set(set.lists.map((l) => listKey(l.namespace_type, l.list_id))),
  });
  return { plan, exceptions };
}

export interface SpacePublishSummary {
  rules: PublishSummary;
  exceptions: ExceptionPublishResult[];
  failed: number;
  changed: number;
}

export async function publishSpace(
  client: KibanaClient,
  spacePlan: SpacePlan,
  payloads: readonly BuiltPayload[],
  options: {
    managementTag: string;
    prune?: boolean;
    exceptions?: ExceptionSetSource;
    onResult?: (r: PublishResult) => void;
    onExceptionResult?: (r: ExceptionPublishResult) => void;
  },
): Promise<SpacePublishSummary> {
  const set = options.exceptions ?? emptySet;
  const upserts = await publishExceptionUpserts(client, spacePlan.exceptions, set, {
    managementTag: options.managementTag,
    onResult: options.onExceptionResult,
  });
  const repository = new Set(set.lists.map((l) => listKey(l.namespace_type, l.list_id)));
  const resolved = new Map<string, KibanaPayload>();
  const blocked = new Map<string, string>();
  for (const { payload } of payloads) {
    const refs = (
      Array.isArray(payload.exceptions_list) ? payload.exceptions_list : []
    ) as ExceptionListRef[];
    const missing = refs.filter(
      (r) =>
        repository.has(listKey(r.namespace_type, r.list_id)) &&
        !upserts.kibanaIds.has(listKey(r.namespace_type, r.list_id)),
    );
    if (missing.length > 0)
      blocked.set(
        payload.rule_id,
        `its exception list ${missing.map((r) => r.list_id).join(", ")} is not in Kibana (not written)`,
      );
    resolved.set(payload.rule_id, resolveListIds(payload, upserts.kibanaIds));
  }
  // A rule whose list could not be written is not published: Kibana would drop the reference.
  const plan: Plan = {
    ...spacePlan.plan,
    entries: spacePlan.plan.entries.map((e) =>
      blocked.has(e.rule_id) && (e.action === "create" || e.action === "update" || e.action === "drift")
        ? { ...e, action: "conflict" as const, reason: blocked.get(e.rule_id) }
        : e,
    ),
  };
  const rules = await publishPlan(client, plan, resolved, {
    prune: options.prune,
    onResult: options.onResult,
  });
  const deletions = await publishExceptionDeletions(client, spacePlan.exceptions, {
    prune: options.prune ?? false,
    onResult: options.onExceptionResult,
  });
  const exceptions = [...upserts.results, ...deletions];
  const exceptionFailed = exceptions.filter((r) => r.status === "failed").length;
  const exceptionChanged = exceptions.filter((r) =>
    ["created", "updated", "pruned"].includes(r.status),
  ).length;
  return {
    rules,
    exceptions,
    failed: rules.failed + exceptionFailed,
    changed: rules.changed + exceptionChanged,
  };
}
