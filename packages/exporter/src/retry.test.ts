import { describe, expect, it } from "vitest";
import { backoffDelay, defaultRetryPolicy, errorCode, parseRetryAfter } from "./retry.js";

describe("backoffDelay", () => {
  it.each([
    [1, 0, 250],
    [1, 1, 500],
    [2, 0, 500],
    [3, 1, 2000],
    [5, 1, 8000],
    [9, 1, 8000],
    [9, 0, 4000],
  ])("retry %i with random %d waits %i ms", (retry, random, expected) => {
    expect(backoffDelay(retry, defaultRetryPolicy, () => random)).toBe(expected);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it.each<[string | null, number | undefined]>([
    ["3", 3000],
    ["0", 0],
    ["Thu, 01 Jan 2026 00:00:10 GMT", 10_000],
    ["Wed, 31 Dec 2025 23:59:00 GMT", 0],
    ["soon", undefined],
    [null, undefined],
    ["", undefined],
  ])("%s → %s ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe("errorCode", () => {
  it("finds the code along the cause chain", () => {
    const error = new TypeError("fetch failed", {
      cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }),
    });
    expect(errorCode(error)).toBe("UND_ERR_SOCKET");
    expect(errorCode(new Error("plain"))).toBeUndefined();
  });
});
