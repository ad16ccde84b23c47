import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { builtFile, writeFileAtomic } from "@dac/schema";
import type { DacConfig, RuleExtras } from "@dac/schema";
import { compareStrings, contentHash, sortKeysDeep } from "./canonical.js";
import { payloadFields, type PayloadOptions } from "./payload.js";
import { payloadSettings, type PayloadSettings } from "./payload-settings.js";
import type { RuleSource } from "./types.js";

/** One rule's line in `rules.lock.json`. A tombstone (`deleted`) keeps the version of a removed rule. */
export interface LockEntry {
  name: string;
  sha256: string;
  version: number;
  deleted?: true;
}

/** `rules.lock.json`: by `rule_id`. */
export type Lock = Record<string, LockEntry>;

/** What the lock needs of a rule: its identity and the hash of what would be published. */
export interface LockSubject {
  rule_id: string;
  name: string;
  file: string;
  sha256: string;
  /** `metadata.version`: where a new rule starts. */
  startVersion?: number;
  /**
   * `metadata.maturity: development`: never published, so a rule that has no live entry yet needs none; it gets
   * its first version (1, or `metadata.version`) when it goes to production.
   */
  unpublished?: true;
}

/** `waiting`: a development rule with no live entry, left out of the lock until it goes to production. */
export type LockChangeKind = "added" | "bumped" | "unchanged" | "deleted" | "restored" | "waiting";

export interface LockChange {
  rule_id: string;
  name: string;
  kind: LockChangeKind;
  from?: number;
  to: number;
}

export interface LockProblem {
  code: "DAC601" | "DAC602";
  rule_id: string;
  /** The rule file, or the lock file for an entry whose rule is gone. */
  file: string;
  reason: string;
}

export class LockFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LockFileError";
  }
}

export class DuplicateRuleIdError extends Error {
  constructor(readonly ruleIds: string[]) {
    super(`rule_id used by more than one rule: ${ruleIds.join(", ")}`);
    this.name = "DuplicateRuleIdError";
  }
}

/** The hash the lock records for a rule: of its payload, which does not depend on the version (any will do). */
export function lockHash(data: RuleSource["data"], options: Omit<PayloadOptions, "version">): string {
  return contentHash(payloadFields(data, { ...options, version: 1 }));
}

const settingsOf = new WeakMap<DacConfig, PayloadSettings>();

/**
 * `lockHash` with the configuration's payload settings, as `loadRules` computes it where it checks a rule
 * (`RuleExtras`, named `lockSha256`; worker threads import this module, which loads little besides).
 * `lockDiagnostics` uses it.
 */
export function lockSha256(rule: RuleSource, config: DacConfig): string {
  let settings = settingsOf.get(config);
  if (!settings) settingsOf.set(config, (settings = payloadSettings(config)));
  return lockHash(rule.data, settings);
}

// Worker threads import `lockSha256` from the built module. Without a build, the main thread computes the hashes of
// every rule.
const lockModule = builtFile(import.meta.url, "lock.js");

/** `lockSha256` for `loadRules`: the lock's hashes are computed in the threads that check the rules. */
export const lockHashExtras: RuleExtras | undefined = lockModule
  ? { name: "lockSha256", compute: lockSha256, module: pathToFileURL(lockModule).href }
  : undefined;

/**
 * Lock subjects for rules. `precomputed` gives a rule's hash when it is already known (`lockSha256` done while the
 * rule was checked), else undefined.
 */
export function lockSubjects<T extends RuleSource>(
  rules: readonly T[],
  options: Omit<PayloadOptions, "version">,
  precomputed: (rule: T) => string | undefined = () => undefined,
): LockSubject[] {
  return rules.map((rule) => {
    const { file, data } = rule;
    const start = data.metadata?.version;
    return {
      rule_id: String(data.rule_id),
      name: String(data.name),
      file,
      sha256: precomputed(rule) ?? lockHash(data, options),
      ...(typeof start === "number" ? { startVersion: start } : {}),
      ...(data.metadata?.maturity === "development" ? { unpublished: true as const } : {}),
    };
  });
}

function uniqueSubjects(subjects: readonly LockSubject[]): Map<string, LockSubject> {
  const byId = new Map<string, LockSubject>();
  const duplicates = new Set<string>();
  for (const s of subjects) {
    if (byId.has(s.rule_id)) duplicates.add(s.rule_id);
    byId.set(s.rule_id, s);
  }
  if (duplicates.size > 0) throw new DuplicateRuleIdError([...duplicates].sort(compareStrings));
  return byId;
}

/**
 * The lock after `dac version`: a changed hash is +1, a new rule starts at `metadata.version` or 1, a version
 * never decreases (a larger `metadata.version` moves it forward), a removed rule leaves a tombstone, and a
 * rule that comes back continues from its tombstone. A development rule without a live entry stays out of the
 * lock (`waiting`): it is not published, so edits before its first release never bump it. Pure: returns the new
 * lock and what changed.
 */
