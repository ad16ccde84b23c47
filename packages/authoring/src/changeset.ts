/**
 * `dac changeset`: a semantic diff of the rule set against a git base, by `rule_id` and parsed data (never by
 * text, so formatting and moved files are not changes), turned into a changeset for the rules package:
 * a rule removed or disabled is major, added (or enabled again) minor, changed patch.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { collectYamlFiles } from "@dac/schema";
import { GitError, readBlobs } from "./git.js";
import type { Git } from "./git.js";
import { snakeName } from "./scaffold.js";

export type Bump = "major" | "minor" | "patch";
export type RuleChangeKind = "removed" | "disabled" | "added" | "enabled" | "changed";

export interface RuleSnapshot {
  /** `rule_id`, or `file:<path>` for a file without one. */
  key: string;
  ruleId?: string;
  name: string;
  /** Path relative to the repository's top level, `/`-separated. */
  file: string;
  data: unknown;
  enabled: boolean;
}

export interface RuleChange {
  kind: RuleChangeKind;
  name: string;
  ruleId?: string;
  file: string;
}

export const bumpOf: Record<RuleChangeKind, Bump> = {
  removed: "major",
  disabled: "major",
  added: "minor",
  enabled: "minor",
  changed: "patch",
};
const bumpRank: Record<Bump, number> = { patch: 1, minor: 2, major: 3 };

export function diffRuleSets(before: readonly RuleSnapshot[], after: readonly RuleSnapshot[]): RuleChange[] {
  const old = new Map(before.map((r) => [r.key, r]));
  const now = new Map(after.map((r) => [r.key, r]));
  const changes: RuleChange[] = [];
  const change = (kind: RuleChangeKind, r: RuleSnapshot) =>
    changes.push({ kind, name: r.name, ...(r.ruleId ? { ruleId: r.ruleId } : {}), file: r.file });
  for (const r of before) if (!now.has(r.key)) change("removed", r);
  for (const r of after) {
    const previous = old.get(r.key);
    if (!previous) change("added", r);
    else if (previous.enabled && !r.enabled) change("disabled", r);
    else if (!previous.enabled && r.enabled) change("enabled", r);
    else if (!isDeepStrictEqual(previous.data, r.data)) change("changed", r);
  }
  const order = Object.keys(bumpOf);
  return changes.sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name),
  );
}

/** The bump a set of changes needs, or undefined when nothing changed. */
export function requiredBump(changes: readonly RuleChange[]): Bump | undefined {
  return maxBump(changes.map((c) => bumpOf[c.kind]));
}

export function maxBump(bumps: Iterable<Bump | undefined>): Bump | undefined {
  let best: Bump | undefined;
  for (const b of bumps) if (b && (!best || bumpRank[b] > bumpRank[best])) best = b;
  return best;
}

export function bumpCovers(have: Bump | undefined, need: Bump): boolean {
  return have !== undefined && bumpRank[have] >= bumpRank[need];
}

/** Parses rule files into snapshots; files that are not YAML mappings are left to `dac validate`. */
export function snapshotRules(files: ReadonlyMap<string, string>): RuleSnapshot[] {
  const out: RuleSnapshot[] = [];
  for (const [file, text] of files) {
    let data: unknown;
    try {
      data = parse(text);
    } catch {
      continue;
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) continue;
    const record = data as Record<string, unknown>;
    const ruleId = typeof record.rule_id === "string" ? record.rule_id : undefined;
    out.push({
      key: ruleId ?? `file:${file}`,
      ...(ruleId ? { ruleId } : {}),
      name: typeof record.name === "string" ? record.name : basename(file),
      file,
      data,
      enabled: record.enabled !== false,
    });
  }
  return out;
}

const changeHeadings: Record<RuleChangeKind, string> = {
  added: "Added",
  enabled: "Enabled again",
  changed: "Changed",
  disabled: "Disabled",
  removed: "Removed",
};

