import { printable } from "@dac/report";
import { ConfigError, loadRules, type Rule } from "@dac/schema";
import {
  clientOptionsFrom,
  exceptionSetProblems,
  planSpace,
  ConfigurationError,
  createKibanaClient,
  KibanaRequestError,
  preparePayloads,
  publishableRules,
  spacesFrom,
  type BuiltPayload,
  type ExceptionPlan,
  type ExceptionPlanEntry,
  type ExceptionSetSource,
  type FieldChange,
  type KibanaClient,
  type Lock,
  type Plan,
  type PlanEntry,
} from "@dac/exporter";
import pc from "picocolors";
import type { Command, CommandContext, OptionSpec, ParsedArgs } from "../command.js";
import { listOption, stringOption, UsageError, formatOption } from "../command.js";
import { repositoryExceptions } from "./exceptions-repo.js";

/** Connection flags shared by `plan`, `publish` and `import --from-kibana`. Secrets come only from the environment. */
export const kibanaOptions: Record<string, OptionSpec> = {
  "kibana-url": {
    type: "string",
    valueName: "URL",
    description: "Kibana base URL (default: $DAC_KIBANA_URL, then kibana.url in dac.config.yaml).",
  },
  space: {
    type: "string",
    multiple: true,
    valueName: "ID",
    description: "Kibana space (default: kibana.spaces in dac.config.yaml, else the default space).",
  },
  "ca-cert": {
    type: "string",
    valueName: "FILE",
    description: "Trust this PEM CA certificate as well as the system ones.",
  },
  insecure: { type: "boolean", description: "Do not verify Kibana's TLS certificate (prints a warning)." },
  timeout: {
    type: "string",
    valueName: "SECONDS",
    description: "Per-request timeout in seconds, from 1 to 3600 (default: 30).",
  },
};

export const credentialsHelp =
  "Credentials come from the environment only: DAC_KIBANA_API_KEY (sent as `Authorization: ApiKey …`), or DAC_KIBANA_USERNAME and DAC_KIBANA_PASSWORD (Basic).";

/** Longest `--timeout`: beyond it a request that hangs would stall a run for good (and Node's timers overflow). */
export const maxTimeoutSeconds = 3600;

/** `--timeout SECONDS`: a plain decimal number from 1 to 3600, else a usage error. */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds < 1 || seconds > maxTimeoutSeconds)
    throw new UsageError(
      `--timeout must be a number of seconds from 1 to ${maxTimeoutSeconds}, not \`${value}\``,
    );
  return seconds;
}

