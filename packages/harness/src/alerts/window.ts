/**
 * When an execution runs and which events it searches.
 *
 * - The lookback window: Kibana resolves the rule's `from` and `to` (date math, default `now-6m` and `now`)
 *   against the execution's start (`getRuleRangeTuples` in `rule_types/utils/utils.ts`:
 *   `dateMath.parse(from, {forceNow: startedAt})`), and searches `range: {gte: from, lte: to}`: both ends are
 *   inside (`buildTimeRangeFilter`, `rule_types/utils/build_events_query.ts`). `interval` only schedules
 *   executions; one execution's window is `from`/`to` alone.
 * - Which time an event has: the rule's `timestamp_override` field; a document without that field falls back to
 *   `@timestamp`, unless `timestamp_override_fallback_disabled` (the `should` of `buildTimeRangeFilter`: the
 *   override in range, or no override and `@timestamp` in range). An override that is present but outside the
 *   window does not fall back.
 */
import type { EngineRule } from "../engine.js";
import type { EventDocument } from "../event-files.js";
import { RULE_DEFAULTS, valueAt } from "./document.js";

export interface TimeWindow {
  from: Date;
  to: Date;
}

const units: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  H: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

export class DateMathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DateMathError";
  }
}

/**
 * Elastic date math as rules use it (`now-6m`, `now-1h/h`, an ISO 8601 instant), resolved at `now`, in UTC.
 * Months and years are calendar units; `/unit` rounds down (Kibana's `dateMath.parse` without `roundUp`).
 */
export function resolveDateMath(text: string, now: Date): Date {
  const trimmed = text.trim();
  if (!trimmed.startsWith("now")) {
    const t = Date.parse(trimmed);
    if (Number.isNaN(t)) throw new DateMathError(`\`${text}\` is neither date math (now-6m) nor a date`);
    return new Date(t);
  }
  const date = new Date(now.getTime());
  const ops = /([+-]\d+|\/)([smhHdwMy])/gy;
  let at = 3;
  ops.lastIndex = at;
  while (at < trimmed.length) {
    const m = ops.exec(trimmed);
    if (!m) throw new DateMathError(`\`${text}\` is not date math: cannot read \`${trimmed.slice(at)}\``);
    at = ops.lastIndex;
    const [, op, unit] = m as unknown as [string, string, string];
    if (op === "/") roundDown(date, unit);
    else if (unit === "M") date.setUTCMonth(date.getUTCMonth() + Number(op));
    else if (unit === "y") date.setUTCFullYear(date.getUTCFullYear() + Number(op));
    else date.setTime(date.getTime() + Number(op) * units[unit]!);
  }
  return date;
}

function roundDown(date: Date, unit: string): void {
  switch (unit) {
    case "y":
      date.setUTCMonth(0, 1);
      date.setUTCHours(0, 0, 0, 0);
      return;
    case "M":
      date.setUTCDate(1);
      date.setUTCHours(0, 0, 0, 0);
      return;
    case "w": {
      // ISO weeks start on Monday.
      const day = (date.getUTCDay() + 6) % 7;
      date.setUTCDate(date.getUTCDate() - day);
      date.setUTCHours(0, 0, 0, 0);
      return;
    }
    default:
      date.setTime(Math.floor(date.getTime() / units[unit]!) * units[unit]!);
  }
}

/** The window one execution at `now` searches. Throws `DateMathError` for a `from`/`to` that does not parse. */
export function lookbackWindow(rule: EngineRule, now: Date): TimeWindow {
  const from = typeof rule.data.from === "string" ? rule.data.from : RULE_DEFAULTS.from;
  const to = typeof rule.data.to === "string" ? rule.data.to : RULE_DEFAULTS.to;
  return { from: resolveDateMath(from, now), to: resolveDateMath(to, now) };
}

/** `getPrimaryTimestamp` / `getSecondaryTimestamp` of the detection engine. */
export function ruleTimestamps(rule: EngineRule): { primary: string; secondary?: string } {
  const override =
    typeof rule.data.timestamp_override === "string" ? rule.data.timestamp_override : undefined;
  if (!override || override === "@timestamp") return { primary: "@timestamp" };
  return rule.data.timestamp_override_fallback_disabled === true
    ? { primary: override }
    : { primary: override, secondary: "@timestamp" };
}

/** A field's first value as epoch milliseconds, if it holds a date. */
export function timeAt(event: EventDocument, field: string): number | undefined {
  const value = valueAt(event, field);
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === "number") return first;
  if (typeof first !== "string") return undefined;
  const t = Date.parse(first);
  return Number.isNaN(t) ? undefined : t;
}

export interface EventTime {
  /** Epoch milliseconds; undefined when the event has no time the rule reads. */
  time?: number;
  /** The field it came from. */
  field?: string;
}

/** The time the rule reads from an event: the override, else (with fallback) `@timestamp` when the override is absent. */
export function ruleEventTime(rule: EngineRule, event: EventDocument): EventTime {
  const { primary, secondary } = ruleTimestamps(rule);
  const t = timeAt(event, primary);
  if (t !== undefined) return { time: t, field: primary };
  if (secondary && valueAt(event, primary) === undefined) {
    const s = timeAt(event, secondary);
    if (s !== undefined) return { time: s, field: secondary };
  }
  return {};
}

/** Is the event inside the window, as `buildTimeRangeFilter` decides it. */
export function inWindow(time: EventTime, window: TimeWindow): boolean {
  return time.time !== undefined && time.time >= window.from.getTime() && time.time <= window.to.getTime();
}

/** The default `now` of a case: one millisecond after its latest event, so that event is inside the window. */
export function defaultNow(times: readonly EventTime[]): Date | undefined {
  let latest: number | undefined;
  for (const t of times)
    if (t.time !== undefined && (latest === undefined || t.time > latest)) latest = t.time;
  return latest === undefined ? undefined : new Date(latest + 1);
}
