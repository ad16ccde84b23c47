/** Bounded exponential backoff with jitter, and `Retry-After` parsing. Pure, so tests need no clock. */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the first retry (before jitter). Doubles each time. */
  baseDelayMs: number;
  /** Cap on the backoff delay. */
  maxDelayMs: number;
  /** Longest `Retry-After` honoured; a longer one fails the request instead of stalling the run. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Delay before retry number `retry` (1 for the first retry): "equal jitter", half fixed and half random, so
 * concurrent clients spread out while every wait still grows.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date. Undefined when absent or invalid. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** 429 and the 5xx that mean "try again" (not 501 Not Implemented or 505). */
export function isRetriableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Network failures worth retrying: resets, refused connections (Kibana restarting), timeouts. */
const retriableCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

export function isRetriableNetworkCode(code: string | undefined): boolean {
  return code !== undefined && retriableCodes.has(code);
}

export function isTlsErrorCode(code: string | undefined): boolean {
  return (
    code !== undefined &&
    (code.startsWith("CERT_") ||
      code.startsWith("UNABLE_TO_") ||
      code.startsWith("SELF_SIGNED_") ||
      code === "DEPTH_ZERO_SELF_SIGNED_CERT" ||
      code === "ERR_TLS_CERT_ALTNAME_INVALID")
  );
}

/** The first `code` along an error's `cause` chain (undici wraps socket errors in `TypeError: fetch failed`). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
