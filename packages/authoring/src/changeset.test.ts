import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  changesetReleases,
  changesetSlug,
  diffAgainstBase,
  diffRuleSets,
  proposeChangeset,
  renderChangeset,
  requiredBump,
  snapshotRules,
} from "./changeset.js";
import type { RuleChange } from "./changeset.js";
import { gitIn } from "./git.js";
import { tempRepo } from "./test-support/temp-repo.js";

const ids = {
  a: "11111111-1111-4111-8111-111111111111",
  b: "22222222-2222-4222-8222-222222222222",
  c: "33333333-3333-4333-8333-333333333333",
};

function rule(id: string, name: string, extra = ""): string {
  return `# yaml-language-server: $schema=../../schemas/rule.schema.json\nrule_id: ${id}\nname: ${name}\nrisk_score: 47\n${extra}`;
}

/** A git repository with two rules committed on main, and a changesets folder. */
function gitRepo() {
  const root = tempRepo({
    "rules/package.json": JSON.stringify({ name: "@dac/rules", version: "0.1.0", private: true }),
    "rules/k8s/a.yaml": rule(ids.a, "Rule A"),
    "rules/k8s/b.yaml": rule(ids.b, "Rule B"),
    ".changeset/config.json": JSON.stringify({ baseBranch: "main" }),
    ".changeset/README.md": "# Changesets\n",
  });
  const git = gitIn(root);
  git(["init", "-q", "-b", "main"]);
  commitAll(git, "base");
  git(["checkout", "-q", "-b", "feature"]);
  return { root, git, layout: { rulesDir: join(root, "rules"), changesetDir: join(root, ".changeset") } };
}

function commitAll(git: ReturnType<typeof gitIn>, message: string) {
  git(["add", "-A"]);
  git(["-c", "user.name=dac", "-c", "user.email=dac@example.com", "commit", "-q", "-m", message]);
}

describe("dac changeset against a git base", () => {
  it.each([
    [
      "an added rule",
      (root: string) => writeFileSync(join(root, "rules/k8s/c.yaml"), rule(ids.c, "Rule C")),
      "minor",
      "added",
      "Rule C",
    ],
    [
      "a changed rule",
      (root: string) =>
        writeFileSync(join(root, "rules/k8s/a.yaml"), rule(ids.a, "Rule A", "severity: high\n")),
      "patch",
      "changed",
      "Rule A",
    ],
    [
      "a removed rule",
      (root: string) => rmSync(join(root, "rules/k8s/b.yaml")),
      "major",
      "removed",
      "Rule B",
    ],
    [
      "a disabled rule",
      (root: string) =>
        writeFileSync(join(root, "rules/k8s/b.yaml"), rule(ids.b, "Rule B", "enabled: false\n")),
      "major",
      "disabled",
      "Rule B",
    ],
  ] as const)("proposes the right bump for %s", (_label, edit, bump, kind, name) => {
    const { root, git, layout } = gitRepo();
    edit(root);
    const diff = diffAgainstBase(git, layout, "main");
    expect(diff.changes).toEqual([expect.objectContaining({ kind, name })]);
    expect(diff.required).toBe(bump);
    const proposal = proposeChangeset(diff, layout.changesetDir)!;
    expect(changesetReleases(proposal.content)).toEqual(new Map([["@dac/rules", bump]]));
    expect(proposal.content).toContain(`- ${name} (\``);
  });

  it("compares parsed data, not text: reformatting or moving a rule is no change", () => {
    const { root, git, layout } = gitRepo();
    rmSync(join(root, "rules/k8s/a.yaml"));
    mkdirSync(join(root, "rules/other"));
    writeFileSync(
      join(root, "rules/other/a.yaml"),
      `rule_id: "${ids.a}"\nrisk_score: 47 # a comment\nname: 'Rule A'\n`,
    );
    const diff = diffAgainstBase(git, layout, "main");
    expect(diff.changes).toEqual([]);
    expect(proposeChangeset(diff, layout.changesetDir)).toBeUndefined();
  });

  it("compares with the merge base, so rules added on main since are not removals", () => {
    const { root, git, layout } = gitRepo();
    git(["checkout", "-q", "main"]);
    writeFileSync(join(root, "rules/k8s/c.yaml"), rule(ids.c, "Rule C"));
    commitAll(git, "main moves on");
    git(["checkout", "-q", "feature"]);
    expect(diffAgainstBase(git, layout, "main").changes).toEqual([]);
  });

  it("counts committed branch changes and a changeset added on the branch", () => {
    const { root, git, layout } = gitRepo();
    rmSync(join(root, "rules/k8s/b.yaml"));
    commitAll(git, "remove b");
    const diff = diffAgainstBase(git, layout, "main");
    expect(diff.required).toBe("major");
    expect(diff.pending).toEqual([]);
    // A patch changeset does not cover a removal; a major one does.
    writeFileSync(join(root, ".changeset/low.md"), `---\n"@dac/rules": patch\n---\n\nOops.\n`);
    expect(proposeChangeset(diffAgainstBase(git, layout, "main"), layout.changesetDir)).toBeDefined();
    writeFileSync(join(root, ".changeset/ok.md"), `---\n'@dac/rules': major\n---\n\nRemove B.\n`);
    const covered = diffAgainstBase(git, layout, "main");
    expect(covered.pending.map((p) => p.bump).sort()).toEqual(["major", "patch"]);
    expect(proposeChangeset(covered, layout.changesetDir)).toBeUndefined();
  });

  it("ignores changesets that already existed at the base", () => {
    const { root, git, layout } = gitRepo();
    git(["checkout", "-q", "main"]);
    writeFileSync(join(root, ".changeset/old.md"), `---\n"@dac/rules": major\n---\n\nOld.\n`);
    commitAll(git, "old changeset");
    git(["checkout", "-q", "-b", "feature-2"]);
    writeFileSync(join(root, "rules/k8s/c.yaml"), rule(ids.c, "Rule C"));
    const diff = diffAgainstBase(git, layout, "main");
    expect(diff.pending).toEqual([]);
    expect(diff.required).toBe("minor");
  });

  it("fails clearly on a base that does not exist", () => {
    const { git, layout } = gitRepo();
    expect(() => diffAgainstBase(git, layout, "origin/nope")).toThrow(
      /cannot resolve the base `origin\/nope`/,
    );
  });
});

