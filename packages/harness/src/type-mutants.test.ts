import { describe, expect, it } from "vitest";
import { historyOneHourLater, typeMutants } from "./type-mutants.js";

describe("typeMutants", () => {
  it("drops each of several new_terms fields and starts the history an hour later", () => {
    const mutants = typeMutants({
      file: "r.yaml",
      data: {
        type: "new_terms",
        new_terms_fields: ["user.name", "process.executable"],
        history_window_start: "now-14d",
      },
    } as never);
    expect(mutants.map((m) => [m.operator, m.description])).toEqual([
      ["drop-new-terms-field", "new_terms_fields without `user.name`"],
      ["drop-new-terms-field", "new_terms_fields without `process.executable`"],
      ["shorten-history", "history_window_start `now-14d` → `now-335h`"],
    ]);
    expect(mutants[0]!.data.new_terms_fields).toEqual(["process.executable"]);
  });

  it("adds host.name to a single field", () => {
    const [m] = typeMutants({
      file: "r.yaml",
      data: { type: "new_terms", new_terms_fields: ["user.name"] },
    } as never);
    expect(m!.data.new_terms_fields).toEqual(["user.name", "host.name"]);
  });

  it("drops entries of a group of several, and whole groups", () => {
    const mapping = [
      {
        entries: [
          { field: "a", type: "mapping", value: "ta" },
          { field: "b", type: "mapping", value: "tb" },
        ],
      },
      { entries: [{ field: "c", type: "mapping", value: "tc" }] },
    ];
    const mutants = typeMutants({
      file: "r.yaml",
      data: { type: "threat_match", threat_mapping: mapping },
    } as never);
    expect(mutants.map((m) => m.operator)).toEqual([
      "drop-mapping-entry",
      "drop-mapping-entry",
      "drop-mapping-group",
      "drop-mapping-group",
    ]);
    expect(mutants[1]!.data.threat_mapping).toEqual([{ entries: [mapping[0]!.entries[0]] }, mapping[1]]);
  });

  it.each([
    ["now-7d", "now-167h"],
    ["now-2h", "now-1h"],
    ["now-1h", undefined],
    ["now-7d/d", undefined],
    ["2026-01-01T00:00:00Z", undefined],
  ])("historyOneHourLater(%s) = %s", (start, want) => {
    expect(historyOneHourLater(start)).toBe(want);
  });
});

describe("typeMutants shown and path", () => {
  it("names the setting and where it is", () => {
    const [drop, , later] = typeMutants({
      file: "r.yaml",
      data: { type: "new_terms", new_terms_fields: ["a", "b"], history_window_start: "now-7d" },
    } as never);
    expect([drop!.shown, drop!.path]).toEqual(["new_terms_fields: [b]", ["new_terms_fields", 0]]);
    expect([later!.shown, later!.path]).toEqual(["history_window_start: now-167h", ["history_window_start"]]);
  });
});

describe("typeExecution", () => {
  it("runs a mutated new_terms rule on a compiled query; other types are not its business", async () => {
    const { fieldCatalog } = await import("@dac/fields");
    const { kqlEngine } = await import("./kql-engine.js");
    const { typeExecution } = await import("./type-alerts.js");
    const catalog = fieldCatalog({ ecs: true });
    const rule = {
      file: "r.yaml",
      data: { type: "new_terms", query: "", new_terms_fields: ["user.name"], history_window_start: "now-7d" },
    } as never;
    const compiled = kqlEngine.compile!(rule, { catalog });
    const events = [
      { "@timestamp": "2026-02-28T00:00:00Z", user: { name: "a" } },
      { "@timestamp": "2026-03-01T09:59:00Z", user: { name: "a" } },
    ];
    const range = { from: new Date("2026-03-01T09:50:00Z"), to: new Date("2026-03-01T10:00:00Z") };
    expect(typeExecution(rule, { events, catalog, range }, compiled)!.alerts).toEqual([]);
    const [shorter] = typeMutants({
      file: "r.yaml",
      data: { ...(rule as { data: object }).data, history_window_start: "now-1h" },
    } as never).filter((m) => m.operator === "add-new-terms-field");
    expect(shorter).toBeDefined();
    const query = { file: "r.yaml", data: { type: "query", query: "" } } as never;
    expect(typeExecution(query, { events, catalog, range }, compiled)).toBeUndefined();
  });
});
