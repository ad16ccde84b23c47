import { describe, expect, it } from "vitest";
import { contentHash } from "./canonical.js";
import { buildPayloads, payloadFields, remoteToPayload, toKibanaPayload } from "./payload.js";
import { fakeRequiredFields, seedLikeRules } from "./test-support.js";
import type { RuleData } from "./types.js";

const minimal: RuleData = {
  rule_id: "r1",
  name: "Minimal",
  description: "d",
  type: "query",
  query: "event.action:x",
  severity: "low",
  risk_score: 21,
  metadata: { maturity: "development", created: "2026-01-01", updated: "2026-01-01", integration: "custom" },
};

describe("toKibanaPayload", () => {
  it("drops metadata, writes Kibana's defaults, adds version and the management tag", () => {
    const payload = toKibanaPayload(minimal, { version: 3 });
    expect(payload).toEqual({
      rule_id: "r1",
      name: "Minimal",
      description: "d",
      type: "query",
      language: "kuery",
      query: "event.action:x",
      severity: "low",
      severity_mapping: [],
      risk_score: 21,
      risk_score_mapping: [],
      enabled: false,
      interval: "5m",
      from: "now-6m",
      to: "now",
      max_signals: 100,
      version: 3,
      tags: ["Managed by: dac"],
      author: [],
      references: [],
      false_positives: [],
      threat: [],
      setup: "",
      related_integrations: [],
      required_fields: [],
      exceptions_list: [],
      actions: [],
    });
    expect(payload).not.toHaveProperty("metadata");
  });

  it.each([
    ["query", { language: "kuery", query: "" }],
    ["threshold", { language: "kuery" }],
    ["new_terms", { language: "kuery" }],
    ["eql", {}],
    ["esql", {}],
    ["machine_learning", {}],
  ])("applies the %s type defaults", (type, expected) => {
    const { query: _q, ...rest } = minimal;
    const payload = toKibanaPayload({ ...rest, type }, { version: 1 });
    for (const key of ["language", "query"]) {
      if (key in expected) expect(payload[key]).toBe((expected as Record<string, unknown>)[key]);
      else expect(payload).not.toHaveProperty(key);
    }
  });

  it("keeps values the rule sets over the defaults", () => {
    const payload = toKibanaPayload(
      { ...minimal, enabled: true, interval: "1m", from: "now-2m", max_signals: 5 },
      { version: 1 },
    );
    expect(payload).toMatchObject({ enabled: true, interval: "1m", from: "now-2m", max_signals: 5 });
  });

  it("puts the management tag last exactly once, with a configurable tag", () => {
    const payload = toKibanaPayload(
      { ...minimal, tags: ["a", "Owned: sec", "b"] },
      { version: 1, managementTag: "Owned: sec" },
    );
    expect(payload.tags).toEqual(["a", "b", "Owned: sec"]);
  });

  it("derives required_fields from the query, unique and sorted by name", () => {
    const rule = { ...minimal, query: "user.name:a and event.action:b and user.name:c" };
    const payload = toKibanaPayload(rule, { version: 1, requiredFields: fakeRequiredFields });
    expect(payload.required_fields).toEqual([
      { name: "event.action", type: "keyword" },
      { name: "user.name", type: "keyword" },
    ]);
  });

  it("keeps listed required_fields (sorted) over derived ones", () => {
    const rule = {
      ...minimal,
      required_fields: [
        { name: "z", type: "long" },
        { name: "a", type: "ip" },
      ],
    };
    const payload = toKibanaPayload(rule, { version: 1, requiredFields: fakeRequiredFields });
    expect(payload.required_fields).toEqual([
      { name: "a", type: "ip" },
      { name: "z", type: "long" },
    ]);
  });

  it("has a key order that does not depend on the YAML's", () => {
    const reversed = Object.fromEntries(Object.entries(seedLikeRules()[0]!.data).reverse()) as RuleData;
    const a = JSON.stringify(toKibanaPayload(seedLikeRules()[0]!.data, { version: 1 }));
    const b = JSON.stringify(toKibanaPayload(reversed, { version: 1 }));
    expect(b).toBe(a);
    expect(Object.keys(JSON.parse(a)).slice(0, 4)).toEqual(["rule_id", "name", "description", "type"]);
  });

  it("hashes content without the version", () => {
    const v1 = toKibanaPayload(minimal, { version: 1 });
    const v2 = toKibanaPayload(minimal, { version: 2 });
    expect(contentHash(v1)).toBe(contentHash(v2));
    expect(contentHash(toKibanaPayload({ ...minimal, name: "Other" }, { version: 1 }))).not.toBe(
      contentHash(v1),
    );
  });

  it("hashes the unordered fields (as the lock does) exactly as the ordered payload", () => {
    for (const { data } of seedLikeRules()) {
      const options = { version: 3, requiredFields: fakeRequiredFields };
      expect(payloadFields(data, options)).toEqual(toKibanaPayload(data, options));
      expect(contentHash(payloadFields(data, options))).toBe(contentHash(toKibanaPayload(data, options)));
    }
  });
});

describe("buildPayloads", () => {
  it("validates each payload against schemas/kibana and reports failures per rule", () => {
    const rules = [
      { file: "ok.yaml", data: minimal },
      { file: "bad.yaml", data: { ...minimal, rule_id: "r2", severity: "urgent" } },
      { file: "typo.yaml", data: { ...minimal, rule_id: "r3", max_signal: 5 } },
      { file: "nolock.yaml", data: { ...minimal, rule_id: "r4" } },
    ];
    const versions: Record<string, number> = { r1: 1, r2: 1, r3: 1 };
    const { payloads, errors } = buildPayloads(rules, { versionOf: (id) => versions[id] });
    expect(payloads.map((p) => p.payload.rule_id)).toEqual(["r1"]);
    expect(errors).toEqual([
      {
        rule_id: "r2",
        file: "bad.yaml",
        message: expect.stringContaining('/severity: must be one of "low", "medium", "high", "critical"'),
      },
      { rule_id: "r3", file: "typo.yaml", message: expect.stringContaining('unknown field "max_signal"') },
      { rule_id: "r4", file: "nolock.yaml", message: "no version in the lock file; run `dac version`" },
    ]);
  });
});

describe("remoteToPayload", () => {
  it("removes server-only fields and ecs flags, so a published rule reads back as its payload", () => {
    const payload = toKibanaPayload(seedLikeRules()[0]!.data, {
      version: 204,
      requiredFields: fakeRequiredFields,
    });
    const remote = {
      ...payload,
      id: "5f0c1f4e-0000-4000-8000-000000000000",
      immutable: false,
      rule_source: { type: "internal" },
      created_at: "2026-01-01T00:00:00.000Z",
      created_by: "elastic",
      updated_at: "2026-01-01T00:00:00.000Z",
      updated_by: "elastic",
      revision: 3,
      output_index: "",
      execution_summary: { last_execution: {} },
      required_fields: (payload.required_fields as { name: string; type: string }[]).map((f) => ({
        ...f,
        ecs: true,
      })),
    };
    expect(JSON.stringify(remoteToPayload(remote))).toBe(JSON.stringify(payload));
  });
});
