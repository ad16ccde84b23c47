// @dac/harness: fixtures, running cases through engines, coverage, mutation, selection, vitest integration.
import { chooseEngine } from "./engine.js";
import type { Engine, EngineChoice, EngineRule } from "./engine.js";
import { defaultEngines } from "./run.js";

export { runTests, defaultEngines } from "./run.js";
export type { RunTestsOptions } from "./run.js";
export { runRuleJob } from "./rule-job.js";
export type { JobContext, RuleJob, RuleRun } from "./rule-job.js";
export { testRepository, EmptySelectionError, withDiagnostics } from "./repository.js";
export type { TestRepositoryOptions, RepositoryRun } from "./repository.js";
export { defineRuleTests } from "./vitest.js";
export type { DefineRuleTestsOptions, TestApi } from "./vitest.js";

export {
  DEFAULT_MAX_SIGNALS,
  EngineError,
  eventTime,
  executeInMemory,
  isUnsupported,
  languageOf,
  maxSignalsOf,
  ruleEngineKey,
} from "./engine.js";
export type {
  ClauseTree,
  CompiledRule,
  Engine,
  EngineChoice,
  EngineContext,
  EngineRule,
  Evaluation,
  ExecuteOptions,
  Execution,
  IndicatorInput,
  ExecutionResult,
  Mutant,
  RuleExecutions,
  TextSpan,
} from "./engine.js";
export { kqlEngine, parseRuleQuery } from "./kql-engine.js";
export {
  eqlEngine,
  eqlOptions,
  groupAlerts,
  parseEqlRule,
  sequenceAlerts,
  whyNoSequence,
} from "./eql-engine.js";
export { esqlAlerts, esqlRows, mergeEsqlResultInSource, rowToDocument } from "./esql-alerts.js";
export { beforeStats, esqlEngine, esqlIndexPatterns, executeEsql, parseEsqlRule } from "./esql-engine.js";
export type { EsqlExecutionInput } from "./esql-engine.js";
export type { EsqlAlertInput, EsqlTable } from "./esql-alerts.js";
export * from "./alerts/index.js";
export {
  newTermsEngine,
  executeNewTerms,
  executionWindow,
  newTermsAlert,
  newTermsSettings,
} from "./new-terms-engine.js";
export { findNewTerms, describeSighting, termCombinations, compareTerms, shortTime } from "./new-terms.js";
export type { NewTermsEvent, NewTermsResult, NewTermsWindow, TermSighting, TermValue } from "./new-terms.js";
export {
  threatMatchEngine,
  executeThreatMatch,
  threatMatchAlert,
  threatSettings,
} from "./threat-match-engine.js";
export type { ThreatSettings } from "./threat-match-engine.js";
export {
  DEFAULT_INDICATOR_PATH,
  getPath,
  INDICATOR_MATCH_TYPE,
  matchEvent,
  mergedEnrichments,
  threatEnrichments,
  threatMappingOf,
} from "./threat-match.js";
export type {
  IndicatorDocument,
  ThreatEnrichment,
  ThreatMapping,
  ThreatMappingEntry,
  ThreatMatch,
  ThreatMatcher,
} from "./threat-match.js";
export { luceneEngine } from "./lucene-engine.js";
export { exemptionOf } from "./rule-job.js";

/** The engine that evaluates this rule, or `{unsupported: "<type>/<language>"}`. */
export function engineFor(rule: EngineRule, engines: readonly Engine[] = defaultEngines): EngineChoice {
  return chooseEngine(rule, engines);
}

export {
  casesFileName,
  findFixtureFolders,
  fixtureFolderFor,
  isFixtureFolder,
  loadRuleFixtures,
} from "./fixtures.js";
export type {
  AlertExpectation,
  FieldOverrides,
  FixtureCase,
  FixtureReadOptions,
  RuleFixtures,
} from "./fixtures.js";
export { eventFileExtensions, isEventFile, parseEventFile } from "./event-files.js";
export type { EventDocument, EventFileResult, FixtureEvent } from "./event-files.js";
export { indexCovered, patternMatches } from "./index-patterns.js";
export { flattenEvent, trimEvent } from "./trim.js";
export { measureCoverage } from "./coverage.js";
export type { CoverageCounts } from "./coverage.js";
export { mutateKql } from "./kql-mutants.js";
export type { AstMutant, MutationOperator } from "./kql-mutants.js";

export { affectedRules, changedFiles, GitError, isWithin, runGit } from "./selection.js";
export type { AffectedOptions, GitRunner } from "./selection.js";
export { watchPaths } from "./watch.js";
export type { Watcher, WatchOptions } from "./watch.js";
export { historyOneHourLater, typeMutants } from "./type-mutants.js";
export type { TypeMutant } from "./type-mutants.js";
export { typeExecution } from "./type-alerts.js";