/** The changeset file: front matter with the bump, then a summary line and the rules by kind of change. */
export function renderChangeset(packageName: string, bump: Bump, changes: readonly RuleChange[]): string {
  const count = (kind: RuleChangeKind, verb: string) => {
    const n = changes.filter((c) => c.kind === kind).length;
    return n === 0 ? [] : [`${verb} ${n} rule${n === 1 ? "" : "s"}`];
  };
  const summary = [
    ...count("added", "add"),
    ...count("enabled", "enable again"),
    ...count("changed", "change"),
    ...count("disabled", "disable"),
    ...count("removed", "remove"),
  ].join(", ");
  const sections = (["added", "enabled", "changed", "disabled", "removed"] as const).flatMap((kind) => {
    const list = changes.filter((c) => c.kind === kind);
    if (list.length === 0) return [];
    return [
      "",
      `${changeHeadings[kind]}:`,
      "",
      ...list.map((c) => `- ${c.name}${c.ruleId ? ` (\`${c.ruleId}\`)` : ""}`),
    ];
  });
  const title = summary.charAt(0).toUpperCase() + summary.slice(1);
  return `---\n"${packageName}": ${bump}\n---\n\n${title}.\n${sections.join("\n")}\n`;
}

/** The packages and bumps a changeset file releases (its YAML front matter). */
export function changesetReleases(text: string): Map<string, Bump> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/.exec(text);
  const releases = new Map<string, Bump>();
  if (!match) return releases;
  let front: unknown;
  try {
    front = parse(match[1]!);
  } catch {
    return releases;
  }
  if (front && typeof front === "object") {
    for (const [name, bump] of Object.entries(front)) {
      if (bump === "major" || bump === "minor" || bump === "patch") releases.set(name, bump);
    }
  }
  return releases;
}

/** A file name for a new changeset: `rules-<first rule>[-and-N-more]`, made unique among `taken`. */
export function changesetSlug(changes: readonly RuleChange[], taken: ReadonlySet<string>): string {
  const first = changes[0];
  const stem = `rules-${first?.kind ?? "change"}-${snakeName(first?.name ?? "rules")
    .slice(0, 48)
    .replace(/_+$/, "")}`
    .replace(/_/g, "-")
    .concat(changes.length > 1 ? `-and-${changes.length - 1}-more` : "");
  let slug = stem;
  for (let n = 2; taken.has(slug); n++) slug = `${stem}-${n}`;
  return slug;
}

export interface RepositoryLayout {
  /** Absolute paths. */
  rulesDir: string;
  changesetDir: string;
}

export interface BaseCommit {
  /** What the user named (or the default chosen). */
  ref: string;
  /** The merge base of `ref` and HEAD: changes on the base branch since are not this branch's. */
  commit: string;
}

/**
 * The commit to compare with: the merge base of `ref` (default: `origin/<baseBranch>`, then `<baseBranch>`,
 * then HEAD) and HEAD.
 */
export function resolveBase(git: Git, ref: string | undefined, baseBranch = "main"): BaseCommit {
  const candidates = ref ? [ref] : [`origin/${baseBranch}`, baseBranch, "HEAD"];
  for (const candidate of candidates) {
    let commit: string;
    try {
      commit = git(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`]).trim();
    } catch {
      continue;
    }
    try {
      return { ref: candidate, commit: git(["merge-base", commit, "HEAD"]).trim() };
    } catch {
      return { ref: candidate, commit };
    }
  }
  throw new GitError(
    ref
      ? `cannot resolve the base \`${ref}\` to a commit (in CI, fetch it: actions/checkout with fetch-depth: 0)`
      : "the repository has no commit to compare with",
  );
}

export interface RuleSetDiff {
  base: BaseCommit;
  changes: RuleChange[];
  required?: Bump;
  /** Changeset files added since the base that release the rules package, with their bump. */
  pending: { file: string; bump: Bump }[];
  packageName: string;
}