export function updateLock(
  lock: Lock,
  subjects: readonly LockSubject[],
): { lock: Lock; changes: LockChange[] } {
  const byId = uniqueSubjects(subjects);
  const next: Lock = {};
  const changes: LockChange[] = [];
  for (const s of byId.values()) {
    const entry = lock[s.rule_id];
    const start = s.startVersion ?? 1;
    let version: number;
    let kind: LockChangeKind;
    if (s.unpublished && (!entry || entry.deleted)) {
      if (entry) next[s.rule_id] = entry;
      changes.push({
        rule_id: s.rule_id,
        name: s.name,
        kind: "waiting",
        ...(entry ? { from: entry.version } : {}),
        to: entry ? Math.max(entry.sha256 === s.sha256 ? entry.version : entry.version + 1, start) : start,
      });
      continue;
    }
    if (!entry) {
      version = start;
      kind = "added";
    } else {
      const same = entry.sha256 === s.sha256;
      version = Math.max(same ? entry.version : entry.version + 1, s.startVersion ?? 0);
      kind = entry.deleted ? "restored" : version !== entry.version ? "bumped" : "unchanged";
    }
    next[s.rule_id] = { name: s.name, sha256: s.sha256, version };
    changes.push({
      rule_id: s.rule_id,
      name: s.name,
      kind,
      ...(entry ? { from: entry.version } : {}),
      to: version,
    });
  }
  for (const [ruleId, entry] of Object.entries(lock)) {
    if (byId.has(ruleId)) continue;
    next[ruleId] = { ...entry, deleted: true };
    if (!entry.deleted)
      changes.push({
        rule_id: ruleId,
        name: entry.name,
        kind: "deleted",
        from: entry.version,
        to: entry.version,
      });
  }
  changes.sort((a, b) => compareStrings(a.rule_id, b.rule_id));
  return { lock: sortKeysDeep(next), changes };
}

/**
 * Why the lock is stale, per rule: DAC602 when a rule has no live entry, DAC601 when its content or
 * `metadata.version` moved past the entry, or when an entry is live for a rule that no longer exists.
 * Empty when `dac version` would change nothing.
 */
export function checkLock(
  lock: Lock,
  subjects: readonly LockSubject[],
  options: {
    lockFile?: string;
    /** Only some of the repository's rules were given: do not report entries of the others as removed. */
    partial?: boolean;
    /** rule_ids present in the repository but not hashable (invalid rules): not removed either. */
    alsoPresent?: Iterable<string>;
  } = {},
): LockProblem[] {
  const lockFile = options.lockFile ?? "rules.lock.json";
  const present = new Set(options.alsoPresent ?? []);
  const byId = uniqueSubjects(subjects);
  const problems: LockProblem[] = [];
  for (const s of byId.values()) {
    const entry = lock[s.rule_id];
    if (s.unpublished && (!entry || entry.deleted)) continue;
    if (!entry || entry.deleted) {
      const was = entry ? ` (it was removed at version ${entry.version})` : "";
      problems.push({
        code: "DAC602",
        rule_id: s.rule_id,
        file: s.file,
        reason: `no entry in ${lockFile}${was}; run \`dac version\``,
      });
    } else if (entry.sha256 !== s.sha256) {
      problems.push({
        code: "DAC601",
        rule_id: s.rule_id,
        file: s.file,
        reason: `the rule changed since version ${entry.version} was locked; run \`dac version\` to bump it`,
      });
    } else if (s.startVersion !== undefined && s.startVersion > entry.version) {
      problems.push({
        code: "DAC601",
        rule_id: s.rule_id,
        file: s.file,
        reason: `metadata.version ${s.startVersion} is ahead of the locked version ${entry.version}; run \`dac version\``,
      });
    }
  }
  for (const [ruleId, entry] of Object.entries(lock)) {
    if (options.partial || entry.deleted || byId.has(ruleId) || present.has(ruleId)) continue;
    problems.push({
      code: "DAC601",
      rule_id: ruleId,
      file: lockFile,
      reason: `"${entry.name}" is no longer in the repository but its entry is live; run \`dac version\` to record its removal`,
    });
  }
  return problems.sort((a, b) => compareStrings(a.rule_id, b.rule_id));
}

/** The lock file's text: keys sorted recursively, two-space indent, trailing newline. */
export function serializeLock(lock: Lock): string {
  return JSON.stringify(sortKeysDeep(lock), null, 2) + "\n";
}

/** Parses and checks the shape of a lock file's text. */
export function parseLock(text: string, file = "rules.lock.json"): Lock {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new LockFileError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new LockFileError(`${file} must hold an object keyed by rule_id`);
  }
  for (const [ruleId, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const e = entry as Partial<LockEntry> | null;
    const valid =
      e !== null &&
      typeof e === "object" &&
      typeof e.name === "string" &&
      typeof e.sha256 === "string" &&
      /^[0-9a-f]{64}$/.test(e.sha256) &&
      Number.isInteger(e.version) &&
      (e.version as number) >= 1 &&
      (e.deleted === undefined || e.deleted === true);
    if (!valid)
      throw new LockFileError(
        `${file}: the entry for "${ruleId}" must be {name, sha256, version[, deleted: true]}`,
      );
  }
  return parsed as Lock;
}

/** Reads the lock; a missing file is an empty lock. */
export async function readLock(path: string): Promise<Lock> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw e;
  }
  return parseLock(text, path);
}

export async function writeLock(path: string, lock: Lock): Promise<void> {
  await writeFileAtomic(path, serializeLock(lock));
}

/** The version a live entry gives a rule, for `buildPayloads`. */
export function lockVersions(lock: Lock): (ruleId: string) => number | undefined {
  return (ruleId) => {
    const entry = lock[ruleId];
    return entry && !entry.deleted ? entry.version : undefined;
  };
}
