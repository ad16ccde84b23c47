/**
 * The connection to Elasticsearch: URL from `--es-url` or `DAC_ES_URL`; credentials from the environment only
 * (`DAC_ES_API_KEY`, or `DAC_ES_USERNAME` and `DAC_ES_PASSWORD`), never printed; TLS verified, with `--ca-cert`
 * adding a CA. Problems are `ElasticsearchError`s whose message never holds a secret.
 */
import { readFileSync } from "node:fs";
import { Client, errors } from "@elastic/elasticsearch";
import { redactor } from "@dac/exporter";
import type { Credentials } from "@dac/exporter";
import { ElasticsearchError, esEnv } from "./settings.js";

export { ElasticsearchError, esEnv };

export interface ConnectionSettings {
  /** `--es-url`; else `DAC_ES_URL`. */
  url?: string;
  /** `--ca-cert FILE`. */
  caCertFile?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
}

export interface Connection {
  url: string;
  client: Client;
  /** Removes every form of the credentials from a text. */
  redact: (text: string) => string;
}

function credentialsFrom(env: Record<string, string | undefined>): Credentials | undefined {
  const apiKey = env[esEnv.apiKey]?.trim();
  if (apiKey) return { kind: "apiKey", apiKey };
  const username = env[esEnv.username];
  const password = env[esEnv.password];
  if (username && password) return { kind: "basic", username, password };
  if (username || password) {
    const missing = username ? esEnv.password : esEnv.username;
    throw new ElasticsearchError(
      `Elasticsearch Basic auth needs both ${esEnv.username} and ${esEnv.password}; ${missing} is not set`,
    );
  }
  return undefined;
}

/** Builds the client (nothing is sent yet). Throws `ElasticsearchError` for a missing URL or a bad CA file. */
export function connect(settings: ConnectionSettings, env: Record<string, string | undefined>): Connection {
  const url = settings.url ?? env[esEnv.url];
  if (!url) throw new ElasticsearchError(`no Elasticsearch URL: pass --es-url URL or set ${esEnv.url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ElasticsearchError(`the Elasticsearch URL \`${url}\` is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new ElasticsearchError(`the Elasticsearch URL \`${url}\` must start with http:// or https://`);
  if (parsed.username || parsed.password)
    throw new ElasticsearchError(
      `put no credentials in the Elasticsearch URL; set ${esEnv.apiKey}, or ${esEnv.username} and ${esEnv.password}`,
    );
  const credentials = credentialsFrom(env);
  let ca: Buffer | undefined;
  if (settings.caCertFile) {
    try {
      ca = readFileSync(settings.caCertFile);
    } catch (e) {
      throw new ElasticsearchError(
        `cannot read the CA certificate ${settings.caCertFile}: ${(e as Error).message}`,
      );
    }
    if (!ca.toString("utf8").includes("-----BEGIN CERTIFICATE-----"))
      throw new ElasticsearchError(`${settings.caCertFile} is not a PEM certificate`);
  }
  const client = new Client({
    node: url,
    ...(credentials
      ? {
          auth:
            credentials.kind === "apiKey"
              ? { apiKey: credentials.apiKey }
              : { username: credentials.username, password: credentials.password },
        }
      : {}),
    // TLS is always verified; --ca-cert adds a CA to the system ones.
    tls: { rejectUnauthorized: true, ...(ca ? { ca } : {}) },
    requestTimeout: settings.timeoutMs ?? 60_000,
    maxRetries: 2,
    compression: false,
  });
  return { url, client, redact: redactor(credentials) };
}

/** A failed request as one line: status, Elasticsearch's error type and reason, without secrets. */
export function describeError(error: unknown, redact: (t: string) => string = (t) => t): string {
  if (error instanceof errors.ResponseError) {
    const body = error.meta.body as
      { error?: { type?: string; reason?: string; root_cause?: { reason?: string }[] } } | undefined;
    const e = body?.error;
    const reason = e?.root_cause?.[0]?.reason ?? e?.reason ?? error.message;
    return redact(`${error.meta.statusCode ?? "?"} ${e?.type ?? "error"}: ${reason}`);
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.TimeoutError) {
    const cause = (error as { cause?: unknown }).cause;
    return redact(cause instanceof Error && cause.message ? cause.message : error.message);
  }
  return redact(error instanceof Error ? error.message : String(error));
}

/**
 * Checks that the cluster answers (`_cluster/health`: the test node lacks `GET /`), with a clear error naming the
 * URL and the cause. Returns the version the cluster reports, when it says.
 */
export async function checkReachable(
  connection: Connection,
  options: { allowForbidden?: boolean } = {},
): Promise<void> {
  try {
    await connection.client.cluster.health({ timeout: "10s" }, { maxRetries: 0 });
  } catch (error) {
    // 403: the credentials are good but lack the cluster `monitor` privilege, which a read-only user may not need.
    if (options.allowForbidden && error instanceof errors.ResponseError && error.meta.statusCode === 403)
      return;
    if (
      error instanceof errors.ResponseError &&
      (error.meta.statusCode === 401 || error.meta.statusCode === 403)
    )
      throw new ElasticsearchError(
        `Elasticsearch at ${connection.url} refused the credentials (${describeError(error, connection.redact)}); check ${esEnv.apiKey} or ${esEnv.username}/${esEnv.password}`,
      );
    throw new ElasticsearchError(
      `cannot reach Elasticsearch at ${connection.url}: ${describeError(error, connection.redact)}`,
    );
  }
}
