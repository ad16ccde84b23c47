// @dac/authoring: scaffold a rule and its fixtures (`dac new`), format rule and fixture YAML (`dac fmt`), and
// write changesets from a semantic diff of the rule set (`dac changeset`).
export { casesKeyOrder, ruleKeyOrder, ruleTopLevelOrder } from "./canonical-order.js";
export type { KeyOrder } from "./canonical-order.js";
export { defaultLineWidth, FormatError, formatYaml } from "./format.js";
export type { FormatOptions, FormatResult, YamlKind } from "./format.js";
export { formatTarget, formatTargets, kindOf } from "./format-files.js";
export type { FileOutcome, FormatFolders, FormatTarget } from "./format-files.js";
export { formatKqlQuery } from "./kql-layout.js";
export {
  defaultRiskScores,
  existingFiles,
  languagesByType,
  scaffoldRule,
  ScaffoldError,
  scaffoldTypes,
  schemaHeader,
  severities,
  snakeName,
  writeNewFiles,
} from "./scaffold.js";
export type {
  NewFile,
  Scaffold,
  RelatedIntegration,
  ScaffoldContext,
  ScaffoldRequest,
  ScaffoldType,
  Severity,
} from "./scaffold.js";
export { enterpriseTactics, findTactic } from "./tactics.js";
export type { Tactic } from "./tactics.js";
export {
  bumpCovers,
  bumpOf,
  changesetFiles,
  changesetReleases,
  changesetSlug,
  diffAgainstBase,
  diffRuleSets,
  maxBump,
  proposeChangeset,
  renderChangeset,
  requiredBump,
  resolveBase,
  snapshotRules,
} from "./changeset.js";
export type {
  BaseCommit,
  Bump,
  ChangesetProposal,
  RepositoryLayout,
  RuleChange,
  RuleChangeKind,
  RuleSetDiff,
  RuleSnapshot,
} from "./changeset.js";
export { gitIn, GitError, readBlobs } from "./git.js";
export type { Git, GitOptions } from "./git.js";
