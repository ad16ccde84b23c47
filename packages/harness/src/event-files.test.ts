import { describe, expect, it } from "vitest";
import { parseEventFile } from "./event-files.js";
import { jsonErrorOffset, jsonValueOffsets, pathKey } from "./json-offsets.js";

const lines = (r: ReturnType<typeof parseEventFile>) => r.events.map((e) => e.location.line);

describe("parseEventFile", () => {
  it("reads one JSON object", () => {
    const r = parseEventFile("a.json", '{\n  "event": {"dataset": "x"}\n}\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.events).toEqual([
      {
        document: { event: { dataset: "x" } },
        location: { file: "a.json", line: 1, column: 1 },
        ordinal: 0,
        inMany: false,
      },
    ]);
  });

  it("reads a JSON array, each event at its own line", () => {
    const r = parseEventFile("a.json", '[\n  {"a": 1},\n\n  {"a": [2, {"x": "]"}]},\n  {"a": "\\"}"}\n]');
    expect(r.diagnostics).toEqual([]);
    expect(r.events.map((e) => e.document)).toEqual([{ a: 1 }, { a: [2, { x: "]" }] }, { a: '"}' }]);
    expect(lines(r)).toEqual([2, 4, 5]);
    expect(r.events.map((e) => e.location.column)).toEqual([3, 3, 3]);
    expect(r.events.every((e) => e.inMany)).toBe(true);
  });

  it("keeps the good lines of an ndjson file with a bad one", () => {
    const r = parseEventFile("a.ndjson", '{"a":1}\n{"a":}\n');
    expect(r.events.map((e) => e.document)).toEqual([{ a: 1 }]);
    expect(r.diagnostics).toMatchObject([{ code: "DAC501", line: 2, column: 6 }]);
  });

  it("reads ndjson, skipping blank lines", () => {
    const r = parseEventFile("a.ndjson", '{"a":1}\n\n{"a":2}\n');
    expect(r.events.map((e) => e.document)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(lines(r)).toEqual([1, 3]);
  });

  it("accepts ndjson pasted into a .json file", () => {
    const r = parseEventFile("a.json", '{"a":1}\n{"a":2}\n');
    expect(r.diagnostics).toEqual([]);
    expect(lines(r)).toEqual([1, 2]);
  });

  it("unwraps a search response to _source and keeps _index and _id", () => {
    const response = {
      took: 3,
      timed_out: false,
      hits: {
        total: { value: 2, relation: "eq" },
        hits: [
          { _index: ".ds-logs-k-default-2025.03.04-000001", _id: "a", _score: 1, _source: { n: 1 } },
          { _index: "logs-other", _id: "b", _score: 1, _source: { n: 2 } },
        ],
      },
    };
    const r = parseEventFile("r.json", JSON.stringify(response, null, 2));
    expect(r.diagnostics).toEqual([]);
    expect(r.events.map((e) => [e.document, e.index, e.id])).toEqual([
      [{ n: 1 }, ".ds-logs-k-default-2025.03.04-000001", "a"],
      [{ n: 2 }, "logs-other", "b"],
    ]);
    expect(lines(r)).toEqual([10, 18]);
  });

  it("unwraps hits pasted as an array or one per ndjson line", () => {
    const r = parseEventFile(
      "h.ndjson",
      '{"_index":"i1","_id":"1","_source":{"n":1}}\n{"_id":"2","_source":{"n":2}}',
    );
    expect(r.events.map((e) => [e.document, e.index])).toEqual([
      [{ n: 1 }, "i1"],
      [{ n: 2 }, undefined],
    ]);
  });

  it.each([
    [
      "a.json",
      '[1, {"a": 1}, null]',
      ["item 0 is a number, not a JSON object", "item 2 is null, not a JSON object"],
      [1, 1],
    ],
    [
      "a.ndjson",
      '{"a":1}\n"text"\n[1]',
      ["the event is a string, not a JSON object", "item 0 is a number, not a JSON object"],
      [2, 3],
    ],
    [
      "a.json",
      '{"hits":{"hits":[{"_index":"x","_source":"s"}]}}',
      ["hit 0's _source is a string, not a JSON object"],
      [1],
    ],
  ])("reports events that are not objects (%s %s)", (file, text, messages, at) => {
    const r = parseEventFile(file, text);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual(messages.map((m) => ["DAC502", m]));
    expect(r.diagnostics.map((d) => d.line)).toEqual(at);
  });

  it.each([
    ["a.json", '{\n  "a": 1,\n  "b" 2}', 3, 7],
    ["a.json", "", 1, 1],
    ["a.json", "[]", 1, 1],
    ["a.ndjson", '{"a":}\n', 1, 6],
  ])("reports an unparsable or empty file at the spot (%s)", (file, text, line, column) => {
    const r = parseEventFile(file, text);
    expect(r.events).toEqual([]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: "DAC501", severity: "error", file, line, column });
  });
});

describe("jsonValueOffsets", () => {
  it("finds the values at one depth by path, skipping what lies deeper", () => {
    const text = '{"a": [10, {"b": "x]}\\\\"}, "\\"["], "c\\"d": null, "e": -1.5e3}';
    expect(() => JSON.parse(text)).not.toThrow();
    expect([...jsonValueOffsets(text, 0)]).toEqual([[pathKey([]), 0]]);
    expect([...jsonValueOffsets(text, 1)]).toEqual([
      [pathKey(["a"]), text.indexOf("[")],
      [pathKey(['c"d']), text.indexOf("null")],
      [pathKey(["e"]), text.indexOf("-1.5e3")],
    ]);
    expect([...jsonValueOffsets(text, 2)]).toEqual([
      [pathKey(["a", 0]), text.indexOf("10")],
      [pathKey(["a", 1]), text.indexOf('{"b"')],
      [pathKey(["a", 2]), text.indexOf('"\\"["')],
    ]);
  });
});

describe("jsonErrorOffset", () => {
  it.each([
    ['{"a":1}', -1],
    ['[1, 2.5e3, -0, true, false, null, "x\\u00e9\\n"]', -1],
    ['{"a":}', 5],
    ["[1,]", 3],
    ['{"a" 1}', 5],
    ["[01]", 2],
    ['"tab\there"', 4],
    ["[1] x", 4],
    ["[1", 2],
    ['{"a":1,}', 7],
    ["nul", 3],
    ['"\\x"', 2],
  ])("%s → %i", (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });
});
