import { printable } from "@dac/report";
import {
  buildPlan,
  planIsEmpty,
  publishPlan,
  type Plan,
  type PublishResult,
  type PublishSummary,
} from "@dac/exporter";
import pc from "picocolors";
import type { Command } from "../command.js";
import { stringOption, formatOption } from "../command.js";
import {
  credentialsHelp,
  errorDocument,
  kibanaOptions,
  loadPublishable,
  openClients,
  renderPlan,
  reportRequestError,
  rulesErrorDocument,
  withJsonErrors,
} from "./plan.js";

interface SpaceOutcome {
  plan: Plan;
  summary: PublishSummary;
}

function resultLine(r: PublishResult, color: boolean): string {
  const c = pc.createColors(color);
  const paint =
    r.status === "failed"
      ? c.red
      : r.status === "unchanged"
        ? c.dim
        : r.status === "kept"
          ? c.yellow
          : c.green;
  const version = r.version !== undefined ? ` v${r.version}` : "";
  return paint(
    printable(
      `  ${r.status.padEnd(9)} ${r.name} [${r.rule_id}]${version}${r.message ? `: ${r.message}` : ""}`,
    ),
  );
}

export const publishCommand: Command = {
  name: "publish",
  summary:
    "Publish the repository's rules to Kibana: create, update, restore drift, and with --prune delete.",
  usage: "dac publish [options]",
  description: [
    "Plans first (as `dac plan`), then applies: new rules through `_import?overwrite=false` (a rule_id that exists but is not managed by dac is never overwritten), changed and drifted rules through `_import?overwrite=true`, in batches of at most 500, reading per-rule errors from the answer. With --prune, managed rules missing from the repository are deleted one by one; prebuilt and untagged rules are never touched.",
    "Requests are retried on 429 (honouring Retry-After), 5xx, resets and timeouts with bounded exponential backoff. One line per rule; exit 1 if any rule failed. Running again after a success changes nothing.",
    credentialsHelp,
  ].join("\n\n"),
  options: {
    ...kibanaOptions,
    prune: { type: "boolean", description: "Delete managed rules that are no longer in the repository." },
    format: formatOption(),
  },
  async run({ values }, ctx) {
    const prune = values.prune === true;
    const json = stringOption(values, "format") === "json";
    const outcomes: SpaceOutcome[] = [];
    const spacesDoc = () =>
      outcomes.map(({ plan, summary }) => ({
        target: plan.target,
        space: plan.space,
        counts: plan.counts,
        changed: summary.changed,
        failed: summary.failed,
        results: summary.results,
      }));
    return withJsonErrors(
      ctx,
      json,
      () => ({ prune, spaces: spacesDoc() }),
      async () => {
        const prepared = await loadPublishable(ctx, "dac publish");
        if (!prepared) {
          if (json)
            ctx.stdout(
              `${JSON.stringify({ prune, spaces: [], error: rulesErrorDocument("dac publish") }, null, 2)}\n`,
            );
          return 1;
        }
        const clients = openClients(values, ctx);
        const config = ctx.config();
        const payloads = new Map(prepared.payloads.map((p) => [p.payload.rule_id, p.payload]));
        let code = 0;
        let failure: unknown;
        try {
          for (const client of clients) {
            const plan = await buildPlan(client, prepared.payloads, {
              lock: prepared.lock,
              managementTag: config.kibana.managementTag,
            });
            if (!json) {
              // Rules waiting for --prune are shown, never hidden behind "nothing to publish".
              if (planIsEmpty(plan, prune) && (prune || plan.counts.prune === 0)) {
                ctx.stdout(
                  `Nothing to publish: ${plan.counts.unchanged} rule(s) already up to date in ${plan.target}.\n`,
                );
                outcomes.push({ plan, summary: { results: [], failed: 0, changed: 0 } });
                continue;
              }
              ctx.stdout(renderPlan(plan, { prune, color: ctx.color }));
              ctx.stdout(`Publishing to ${plan.target}:\n`);
            }
            const summary = await publishPlan(client, plan, payloads, {
              prune,
              onResult: (r) => {
                if (!json && r.status !== "unchanged") ctx.stdout(`${resultLine(r, ctx.color)}\n`);
              },
            });
            outcomes.push({ plan, summary });
            if (!json) {
              const unchanged = summary.results.filter((r) => r.status === "unchanged").length;
              const kept = summary.results.filter((r) => r.status === "kept").length;
              ctx.stdout(
                `Done: ${summary.changed} changed, ${unchanged} unchanged, ${summary.failed} failed${kept > 0 ? `, ${kept} kept (would prune with --prune)` : ""}.\n`,
              );
            }
            if (summary.failed > 0) code = 1;
          }
        } catch (error) {
          code = Math.max(code, reportRequestError(error, ctx, "dac publish"));
          failure = error;
        } finally {
          await Promise.all(clients.map((c) => c.close()));
        }
        if (json) {
          const error = failure === undefined ? undefined : errorDocument(failure);
          ctx.stdout(
            `${JSON.stringify({ prune, spaces: spacesDoc(), ...(error ? { error } : {}) }, null, 2)}\n`,
          );
        }
        return code;
      },
    );
  },
};
