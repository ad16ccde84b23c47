import { printable } from "@dac/report";
import {
  exceptionPlanIsEmpty,
  planIsEmpty,
  planSpace,
  publishSpace,
  type ExceptionPlan,
  type ExceptionPublishResult,
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
  renderExceptionPlan,
  reportRequestError,
  rulesErrorDocument,
  withJsonErrors,
} from "./plan.js";

interface SpaceOutcome {
  plan: Plan;
  exceptions: ExceptionPlan;
  summary: PublishSummary;
  exceptionResults: ExceptionPublishResult[];
}

const kindLabel: Record<ExceptionPublishResult["kind"], string> = {
  exception_list: "list",
  exception_item: "item",
  value_list: "value list",
};

function exceptionResultLine(r: ExceptionPublishResult, color: boolean): string {
  const c = pc.createColors(color);
  const paint = r.status === "failed" ? c.red : r.status === "kept" ? c.yellow : c.green;
  const where = r.list_id ? ` in ${r.list_id}` : "";
  return paint(
    printable(
      `  ${r.status.padEnd(9)} ${kindLabel[r.kind]} ${r.name} [${r.id}]${where}${r.message ? `: ${r.message}` : ""}`,
    ),
  );
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
    "Exception lists, items and value lists go first, in dependency order (value lists, lists, items), then the rules, whose exceptions_list gets the Kibana ids of the lists; deletions (--prune) come last and touch only objects carrying the management tag.",
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
      outcomes.map(({ plan, exceptions, summary, exceptionResults }) => ({
        target: plan.target,
        space: plan.space,
        counts: plan.counts,
        changed:
          summary.changed +
          exceptionResults.filter((r) => ["created", "updated", "pruned"].includes(r.status)).length,
        failed: summary.failed + exceptionResults.filter((r) => r.status === "failed").length,
        results: summary.results,
        exceptions: { counts: exceptions.counts, results: exceptionResults },
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
        let code = 0;
        let failure: unknown;
        try {
          for (const client of clients) {
            const spacePlan = await planSpace(client, prepared.payloads, {
              lock: prepared.lock,
              managementTag: config.kibana.managementTag,
              exceptions: prepared.exceptions,
            });
            const { plan, exceptions } = spacePlan;
            if (!json) {
              // Rules and exceptions waiting for --prune are shown, never hidden behind "nothing to publish".
              const waiting = plan.counts.prune + exceptions.counts.prune;
              if (
                planIsEmpty(plan, prune) &&
                exceptionPlanIsEmpty(exceptions, prune) &&
                (prune || waiting === 0)
              ) {
                const also =
                  exceptions.counts.unchanged > 0
                    ? ` and ${exceptions.counts.unchanged} exception object(s)`
                    : "";
                ctx.stdout(
                  `Nothing to publish: ${plan.counts.unchanged} rule(s)${also} already up to date in ${plan.target}.\n`,
                );
                outcomes.push({
                  plan,
                  exceptions,
                  summary: { results: [], failed: 0, changed: 0 },
                  exceptionResults: [],
                });
                continue;
              }
              ctx.stdout(renderPlan(plan, { prune, color: ctx.color }));
              ctx.stdout(renderExceptionPlan(exceptions, { prune, color: ctx.color }));
              ctx.stdout(`Publishing to ${plan.target}:\n`);
            }
            const published = await publishSpace(client, spacePlan, prepared.payloads, {
              managementTag: config.kibana.managementTag,
              prune,
              exceptions: prepared.exceptions,
              onResult: (r) => {
                if (!json && r.status !== "unchanged") ctx.stdout(`${resultLine(r, ctx.color)}\n`);
              },
              onExceptionResult: (r) => {
                if (!json && r.status !== "unchanged") ctx.stdout(`${exceptionResultLine(r, ctx.color)}\n`);
              },
            });
            const summary = published.rules;
            outcomes.push({ plan, exceptions, summary, exceptionResults: published.exceptions });
            if (!json) {
              const unchanged =
                summary.results.filter((r) => r.status === "unchanged").length +
                published.exceptions.filter((r) => r.status === "unchanged").length;
              const kept =
                summary.results.filter((r) => r.status === "kept").length +
                published.exceptions.filter((r) => r.status === "kept").length;
              ctx.stdout(
                `Done: ${published.changed} changed, ${unchanged} unchanged, ${published.failed} failed${kept > 0 ? `, ${kept} kept (would prune with --prune)` : ""}.\n`,
              );
            }
            if (published.failed > 0) code = 1;
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
