import diff from "microdiff";
import { compareStrings, contentHash } from "./canonical.js";
import { tagFilter, type KibanaClient } from "./client.js";
import type { Lock } from "./lock.js";
import { stableListIds } from "./exceptions.js";
import { remoteToPayload } from "./payload.js";
import type { KibanaPayload, RemoteRule } from "./types.js";

/**
 * - `create`: not in Kibana.
 * - `update`: the repository has a newer version than Kibana.
 * - `unchanged`: Kibana holds exactly the payload, version included.
 * - `drift`: Kibana holds the locked version, but its content was changed in Kibana after publishing.
 * - `conflict`: Kibana holds a newer version than the lock, or the rule_id belongs to a prebuilt rule or to a
 *   rule without the management tag; never overwritten (versions do not go back, prebuilt and unmanaged rules
 *   are not touched).
 * - `prune`: a managed rule in Kibana that the repository no longer has.
 */
export type PlanAction = "create" | "update" | "unchanged" | "drift" | "conflict" | "prune";

export interface FieldChange {
  /** e.g. `tags[2]`, `threat[0].technique[0].id`. */
  path: string;
  kind: "added" | "removed" | "changed";
  from?: unknown;
  to?: unknown;
}

export interface PlanEntry {
  action: PlanAction;
  rule_id: string;
  name: string;
  /** The repository's rule file (absent for `prune`). */
  file?: string;
  /** Version that would be published. */
  version?: number;
  /** What Kibana holds now. */
  remote?: { id: string; version: number; revision?: number };
  /** Kibana → repository, field by field (`update`, `drift`, `conflict`). */
  changes?: FieldChange[];
  reason?: string;
}

export interface Plan {
  target: string;
  space: string;
  managementTag: string;
  entries: PlanEntry[];
  counts: Record<PlanAction, number>;
}

export interface LocalPayload {
  file: string;
  payload: KibanaPayload;
}

function isPrebuilt(rule: RemoteRule): boolean {
  return rule.immutable === true || rule.rule_source?.type === "external";
}

