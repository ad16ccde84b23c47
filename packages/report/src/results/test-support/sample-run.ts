/** A hand-built run touching every reporter branch: pass, failure with trace, exempt, unsupported, findings. */
import type { Diagnostic } from "@dac/schema";
import { summarizeTestRun, TEST_RUN_RESULT_VERSION } from "../model.js";
import type { RuleTestResult, TestRunResult } from "../model.js";

const selfReview = "rules/kubernetes/self_review.yaml";
const denied = "rules/kubernetes/denied.yaml";

const rules: RuleTestResult[] = [
  {
    file: selfReview,
    location: { file: selfReview, line: 14, column: 3 },
    name: "Kubernetes Suspicious Self-Subject Review",
    ruleId: "0f4a3a4e-1111-4c1a-9d7e-3c0d8c1f2a11",
    engine: "query/kuery",
    query: 'event.dataset:"kubernetes.audit_logs" and kubernetes.audit.verb:"create"',
    status: "failed",
    fixtures: "fixtures/kubernetes/self_review/cases.yaml",
    durationMs: 4.2,
    cases: [
      {
        name: "service account reviews its access",
        description: "selfsubjectaccessreviews created by a service account",
        expect: "match",
        status: "passed",
        location: { file: "fixtures/kubernetes/self_review/cases.yaml", line: 4, column: 5 },
        events: 1,
        failures: [],
        durationMs: 0.3,
      },
      {
        name: 'verb get <is> & "not" create',
        description: "same as the first positive, verb get",
        expect: "match",
        status: "failed",
        location: { file: "fixtures/kubernetes/self_review/cases.yaml", line: 20, column: 5 },
        index: ".ds-logs-kubernetes.audit_logs-default-2025.03.04-000001",
        events: 1,
        message: "expected match, the rule did not match 1 of 1 events",
        failures: [
          {
            location: { file: "fixtures/kubernetes/self_review/cases.yaml", line: 25, column: 9 },
            matched: false,
            index: ".ds-logs-kubernetes.audit_logs-default-2025.03.04-000001",
            event: { "event.dataset": "kubernetes.audit_logs", "kubernetes.audit.verb": "get" },
            explanation: [
              "✗ and",
              '  ✓ event.dataset:"kubernetes.audit_logs"  (keyword: "kubernetes.audit_logs")',
              '  ✗ kubernetes.audit.verb:"create"  (keyword: "get")',
            ].join("\n"),
          },
        ],
        durationMs: 0.4,
      },
    ],
    coverage: {
      clauses: [
        {
          clause: 'event.dataset:"kubernetes.audit_logs"',
          location: { file: selfReview, line: 15, column: 5 },
          positives: 1,
          negatives: 0,
        },
        {
          clause: 'kubernetes.audit.verb:"create"',
          location: { file: selfReview, line: 16, column: 9 },
          positives: 1,
          negatives: 1,
        },
      ],
      branches: [
        {
          branch: "user.username:system\\:node\\:*",
          location: { file: selfReview, line: 17, column: 5 },
          positives: 1,
        },
        {
          branch: "impersonatedUser.username:system\\:node\\:*",
          location: { file: selfReview, line: 18, column: 8 },
          positives: 0,
        },
      ],
      branchPercent: 50,
    },
    mutation: {
      mutants: 3,
      killed: 2,
      survivors: [
        {
          operator: "drop-clause",
          description: 'dropped `event.dataset:"kubernetes.audit_logs"`',
          query: 'kubernetes.audit.verb:"create"',
          location: { file: selfReview, line: 15, column: 5 },
        },
      ],
    },
  },
  {
    file: denied,
    location: { file: denied, line: 12, column: 3 },
    name: "Kubernetes Denied Service Account Request",
    engine: "query/kuery",
    status: "passed",
    fixtures: "fixtures/kubernetes/denied",
    durationMs: 1,
    cases: [
      {
        name: "positive/forbidden.ndjson:1",
        expect: "match",
        status: "passed",
        location: { file: "fixtures/kubernetes/denied/positive/forbidden.ndjson", line: 1, column: 1 },
        events: 1,
        failures: [],
        durationMs: 0.1,
      },
    ],
  },
  {
    file: "rules/linux/rare.yaml",
    location: { file: "rules/linux/rare.yaml", line: 9, column: 3 },
    name: "Rare process",
    engine: "new_terms/kuery",
    status: "unsupported",
    message: "unsupported: new_terms/kuery",
    durationMs: 0,
    cases: [],
  },
  {
    file: "rules/linux/legacy.yaml",
    location: { file: "rules/linux/legacy.yaml", line: 9, column: 3 },
    name: "Legacy rule",
    engine: "query/kuery",
    status: "exempt",
    exempt: "no events of this kind can be produced in a lab",
    durationMs: 0,
    cases: [],
  },
];

const diagnostics: Diagnostic[] = [
  {
    file: "fixtures/kubernetes/orphan",
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    severity: "error",
    code: "DAC503",
    name: "orphan-fixtures",
    message: "fixture folder fixtures/kubernetes/orphan has no rule rules/kubernetes/orphan.yaml",
    hint: "rename the folder after its rule, or delete it",
  },
  {
    file: selfReview,
    line: 18,
    column: 8,
    endLine: 18,
    endColumn: 50,
    severity: "warning",
    code: "DAC507",
    name: "uncovered-branch",
    message: "no positive matches through `impersonatedUser.username:system\\:node\\:*`",
  },
];

export const sampleRun: TestRunResult = {
  version: TEST_RUN_RESULT_VERSION,
  summary: summarizeTestRun(rules, diagnostics),
  rules,
  diagnostics,
  durationMs: 12.5,
};

const passingRules = [rules[1]!];
export const passingRun: TestRunResult = {
  version: TEST_RUN_RESULT_VERSION,
  summary: summarizeTestRun(passingRules, []),
  rules: passingRules,
  diagnostics: [],
  durationMs: 3,
};
