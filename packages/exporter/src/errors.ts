/** A setting or credential is missing or wrong: nothing was sent. The CLI exits 2. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

/** A request failed for good (after retries where they apply). The message never holds a secret. */
export class KibanaRequestError extends Error {
  constructor(
    message: string,
    readonly details: { method: string; path: string; status?: number; attempts: number; code?: string },
  ) {
    super(message);
    this.name = "KibanaRequestError";
  }

  /** 401 and 403: the credentials are wrong or lack privileges, which a retry will not fix. */
  get isAuthError(): boolean {
    return this.details.status === 401 || this.details.status === 403;
  }
}
