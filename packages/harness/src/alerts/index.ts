// The alerts model: Kibana-shaped alert documents and the pure functions of one rule execution.
export {
  ALERT,
  RULE_DEFAULTS,
  eventAlert,
  originalTime,
  ruleAlertFields,
  thresholdAlert,
  valueAt,
  withSuppression,
} from "./document.js";
export type { Alert, AlertDocument, AlertTerm, SuppressionFields, ThresholdResult } from "./document.js";
export { alertMismatches, sameValue } from "./contains.js";
export type { Mismatch } from "./contains.js";
export {
  executeRule,
  ExecutionError,
  fieldValues,
  suppressionOf,
  thresholdBuckets,
  thresholdOf,
} from "./execute.js";
export type {
  ExecutionInput,
  ExecutionOutcome,
  Group,
  SuppressionSettings,
  ThresholdBucket,
  ThresholdSettings,
} from "./execute.js";
export {
  DateMathError,
  defaultNow,
  inWindow,
  lookbackWindow,
  resolveDateMath,
  ruleEventTime,
  ruleTimestamps,
  timeAt,
} from "./window.js";
export type { EventTime, TimeWindow } from "./window.js";
export {
  carryExecution,
  emptyHistory,
  suppressionDurationMs,
  thresholdHistoryExclusions,
} from "./history.js";
export type {
  CarriedExecution,
  ExecutionHistory,
  PriorAlert,
  SuppressedAlert,
  ThresholdHistoryEntry,
} from "./history.js";