describe("the semantic diff", () => {
  const snap = (files: Record<string, string>) => snapshotRules(new Map(Object.entries(files)));

  it("orders changes by weight and names every rule", () => {
    const changes = diffRuleSets(
      snap({ "a.yaml": rule(ids.a, "A"), "b.yaml": rule(ids.b, "B") }),
      snap({ "a.yaml": rule(ids.a, "A", "enabled: false\n"), "c.yaml": rule(ids.c, "C") }),
    );
    expect(changes.map((c) => [c.kind, c.name])).toEqual([
      ["removed", "B"],
      ["disabled", "A"],
      ["added", "C"],
    ]);
    expect(requiredBump(changes)).toBe("major");
  });

  it("treats enabling a disabled rule again as minor", () => {
    const changes = diffRuleSets(
      snap({ "a.yaml": rule(ids.a, "A", "enabled: false\n") }),
      snap({ "a.yaml": rule(ids.a, "A", "enabled: true\n") }),
    );
    expect(changes.map((c) => c.kind)).toEqual(["enabled"]);
    expect(requiredBump(changes)).toBe("minor");
  });

  it("skips files that are not rule mappings", () => {
    expect(snap({ "x.yaml": "- a\n- b\n", "y.yaml": "a: [\n" })).toEqual([]);
  });
});

describe("changeset files", () => {
  const changes: RuleChange[] = [
    { kind: "added", name: "Kubernetes Pod Exec", ruleId: ids.c, file: "rules/k8s/c.yaml" },
    { kind: "changed", name: "Rule A", ruleId: ids.a, file: "rules/k8s/a.yaml" },
  ];

  it("renders front matter and the rules by kind", () => {
    expect(renderChangeset("@dac/rules", "minor", changes)).toBe(
      [
        "---",
        '"@dac/rules": minor',
        "---",
        "",
        "Add 1 rule, change 1 rule.",
        "",
        "Added:",
        "",
        `- Kubernetes Pod Exec (\`${ids.c}\`)`,
        "",
        "Changed:",
        "",
        `- Rule A (\`${ids.a}\`)`,
        "",
      ].join("\n"),
    );
  });

  it("names the file after the first rule, uniquely", () => {
    expect(changesetSlug(changes, new Set())).toBe("rules-added-kubernetes-pod-exec-and-1-more");
    expect(changesetSlug(changes, new Set(["rules-added-kubernetes-pod-exec-and-1-more"]))).toBe(
      "rules-added-kubernetes-pod-exec-and-1-more-2",
    );
  });

  it("reads the releases of hand-written changesets", () => {
    expect(changesetReleases("---\n'@dac/rules': patch\n\"@dac/cli\": minor\n---\n\nText\n")).toEqual(
      new Map([
        ["@dac/rules", "patch"],
        ["@dac/cli", "minor"],
      ]),
    );
    expect(changesetReleases("no front matter")).toEqual(new Map());
  });
});
