import { describe, expect, it } from "vitest";
import type { KqlNode } from "./ast.js";
import { fieldCatalog } from "@dac/fields";
import { compile, KqlEvaluationError } from "./evaluate.js";
import { KqlSyntaxError } from "./errors.js";

const span = { start: 0, end: 0 };
const field = (name: string) => ({ type: "field" as const, name, wildcard: null, quoted: false, span });
const literal = (value: string, quoted = false) => ({ type: "literal" as const, value, quoted, span });

function evaluationError(run: () => unknown): KqlEvaluationError {
  try {
    run();
  } catch (error) {
    if (error instanceof KqlEvaluationError) return error;
    throw error;
  }
  throw new Error("expected a KqlEvaluationError");
}

describe("compile", () => {
  it("takes a syntax tree as well as a string", () => {
    const tree: KqlNode = {
      type: "and",
      span,
      children: [
        { type: "is", field: field("event.dataset"), value: literal("kubernetes.audit_logs", true), span },
        {
          type: "not",
          span,
          child: { type: "is", field: field("kubernetes.audit.verb"), value: literal("get"), span },
        },
      ],
    };
    const matches = compile(tree);
    expect(
      matches({ event: { dataset: "kubernetes.audit_logs" }, kubernetes: { audit: { verb: "create" } } }),
    ).toBe(true);
    expect(
      matches({ event: { dataset: "kubernetes.audit_logs" }, kubernetes: { audit: { verb: "get" } } }),
    ).toBe(false);
  });

  it("defaults to ECS with unknown fields as keyword", () => {
    expect(compile("process.name:cmd.exe")({ process: { name: "cmd.exe" } })).toBe(true);
    expect(compile("process.name:CMD.EXE")({ process: { name: "cmd.exe" } })).toBe(false);
    expect(compile("process.name.text:CMD")({ process: { name: "cmd.exe" } })).toBe(false);
    // A wildcard-type field gets query_string, which splits at whitespace: `*powershell` OR `-enc*`.
    const encoded = compile("process.command_line:*powershell -enc*");
    expect(encoded({ process: { command_line: "C:\\powershell" } })).toBe(true);
    expect(encoded({ process: { command_line: "powershell.exe -enc AAA" } })).toBe(false);
    expect(compile("my.custom.field:x")({ my: { custom: { field: "x" } } })).toBe(true);
  });

  it("reads now once, when compiling", () => {
    let calls = 0;
    const now = () => (calls++, new Date("2024-05-15T12:00:00Z"));
    const matches = compile("@timestamp >= now-1h", { now });
    expect(matches({ "@timestamp": "2024-05-15T11:30:00Z" })).toBe(true);
    expect(matches({ "@timestamp": "2024-05-15T10:30:00Z" })).toBe(false);
    expect(calls).toBe(1);
  });

  it("searches only the default fields with free text", () => {
    const doc = { message: "disk full", host: { name: "disk" } };
    expect(compile("disk")(doc)).toBe(true);
    expect(compile("disk", { defaultFields: ["message"] })({ host: { name: "disk" } })).toBe(false);
    expect(compile("full", { defaultFields: ["mess*"] })(doc)).toBe(true);
  });

  it("names the field, value, type and clause of an error Elasticsearch would raise", () => {
    const catalog = fieldCatalog({ mappings: [{ properties: { bytes: { type: "long" } } }] });
    const query = "status:ok and bytes:abc";
    const error = evaluationError(() => compile(query, { catalog }));
    expect(error.message).toBe('long field `bytes`: For input string: "abc"');
    expect(error).toMatchObject({ field: "bytes", value: "abc", fieldType: "long" });
    expect(query.slice(error.span!.start, error.span!.end)).toBe("bytes:abc");
  });

  it.each([
    [
      "event.original:x",
      "Cannot search on field [event.original] since it is not indexed nor has doc values.",
    ],
    ["host.name:null", "rejects a query for null"],
    ["@timestamp > soon", "failed to parse date field [soon]"],
    ["threat.enrichments.indicator.ip:10.0.0.1", "is a nested field, but is not in a nested group"],
  ])("refuses %s", (query, message) => {
    expect(evaluationError(() => compile(query)).message).toContain(message);
  });

  it("refuses what it cannot model rather than guess", () => {
    const catalog = fieldCatalog({
      mappings: [
        {
          properties: {
            t: { type: "text", analyzer: "english" },
            k: { type: "keyword", normalizer: "my_ascii_folding" },
            g: { type: "geo_point" },
            d: { type: "date", format: "MMM dd yyyy" },
            s: { type: "scaled_float" },
          },
        },
      ],
    });
    for (const [query, message] of [
      ["t:running", "analyzer `english`"],
      ["k:X", "normalizer `my_ascii_folding`"],
      ["g:1", "geo_point"],
      ["d > 2024", "pattern letter 'M'"],
      ["s:1", "scaling_factor"],
    ]) {
      expect(evaluationError(() => compile(query!, { catalog })).message, query).toContain(message);
    }
    expect(compile("g:*", { catalog })({ g: { lat: 1, lon: 2 } })).toBe(true);
    expect(evaluationError(() => compile("s:*", { catalog })).message).toContain("scaling_factor");
    // Free text is lenient about values, not about what the engine cannot model.
    expect(evaluationError(() => compile("running", { catalog })({ t: "running" })).message).toContain(
      "english",
    );
  });

  it("passes syntax errors through", () => {
    expect(() => compile("a:(b")).toThrow(KqlSyntaxError);
  });

  it("ignores values it cannot index instead of failing at evaluation", () => {
    const catalog = fieldCatalog({ mappings: [{ properties: { n: { type: "long" }, ip: { type: "ip" } } }] });
    const matches = compile("n:1 or ip:10.0.0.0/8", { catalog });
    expect(matches({ n: ["x", { a: 1 }, null, 1], ip: "nope" })).toBe(true);
    expect(matches({ n: "x", ip: ["nope", 7] })).toBe(false);
  });
});
