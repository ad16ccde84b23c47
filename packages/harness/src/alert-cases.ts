/**
 * `expect: alert | no-alert` cases: when the execution runs, which events it searches, and the verdict on the
 * alerts an engine returns, with the reasons a missing alert is missing.
 */
import type { FieldCatalog } from "@dac/fields";
import type { EventFailure } from "@dac/report";
import { diagnosticAtPosition } from "@dac/schema";
import type { Diagnostic } from "@dac/schema";
import { alertMismatches } from "./alerts/contains.js";
import type { Alert } from "./alerts/document.js";
import { thresholdBuckets, thresholdOf } from "./alerts/execute.js";
import { inWindow, lookbackWindow, resolveDateMath, ruleEventTime, ruleTimestamps } from "./alerts/window.js";
import type { EventTime, TimeWindow } from "./alerts/window.js";
import type { EngineRule, Evaluation } from "./engine.js";
import type { EventDocument } from "./event-files.js";
import type { FixtureCase } from "./fixtures.js";
import { RULE_DEFAULTS } from "./alerts/document.js";
import { whyNoSequence } from "./eql-engine.js";

export function isAlertCase(fixture: FixtureCase): boolean {
  return fixture.expect === "alert" || fixture.expect === "no-alert";
}

export interface AlertCasePlan {
  now: Date;
  window: TimeWindow;
  /** `earlier_executions`: when each ran and its window, in order (empty: the case is one execution). */
  earlier: { now: Date; window: TimeWindow }[];
  times: EventTime[];
  /** Problems with the case's events (an event without a time the rule reads), positioned. */
  diagnostics: Diagnostic[];
}

/**
 * The execution of an alert case: `now` (given, else 1 ms after the latest event, plus the rule's `to` offset so
 * that the latest event is inside the window) and the window. Throws `DateMathError` for the rule's `from`/`to`.
 */
export function planAlertCase(rule: EngineRule, fixture: FixtureCase, clock: Date): AlertCasePlan {
  const times = fixture.events.map((e) => ruleEventTime(rule, e.document));
  const diagnostics: Diagnostic[] = [];
  const { primary, secondary } = ruleTimestamps(rule);
  const fields = secondary ? `${primary} (or ${secondary})` : primary;
  fixture.events.forEach((event, i) => {
    if (times[i]!.time !== undefined) return;
    diagnostics.push(
      diagnosticAtPosition(
        event.location.file,
        "DAC506",
        `event ${i + 1} of case \`${fixture.name}\` has no ${fields} date: an execution cannot place it in time`,
        { line: event.location.line, column: event.location.column },
        undefined,
        `give every event of an \`expect: ${fixture.expect}\` case a ${primary}`,
      ),
    );
  });
  let now = fixture.now;
  if (!now) {
    const latest = Math.max(...times.map((t) => t.time ?? Number.NEGATIVE_INFINITY));
    if (Number.isFinite(latest)) {
      const to = typeof rule.data.to === "string" ? rule.data.to : RULE_DEFAULTS.to;
      const reference = new Date(latest);
      const offset = reference.getTime() - resolveDateMath(to, reference).getTime();
      now = new Date(latest + 1 + offset);
    } else now = clock;
  }
  const earlier: AlertCasePlan["earlier"] = [];
  for (const run of fixture.earlierExecutions ?? []) {
    if (run.at.getTime() >= now.getTime()) {
      diagnostics.push(
        diagnosticAtPosition(
          run.location.file,
          "DAC506",
          `the earlier execution ${run.at.toISOString()} is not before the case's \`now\` (${now.toISOString()}, ${fixture.now ? "given" : "just after the latest event"})`,
          { line: run.location.line, column: run.location.column },
          undefined,
          "set `now` after the earlier executions",
        ),
      );
      continue;
    }
    earlier.push({ now: run.at, window: lookbackWindow(rule, run.at) });
  }
  return { now, window: lookbackWindow(rule, now), earlier, times, diagnostics };
}

