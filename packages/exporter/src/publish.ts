import { canonicalJson } from "./canonical.js";
import type { KibanaClient } from "./client.js";
import { KibanaRequestError } from "./errors.js";
import { payloadLine, remoteToPayload } from "./payload.js";
import type { Plan, PlanEntry } from "./plan.js";
import type { KibanaPayload } from "./types.js";

/** `kept`: a managed rule the repository no longer has, left in Kibana because pruning was not asked for. */
export type PublishStatus = "created" | "updated" | "restored" | "unchanged" | "pruned" | "kept" | "failed";

export interface PublishResult {
  rule_id: string;
  name: string;
  status: PublishStatus;
  version?: number;
  message?: string;
}

export interface PublishOptions {
  /** Delete the plan's `prune` entries. */
  prune?: boolean;
  /** Rules per `_import` request (default 500). */
  batchSize?: number;
  /** Called as each result is known, so a CLI can print progress. */
  onResult?: (result: PublishResult) => void;
}

export interface PublishSummary {
  results: PublishResult[];
  failed: number;
  /** Rules created, updated, restored or pruned. */
  changed: number;
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Applies a plan. Strategy:
 * - creates go through `_import?overwrite=false` in batches, so a rule_id that already exists in Kibana but is
 *   not managed by dac (or is prebuilt) fails with 409 instead of being overwritten. A 409 on a rule dac just
 *   tried to create is checked with a read: if Kibana holds exactly our payload (a retried request that had
 *   succeeded), it counts as created.
 * - updates and drift repairs go through `_import?overwrite=true` in batches, only for rules the plan saw
 *   carrying the management tag.
 * - per-rule errors come from `errors[]` of the 200 answer; a failed request fails its whole batch, and the
 *   other batches carry on. Re-running converges: whatever failed shows up in the next plan again.
 * - prune deletes by object id, one rule at a time, only rules the plan listed (managed, not prebuilt); without
 *   `prune` those rules are reported as `kept`, so that a publish never hides them.
 * - `conflict` entries are reported as failures and never written.
 */
export async function publishPlan(
  client: KibanaClient,
  plan: Plan,
  payloads: ReadonlyMap<string, KibanaPayload>,
  options: PublishOptions = {},
): Promise<PublishSummary> {
  const batchSize = options.batchSize ?? 500;
  const results: PublishResult[] = [];
  const report = (r: PublishResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  const payloadOf = (e: PlanEntry) => payloads.get(e.rule_id)!;
  const pick = (...actions: PlanEntry["action"][]) => plan.entries.filter((e) => actions.includes(e.action));

  for (const e of pick("unchanged"))
    report({ rule_id: e.rule_id, name: e.name, status: "unchanged", version: e.version });
  for (const e of pick("conflict"))
    report({ rule_id: e.rule_id, name: e.name, status: "failed", version: e.version, message: e.reason });

  for (const batch of batches(pick("create"), batchSize)) {
    await importBatch(client, batch, payloadOf, false, async (e, error) => {
      if (error?.status_code === 409) {
        try {
          if (await holdsPayload(client, payloadOf(e))) return { status: "created" };
        } catch (err) {
          return {
            status: "failed",
            message: `409 on create, and reading the rule back failed: ${messageOf(err)}`,
          };
        }
        return {
          status: "failed",
          message:
            "a rule with this rule_id already exists in Kibana and is not the one dac manages; dac will not overwrite it",
        };
      }
      return error
        ? { status: "failed", message: `${error.status_code}: ${error.message}` }
        : { status: "created" };
    }).then((rs) => rs.forEach(report));
  }
  for (const batch of batches(pick("update", "drift"), batchSize)) {
    await importBatch(client, batch, payloadOf, true, async (e, error) =>
      error
        ? { status: "failed", message: `${error.status_code}: ${error.message}` }
        : { status: e.action === "drift" ? "restored" : "updated" },
    ).then((rs) => rs.forEach(report));
  }
  if (!options.prune) {
    for (const e of pick("prune")) {
      const version = e.remote!.version;
      report({
        rule_id: e.rule_id,
        name: e.name,
        status: "kept",
        version,
        message: "would prune with --prune",
      });
    }
  } else {
    for (const e of pick("prune")) {
      try {
        await client.deleteRule(e.remote!.id);
        report({ rule_id: e.rule_id, name: e.name, status: "pruned", version: e.remote!.version });
      } catch (err) {
        report({ rule_id: e.rule_id, name: e.name, status: "failed", message: messageOf(err) });
      }
    }
  }
  const failed = results.filter((r) => r.status === "failed").length;
  const changed = results.filter((r) => !["failed", "unchanged", "kept"].includes(r.status)).length;
  return { results, failed, changed };
}

type Outcome = { status: PublishStatus; message?: string };

async function importBatch(
  client: KibanaClient,
  batch: PlanEntry[],
  payloadOf: (e: PlanEntry) => KibanaPayload,
  overwrite: boolean,
  outcome: (e: PlanEntry, error: { status_code: number; message: string } | undefined) => Promise<Outcome>,
): Promise<PublishResult[]> {
  const ndjson = batch.map((e) => payloadLine(payloadOf(e)) + "\n").join("");
  let errors: Map<string, { status_code: number; message: string }>;
  try {
    const answer = await client.importRules(ndjson, { overwrite });
    errors = new Map(answer.errors.map((err) => [err.rule_id ?? err.id ?? "(unknown id)", err.error]));
  } catch (err) {
    const message = messageOf(err);
    return batch.map((e) => ({
      rule_id: e.rule_id,
      name: e.name,
      status: "failed" as const,
      version: e.version,
      message,
    }));
  }
  const results: PublishResult[] = [];
  for (const e of batch) {
    const { status, message } = await outcome(e, errors.get(e.rule_id));
    results.push({
      rule_id: e.rule_id,
      name: e.name,
      status,
      version: e.version,
      ...(message ? { message } : {}),
    });
  }
  return results;
}

/** Whether Kibana holds exactly this payload under a managed, non-prebuilt rule. */
async function holdsPayload(client: KibanaClient, payload: KibanaPayload): Promise<boolean> {
  const remote = await client.readRule(payload.rule_id);
  if (!remote || remote.immutable || remote.rule_source?.type === "external") return false;
  return canonicalJson(remoteToPayload(remote)) === canonicalJson(payload);
}

function messageOf(err: unknown): string {
  if (err instanceof KibanaRequestError) return err.message;
  throw err;
}
