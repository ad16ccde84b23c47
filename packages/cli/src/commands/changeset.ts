import { existsSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { bumpCovers, diffAgainstBase, gitIn, GitError, maxBump, proposeChangeset } from "@dac/authoring";
import type { RuleChange, RuleSetDiff } from "@dac/authoring";
import type { Command } from "../command.js";
import { stringOption, UsageError } from "../command.js";

function changeLine(c: RuleChange): string {
  return `  ${c.kind.padEnd(8)} ${c.name}${c.ruleId ? ` [${c.ruleId}]` : ""}  (${c.file})`;
}

export const changesetCommand: Command = {
  name: "changeset",
  summary: "Write a changeset for the rules package from a semantic diff of the rules against the git base.",
  usage: "dac changeset [--base REF] [--check]",
  description: [
    "Compares the rules in the working tree with those at the merge base of REF and HEAD, by rule_id and parsed",
    "content (formatting and moved files are not changes): a rule removed or disabled needs a major release of the",
    "rules package, a rule added (or enabled again) a minor one, a rule changed a patch. Writes",
    ".changeset/<slug>.md naming the rules; edit it as you like before committing. Writes nothing when no rule",
    "changed, or when a changeset added since the base already releases the rules package with a large enough bump.",
    "REF defaults to origin/<baseBranch of .changeset/config.json>, then <baseBranch>, then HEAD.",
    "Exit codes: 0 done, 1 (--check) rules changed without such a changeset, 2 usage or git error.",
  ].join("\n"),
  options: {
    base: { type: "string", valueName: "REF", description: "Git ref to compare with (e.g. origin/main)." },
    check: {
      type: "boolean",
      description:
        "Write nothing; exit 1 if rules changed and no changeset added since the base covers them (CI).",
    },
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length > 0)
      throw new UsageError("dac changeset compares the whole rule set and takes no paths");
    const config = ctx.config();
    const changesetDir = join(config.root, ".changeset");
    if (!existsSync(join(changesetDir, "config.json"))) {
      throw new UsageError(
        `changesets are not set up: ${relative(ctx.cwd, join(changesetDir, "config.json"))} is missing (run \`npx changeset init\`)`,
      );
    }
    const show = (file: string) => relative(ctx.cwd, file) || file;
    let diff: RuleSetDiff;
    try {
      diff = diffAgainstBase(
        gitIn(config.root),
        { rulesDir: config.rules, changesetDir },
        stringOption(values, "base"),
      );
    } catch (error) {
      if (error instanceof GitError) throw new UsageError(error.message);
      throw error;
    }
    const against = `${diff.base.ref} (${diff.base.commit.slice(0, 12)})`;
    if (!diff.required) {
      ctx.stdout(`No rule changed since ${against}: no changeset needed.\n`);
      return 0;
    }
    ctx.stdout(`Rules changed since ${against}:\n${diff.changes.map(changeLine).join("\n")}\n`);
    ctx.stdout(`They need a ${diff.required} release of ${diff.packageName}.\n`);
    const pendingBump = maxBump(diff.pending.map((p) => p.bump));
    const covering = diff.pending.filter((p) => p.bump === pendingBump).map((p) => show(p.file));
    if (bumpCovers(pendingBump, diff.required)) {
      ctx.stdout(`Covered by ${covering.join(", ")} (${pendingBump}).\n`);
      return 0;
    }
    const shortfall = pendingBump
      ? `the changesets added since the base (${covering.join(", ")}) release ${diff.packageName} only as ${pendingBump}`
      : `no changeset added since the base releases ${diff.packageName}`;
    if (values.check === true) {
      ctx.stderr(`dac changeset: ${shortfall}; run \`dac changeset\` and commit the file it writes.\n`);
      return 1;
    }
    const proposal = proposeChangeset(diff, changesetDir)!;
    writeFileSync(proposal.file, proposal.content, { flag: "wx" });
    ctx.stdout(
      `\nWrote ${show(proposal.file)} (edit it if you like, then commit it):\n\n${proposal.content}`,
    );
    return 0;
  },
};