export interface AlertVerdict {
  passed: boolean;
  message?: string;
  failures: EventFailure[];
}

interface JudgeInput {
  rule: EngineRule;
  fixture: FixtureCase;
  plan: AlertCasePlan;
  /** Per event of the case: the query's verdict (an event the rule's indices do not cover: not matched). */
  evaluations: readonly Evaluation[];
  /** Per event: is its index one the rule reads. */
  covered: readonly boolean[];
  /** The alerts, with event positions in the case's events. */
  alerts: readonly Alert[];
  catalog?: FieldCatalog;
  /** Cuts an event to what the report shows. */
  trim: (event: EventDocument) => Record<string, unknown>;
  /** Events the threshold signal history of earlier executions keeps out of this one (case positions). */
  excluded?: ReadonlyMap<number, string>;
  /** With earlier executions: the alerts suppressed into earlier ones, and the duplicates not created again. */
  carried?: { suppressed: string[]; duplicates: number };
}

const iso = (t: number) => new Date(t).toISOString();
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function judgeAlertCase(input: JudgeInput): AlertVerdict {
  const { fixture, alerts } = input;
  if (input.plan.diagnostics.length > 0)
    return {
      passed: false,
      message: `${plural(input.plan.diagnostics.length, "event")} without a time the rule reads (see the diagnostics)`,
      failures: [],
    };
  if (fixture.expect === "no-alert") {
    if (alerts.length === 0) return { passed: true, failures: [] };
    return {
      passed: false,
      message: `expected no alert, but the execution created ${plural(alerts.length, "alert")}: ${alerts
        .slice(0, 3)
        .map((a) => describeAlert(input, a))
        .join("; ")}`,
      failures: alertEventFailures(input),
    };
  }
  if (alerts.length === 0) {
    const why = whyNoAlert(input);
    const earlier = carriedSummary(input);
    if (earlier)
      return {
        passed: false,
        message: `expected an alert, but the execution created none: ${earlier}`,
        failures: why.failures,
      };
    return {
      passed: false,
      message: `expected an alert, but the execution created none: ${why.summary}`,
      failures: why.failures,
    };
  }
  const expected = fixture.alerts;
  if (expected?.count !== undefined && expected.count !== alerts.length) {
    const more = alerts.length < expected.count ? `; ${whyNoAlert(input).summary}` : "";
    return {
      passed: false,
      message: `expected ${plural(expected.count, "alert")}, the execution created ${alerts.length}: ${alerts
        .slice(0, 5)
        .map((a) => describeAlert(input, a))
        .join("; ")}${more}`,
      failures: alertEventFailures(input),
    };
  }
  const failures: EventFailure[] = [];
  const checks: { partial: Record<string, unknown>; alert: Alert | undefined; n: number; at: number }[] = [];
  if (expected?.every)
    alerts.forEach((alert, n) => checks.push({ partial: expected.every!, alert, n, at: 0 }));
  expected?.nth?.forEach((partial, n) => checks.push({ partial, alert: alerts[n], n, at: n }));
  for (const check of checks) {
    const location = expected!.locations[check.at] ?? fixture.location;
    if (!check.alert) {
      failures.push({
        location,
        matched: false,
        event: {},
        explanation: `✗ there is no alert ${check.n + 1}: the execution created ${plural(alerts.length, "alert")}`,
      });
      continue;
    }
    const mismatches = alertMismatches(check.alert.document, check.partial);
    if (mismatches.length === 0) continue;
    failures.push({
      location,
      matched: true,
      event: Object.fromEntries(mismatches.map((m) => [m.field, m.actual ?? null])),
      explanation: mismatches
        .map(
          (m) =>
            `✗ ${m.field}: ${m.actual === undefined ? "absent" : JSON.stringify(m.actual)}, expected ${JSON.stringify(m.expected)}`,
        )
        .join("\n"),
    });
  }
  if (failures.length === 0) return { passed: true, failures: [] };
  const first = failures[0]!.explanation.split("\n")[0]!.replace(/^✗ /, "");
  return {
    passed: false,
    message: `${plural(failures.length, "alert")} ${failures.length === 1 ? "does" : "do"} not contain the expected fields (${first})`,
    failures,
  };
}

