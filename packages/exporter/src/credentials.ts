import { ConfigurationError } from "./errors.js";

export type Credentials =
  { kind: "apiKey"; apiKey: string } | { kind: "basic"; username: string; password: string };

export const credentialEnv = {
  apiKey: "DAC_KIBANA_API_KEY",
  username: "DAC_KIBANA_USERNAME",
  password: "DAC_KIBANA_PASSWORD",
} as const;

/**
 * Credentials come from the environment only, never from flags or files, so they stay out of shell history
 * and repositories: an API key (`DAC_KIBANA_API_KEY`, the base64 `id:key` Kibana shows) wins over Basic auth.
 */
export function credentialsFromEnv(env: Record<string, string | undefined>): Credentials {
  const apiKey = env[credentialEnv.apiKey]?.trim();
  if (apiKey) return { kind: "apiKey", apiKey };
  const username = env[credentialEnv.username];
  const password = env[credentialEnv.password];
  if (username && password) return { kind: "basic", username, password };
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

/** Replaces every form of the secret (raw, and as sent in the header) with `[REDACTED]`. */
export function redactor(credentials: Credentials | undefined): (text: string) => string {
  if (!credentials) return (text) => text;
  const secrets =
    credentials.kind === "apiKey"
      ? [credentials.apiKey]
      : [
          credentials.password,
          Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64"),
          encodeURIComponent(credentials.password),
        ];
  const unique = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  return (text) => unique.reduce((out, secret) => out.split(secret).join("[REDACTED]"), text);
}
