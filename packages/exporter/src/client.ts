import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Agent, FormData } from "undici";
import { authorizationHeader, redactor, type Credentials } from "./credentials.js";
import { ConfigurationError, KibanaRequestError } from "./errors.js";
import {
  backoffDelay,
  defaultRetryPolicy,
  errorCode,
  isRetriableNetworkCode,
  isRetriableStatus,
  isTlsErrorCode,
  parseRetryAfter,
  type RetryPolicy,
} from "./retry.js";
import type { RemoteRule } from "./types.js";

export const kibanaApiVersion = "2023-10-31";

const packageVersion = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export interface RetryEvent {
  method: string;
  path: string;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface ClientOptions {
  /** Kibana's base URL, e.g. `https://kibana.example.com:5601` (a base path is kept). */
  url: string;
  /** Space id; `default` or absent means no `/s/<id>` prefix. */
  space?: string;
  credentials: Credentials;
  /** Extra CA certificate(s) in PEM, trusted on top of the system roots. */
  caCert?: string | Buffer;
  /** Skip TLS verification. The caller is expected to warn. */
  insecure?: boolean;
  /** Per attempt, covering the whole answer. Default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** `dac/<version>`. */
  userAgent?: string;
  /** Injected for tests: waiting between attempts, the clock used for `Retry-After` dates, and jitter. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /** A multipart body; rebuilt for every attempt. */
  form?: () => FormData;
  /** Statuses returned to the caller instead of thrown (e.g. 404 on a read). */
  allow?: number[];
}

export interface KibanaResponse {
  status: number;
  body: unknown;
  text: string;
}

export interface ImportError {
  id?: string;
  rule_id?: string;
  error: { status_code: number; message: string };
}

export interface ImportResult {
  success: boolean;
  success_count: number;
  rules_count: number;
  errors: ImportError[];
}

export interface KibanaClient {
  /** Base URL with the space prefix, for messages. */
  readonly target: string;
  readonly space: string;
  request(method: string, path: string, options?: RequestOptions): Promise<KibanaResponse>;
  /** `_find`, page by page, so callers hold one page at a time. */
  findRules(options?: { filter?: string; perPage?: number }): AsyncGenerator<RemoteRule[]>;
  readRule(ruleId: string): Promise<RemoteRule | undefined>;
  /** `_import` of ndjson text (multipart, file `rules.ndjson`); per-rule failures are in `errors`. */
  importRules(ndjson: string, options: { overwrite: boolean }): Promise<ImportResult>;
  /** DELETE by object id; undefined when the rule is already gone (404). */
  deleteRule(id: string): Promise<RemoteRule | undefined>;
  close(): Promise<void>;
}

const spaceIdPattern = /^[a-z0-9_-]+$/;

/** KQL for "carries this tag", as `_find` and `_bulk_action` take it over rule saved objects. */
export function tagFilter(tag: string): string {
  return `alert.attributes.tags:"${tag.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Origin and base path (Kibana behind a proxy may live under a path), without a trailing slash. */
function parseBaseUrl(raw: string): { origin: string; pathname: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(
      `the Kibana URL is not a valid URL: ${raw.replace(/\/\/[^@/]*@/, "//[REDACTED]@")}`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      "the Kibana URL must not contain credentials; use DAC_KIBANA_API_KEY or DAC_KIBANA_USERNAME/DAC_KIBANA_PASSWORD",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(`the Kibana URL must be http or https: ${url.origin}`);
  }
  return { origin: url.origin, pathname: url.pathname.replace(/\/+$/, "") };
}

// The HTTP client is loaded when a first request is made: commands that never talk to Kibana (`dac validate`)
// start without it.
const undici = () => import("undici");

export function createKibanaClient(options: ClientOptions): KibanaClient {
  const base = parseBaseUrl(options.url);
  const space = options.space ?? "default";
  if (!spaceIdPattern.test(space)) {
    throw new ConfigurationError(
      `"${space}" is not a Kibana space id (lowercase letters, digits, "_" and "-")`,
    );
  }
  const prefix = `${base.pathname}${space === "default" ? "" : `/s/${space}`}`;
  const target = `${base.origin}${prefix}`;
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const redact = redactor(options.credentials);
  const authorization = authorizationHeader(options.credentials);
  const ca = options.caCert ? [...rootCertificates, options.caCert.toString()] : undefined;
  let agent: Agent | undefined;
  const headers = {
    authorization,
    "kbn-xsrf": "true",
    "elastic-api-version": kibanaApiVersion,
    "user-agent": options.userAgent ?? `dac/${packageVersion}`,
    accept: "application/json",
  };

  async function request(method: string, path: string, req: RequestOptions = {}): Promise<KibanaResponse> {
    const { Agent, fetch } = await undici();
    agent ??= new Agent({
      connect: { ...(ca ? { ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) },
      keepAliveTimeout: 10_000,
    });
    const url = new URL(`${base.origin}${prefix}${path}`);
    for (const [key, value] of Object.entries(req.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const where = `${method} ${prefix}${path}`;
    const href = `${base.origin}${prefix}${path}`;
    for (let attempt = 1; ; attempt++) {
      const retry = async (reason: string, delayMs: number) => {
        options.onRetry?.({ method, path: `${prefix}${path}`, attempt, delayMs, reason: redact(reason) });
        await sleep(delayMs);
      };
      const lastAttempt = attempt >= policy.maxAttempts;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let status: number;
      let text: string;
      let retryAfter: string | null;
      try {
        const res = await fetch(url, {
          method,
          dispatcher: agent,
          signal: controller.signal,
          headers: req.json !== undefined ? { ...headers, "content-type": "application/json" } : headers,
          body: req.form ? req.form() : req.json !== undefined ? JSON.stringify(req.json) : undefined,
        });
        status = res.status;
        retryAfter = res.headers.get("retry-after");
        text = await res.text();
      } catch (e) {
        const code = controller.signal.aborted ? "TIMEOUT" : errorCode(e);
        const reason = networkReason(e, code, timeoutMs);
        if ((code === "TIMEOUT" || isRetriableNetworkCode(code)) && !lastAttempt) {
          await retry(reason, backoffDelay(attempt, policy, random));
          continue;
        }
        throw new KibanaRequestError(
          redact(`${method} ${href} failed after ${attempt} attempt(s): ${reason}`),
          {
            method,
            path: `${prefix}${path}`,
            url: href,
            attempts: attempt,
            ...(code ? { code } : {}),
          },
        );
      } finally {
        clearTimeout(timer);
      }
      const body = parseBody(text);
      if (status >= 200 && status < 300) return { status, body, text };
      if (req.allow?.includes(status)) return { status, body, text };
      const message = `${where} answered ${status}: ${errorMessage(body, text)}`;
      if (isRetriableStatus(status) && !lastAttempt) {
        const asked = parseRetryAfter(retryAfter, now());
        if (asked !== undefined && asked > policy.maxRetryAfterMs) {
          throw new KibanaRequestError(
            redact(
              `${message} (Kibana asked to retry after ${Math.ceil(asked / 1000)}s, longer than the ${policy.maxRetryAfterMs / 1000}s limit)`,
            ),
            {
              method,
              path: `${prefix}${path}`,
              url: href,
              status,
              attempts: attempt,
            },
          );
        }
        await retry(message, asked ?? backoffDelay(attempt, policy, random));
        continue;
      }
      throw new KibanaRequestError(redact(attempt > 1 ? `${message} (after ${attempt} attempts)` : message), {
        method,
        path: `${prefix}${path}`,
        url: href,
        status,
        attempts: attempt,
      });
    }
  }

  return {
    target,
    space,
    request,
    async *findRules({ filter, perPage = 100 } = {}) {
      const seen = new Set<string>();
      for (let page = 1; ; page++) {
        const { status, body } = await request("GET", "/api/detection_engine/rules/_find", {
          query: { page, per_page: perPage, filter, sort_field: "created_at", sort_order: "asc" },
          allow: [404],
        });
        // `_find` always exists: a 404 means the space does not (Kibana's spaces plugin answers 404 for an
        // unknown `/s/<id>`, x-pack/plugins/spaces/server/lib/request_interceptors/on_post_auth_interceptor.ts),
        // or the URL is not Kibana's. Either way a retry or another run will not help: a configuration error.
        if (status === 404) {
          throw new ConfigurationError(
            space === "default"
              ? `${target} has no Detection Engine API (404 from _find): check the Kibana URL and its base path`
              : `Kibana at ${base.origin}${base.pathname} has no space "${space}" (404 from _find): check --space or kibana.spaces in dac.config.yaml`,
            { url: `${target}/api/detection_engine/rules/_find`, status },
          );
        }
        const found = body as { data?: unknown; total?: unknown };
        if (!Array.isArray(found?.data) || typeof found.total !== "number") {
          throw new KibanaRequestError(
            `GET ${prefix}/api/detection_engine/rules/_find: unexpected answer (no data/total)`,
            {
              method: "GET",
              path: `${prefix}/api/detection_engine/rules/_find`,
              attempts: 1,
            },
          );
        }
        // Paging by offset can repeat a rule when the set changes in between: skip repeats.
        const rules = (found.data as RemoteRule[]).filter((r) => !seen.has(r.id));
        for (const r of rules) seen.add(r.id);
        if (rules.length > 0) yield rules;
        if (found.data.length === 0 || page * perPage >= found.total) return;
      }
    },
    async readRule(ruleId) {
      const res = await request("GET", "/api/detection_engine/rules", {
        query: { rule_id: ruleId },
        allow: [404],
      });
      return res.status === 404 ? undefined : (res.body as RemoteRule);
    },
    async importRules(ndjson, { overwrite }) {
      const { FormData } = await undici();
      const res = await request("POST", "/api/detection_engine/rules/_import", {
        query: { overwrite },
        form: () => {
          const form = new FormData();
          form.append("file", new Blob([ndjson], { type: "application/x-ndjson" }), "rules.ndjson");
          return form;
        },
      });
      const result = res.body as Partial<ImportResult> | undefined;
      if (!result || !Array.isArray(result.errors) || typeof result.success_count !== "number") {
        throw new KibanaRequestError(
          `POST ${prefix}/api/detection_engine/rules/_import: unexpected answer (no errors/success_count)`,
          {
            method: "POST",
            path: `${prefix}/api/detection_engine/rules/_import`,
            attempts: 1,
          },
        );
      }
      return result as ImportResult;
    },
    async deleteRule(id) {
      const res = await request("DELETE", "/api/detection_engine/rules", { query: { id }, allow: [404] });
      return res.status === 404 ? undefined : (res.body as RemoteRule);
    },
    close: async () => {
      await agent?.close();
    },
  };
}

/** Why a request got no answer, in words, with the URL's cause (`connect ECONNREFUSED 127.0.0.1:5601`). */
function networkReason(error: unknown, code: string | undefined, timeoutMs: number): string {
  if (code === "TIMEOUT") return `no complete answer within ${timeoutMs / 1000}s`;
  const cause = deepestMessage(error);
  const detail = cause && cause !== "fetch failed" ? ` (${cause})` : code ? ` (${code})` : "";
  if (code === "ECONNREFUSED")
    return `connection refused: nothing accepts connections there; is Kibana running and the URL right?${detail}`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `host name not found (DNS)${detail}`;
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE")
    return `the connection was closed before an answer${detail}`;
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT") return `could not connect in time${detail}`;
  if (isTlsErrorCode(code))
    return `TLS verification failed: pass --ca-cert FILE for a private CA (${code}${cause ? `: ${cause}` : ""})`;
  return `network error${detail}`;
}

/** The innermost message of an error's `cause` chain (undici's own is only "fetch failed"). */
function deepestMessage(error: unknown): string | undefined {
  let message: string | undefined;
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const m = (current as { message?: unknown }).message;
    if (typeof m === "string" && m !== "") message = m;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Kibana's `{message, status_code}` or the platform's `{statusCode, error, message}`, else the text. */
function errorMessage(body: unknown, text: string): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === "string") return message;
  if (message !== undefined) return JSON.stringify(message);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text || "(empty answer)";
}