/** What earlier executions took from this one: suppressed alerts and events already alerted on. */
function carriedSummary(input: JudgeInput): string | undefined {
  const c = input.carried;
  if (!c) return undefined;
  const parts = [...c.suppressed.slice(0, 3)];
  if (c.suppressed.length > 3) parts.push(`and ${c.suppressed.length - 3} more suppressed`);
  if (c.duplicates > 0)
    parts.push(
      `${plural(c.duplicates, "alert")} not created again: an earlier execution alerted on the same events`,
    );
  return parts.length > 0 ? parts.join("; ") : undefined;
}

/** One line about an alert: its group, or its event's time. */
function describeAlert(input: JudgeInput, alert: Alert): string {
  const d = alert.document;
  const threshold = d["kibana.alert.threshold_result"] as
    { terms?: { field: string; value: unknown }[]; count?: number } | undefined;
  if (threshold)
    return `group ${termsText(threshold.terms ?? [])} with ${plural(threshold.count ?? 0, "event")}`;
  const terms = d["kibana.alert.suppression.terms"] as { field: string; value: unknown }[] | undefined;
  if (terms)
    return `group ${termsText(terms)} (${plural(Number(d["kibana.alert.suppression.docs_count"] ?? 0) + 1, "event")})`;
  const i = alert.events[0];
  const event = i === undefined ? undefined : input.fixture.events[i];
  return event ? `event ${i! + 1} (line ${event.location.line})` : "an alert";
}

function termsText(terms: readonly { field: string; value: unknown }[]): string {
  if (terms.length === 0) return "(all events)";
  return terms.map((t) => `${t.field}=${t.value === null ? "(missing)" : String(t.value)}`).join(", ");
}

function alertEventFailures(input: JudgeInput): EventFailure[] {
  return input.alerts.slice(0, 10).map((alert, n) => {
    const i = alert.events[0] ?? 0;
    const event = input.fixture.events[i]!;
    return {
      location: event.location,
      matched: true,
      event: input.trim(event.document),
      explanation: `✓ alert ${n + 1}: ${describeAlert(input, alert)}, from ${plural(alert.events.length, "event")}\n${eventReason(input, i)}`,
    };
  });
}

/** Why an event is or is not part of the execution's search. */
function eventReason(input: JudgeInput, i: number): string {
  const { plan, evaluations } = input;
  const time = plan.times[i]!;
  const counted = input.excluded?.get(i);
  if (counted) return counted;
  if (!input.covered[i]) return evaluations[i]!.explain();
  if (time.time === undefined) return "✗ the event has no time the rule reads";
  if (!inWindow(time, plan.window)) {
    const side = time.time < plan.window.from.getTime() ? "before" : "after";
    return `✗ outside the lookback window: ${time.field} ${iso(time.time)} is ${side} [${plan.window.from.toISOString()}, ${plan.window.to.toISOString()}] (now ${plan.now.toISOString()}, from ${String(input.rule.data.from ?? RULE_DEFAULTS.from)})`;
  }
  const evaluation = evaluations[i]!;
  if (!evaluation.matched)
    return `✗ inside the window, but the query does not match:\n${evaluation.explain()}`;
  return `✓ inside the window (${time.field} ${iso(time.time)}) and matched by the query`;
}

