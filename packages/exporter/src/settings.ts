/** The repository side of publishing: settings from dac.config.yaml and the environment, lock checks as diagnostics. */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { diagnosticAt, diagnosticAtPosition, type DacConfig, type Diagnostic, type Rule } from "@dac/schema";
import type { ClientOptions } from "./client.js";
import { credentialsFromEnv } from "./credentials.js";
import { ConfigurationError } from "./errors.js";
import {
  checkLock,
  lockSubjects,
  lockVersions,
  parseLock,
  readLock,
  type Lock,
  type LockProblem,
} from "./lock.js";
import { attachExceptionLists, type ExceptionSetSource } from "./exceptions.js";
import { buildPayloads, type BuiltPayload } from "./payload.js";
import { payloadSettings } from "./payload-settings.js";
import type { RuleSource } from "./types.js";

export { payloadSettings } from "./payload-settings.js";
export type { PayloadSettings } from "./payload-settings.js";

/** Rules that are published: every maturity but `development`. */
export function publishableRules<T extends RuleSource>(rules: readonly T[]): T[] {
  return rules.filter((r) => r.data.metadata?.maturity !== "development");
}

export interface ConnectionSettings {
  /** `--kibana-url`; else `DAC_KIBANA_URL`; else the config's `kibana.url`. */
  url?: string;
  space?: string;
  /** `--ca-cert FILE`; else the config's `kibana.ca_cert`. */
  caCertFile?: string;
  insecure?: boolean;
  timeoutSeconds?: number;
  userAgent?: string;
}

/** Client options from flags, environment (URL, credentials) and config. Throws `ConfigurationError`. */
export function clientOptionsFrom(
  settings: ConnectionSettings,
  env: Record<string, string | undefined>,
  config?: DacConfig,
): ClientOptions {
  const url = settings.url ?? env.DAC_KIBANA_URL ?? config?.kibana.url;
  if (!url)
    throw new ConfigurationError(
      "no Kibana URL: pass --kibana-url URL, set DAC_KIBANA_URL, or set kibana.url in dac.config.yaml",
    );
  const credentials = credentialsFromEnv(env);
  const caCertFile = settings.caCertFile ?? config?.kibana.caCert;
  let caCert: Buffer | undefined;
  if (caCertFile) {
    try {
      caCert = readFileSync(caCertFile);
    } catch (e) {
      throw new ConfigurationError(`cannot read the CA certificate ${caCertFile}: ${(e as Error).message}`);
    }
    if (!caCert.toString("utf8").includes("-----BEGIN CERTIFICATE-----")) {
      throw new ConfigurationError(`${caCertFile} is not a PEM certificate`);
    }
  }
  if (settings.timeoutSeconds !== undefined && !(settings.timeoutSeconds > 0)) {
    throw new ConfigurationError("the timeout must be a positive number of seconds");
  }
  return {
    url,
    credentials,
    ...(settings.space ? { space: settings.space } : {}),
    ...(caCert ? { caCert } : {}),
    ...(settings.insecure ? { insecure: true } : {}),
    ...(settings.timeoutSeconds ? { timeoutMs: settings.timeoutSeconds * 1000 } : {}),
    ...(settings.userAgent ? { userAgent: settings.userAgent } : {}),
  };
}

/** `--space` values, else the config's `kibana.spaces`, else the default space. */
export function spacesFrom(flags: readonly string[], config: DacConfig): string[] {
  if (flags.length > 0) return [...new Set(flags)];
  return config.kibana.spaces.length > 0 ? [...config.kibana.spaces] : ["default"];
}

export interface RuleProblem {
  rule_id: string;
  file: string;
  code?: string;
  message: string;
}

/**
 * Lock and payloads for publishing or exporting: fails per rule when the lock is stale (DAC601/DAC602), and
 * when a payload does not validate against `schemas/kibana/`. Nothing should be sent or written while
 * `problems` is not empty.
 */
