import { ConfigurationError } from "./errors.js";

export type Credentials =
  { kind: "apiKey"; apiKey: string } | { kind: "basic"; username: string; password: string };

export const credentialEnv = {
  apiKey: "DAC_KIBANA_API_KEY",
  username: "DAC_KIBANA_USERNAME",
  password: "DAC_KIBANA_PASSWORD",
} as const;

/** Visible ASCII: what an `ApiKey` header value (a base64 token) may hold; anything else cannot be sent. */
const headerToken = /^[\x21-\x7e]+$/;

/**
 * Credentials come from the environment only, never from flags or files, so they stay out of shell history
 * and repositories: an API key (`DAC_KIBANA_API_KEY`, the base64 `id:key` Kibana shows) wins over Basic auth.
 * Values that cannot go into an `Authorization` header are refused here, naming the variable, never the value
 * (not even its length or a position in it).
 */
export function credentialsFromEnv(env: Record<string, string | undefined>): Credentials {
  const apiKey = env[credentialEnv.apiKey]?.trim();
  if (apiKey) {
    if (!headerToken.test(apiKey)) {
      throw new ConfigurationError(
        `${credentialEnv.apiKey} holds a character that cannot be sent in an HTTP header (spaces, control or non-ASCII characters); set it to the base64 API key Kibana shows`,
      );
    }
    return { kind: "apiKey", apiKey };
  }
  const username = env[credentialEnv.username];
  const password = env[credentialEnv.password];
  if (username && password) {
    // RFC 7617: the user-id of Basic authentication cannot contain a colon. Both are base64-encoded as UTF-8,
    // so any other character is fine.
    if (username.includes(":"))
      throw new ConfigurationError(`${credentialEnv.username} must not contain ":" (Basic authentication)`);
    return { kind: "basic", username, password };
  }
  if (username || password) {
    const missing = username ? credentialEnv.password : credentialEnv.username;
    throw new ConfigurationError(
      `Kibana Basic auth needs both ${credentialEnv.username} and ${credentialEnv.password}; ${missing} is not set`,
    );
  }
  throw new ConfigurationError(
    `no Kibana credentials: set ${credentialEnv.apiKey}, or ${credentialEnv.username} and ${credentialEnv.password}`,
  );
}

export function authorizationHeader(credentials: Credentials): string {
  return credentials.kind === "apiKey"
    ? `ApiKey ${credentials.apiKey}`
    : `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/** Shortest prefix of a secret that is hidden when output cuts the secret short with "…". */
const minimumPrefix = 8;

/**
 * Whether a password typed by a person is distinctive enough to hide wherever it appears. A short one, or one
 * made of a single kind of character ("a", "password", "12345678"), is also an ordinary word or number:
 * replacing it everywhere would garble the output and, worse, show the password by where the holes are. Such
 * a password is still hidden inside the forms that hold it (the header value, the base64 and `user:password`).
 */
function distinctive(secret: string): boolean {
  const kinds = [/\p{L}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((kind) => kind.test(secret)).length;
  return secret.length >= minimumPrefix && kinds >= 2;
}

/** The spellings a secret may have in output: raw, URL-encoded, and escaped inside a JSON string. */
function spellings(secret: string): string[] {
  return [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

/** `id:key` when an API key is the base64 Kibana shows, so that an echo of the decoded form is hidden too. */
function decodedApiKey(apiKey: string): { pair: string; key: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(apiKey)) return undefined;
  const pair = Buffer.from(apiKey, "base64").toString("utf8");
  if (Buffer.from(pair, "utf8").toString("base64").replace(/=+$/, "") !== apiKey.replace(/=+$/, ""))
    return undefined;
  const colon = pair.indexOf(":");
  if (colon <= 0 || !/^[\x20-\x7e]+$/.test(pair)) return undefined;
  return { pair, key: pair.slice(colon + 1) };
}

/** A form of a secret, and how many of its first characters are not secret (`ApiKey `, `user:`). */
interface Secret {
  text: string;
  lead: number;
}

function secretsOf(credentials: Partial<{ apiKey: string; username: string; password: string }>): Secret[] {
  const secrets: Secret[] = [];
  const add = (lead: number, ...texts: string[]) => texts.forEach((text) => secrets.push({ text, lead }));
  const { apiKey, username, password } = credentials;
  if (apiKey) {
    add("ApiKey ".length, `ApiKey ${apiKey}`);
    // An API key is random: any key long enough to be real is distinctive.
    if (apiKey.length >= minimumPrefix) add(0, ...spellings(apiKey));
    const decoded = decodedApiKey(apiKey);
    if (decoded) {
      add(decoded.pair.length - decoded.key.length, decoded.pair);
      if (decoded.key.length >= minimumPrefix) add(0, decoded.key);
    }
  }
  if (username !== undefined && password) {
    const encoded = Buffer.from(`${username}:${password}`).toString("base64");
    add("Basic ".length, `Basic ${encoded}`);
    add(0, encoded);
    add(username.length + 1, ...spellings(`${username}:${password}`));
  }
  if (password && distinctive(password)) add(0, ...spellings(password));
  const unique = new Map(secrets.filter((s) => s.text.length > 0).map((s) => [s.text, s]));
  return [...unique.values()].sort((a, b) => b.text.length - a.text.length);
}

/**
 * Replaces the longest start of a secret that ends right before a "…" and holds at least `minimumPrefix`
 * characters of the secret itself (past its lead, so that a cut "ApiKey …" or "elastic:…" stays as it is).
 */
function redactCutPrefixes(text: string, { text: secret, lead }: Secret): string {
  let out = text;
  for (let at = out.indexOf("…"); at >= 0; at = out.indexOf("…", at + 1)) {
    for (let k = Math.min(secret.length - 1, at); k >= lead + minimumPrefix; k--) {
      if (out.slice(at - k, at) === secret.slice(0, k)) {
        out = `${out.slice(0, at - k)}[REDACTED]${out.slice(at)}`;
        at = at - k + "[REDACTED]".length;
        break;
      }
    }
  }
  return out;
}

function redactSecrets(secrets: readonly Secret[]): (text: string) => string {
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let out = secrets.reduce((acc, secret) => acc.split(secret.text).join("[REDACTED]"), text);
    // Output that shortens long values ends them with "…": a cut secret must not leak its first characters.
    if (out.includes("…")) {
      for (const secret of secrets) out = redactCutPrefixes(out, secret);
    }
    return out;
  };
}

/**
 * Replaces every form of the credentials that output could carry with `[REDACTED]`: the exact `Authorization`
 * header value, the API key (and the secret half of its decoded `id:key`), the base64 and plain
 * `user:password`, and the password itself when it is distinctive (see `distinctive`).
 */
export function redactor(credentials: Credentials | undefined): (text: string) => string {
  if (!credentials) return (text) => text;
  return redactSecrets(
    secretsOf(
      credentials.kind === "apiKey"
        ? { apiKey: credentials.apiKey }
        : { username: credentials.username, password: credentials.password },
    ),
  );
}

/**
 * The redactor for whatever credentials the environment holds, valid or not, so that the CLI's output layer
 * can hide them before any command has read (or refused) them.
 */
export function envRedactor(env: Record<string, string | undefined>): (text: string) => string {
  const apiKey = env[credentialEnv.apiKey]?.trim();
  return redactSecrets(
    secretsOf({
      ...(apiKey ? { apiKey } : {}),
      ...(env[credentialEnv.username] !== undefined ? { username: env[credentialEnv.username] } : {}),
      ...(env[credentialEnv.password] ? { password: env[credentialEnv.password] } : {}),
    }),
  );
}