/** Why no alert, or fewer than expected: the window, the query, and the groups' counts. */
export function whyNoAlert(input: JudgeInput): { summary: string; failures: EventFailure[] } {
  const { fixture, plan, evaluations, rule } = input;
  const n = fixture.events.length;
  const outside: number[] = [];
  const unmatched: number[] = [];
  const hits: number[] = [];
  const counted: number[] = [];
  for (let i = 0; i < n; i++) {
    if (input.excluded?.has(i)) counted.push(i);
    else if (!input.covered[i] || !evaluations[i]!.matched) {
      if (input.covered[i] && plan.times[i]!.time !== undefined && !inWindow(plan.times[i]!, plan.window))
        outside.push(i);
      else unmatched.push(i);
    } else if (!inWindow(plan.times[i]!, plan.window)) outside.push(i);
    else hits.push(i);
  }
  const parts: string[] = [];
  let sequence: string | undefined;
  if (rule.data.type === "threshold" && hits.length > 0) {
    const settings = thresholdOf(rule);
    const buckets = thresholdBuckets(
      rule,
      fixture.events.map((e) => e.document),
      hits,
      input.catalog,
    );
    if (buckets.length === 0 || buckets.every((b) => b.events.length === 0))
      parts.push(`no event in the window has every threshold field (${settings.fields.join(", ")})`);
    else
      parts.push(
        buckets
          .sort((a, b) => b.events.length - a.events.length)
          .slice(0, 3)
          .map((b) => {
            const group = termsText(settings.fields.map((field, j) => ({ field, value: b.key[j] })));
            const count = `${b.events.length} of ${settings.value} events in the window for group ${group}`;
            return settings.cardinality
              ? `${count}, ${b.distinct ?? 0} of ${settings.cardinality.value} distinct ${settings.cardinality.field}`
              : count;
          })
          .join("; "),
      );
  } else if (hits.length === 0) {
    // A sequence: which step each join key stopped at, and why (the events inside the window, as searched).
    const searched = fixture.events
      .map((e, i) => ({ e, i }))
      .filter(({ i }) => input.covered[i] && !input.excluded?.has(i) && inWindow(plan.times[i]!, plan.window))
      .map(({ e }) => e.document);
    sequence = whyNoSequence(rule, searched, input.catalog);
    parts.push(sequence ?? "no event is both inside the lookback window and matched by the query");
  } else if (
    rule.data.type === "new_terms" ||
    rule.data.type === "threat_match" ||
    rule.data.type === "esql"
  ) {
    // Their engines say first why a searched event did not alert: a term already seen, no indicator, the
    // ES|QL command after which no row is left.
    const reasons = [
      ...new Set(hits.map((i) => evaluations[i]!.explain().split("\n")[0]!.replace(/^✗ /, ""))),
    ];
    parts.push(
      `${plural(hits.length, "event")} inside the window matched by the query, but ${reasons.slice(0, 3).join("; ")}${reasons.length > 3 ? `; and ${reasons.length - 3} more` : ""}`,
    );
  } else parts.push(`${plural(hits.length, "event")} inside the window matched by the query`);
  if (outside.length > 0)
    parts.push(
      `${plural(outside.length, "event")} outside the lookback window [${plan.window.from.toISOString()}, ${plan.window.to.toISOString()}]`,
    );
  // A sequence's summary already says why its events are in no sequence.
  if (unmatched.length > 0 && sequence === undefined)
    parts.push(`${plural(unmatched.length, "event")} not matched by the query`);
  if (counted.length > 0)
    parts.push(
      `${plural(counted.length, "event")} already counted by an earlier execution's threshold alert`,
    );
  const typed =
    rule.data.type === "new_terms" || rule.data.type === "threat_match" || rule.data.type === "esql";
  const failures = [...outside, ...unmatched, ...counted, ...(typed ? hits : [])]
    .sort((a, b) => a - b)
    .slice(0, 20)
    .map((i) => ({
      location: fixture.events[i]!.location,
      matched: evaluations[i]!.matched,
      event: input.trim(fixture.events[i]!.document),
      explanation: typed && hits.includes(i) ? evaluations[i]!.explain() : eventReason(input, i),
    }));
  return { summary: parts.join("; "), failures };
}
