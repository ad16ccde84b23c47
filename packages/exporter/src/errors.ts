import { isTlsErrorCode } from "./retry.js";

/**
 * A setting or credential is missing or wrong, or Kibana says the target does not exist (an unknown space):
 * nothing was sent, or nothing can be. The CLI exits 2.
 */
export class ConfigurationError extends Error {
  constructor(
    message: string,
    readonly details: { url?: string; status?: number } = {},
  ) {
    super(message);
    this.name = "ConfigurationError";
  }
}

/** What went wrong with a request, for machine-readable output. */
export type RequestErrorKind = "auth" | "http" | "timeout" | "tls" | "network";

/** A request failed for good (after retries where they apply). The message never holds a secret. */
export class KibanaRequestError extends Error {
  constructor(
    message: string,
    readonly details: {
      method: string;
      path: string;
      /** The full URL, without the query. */
      url?: string;
      status?: number;
      attempts: number;
      code?: string;
    },
  ) {
    super(message);
    this.name = "KibanaRequestError";
  }

  /** 401 and 403: the credentials are wrong or lack privileges, which a retry will not fix. */
  get isAuthError(): boolean {
    return this.details.status === 401 || this.details.status === 403;
  }

  get kind(): RequestErrorKind {
    if (this.isAuthError) return "auth";
    if (this.details.status !== undefined) return "http";
    if (this.details.code === "TIMEOUT") return "timeout";
    return isTlsErrorCode(this.details.code) ? "tls" : "network";
  }
}
