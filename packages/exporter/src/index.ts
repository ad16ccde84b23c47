export type {
  KibanaPayload,
  RemoteRule,
  RequiredField,
  RequiredFieldsFn,
  RuleData,
  RuleError,
  RuleSource,
} from "./types.js";
export { canonicalJson, contentHash, sortKeysDeep } from "./canonical.js";
export { kibanaDefaults, kqlFamilyTypes, serverOnlyFields } from "./kibana-defaults.js";
export { kibanaSchemaDir, validateKibanaBody } from "./kibana-schema.js";
export type { KibanaBody } from "./kibana-schema.js";
export {
  buildPayloads,
  defaultManagementTag,
  derivedRequiredFields,
  payloadLine,
  remoteToPayload,
  toKibanaPayload,
} from "./payload.js";
export type { BuiltPayload, PayloadOptions } from "./payload.js";
export {
  checkLock,
  DuplicateRuleIdError,
  LockFileError,
  lockHash,
  lockHashExtras,
  lockSha256,
  lockSubjects,
  lockVersions,
  parseLock,
  readLock,
  serializeLock,
  updateLock,
  writeLock,
} from "./lock.js";
export type { Lock, LockChange, LockChangeKind, LockEntry, LockProblem, LockSubject } from "./lock.js";
export {
  ExportError,
  exportFileNames,
  kibanaImportLimits,
  ndjsonLines,
  splitLines,
  writeExport,
} from "./export.js";
export type { ExportedFile, ExportLimits } from "./export.js";
export { ConfigurationError, KibanaRequestError } from "./errors.js";
export type { RequestErrorKind } from "./errors.js";
export {
  authorizationHeader,
  credentialEnv,
  credentialsFromEnv,
  envRedactor,
  redactor,
} from "./credentials.js";
export type { Credentials } from "./credentials.js";
export { backoffDelay, defaultRetryPolicy, parseRetryAfter } from "./retry.js";
export type { RetryPolicy } from "./retry.js";
export { createKibanaClient, kibanaApiVersion, tagFilter } from "./client.js";
export type {
  ClientOptions,
  ImportResult,
  KibanaClient,
  KibanaResponse,
  RequestOptions,
  RetryEvent,
} from "./client.js";
export { buildPlan, classify, fieldChanges, planIsEmpty } from "./plan.js";
export type { FieldChange, LocalPayload, Plan, PlanAction, PlanEntry } from "./plan.js";
export { publishPlan } from "./publish.js";
export type { PublishOptions, PublishResult, PublishStatus, PublishSummary } from "./publish.js";
export {
  kibanaRuleToRuleData,
  parseNdjsonRules,
  ruleFileName,
  ruleToYaml,
  skipNeedsAttention,
  writeImportedRules,
} from "./import.js";
export type {
  ImportedRule,
  ImportOptions,
  ImportResultSummary,
  ImportSource,
  SkippedSource,
  WriteImportOptions,
} from "./import.js";
export { catalogRequiredFields } from "./required-fields.js";
export {
  clientOptionsFrom,
  lockDiagnostics,
  payloadSettings,
  preparePayloads,
  publishableRules,
  spacesFrom,
} from "./settings.js";
export type { ConnectionSettings, PayloadSettings, RuleProblem } from "./settings.js";
export {
  attachExceptionLists,
  exceptionBodyProblems,
  exceptionExportLines,
  exceptionItemBody,
  exceptionListBody,
  exceptionSetProblems,
  listKey,
  remoteItemBody,
  remoteListBody,
  resolveListIds,
  stableListId,
  stableListIds,
  valueListBody,
  valueListMarker,
} from "./exceptions.js";
export type {
  ExceptionItemSource,
  ExceptionListRef,
  ExceptionListSource,
  ExceptionProblem,
  ExceptionSetSource,
  NamespaceType,
  RuleExceptionProblem,
  ValueListSource,
} from "./exceptions.js";
export {
  buildExceptionPlan,
  exceptionPlanIsEmpty,
  publishExceptionDeletions,
  publishExceptionUpserts,
  readKibanaExceptions,
} from "./exceptions-plan.js";
export type {
  ExceptionAction,
  ExceptionObjectKind,
  ExceptionPlan,
  ExceptionPlanEntry,
  ExceptionPublishResult,
  ExceptionPublishStatus,
} from "./exceptions-plan.js";
export { planSpace, publishSpace } from "./space-publish.js";
export type { SpacePlan, SpacePublishSummary } from "./space-publish.js";
export {
  exceptionListFileName,
  exceptionListsFromKibana,
  exceptionListToYaml,
  importedListSource,
  isExceptionItemLine,
} from "./exceptions-import.js";
export type { ExceptionImportSkip, ExceptionLine, ImportedExceptionList } from "./exceptions-import.js";
export type { ImportedExceptionFile } from "./import.js";
