/**
 * `earlier_executions`: the rule runs at each of those instants, then at `now`; the case judges the alerts of the
 * execution at `now`. Each row cites the Kibana source it follows (paths under
 * x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/ unless said otherwise).
 */
import { describe, expect, it } from "vitest";
import { defaultConfig } from "@dac/schema";
import type { Rule } from "@dac/schema";
import { runTests } from "./run.js";
import { casesHeader, tempTree } from "./test-support/tree.js";
import { ruleFromData } from "./test-support/rule.js";

const rule = ruleFromData;

const failure = (at: string, user = "alice") =>
  `{"@timestamp": "${at}", event: {outcome: failure}, user: {name: ${user}}}`;
/** Five failures, 10 s apart, from `start` (HH:MM) on 2026-03-01. */
const burst = (start: string, user = "alice") =>
  [0, 10, 20, 30, 40].map((s) => failure(`2026-03-01T${start}:${String(s).padStart(2, "0")}Z`, user));

const threshold = (extra: Record<string, unknown> = {}) =>
  rule({
    type: "threshold",
    language: "kuery",
    index: ["logs-*"],
    query: "event.outcome: failure",
    threshold: { field: ["user.name"], value: 5 },
    from: "now-6m",
    interval: "5m",
    ...extra,
  });

async function run(r: Rule, cases: string) {
  const t = tempTree({ "fixtures/r/cases.yaml": casesHeader + `cases:\n${cases}` });
  try {
    return await runTests({ rules: [r], config: defaultConfig(t.root), cwd: t.root });
  } finally {
    t.cleanup();
  }
}