/** Compares the working tree's rules with those at the base, and finds the changesets already added. */
export function diffAgainstBase(git: Git, layout: RepositoryLayout, ref?: string): RuleSetDiff {
  const top = realpathSync(git(["rev-parse", "--show-toplevel"]).trim());
  const rulesDir = realpathSync(layout.rulesDir);
  const rulesRel = toPosix(relative(top, rulesDir));
  const baseBranch = readBaseBranch(layout.changesetDir);
  const base = resolveBase(git, ref, baseBranch);

  const listed = git(
    ["ls-tree", "-r", "-z", "--name-only", "--full-name", base.commit, "--", rulesRel || "."],
    { cwd: top },
  )
    .split("\0")
    .filter((p) => /\.ya?ml$/i.test(p));
  const blobs = readBlobs(
    git,
    listed.map((p) => `${base.commit}:${p}`),
  );
  const before = new Map(
    listed.flatMap((p) => (blobs.has(`${base.commit}:${p}`) ? [[p, blobs.get(`${base.commit}:${p}`)!]] : [])),
  );
  const after = new Map(
    (existsSync(rulesDir) ? collectYamlFiles([rulesDir]) : [])
      .filter((abs) => !/\.exceptions\.ya?ml$/i.test(abs))
      .map((abs) => [toPosix(relative(top, abs)), readFileSync(abs, "utf8")]),
  );
  const changes = diffRuleSets(snapshotRules(before), snapshotRules(after));

  const packageName = readPackageName(layout.rulesDir);
  const changesetRel = toPosix(
    relative(top, existsSync(layout.changesetDir) ? realpathSync(layout.changesetDir) : layout.changesetDir),
  );
  const atBase = new Set(
    git(["ls-tree", "-z", "--name-only", "--full-name", base.commit, "--", `${changesetRel}/`], { cwd: top })
      .split("\0")
      .filter(Boolean),
  );
  const pending = changesetFiles(layout.changesetDir)
    .filter((abs) => !atBase.has(toPosix(relative(top, realpathSync(abs)))))
    .flatMap((abs) => {
      const bump = changesetReleases(readFileSync(abs, "utf8")).get(packageName);
      return bump ? [{ file: abs, bump }] : [];
    });
  const required = requiredBump(changes);
  return { base, changes, ...(required ? { required } : {}), pending, packageName };
}

/** `.changeset/*.md` except the README. */
export function changesetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md") && f.toLowerCase() !== "readme.md")
    .sort()
    .map((f) => join(dir, f));
}

function readPackageName(rulesDir: string): string {
  try {
    const name = (JSON.parse(readFileSync(join(rulesDir, "package.json"), "utf8")) as { name?: unknown })
      .name;
    if (typeof name === "string" && name) return name;
  } catch {
    // No package.json in the rules folder: the conventional name.
  }
  return "@dac/rules";
}

function readBaseBranch(changesetDir: string): string {
  try {
    const branch = (
      JSON.parse(readFileSync(join(changesetDir, "config.json"), "utf8")) as { baseBranch?: unknown }
    ).baseBranch;
    if (typeof branch === "string" && branch) return branch;
  } catch {
    // Not configured: changesets' own default.
  }
  return "main";
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}

export interface ChangesetProposal {
  /** Absolute path of the changeset to write. */
  file: string;
  content: string;
}

/** The changeset to write for a diff, or undefined when no rule changed or an added changeset covers it. */
export function proposeChangeset(diff: RuleSetDiff, changesetDir: string): ChangesetProposal | undefined {
  if (!diff.required || bumpCovers(maxBump(diff.pending.map((p) => p.bump)), diff.required)) return undefined;
  const taken = new Set(changesetFiles(changesetDir).map((f) => basename(f, ".md")));
  const slug = changesetSlug(diff.changes, taken);
  return {
    file: join(changesetDir, `${slug}.md`),
    content: renderChangeset(diff.packageName, diff.required, diff.changes),
  };
}
