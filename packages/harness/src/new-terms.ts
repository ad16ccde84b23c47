/**
 * New terms, as Kibana's detection engine finds them (`rule_types/new_terms/execute_new_terms_aggregation_approach.ts`
 * and `multi_terms_composite.ts`, with the aggregations of `build_new_terms_aggregation.ts`), over events already
 * known to match the rule's query and filters:
 *
 * 1. the terms seen in the lookback window `[from, to]`: a composite aggregation with one `terms` source per
 *    `new_terms_fields` entry, so an event missing any of the fields gives no term, and an event with arrays gives
 *    every combination of their values;
 * 2. which of those are new: over `[history_window_start, to]`, the earliest time of each term (`min` of the
 *    rule's timestamp) must be after `from` (`bucket_selector`: `first_seen_value > start_time`);
 * 3. the alert's event: the earliest event of the lookback window with the term (`top_hits`, sorted ascending by
 *    the timestamp); `kibana.alert.new_terms` holds the term's values (`wrap_new_terms_alerts.ts`).
 *
 * Terms come in composite-aggregation order (keys ascending, field by field), and at most `max_signals` become
 * alerts.
 */
import type { DocValue } from "@dac/fields";

export type TermValue = DocValue;

export interface NewTermsEvent {
  /** When the event happened for the rule (`timestamp_override`, with its fallback), epoch milliseconds. */
  time: number;
  /** The event's values for each of the rule's `new_terms_fields`, as doc values (aggregation keys). */
  values: readonly (readonly TermValue[])[];
}

export interface NewTermsWindow {
  /** `history_window_start` resolved at the execution's `now`. */
  historyStart: number;
  /** The lookback window: `from` and `to` resolved at `now`. */
  from: number;
  to: number;
}

/** One term (or combination) seen in the lookback window, and what the history says of it. */
export interface TermSighting {
  terms: TermValue[];
  /** Earliest sighting in the history window and the lookback window together. */
  firstSeen: number;
  /** The event seen then (position in the input). */
  firstEvent: number;
  /** The earliest event of the lookback window with the term: the one an alert is built from. */
  windowEvent: number;
  isNew: boolean;
}

export interface NewTermsResult {
  /** One per new term, in composite order, at most `maxSignals`. */
  alerts: { event: number; terms: TermValue[] }[];
  /** Every term of the lookback window, new or not, in composite order (for explanations). */
  sightings: TermSighting[];
}

/** Every combination of one value per field (the composite aggregation's buckets for one document). */
export function termCombinations(values: readonly (readonly TermValue[])[]): TermValue[][] {
  let out: TermValue[][] = [[]];
  for (const field of values) {
    if (field.length === 0) return [];
    const next: TermValue[][] = [];
    for (const prefix of out) for (const v of field) next.push([...prefix, v]);
    out = next;
  }
  return out;
}

/** The composite aggregation's key order: per source, numbers numerically, strings by code point, false < true. */
export function compareTerms(a: readonly TermValue[], b: readonly TermValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValue(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareValue(a: TermValue, b: TermValue): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return +a - +b;
  const x = String(a);
  const y = String(b);
  // UTF-8 byte order is code point order; JavaScript's < compares UTF-16 units, which differs above U+FFFF.
  const xs = [...x];
  const ys = [...y];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const d = xs[i]!.codePointAt(0)! - ys[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return xs.length - ys.length;
}

function termKey(terms: readonly TermValue[]): string {
  return JSON.stringify(terms);
}

/**
 * The new terms of one execution. `events` are the events that match the rule's query and filters, with their
 * times and values; those outside `[historyStart, to]` are not searched at all.
 */
export function findNewTerms(
  events: readonly NewTermsEvent[],
  window: NewTermsWindow,
  maxSignals: number,
): NewTermsResult {
  const byKey = new Map<string, TermSighting>();
  // Phase 1: the terms of the lookback window, with their earliest event there.
  events.forEach((event, position) => {
    if (event.time < window.from || event.time > window.to) return;
    for (const terms of termCombinations(event.values)) {
      const key = termKey(terms);
      const seen = byKey.get(key);
      if (!seen)
        byKey.set(key, {
          terms,
          firstSeen: event.time,
          firstEvent: position,
          windowEvent: position,
          isNew: false,
        });
      else if (event.time < events[seen.windowEvent]!.time) seen.windowEvent = position;
    }
  });
  // Phase 2: the earliest sighting over the history window too.
  events.forEach((event, position) => {
    if (event.time < window.historyStart || event.time > window.to) return;
    for (const terms of termCombinations(event.values)) {
      const seen = byKey.get(termKey(terms));
      if (seen && event.time < seen.firstSeen) {
        seen.firstSeen = event.time;
        seen.firstEvent = position;
      }
    }
  });
  const sightings = [...byKey.values()].sort((a, b) => compareTerms(a.terms, b.terms));
  for (const s of sightings) s.isNew = s.firstSeen > window.from;
  // Phase 3: one alert per new term, from its earliest event in the lookback window.
  const alerts = sightings
    .filter((s) => s.isNew)
    .slice(0, maxSignals)
    .map((s) => ({ event: s.windowEvent, terms: s.terms }));
  return { alerts, sightings };
}

/** Why a term did not alert, in words: "term alice seen at 2026-02-27T10:00Z, inside the history window". */
export function describeSighting(
  sighting: TermSighting,
  fields: readonly string[],
  window: NewTermsWindow,
): string {
  const what =
    fields.length === 1
      ? `term ${String(sighting.terms[0])}`
      : `terms ${fields.map((f, i) => `${f}=${String(sighting.terms[i])}`).join(", ")}`;
  const at = shortTime(sighting.firstSeen);
  if (sighting.isNew) return `${what} is new: first seen at ${at}, inside the lookback window`;
  if (sighting.firstSeen === window.from)
    return `${what} first seen at ${at}, exactly the start of the lookback window: Kibana counts a term as new only when first seen after it`;
  return `${what} seen at ${at}, inside the history window (from ${shortTime(window.historyStart)})`;
}

/** ISO time without zero seconds and milliseconds: 2026-02-27T10:00Z. */
export function shortTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/:00\.000Z$/, "Z").replace(/\.000Z$/, "Z");
}
