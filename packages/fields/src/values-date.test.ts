import { describe, expect, it } from "vitest";
import { ValueParseError } from "./query-error.js";
import {
  dateFormat,
  dateFromDocument,
  dateKey,
  formatInstant,
  parseDateMath,
  roundsUp,
  type Instant,
} from "./values-date.js";

const iso = (i: Instant | undefined) => (i ? formatInstant(i) : undefined);
const NOW: Instant = { ms: Date.parse("2024-05-15T12:34:56.789Z"), ns: 0 };

describe("strict_date_optional_time||epoch_millis", () => {
  const format = dateFormat();
  it.each([
    ["2024-05-15T10:11:12.123Z", "2024-05-15T10:11:12.123Z"],
    ["2024-05-15T10:11:12Z", "2024-05-15T10:11:12.000Z"],
    ["2024-05-15T10:11:12.123456Z", "2024-05-15T10:11:12.123456000Z"],
    ["2024-05-15T10:11:12+02:00", "2024-05-15T08:11:12.000Z"],
    ["2024-05-15T10:11:12-0130", "2024-05-15T11:41:12.000Z"],
    ["2024-05-15T10:11", "2024-05-15T10:11:00.000Z"],
    ["2024-05-15", "2024-05-15T00:00:00.000Z"],
    ["2024-05", "2024-05-01T00:00:00.000Z"],
    ["2024", "2024-01-01T00:00:00.000Z"],
    ["1715768472000", "2024-05-15T10:21:12.000Z"],
    ["-1000", "1969-12-31T23:59:59.000Z"],
  ])("%s → %s", (text, expected) => expect(iso(format.parse(text, false))).toBe(expected));

  it.each(["2024-5-15", "2024-02-30", "2024-05-15T25:00", "yesterday", "2024-05-15 10:00", ""])(
    "%j does not parse",
    (text) => expect(format.parse(text, false)).toBeUndefined(),
  );

  // Rounding up fills missing time fields with their maximum, but missing month/day default to 1 (a month value
  // covers only its first day) — JavaDateMathParser roundUp behaviour.
  it.each([
    ["2024-05-15", "2024-05-15T23:59:59.999999999Z"],
    ["2024-05-15T10", "2024-05-15T10:59:59.999999999Z"],
    ["2024-05", "2024-05-01T23:59:59.999999999Z"],
    ["2024", "2024-01-01T23:59:59.999999999Z"],
    ["2024-05-15T10:11:12.5Z", "2024-05-15T10:11:12.500Z"],
    ["1715768472000", "2024-05-15T10:21:12.000999999Z"],
  ])("rounding %s up → %s", (text, expected) => expect(iso(format.parse(text, true))).toBe(expected));
});

describe("other formats", () => {
  it.each([
    ["date_optional_time", "2024-5-1T3:04", "2024-05-01T03:04:00.000Z"],
    ["strict_date", "2024-05-15", "2024-05-15T00:00:00.000Z"],
    ["epoch_second", "1715768472", "2024-05-15T10:21:12.000Z"],
    ["epoch_second", "1715768472.25", "2024-05-15T10:21:12.250Z"],
    ["basic_date", "20240515", "2024-05-15T00:00:00.000Z"],
    ["strict_date_time_no_millis", "2024-05-15T10:11:12Z", "2024-05-15T10:11:12.000Z"],
    ["yyyy-MM-dd HH:mm:ss", "2024-05-15 10:11:12", "2024-05-15T10:11:12.000Z"],
    ["yyyyMMdd'T'HHmmss", "20240515T101112", "2024-05-15T10:11:12.000Z"],
    ["dd/MM/yyyy||epoch_millis", "15/05/2024", "2024-05-15T00:00:00.000Z"],
  ])("%s parses %s", (format, text, expected) =>
    expect(iso(dateFormat(format).parse(text, false))).toBe(expected),
  );

  it("rejects formats it cannot model", () => {
    expect(() => dateFormat("MMM d, yyyy")).toThrow(ValueParseError);
    expect(() => dateFormat("week_date")).toThrow(/not supported/);
  });
});

describe("date math against a fixed now (2024-05-15T12:34:56.789Z, UTC)", () => {
  const format = dateFormat();
  it.each([
    ["now", false, "2024-05-15T12:34:56.789Z"],
    ["now-1d", false, "2024-05-14T12:34:56.789Z"],
    ["now-1d/d", false, "2024-05-14T00:00:00.000Z"],
    ["now-1d/d", true, "2024-05-14T23:59:59.999Z"],
    ["now/M", false, "2024-05-01T00:00:00.000Z"],
    ["now/M", true, "2024-05-31T23:59:59.999Z"],
    ["now/y", false, "2024-01-01T00:00:00.000Z"],
    ["now/w", false, "2024-05-13T00:00:00.000Z"],
    ["now+2h/h", false, "2024-05-15T14:00:00.000Z"],
    ["now-90m", false, "2024-05-15T11:04:56.789Z"],
    ["now-30s", false, "2024-05-15T12:34:26.789Z"],
    ["2024-01-31||+1M", false, "2024-02-29T00:00:00.000Z"],
    ["2023-01-31||+1M", false, "2023-02-28T00:00:00.000Z"],
    ["2024-02-29||+1y", false, "2025-02-28T00:00:00.000Z"],
    ["2024-05-15||/d", true, "2024-05-15T23:59:59.999Z"],
    ["2024-05-15", true, "2024-05-15T23:59:59.999999999Z"],
  ])("%s (round up: %s) → %s", (text, up, expected) =>
    expect(formatInstant(parseDateMath(text, format, NOW, up))).toBe(expected),
  );

  it.each([
    ["now-2D", "unit [D] not supported for date math [-2D]"],
    ["now-", "truncated date math [-]"],
    ["now*2d", "operator not supported for date math [*2d]"],
    ["now/2d", "rounding `/` can only be used on single unit types [/2d]"],
    [
      "tomorrow",
      "failed to parse date field [tomorrow] with format [strict_date_optional_time||epoch_millis]",
    ],
    ["x||+1d", "failed to parse date field [x] with format [strict_date_optional_time||epoch_millis]"],
  ])("%s is an error: %s", (text, message) => {
    expect(() => parseDateMath(text, format, NOW, false)).toThrow(message);
  });

  it("rounds gt and lte bounds up", () => {
    expect(["gt", "gte", "lt", "lte"].map((op) => roundsUp(op as "gt"))).toEqual([true, false, false, true]);
  });
});

describe("document values and keys", () => {
  const format = dateFormat();
  it("reads strings and epoch numbers; drops the rest", () => {
    expect(iso(dateFromDocument("2024-05-15T10:00:00Z", format))).toBe("2024-05-15T10:00:00.000Z");
    expect(iso(dateFromDocument(1715767200000, format))).toBe("2024-05-15T10:00:00.000Z");
    expect(dateFromDocument("", format)).toBeUndefined();
    expect(dateFromDocument("not a date", format)).toBeUndefined();
    expect(dateFromDocument(true, format)).toBeUndefined();
  });

  it("keeps nanoseconds only for date_nanos", () => {
    const i = format.parse("2024-05-15T10:11:12.123456789Z", false)!;
    expect(dateKey(i, false)).toBe(Date.parse("2024-05-15T10:11:12.123Z"));
    expect(dateKey(i, true)).toBe(BigInt(Date.parse("2024-05-15T10:11:12.123Z")) * 1_000_000n + 456_789n);
  });
});
