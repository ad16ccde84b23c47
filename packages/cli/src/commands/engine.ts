/**
 * `--engine memory | elasticsearch` for `dac test` and `dac check`: the engine the fixtures run on. The
 * Elasticsearch engine connects (URL from `--es-url` or `DAC_ES_URL`, credentials from the environment), sweeps
 * test indices that crashed runs left behind, and always deletes its own: after the run, on errors, and on
 * Ctrl-C or SIGTERM.
 */
import type { Engine } from "@dac/harness";
import type { Connection } from "@dac/elasticsearch";
// The Elasticsearch client is loaded only when a command talks to Elasticsearch (`elasticsearch()`): every other
// command, `dac validate` above all, starts without it.
import { ElasticsearchError, esEnv } from "@dac/elasticsearch/settings";
import type { CommandContext, OptionSpec, OptionValues } from "../command.js";
import { stringOption, UsageError } from "../command.js";

export const engineNames = ["memory", "elasticsearch"] as const;

/** Connection flags of the commands that talk to Elasticsearch. Secrets come only from the environment. */
export const esConnectionOptions: Record<string, OptionSpec> = {
  "es-url": {
    type: "string",
    valueName: "URL",
    description: `Elasticsearch URL (default: $${esEnv.url}).`,
  },
  "ca-cert": {
    type: "string",
    valueName: "FILE",
    description: "Trust this PEM CA certificate as well as the system ones (TLS is always verified).",
  },
};

export const engineOptions: Record<string, OptionSpec> = {
  engine: {
    type: "string",
    valueName: "ENGINE",
    choices: engineNames,
    default: "memory",
    description:
      "Where the rules run: memory (Elasticsearch's semantics, in process) or elasticsearch (a real node or cluster, see --es-url).",
  },
  ...esConnectionOptions,
};

export const esCredentialsHelp = `Credentials come from the environment only: ${esEnv.apiKey} (an API key), or ${esEnv.username} and ${esEnv.password} (Basic).`;

/** Minutes after which a `dac-test-*` index is taken for a crashed run's leftover and deleted. */
export const staleIndexMinutes = 60;

export interface ChosenEngine {
  engines?: readonly Engine[];
  engineLabel?: string;
}

/**
 * Runs `body` with the chosen engine. With Elasticsearch: checks that the cluster answers (exit 2 with the URL
 * and the cause otherwise), removes stale test indices, and deletes this run's indices however `body` ends.
 */
/** The part of `process` that signal handling uses; tests pass their own. */
export interface SignalHost {
  once(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

export async function withEngine<T>(
  values: OptionValues,
  ctx: CommandContext,
  body: (chosen: ChosenEngine) => Promise<T>,
  host: SignalHost = process,
): Promise<T> {
  const name = stringOption(values, "engine") ?? "memory";
  if (name === "memory") {
    if (values["es-url"] !== undefined || values["ca-cert"] !== undefined)
      throw new UsageError("--es-url and --ca-cert need --engine elasticsearch");
    return body({});
  }
  if (values.coverage || values.mutate || values["min-branch-coverage"] !== undefined)
    throw new UsageError(
      "--coverage and --mutate run on the memory engine only; leave out --engine elasticsearch",
    );
  if (values.watch) throw new UsageError("--watch runs on the memory engine only");
  const { checkReachable, elasticsearchEngine, sweepStaleIndices } = await elasticsearch();
  const connection = await openConnection(values, ctx);
  await checkReachable(connection).catch(rethrowAsUsage);
  const swept = await sweepStaleIndices(connection.client, { olderThanMinutes: staleIndexMinutes }).catch(
    () => [] as string[],
  );
  if (swept.length > 0)
    ctx.stderr(
      `deleted ${swept.length} test index(es) older than ${staleIndexMinutes} minutes left by an earlier run\n`,
    );
  const engine = elasticsearchEngine({ client: connection.client, redact: connection.redact });
  ctx.stderr(`running the rules on Elasticsearch at ${connection.url} (test indices ${engine.runId}-*)\n`);
  const onSignal = (signal: NodeJS.Signals) => {
    ctx.stderr(`\n${signal}: deleting the test indices of run ${engine.runId}\n`);
    void engine.cleanup().finally(() => host.exit(signal === "SIGINT" ? 130 : 143));
  };
  host.once("SIGINT", onSignal);
  host.once("SIGTERM", onSignal);
  try {
    return await body({ engines: [engine], engineLabel: "elasticsearch" });
  } finally {
    host.off("SIGINT", onSignal);
    host.off("SIGTERM", onSignal);
    await engine.cleanup();
    await connection.client.close().catch(() => undefined);
  }
}

/** `@dac/elasticsearch`, loaded on first use. */
export const elasticsearch = () => import("@dac/elasticsearch");

export async function openConnection(values: OptionValues, ctx: CommandContext): Promise<Connection> {
  const { connect } = await elasticsearch();
  try {
    return connect(
      { url: stringOption(values, "es-url"), caCertFile: stringOption(values, "ca-cert") },
      ctx.env,
    );
  } catch (error) {
    return rethrowAsUsage(error);
  }
}

/** Connection and configuration problems a user fixes are exit 2, with the message as it is. */
export function rethrowAsUsage(error: unknown): never {
  if (error instanceof ElasticsearchError) throw new EsUsageError(error.message);
  throw error;
}

/** An Elasticsearch setting or connection problem: exit 2, without the "see --help" line. */
export class EsUsageError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = "EsUsageError";
    this.showUsage = false;
  }
}