export async function preparePayloads(
  rules: readonly RuleSource[],
  config: DacConfig,
  options: { partial?: boolean; alsoPresent?: Iterable<string>; exceptions?: ExceptionSetSource } = {},
): Promise<{ lock: Lock; payloads: BuiltPayload[]; problems: RuleProblem[] }> {
  const settings = payloadSettings(config);
  // References to the repository's exception lists are completed first: the lock hashes the completed form.
  if (options.exceptions) {
    const attached = attachExceptionLists(rules, options.exceptions);
    if (attached.problems.length > 0)
      return { lock: await readLock(config.lock), payloads: [], problems: attached.problems };
    rules = attached.rules;
  }
  const lock = await readLock(config.lock);
  const lockFile = relative(config.root, config.lock) || config.lock;
  const stale = checkLock(lock, lockSubjects(rules, settings), { lockFile, ...options });
  const problems: RuleProblem[] = stale.map((p) => ({
    rule_id: p.rule_id,
    file: p.file,
    code: p.code,
    message: p.reason,
  }));
  if (problems.length > 0) return { lock, payloads: [], problems };
  const { payloads, errors } = buildPayloads(rules, { ...settings, versionOf: lockVersions(lock) });
  return {
    lock,
    payloads,
    problems: errors.map((e) => ({ rule_id: e.rule_id, file: e.file ?? "", message: e.message })),
  };
}

/**
 * The lock check as diagnostics for `dac validate`: DAC601/DAC602 on each rule's `rule_id`, and on the lock file
 * for entries whose rule is gone (only when `partial` is false, i.e. every rule was loaded). Invalid rules are
 * not hashed (their errors come first) but count as present.
 */
export function lockDiagnostics(
  rules: readonly Rule[],
  config: DacConfig,
  options: { partial?: boolean; exceptions?: ExceptionSetSource } = {},
): Diagnostic[] {
  const lockFile = relative(config.root, config.lock) || config.lock;
  let lock: Lock = {};
  try {
    lock = parseLock(readFileSync(config.lock, "utf8"), lockFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
      return [
        diagnosticAtPosition(
          lockFile,
          "DAC601",
          (e as Error).message,
          undefined,
          undefined,
          "fix or delete the file, then run `dac version`",
        ),
      ];
    }
  }
  // A duplicated rule_id is reported by validation (DAC202); the lock can only speak for unique ids.
  const idCounts = new Map<string, number>();
  for (const r of rules)
    idCounts.set(String(r.data.rule_id), (idCounts.get(String(r.data.rule_id)) ?? 0) + 1);
  const unique = rules.filter((r) => r.valid && idCounts.get(String(r.data.rule_id)) === 1);
  const valid = options.exceptions ? attachExceptionLists(unique, options.exceptions).rules : unique;
  // A hash computed while the rule was checked holds for the rule as loaded: not for one whose exception list
  // references were just completed (a new object).
  const asLoaded = new Set(unique);
  const precomputed = (rule: Rule) => {
    const hash = asLoaded.has(rule) ? rule.extras?.["lockSha256"] : undefined;
    return typeof hash === "string" ? hash : undefined;
  };
  const problems: LockProblem[] = checkLock(lock, lockSubjects(valid, payloadSettings(config), precomputed), {
    lockFile,
    partial: options.partial ?? false,
    alsoPresent: rules.map((r) => String(r.data.rule_id)),
  });
  const byFile = new Map(valid.map((r) => [r.file, r]));
  return problems.map((p) => {
    const rule = byFile.get(p.file);
    const hint = "run `dac version` and commit rules.lock.json with the rule change";
    return rule
      ? diagnosticAt(rule.source, ["rule_id"], { code: p.code, message: p.reason, hint })
      : diagnosticAtPosition(p.file, p.code, `${p.rule_id}: ${p.reason}`, undefined, undefined, hint);
  });
}