describe("earlier executions", () => {
  const table: {
    name: string;
    source: string;
    rule: Rule;
    earlier: string[];
    now: string;
    events: string[];
    alerts: number;
    message?: string;
  }[] = [
    {
      name: "threshold: the events an earlier alert counted do not count again",
      source:
        "rule_types/threshold/get_threshold_bucket_filters.ts (must_not range lte lastSignalTimestamp + term)",
      rule: threshold(),
      earlier: ["2026-03-01T10:02:00Z"],
      now: "2026-03-01T10:06:00Z",
      events: burst("10:01"),
      alerts: 0,
      message: "5 events already counted by an earlier execution's threshold alert",
    },
    {
      name: "threshold: a new burst after the earlier alert alerts again",
      source:
        "rule_types/threshold/build_signal_history.ts (lastSignalTimestamp is the alert's original_time)",
      rule: threshold(),
      earlier: ["2026-03-01T10:02:00Z"],
      now: "2026-03-01T10:06:00Z",
      events: [...burst("10:01"), ...burst("10:04")],
      alerts: 1,
    },
    {
      name: "threshold: the history is per group, another user still alerts",
      source: "rule_types/threshold/get_threshold_bucket_filters.ts (one term filter per threshold field)",
      rule: threshold({ threshold: { field: ["user.name"], value: 5 }, from: "now-10m" }),
      earlier: ["2026-03-01T10:02:00Z"],
      now: "2026-03-01T10:06:00Z",
      events: [...burst("10:01"), ...burst("10:03", "bob")],
      alerts: 1,
    },
    {
      name: "threshold suppression: a group alerted within the duration is suppressed into that alert",
      source:
        "rule_registry/server/utils/create_persistence_rule_type_wrapper.ts (alertWithSuppression: range kibana.alert.start gte now-duration, same instance id)",
      rule: threshold({ alert_suppression: { duration: { value: 1, unit: "h" } } }),
      earlier: ["2026-03-01T10:02:00Z"],
      now: "2026-03-01T10:07:00Z",
      events: [...burst("10:01"), ...burst("10:05")],
      alerts: 0,
      message: "was suppressed into the alert of the execution at 2026-03-01T10:02:00.000Z",
    },
    {
      name: "threshold suppression: after the duration a new alert is created",
      source:
        "rule_registry/server/utils/create_persistence_rule_type_wrapper.ts (an existing alert older than now-duration is not found)",
      rule: threshold({ alert_suppression: { duration: { value: 4, unit: "m" } } }),
      earlier: ["2026-03-01T10:02:00Z"],
      now: "2026-03-01T10:07:00Z",
      events: [...burst("10:01"), ...burst("10:05")],
      alerts: 1,
    },
    {
      name: "query suppression with duration: the group's later event is suppressed into the earlier alert",
      source:
        "rule_types/query/alert_suppression/group_and_bulk_create.ts (isRuleExecutionOnly false with a duration) and alertWithSuppression",
      rule: rule({
        type: "query",
        language: "kuery",
        index: ["logs-*"],
        query: "event.outcome: failure",
        alert_suppression: { group_by: ["user.name"], duration: { value: 1, unit: "h" } },
      }),
      earlier: ["2026-03-01T10:02:00Z"],
      now: "2026-03-01T10:07:00Z",
      events: [failure("2026-03-01T10:01:00Z"), failure("2026-03-01T10:06:00Z")],
      alerts: 0,
      message: "an alert for group user.name=alice was suppressed",
    },
    {
      name: "query suppression per execution (no duration): each execution alerts",
      source:
        "rule_types/query/alert_suppression/group_and_bulk_create.ts (isRuleExecutionOnly without a duration)",
      rule: rule({
        type: "query",
        language: "kuery",
        index: ["logs-*"],
        query: "event.outcome: failure",
        alert_suppression: { group_by: ["user.name"] },
      }),
      earlier: ["2026-03-01T10:02:00Z"],
      now: "2026-03-01T10:07:00Z",
      events: [failure("2026-03-01T10:01:00Z"), failure("2026-03-01T10:06:00Z")],
      alerts: 1,
    },
    {
      name: "query rule: an event an earlier execution alerted on (overlapping windows) is not alerted again",
      source:
        "rule_types/utils/search_after_bulk_create.ts: the alert _id hashes the source event; a second create is a 409",
      rule: rule({ type: "query", language: "kuery", index: ["logs-*"], query: "event.outcome: failure" }),
      earlier: ["2026-03-01T10:02:00Z"],
      now: "2026-03-01T10:06:00Z",
      events: [failure("2026-03-01T10:01:00Z")],
      alerts: 0,
      message: "1 alert not created again: an earlier execution alerted on the same events",
    },
  ];

  for (const row of table)
    it(`${row.name} (${row.source})`, async () => {
      const result = await run(
        row.rule,
        `  - name: case
    expect: ${row.alerts > 0 ? "alert" : "no-alert"}
    earlier_executions: ${JSON.stringify(row.earlier)}
    now: "${row.now}"
    events: [${row.events.join(", ")}]
  - name: the same, expected the other way round
    expect: ${row.alerts > 0 ? "no-alert" : "alert"}
    earlier_executions: ${JSON.stringify(row.earlier)}
    now: "${row.now}"
    events: [${row.events.join(", ")}]
`,
      );
      const [judged, flipped] = result.rules[0]!.cases;
      expect(judged!.status, judged!.message).toBe("passed");
      expect(flipped!.status).toBe("failed");
      if (row.message) expect(flipped!.message).toContain(row.message);
    });

  it("refuses an earlier execution at or after now, or out of order, at its line", async () => {
    const result = await run(
      threshold(),
      `  - name: late
    expect: no-alert
    earlier_executions: ["2026-03-01T10:02:00Z", "2026-03-01T10:01:00Z", "2026-03-01T10:09:00Z"]
    now: "2026-03-01T10:06:00Z"
    events: [${failure("2026-03-01T10:01:00Z")}]
  - name: on a match case
    expect: no-match
    earlier_executions: ["2026-03-01T10:02:00Z"]
    events: [${failure("2026-03-01T10:01:00Z")}]
`,
    );
    const messages = result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^5:50 the earlier executions are not in ascending order/),
        expect.stringMatching(/^5:74 the earlier execution 2026-03-01T10:09:00Z is not before `now`/),
        expect.stringMatching(/^10:5 `earlier_executions` applies to `expect: alert \| no-alert` only/),
      ]),
    );
  });
});
