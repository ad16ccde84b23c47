/**
 * The result of a fixture test run, as plain data. The harness produces it, every test-result reporter reads it,
 * and the `json` reporter writes it out as it is (with `version`), so it is also the machine-readable contract.
 */
import type { Diagnostic } from "@dac/schema";

/** Bumped when a field changes meaning or disappears; adding optional fields keeps the version. */
export const TEST_RUN_RESULT_VERSION = 1;

/** A place in a file, 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * `match` / `no-match`: each event judged on its own by the rule's query. `alert` / `no-alert`: one execution of
 * the rule over the case's events (time window, grouping, suppression) must create alerts, or none.
 */
export type Expectation = "match" | "no-match" | "alert" | "no-alert" | "suppressed";

/**
 * - `passed` / `failed`: the cases ran;
 * - `exempt`: the rule has no fixtures and says why (`metadata.tests.exempt`);
 * - `unsupported`: no engine evaluates this rule type or language, which counts as a failure;
 * - `error`: the rule could not be tested (its query does not compile, its fixtures do not load).
 */
export type RuleStatus = "passed" | "failed" | "exempt" | "unsupported" | "error";

export interface TestRunResult {
  version: typeof TEST_RUN_RESULT_VERSION;
  summary: TestRunSummary;
  rules: RuleTestResult[];
  /** Fixture problems (DAC5xx) and coverage or mutation findings, positioned in their files. */
  diagnostics: Diagnostic[];
  durationMs: number;
}

export interface TestRunSummary {
  rules: number;
  cases: number;
  passed: number;
  failed: number;
  exempt: number;
  unsupported: number;
  /** Rules that could not be tested (see `RuleStatus`). */
  errors: number;
  /** Error-severity diagnostics. */
  diagnosticErrors: number;
  /** True when the run has no failure of any kind: the CLI exits 0 exactly then. */
  ok: boolean;
}

export interface RuleTestResult {
  /** The rule file, and the location of its query (where rule-level annotations point). */
  file: string;
  location: SourceLocation;
  name: string;
  ruleId?: string;
  /** `<type>/<language>`, e.g. `query/kuery`. */
  engine: string;
  /** The rule's query, for reports that show it. */
  query?: string;
  status: RuleStatus;
  /** Why the rule is exempt from fixtures, when it is. */
  exempt?: string;
  /** One sentence: why the rule is `unsupported` or in `error`. */
  message?: string;
  /** The folder (or `cases.yaml`) the cases came from, when there is one. */
  fixtures?: string;
  cases: CaseResult[];
  durationMs: number;
  /** What the engine said about how it ran the rule (a field type substituted on the node, say). */
  notes?: string[];
  coverage?: RuleCoverage;
  mutation?: RuleMutation;
  /** The rule's exception items, each with the cases in which it removed an event the rule matched. */
  exceptions?: ExceptionItemResult[];
}

export interface ExceptionItemResult {
  itemId: string;
  listId: string;
  /** Where the item is written. */
  location: SourceLocation;
  /** Names of the cases in which the item removed an event that the rule's query matched. */
  suppressed: string[];
  /** Not applied: its `expire_time` has passed (Kibana skips it too). */
  expired?: boolean;
}

export interface CaseResult {
  name: string;
  description?: string;
  expect: Expectation;
  status: "passed" | "failed";
  /** Where the case is defined: the case entry in `cases.yaml`, or the event in an event file. */
  location: SourceLocation;
  /** The concrete index the case's events were read from, when known. */
  index?: string;
  events: number;
  /** One line: why the case failed. */
  message?: string;
  /** The events that went against the expectation. */
  failures: EventFailure[];
  durationMs: number;
}

export interface EventFailure {
  location: SourceLocation;
  /** What the engine said about the event. */
  matched: boolean;
  index?: string;
  /** The event trimmed to the fields the query uses (dotted names). */
  event: Record<string, unknown>;
  /** The engine's explanation, as display text (one node per line). */
  explanation: string;
}

export interface RuleCoverage {
  /** Leaf clauses of the query, in query order. */
  clauses: ClauseCoverage[];
  /** Alternatives of every effective OR (an `or`, or an `and` under `not`). */
  branches: BranchCoverage[];
  /** Covered branches in percent (100 when the query has no OR). */
  branchPercent: number;
}

export interface ClauseCoverage {
  /** The clause as KQL. */
  clause: string;
  location: SourceLocation;
  /** Positives in which the clause took part in the match. */
  positives: number;
  /** Negatives that this clause rejected. */
  negatives: number;
}

export interface BranchCoverage {
  branch: string;
  location: SourceLocation;
  /** Positives that matched through this branch. */
  positives: number;
}

export interface RuleMutation {
  mutants: number;
  killed: number;
  survivors: SurvivingMutant[];
  /** Mutants not run because the rule has more than the harness runs per rule. */
  skipped?: number;
}

export interface SurvivingMutant {
  /** The mutation operator, e.g. `drop-clause`. */
  operator: string;
  /** One sentence: what was changed. */
  description: string;
  /** The mutated query, printed as KQL (cut past 1,000 characters). */
  query: string;
  location: SourceLocation;
}

/** Totals from rule results: reporters and the harness share one definition of "ok". */
export function summarizeTestRun(
  rules: readonly RuleTestResult[],
  diagnostics: readonly Diagnostic[],
): TestRunSummary {
  let cases = 0;
  let passed = 0;
  let failed = 0;
  for (const rule of rules) {
    for (const c of rule.cases) {
      cases++;
      if (c.status === "passed") passed++;
      else failed++;
    }
  }
  const count = (status: RuleStatus) => rules.filter((r) => r.status === status).length;
  const diagnosticErrors = diagnostics.filter((d) => d.severity === "error").length;
  const unsupported = count("unsupported");
  const errors = count("error");
  return {
    rules: rules.length,
    cases,
    passed,
    failed,
    exempt: count("exempt"),
    unsupported,
    errors,
    diagnosticErrors,
    ok: failed === 0 && unsupported === 0 && errors === 0 && diagnosticErrors === 0 && count("failed") === 0,
  };
}