function pathOf(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Field-level changes from `from` to `to`. */
export function fieldChanges(from: Record<string, unknown>, to: Record<string, unknown>): FieldChange[] {
  return diff(from, to).map((d) => {
    const path = pathOf(d.path);
    if (d.type === "CREATE") return { path, kind: "added", to: d.value };
    if (d.type === "REMOVE") return { path, kind: "removed", from: d.oldValue };
    return { path, kind: "changed", from: d.oldValue, to: d.value };
  });
}

/** How one managed Kibana rule relates to its repository payload and lock entry. */
export function classify(
  local: LocalPayload,
  remote: RemoteRule,
  lock: Lock,
  repositoryLists: ReadonlySet<string> = new Set(),
): PlanEntry {
  const { payload } = local;
  const base = {
    rule_id: payload.rule_id,
    name: payload.name,
    file: local.file,
    version: payload.version,
    remote: {
      id: remote.id,
      version: remote.version,
      ...(remote.revision !== undefined ? { revision: remote.revision } : {}),
    },
  };
  if (isPrebuilt(remote)) {
    return {
      ...base,
      action: "conflict",
      reason: "Kibana has a prebuilt (immutable) rule with this rule_id; dac never modifies prebuilt rules",
    };
  }
  const remotePayload = remoteToPayload(remote);
  if (contentHash(remotePayload) === contentHash(payload) && remote.version === payload.version)
    return { ...base, action: "unchanged" };
  const changes = fieldChanges(remotePayload, payload);
  if (remote.version > payload.version) {
    return {
      ...base,
      action: "conflict",
      changes,
      reason: `Kibana has version ${remote.version}, newer than the repository's ${payload.version}; publish from an up-to-date checkout`,
    };
  }
  const entry = lock[payload.rule_id];
  // The lock hashes references with dac's stable list ids; Kibana's ids of the repository's lists map back.
  const remoteHash = contentHash(stableListIds(remotePayload, repositoryLists));
  if (
    remote.version === payload.version &&
    entry &&
    !entry.deleted &&
    entry.version === remote.version &&
    remoteHash !== entry.sha256
  ) {
    return {
      ...base,
      action: "drift",
      changes,
      reason: `changed in Kibana since version ${remote.version} was published`,
    };
  }
  return { ...base, action: "update", changes };
}

/** Rule ids per `_find` request when looking for unmanaged rules: keeps the filter (a query parameter) short. */
const idsPerLookup = 50;

/** KQL for "has one of these rule_ids", the filter Kibana itself uses to read a rule by rule_id. */
function ruleIdFilter(ids: readonly string[]): string {
  return `alert.attributes.params.ruleId:(${ids.map((id) => `"${id.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" or ")})`;
}

/**
 * A rule_id the repository would create but Kibana already has, without the management tag: `_import` with
 * `overwrite=false` refuses it (409), so the plan says so instead of promising a create.
 */
function unmanagedConflict(local: LocalPayload, remote: RemoteRule, managementTag: string): PlanEntry {
  return {
    action: "conflict",
    rule_id: local.payload.rule_id,
    name: local.payload.name,
    file: local.file,
    version: local.payload.version,
    remote: {
      id: remote.id,
      version: remote.version,
      ...(remote.revision !== undefined ? { revision: remote.revision } : {}),
    },
    reason: isPrebuilt(remote)
      ? "Kibana has a prebuilt (immutable) rule with this rule_id; dac never modifies prebuilt rules: change the rule_id"
      : `Kibana has a rule with this rule_id without the management tag "${managementTag}" ("${remote.name}", made by hand or another tool); dac never overwrites it: delete or tag it in Kibana, or change the rule_id`,
  };
}

/**
 * Compares the repository's payloads with the managed rules in Kibana (those carrying the management tag),
 * reading `_find` one page at a time.
 */
export async function buildPlan(
  client: KibanaClient,
  local: readonly LocalPayload[],
  options: {
    lock: Lock;
    managementTag: string;
    perPage?: number;
    /** `namespace_type:list_id` of the repository's exception lists (see `classify`). */
    repositoryLists?: ReadonlySet<string>;
  },
): Promise<Plan> {
  const byId = new Map(local.map((l) => [l.payload.rule_id, l]));
  const entries: PlanEntry[] = [];
  const seen = new Set<string>();
  for await (const page of client.findRules({
    filter: tagFilter(options.managementTag),
    perPage: options.perPage,
  })) {
    for (const remote of page) {
      // The filter already selects managed rules; this guards against a server that ignores it.
      if (!remote.tags?.includes(options.managementTag)) continue;
      seen.add(remote.rule_id);
      const mine = byId.get(remote.rule_id);
      if (mine) {
        entries.push(classify(mine, remote, options.lock, options.repositoryLists));
      } else if (!isPrebuilt(remote)) {
        entries.push({
          action: "prune",
          rule_id: remote.rule_id,
          name: remote.name,
          remote: {
            id: remote.id,
            version: remote.version,
            ...(remote.revision !== undefined ? { revision: remote.revision } : {}),
          },
          reason: "managed by dac in Kibana, no longer in the repository",
        });
      }
    }
  }
  // Rules to create may still exist in Kibana, untagged (or prebuilt): look them up by rule_id.
  const missing = local.filter((l) => !seen.has(l.payload.rule_id));
  const unmanaged = new Map<string, RemoteRule>();
  for (let i = 0; i < missing.length; i += idsPerLookup) {
    const ids = missing.slice(i, i + idsPerLookup).map((l) => l.payload.rule_id);
    for await (const page of client.findRules({ filter: ruleIdFilter(ids), perPage: options.perPage })) {
      for (const remote of page) if (ids.includes(remote.rule_id)) unmanaged.set(remote.rule_id, remote);
    }
  }
  for (const l of missing) {
    const remote = unmanaged.get(l.payload.rule_id);
    entries.push(
      remote
        ? unmanagedConflict(l, remote, options.managementTag)
        : {
            action: "create",
            rule_id: l.payload.rule_id,
            name: l.payload.name,
            file: l.file,
            version: l.payload.version,
          },
    );
  }
  entries.sort((a, b) => compareStrings(a.rule_id, b.rule_id));
  const counts: Record<PlanAction, number> = {
    create: 0,
    update: 0,
    unchanged: 0,
    drift: 0,
    conflict: 0,
    prune: 0,
  };
  for (const e of entries) counts[e.action]++;
  return {
    target: client.target,
    space: client.space,
    managementTag: options.managementTag,
    entries,
    counts,
  };
}

/** True when publishing (without prune) would change nothing. */
export function planIsEmpty(plan: Plan, prune: boolean): boolean {
  const { create, update, drift, conflict, prune: toPrune } = plan.counts;
  return create + update + drift + conflict === 0 && (!prune || toPrune === 0);
}
