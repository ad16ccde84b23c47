import { describe, expect, it } from "vitest";
import { alertMismatches } from "./contains.js";

const alert = {
  "user.name": "alice",
  source: { ip: "10.0.0.5" },
  "kibana.alert.original_time": "2026-03-01T10:00:00.000Z",
  "kibana.alert.threshold_result": {
    terms: [{ field: "user.name", value: "alice" }],
    count: 5,
    from: "2026-03-01T09:58:00.000Z",
  },
};

describe("an alert contains a partial alert document", () => {
  it.each([
    ["a dotted key", { "user.name": "alice" }, []],
    ["a nested key for a nested source", { source: { ip: "10.0.0.5" } }, []],
    ["a dotted key for a nested source", { "source.ip": "10.0.0.5" }, []],
    ["a nested key into a dotted alert field", { kibana: { alert: { threshold_result: { count: 5 } } } }, []],
    ["an instant written without milliseconds", { "kibana.alert.original_time": "2026-03-01T10:00:00Z" }, []],
    [
      "a list, whole and in order",
      { "kibana.alert.threshold_result.terms": [{ field: "user.name", value: "alice" }] },
      [],
    ],
    ["a wrong count", { "kibana.alert.threshold_result.count": 4 }, ["kibana.alert.threshold_result.count"]],
    ["an absent field", { "kibana.alert.new_terms": ["alice"] }, ["kibana.alert.new_terms"]],
    [
      "a list with an extra entry",
      {
        "kibana.alert.threshold_result.terms": [
          { field: "user.name", value: "alice" },
          { field: "x", value: 1 },
        ],
      },
      ["kibana.alert.threshold_result.terms"],
    ],
    [
      "a different instant",
      { "kibana.alert.original_time": "2026-03-01T10:00:01Z" },
      ["kibana.alert.original_time"],
    ],
  ])("%s", (_name, partial, fields) => {
    expect(alertMismatches(alert, partial as Record<string, unknown>).map((m) => m.field)).toEqual(fields);
  });
});