/** Opens one client per requested space; configuration problems are usage errors (exit 2). */
export function openClients(values: ParsedArgs["values"], ctx: CommandContext): KibanaClient[] {
  const config = ctx.config();
  const timeoutSeconds = parseTimeout(stringOption(values, "timeout"));
  const insecure = values.insecure === true;
  const spaceFlags = listOption(values, "space");
  // An empty id would otherwise fall back to the default space without a word.
  if (spaceFlags.some((s) => s.trim() === ""))
    throw new UsageError("--space needs a space id (the default space is `default`)");
  try {
    const spaces = spacesFrom(spaceFlags, config);
    const clients = spaces.map((space) =>
      createKibanaClient({
        ...clientOptionsFrom(
          {
            url: stringOption(values, "kibana-url"),
            space,
            caCertFile: stringOption(values, "ca-cert"),
            insecure,
            timeoutSeconds,
            userAgent: `dac/${ctx.version}`,
          },
          ctx.env,
          config,
        ),
        onRetry: (e) =>
          ctx.stderr(
            `retrying ${e.method} ${e.path} in ${(e.delayMs / 1000).toFixed(1)}s (attempt ${e.attempt} failed: ${e.reason})\n`,
          ),
      }),
    );
    if (insecure)
      ctx.stderr(
        "warning: --insecure: Kibana's TLS certificate is not verified; the connection can be intercepted\n",
      );
    return clients;
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Exit code for a failed request: 2 for credentials that Kibana refuses and for a target that does not exist
 * (an unknown space), 1 otherwise.
 */
export function reportRequestError(error: unknown, ctx: CommandContext, label: string): number {
  if (error instanceof ConfigurationError) {
    ctx.stderr(`${label}: configuration error: ${error.message}\n`);
    return 2;
  }
  if (!(error instanceof KibanaRequestError)) throw error;
  ctx.stderr(`${label}: ${error.message}\n`);
  if (error.isAuthError) {
    ctx.stderr(
      `${label}: check DAC_KIBANA_API_KEY (or DAC_KIBANA_USERNAME/DAC_KIBANA_PASSWORD) and the user's privileges\n`,
    );
    return 2;
  }
  return 1;
}

/** The `error` object of a json document, for the errors a user can act on; undefined for internal ones. */
export function errorDocument(error: unknown): Record<string, unknown> | undefined {
  if (error instanceof KibanaRequestError) {
    const { method, url, status, code, attempts } = error.details;
    return {
      kind: error.kind,
      message: error.message,
      method,
      ...(url ? { url } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(code ? { code } : {}),
      attempts,
    };
  }
  if (error instanceof ConfigurationError)
    return { kind: "configuration", message: error.message, ...error.details };
  if (error instanceof UsageError)
    return {
      kind: error.cause instanceof ConfigurationError ? "configuration" : "usage",
      message: error.message,
    };
  if (error instanceof ConfigError) return { kind: "configuration", message: error.message };
  return undefined;
}

/**
 * Runs a publishing command's body. With json output, a fatal error still prints one JSON document, with an
 * `error` object next to whatever was done before it, so a consumer never mistakes a failure for an empty
 * result. The error is then thrown on for the usual message and exit code.
 */
export async function withJsonErrors(
  ctx: CommandContext,
  json: boolean,
  partial: () => Record<string, unknown>,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const doc = json ? errorDocument(error) : undefined;
    if (doc) ctx.stdout(`${JSON.stringify({ ...partial(), error: doc }, null, 2)}\n`);
    throw error;
  }
}

/** The json document for a command that stopped because of the rules (reported on standard error). */
export function rulesErrorDocument(label: string): Record<string, unknown> {
  return {
    kind: "rules",
    message: `${label}: the rules or the version lock have problems (listed on standard error); nothing was sent`,
  };
}

export interface Publishable {
  lock: Lock;
  payloads: BuiltPayload[];
  /** The repository's exception lists and value lists, published with the rules. */
  exceptions: ExceptionSetSource;
}

/**
 * The repository's publishable rules as validated payloads, or undefined after printing why not: rule errors,
 * a stale lock, or payloads that Kibana's schema rejects.
 */
export async function loadPublishable(
  ctx: CommandContext,
  label: string,
  paths: string[] = [],
): Promise<Publishable | undefined> {
  const config = ctx.config();
  const loaded = loadRules(paths, config, ctx.cwd);
  if (loaded.files.length === 0)
    throw new UsageError(`no rule files found in ${paths.length > 0 ? paths.join(", ") : config.rules}`);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    for (const d of errors) ctx.stderr(`${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}\n`);
    ctx.stderr(`${label}: ${errors.length} error(s) in the rules; fix them first (see \`dac validate\`)\n`);
    return undefined;
  }
  const exceptionSet = repositoryExceptions(ctx);
  const exceptionErrors = exceptionSet.diagnostics.filter((d) => d.severity === "error");
  const bodyProblems = exceptionSetProblems(exceptionSet, config.kibana.managementTag);
  if (exceptionErrors.length > 0 || bodyProblems.length > 0) {
    for (const d of exceptionErrors) ctx.stderr(`${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}\n`);
    for (const p of bodyProblems) ctx.stderr(`${p.file}: ${p.message}\n`);
    ctx.stderr(
      `${label}: ${exceptionErrors.length + bodyProblems.length} error(s) in the exceptions; fix them first (see \`dac validate\`)\n`,
    );
    return undefined;
  }
  const exceptions: ExceptionSetSource = { lists: exceptionSet.lists, valueLists: exceptionSet.valueLists };
  const rules: Rule[] = publishableRules(loaded.rules);
  const prepared = await preparePayloads(rules, config, {
    partial: paths.length > 0,
    alsoPresent: loaded.rules.map((r) => String(r.data.rule_id)),
    exceptions,
  });
  if (prepared.problems.length > 0) {
    for (const p of prepared.problems)
      ctx.stderr(`${p.file}: ${p.rule_id}: ${p.code ? `${p.code} ` : ""}${p.message}\n`);
    ctx.stderr(`${label}: nothing was sent or written\n`);
    return undefined;
  }
  return { ...prepared, exceptions };
}

const symbols: Record<PlanEntry["action"], string> = {
  create: "+",
  update: "~",
  drift: "!",
  conflict: "x",
  prune: "-",
  unchanged: "=",
};

function short(value: unknown): string {
  const text = value === undefined ? "(none)" : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

function changeLine(c: FieldChange): string {
  if (c.kind === "added") return `      ${c.path}: + ${short(c.to)}`;
  if (c.kind === "removed") return `      ${c.path}: - ${short(c.from)}`;
  return `      ${c.path}: ${short(c.from)} → ${short(c.to)}`;
}

const kindLabel: Record<ExceptionPlanEntry["kind"], string> = {
  exception_list: "list",
  exception_item: "item",
  value_list: "value list",
};

/** Exception lists, items and value lists as text: one line each, changes below, values added and removed. */
export function renderExceptionPlan(
  plan: Pick<ExceptionPlan, "entries" | "counts">,
  options: { prune: boolean; color: boolean },
): string {
  if (plan.entries.length === 0) return "";
  const c = pc.createColors(options.color);
  const paint: Record<ExceptionPlanEntry["action"], (s: string) => string> = {
    create: c.green,
    update: c.yellow,
    conflict: c.red,
    prune: c.red,
    unchanged: c.dim,
  };
  const symbol: Record<ExceptionPlanEntry["action"], string> = {
    create: "+",
    update: "~",
    conflict: "x",
    prune: "-",
    unchanged: "=",
  };
  const lines = ["Exceptions:"];
  for (const e of plan.entries) {
    const where =
      e.kind === "exception_item" ? ` in ${e.list_id}` : e.namespace_type === "agnostic" ? " (agnostic)" : "";
    const note =
      e.action === "prune" && !options.prune
        ? " (would prune with --prune)"
        : e.reason
          ? ` (${e.reason})`
          : "";
    lines.push(
      paint[e.action](
        printable(
          `  ${symbol[e.action]} ${e.action.padEnd(9)} ${kindLabel[e.kind]} ${e.name} [${e.id}]${where}${note}`,
        ),
      ),
    );
    for (const change of e.changes ?? []) lines.push(printable(changeLine(change)));
    if (e.values && (e.values.added.length > 0 || e.values.removed.length > 0)) {
      const shown = (values: string[]) =>
        short(values.length > 10 ? [...values.slice(0, 10), `… ${values.length - 10} more`] : values);
      if (e.values.added.length > 0) lines.push(printable(`      values: + ${shown(e.values.added)}`));
      if (e.values.removed.length > 0) lines.push(printable(`      values: - ${shown(e.values.removed)}`));
    }
  }
  const n = plan.counts;
  lines.push(
    `Exceptions summary: ${n.create} to create, ${n.update} to update, ${n.conflict} in conflict, ${n.prune} to prune${options.prune ? "" : " (not without --prune)"}, ${n.unchanged} unchanged.`,
  );
  return `${lines.join("\n")}\n`;
}

/** The plan as text: one line per rule, unchanged ones included, field changes below. */
export function renderPlan(plan: Plan, options: { prune: boolean; color: boolean }): string {
  const c = pc.createColors(options.color);
  const paint: Record<PlanEntry["action"], (s: string) => string> = {
    create: c.green,
    update: c.yellow,
    drift: c.magenta,
    conflict: c.red,
    prune: c.red,
    unchanged: c.dim,
  };
  const lines = [`Plan for ${plan.target} (rules tagged "${plan.managementTag}"):`];
  for (const e of plan.entries) {
    const version =
      e.action === "prune"
        ? `v${e.remote!.version}`
        : e.remote && e.remote.version !== e.version
          ? `v${e.remote.version} → v${e.version}`
          : `v${e.version}`;
    const note =
      e.action === "prune" && !options.prune
        ? " (would prune with --prune)"
        : e.reason && e.action !== "prune"
          ? ` (${e.reason})`
          : "";
    lines.push(
      paint[e.action](
        // Names and reasons come from Kibana too: control characters are shown escaped, never sent raw.
        printable(`  ${symbols[e.action]} ${e.action.padEnd(9)} ${e.name} [${e.rule_id}] ${version}${note}`),
      ),
    );
    for (const change of e.changes ?? []) lines.push(printable(changeLine(change)));
  }
  const { counts } = plan;
  const summary = [
    `${counts.create} to create`,
    `${counts.update} to update`,
    `${counts.drift} drifted`,
    `${counts.conflict} in conflict`,
    `${counts.prune} to prune${options.prune ? "" : " (not without --prune)"}`,
    `${counts.unchanged} unchanged`,
  ];
  lines.push(`Summary: ${summary.join(", ")}.`);
  return `${lines.join("\n")}\n`;
}

export const planCommand: Command = {
  name: "plan",
  summary:
    "Show what `dac publish` would change in Kibana: created, updated, unchanged, drifted and pruned rules.",
  usage: "dac plan [options]",
  description: `Reads the rules tagged with the management tag from each space (\`_find\`, paged) and compares them with the repository's payloads. Drift is a rule changed in Kibana since its version was published. Exception lists, their items and value lists follow the rules, one line each with the changed fields of each item (docs/exceptions.md). ${credentialsHelp}`,
  options: {
    ...kibanaOptions,
    prune: { type: "boolean", description: "Show managed rules missing from the repository as deletions." },
    format: formatOption(),
  },
  async run({ values }, ctx) {
    const prune = values.prune === true;
    const json = stringOption(values, "format") === "json";
    const plans: (Plan & { exceptions: Pick<ExceptionPlan, "entries" | "counts"> })[] = [];
    return withJsonErrors(
      ctx,
      json,
      () => ({ prune, spaces: plans }),
      async () => {
        const prepared = await loadPublishable(ctx, "dac plan");
        if (!prepared) {
          if (json)
            ctx.stdout(
              `${JSON.stringify({ prune, spaces: [], error: rulesErrorDocument("dac plan") }, null, 2)}\n`,
            );
          return 1;
        }
        const clients = openClients(values, ctx);
        const config = ctx.config();
        let failure: unknown;
        let code = 0;
        try {
          for (const client of clients) {
            const { plan, exceptions } = await planSpace(client, prepared.payloads, {
              lock: prepared.lock,
              managementTag: config.kibana.managementTag,
              exceptions: prepared.exceptions,
            });
            plans.push({ ...plan, exceptions: { entries: exceptions.entries, counts: exceptions.counts } });
          }
        } catch (error) {
          code = reportRequestError(error, ctx, "dac plan");
          failure = error;
        } finally {
          await Promise.all(clients.map((c) => c.close()));
        }
        if (json) {
          const error = failure === undefined ? undefined : errorDocument(failure);
          ctx.stdout(`${JSON.stringify({ prune, spaces: plans, ...(error ? { error } : {}) }, null, 2)}\n`);
        } else {
          for (const plan of plans) {
            ctx.stdout(renderPlan(plan, { prune, color: ctx.color }));
            ctx.stdout(renderExceptionPlan(plan.exceptions, { prune, color: ctx.color }));
          }
        }
        if (failure !== undefined) return code;
        return plans.some((p) => p.counts.conflict > 0 || p.exceptions.counts.conflict > 0) ? 1 : 0;
      },
    );
  },
};
