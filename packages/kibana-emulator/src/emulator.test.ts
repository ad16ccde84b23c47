import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index.js";

const apiKey = "test-key-123";
const headers = {
  authorization: `ApiKey ${apiKey}`,
  "kbn-xsrf": "true",
  "elastic-api-version": "2023-10-31",
};

function rule(ruleId: string, extra: Record<string, unknown> = {}) {
  return {
    rule_id: ruleId,
    name: `Rule ${ruleId}`,
    description: "d",
    risk_score: 21,
    severity: "low",
    type: "query",
    query: "event.action:x",
    language: "kuery",
    ...extra,
  };
}

let emu: Emulator;

async function call(
  method: string,
  path: string,
  options: { json?: unknown; headers?: Record<string, string | undefined>; form?: FormData } = {},
) {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...headers, ...options.headers })) if (v !== undefined) merged[k] = v;
  if (options.json !== undefined) merged["content-type"] = "application/json";
  const res = await fetch(emu.url + path, {
    method,
    headers: merged,
    body: options.form ?? (options.json === undefined ? undefined : JSON.stringify(options.json)),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // ndjson or plain text
  }
  // Tests read deep into answers of many shapes; typing each one would only restate the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: body as Record<string, any>, text, headers: res.headers };
}

function ndjsonForm(lines: unknown[], name = "rules.ndjson") {
  const form = new FormData();
  form.append("file", new Blob([lines.map((l) => JSON.stringify(l)).join("\n") + "\n"]), name);
  return form;
}

beforeEach(async () => {
  emu = await startEmulator({ apiKey, spaces: ["secops"] });
});
afterEach(async () => {
  await emu.close();
});

describe("transport rules", () => {
  it.each([
    ["no credentials", { authorization: undefined }, "GET", 401],
    ["a wrong API key", { authorization: "ApiKey nope" }, "GET", 401],
    ["Basic when only an API key is configured", { authorization: "Basic dTpw" }, "GET", 401],
    ["no API version header", { "elastic-api-version": undefined }, "GET", 400],
    ["an unknown API version", { "elastic-api-version": "2099-01-01" }, "GET", 400],
    ["no kbn-xsrf on a POST", { "kbn-xsrf": undefined }, "POST", 400],
  ])("rejects %s", async (_label, override, method, status) => {
    const res = await call(method, "/api/detection_engine/rules/_find", {
      headers: override,
      json: method === "POST" ? {} : undefined,
    });
    expect(res.status).toBe(status);
  });

  it("accepts GET without kbn-xsrf, and 404s an unknown space or path", async () => {
    expect(
      (await call("GET", "/api/detection_engine/rules/_find", { headers: { "kbn-xsrf": undefined } })).status,
    ).toBe(200);
    expect((await call("GET", "/s/nope/api/detection_engine/rules/_find")).status).toBe(404);
    expect((await call("GET", "/api/nothing")).status).toBe(404);
  });

  it("checks Basic credentials when configured", async () => {
    await emu.close();
    emu = await startEmulator({ basic: { username: "elastic", password: "changeme" } });
    const good = `Basic ${Buffer.from("elastic:changeme").toString("base64")}`;
    const bad = `Basic ${Buffer.from("elastic:wrong").toString("base64")}`;
    expect(
      (await call("GET", "/api/detection_engine/rules/_find", { headers: { authorization: good } })).status,
    ).toBe(200);
    expect(
      (await call("GET", "/api/detection_engine/rules/_find", { headers: { authorization: bad } })).status,
    ).toBe(401);
  });
});

describe("single-rule endpoints", () => {
  it("creates with defaults, server fields and 409 on a duplicate rule_id", async () => {
    const created = await call("POST", "/api/detection_engine/rules", { json: rule("r1") });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      rule_id: "r1",
      version: 1,
      revision: 0,
      immutable: false,
      rule_source: { type: "internal" },
      enabled: false,
      interval: "5m",
      from: "now-6m",
      to: "now",
      max_signals: 100,
      tags: [],
      actions: [],
    });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await call("POST", "/api/detection_engine/rules", { json: rule("r1") });
    expect(again).toMatchObject({
      status: 409,
      body: { status_code: 409, message: 'rule_id: "r1" already exists' },
    });
  });

  it("validates the create body against schemas/kibana", async () => {
    const { description: _d, ...incomplete } = rule("r1");
    const res = await call("POST", "/api/detection_engine/rules", { json: incomplete });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("description");
    const typo = await call("POST", "/api/detection_engine/rules", { json: rule("r2", { max_signal: 5 }) });
    expect(typo.status).toBe(400);
    expect(typo.body.message).toContain('unknown field "max_signal"');
  });

  it("reads by rule_id and id, and 404s a missing rule", async () => {
    const { body } = await call("POST", "/api/detection_engine/rules", { json: rule("r1") });
    expect((await call("GET", `/api/detection_engine/rules?id=${body.id}`)).body.rule_id).toBe("r1");
    expect((await call("GET", "/api/detection_engine/rules?rule_id=r1")).body.id).toBe(body.id);
    const missing = await call("GET", "/api/detection_engine/rules?rule_id=zz");
    expect(missing).toMatchObject({
      status: 404,
      body: { message: 'rule_id: "zz" not found', status_code: 404 },
    });
  });

  it("PUT replaces content, keeps version when omitted and bumps revision only on change", async () => {
    await call("POST", "/api/detection_engine/rules", { json: rule("r1", { version: 7, tags: ["a"] }) });
    const same = await call("PUT", "/api/detection_engine/rules", {
      json: rule("r1", { version: 7, tags: ["a"] }),
    });
    expect(same.body).toMatchObject({ version: 7, revision: 0 });
    const changed = await call("PUT", "/api/detection_engine/rules", { json: rule("r1", { query: "x:2" }) });
    expect(changed.body).toMatchObject({ version: 7, revision: 1, tags: [], query: "x:2" });
    const missing = await call("PUT", "/api/detection_engine/rules", { json: rule("nope") });
    expect(missing.status).toBe(404);
  });

  it("PATCH changes only the sent fields; enabling does not bump revision", async () => {
    await call("POST", "/api/detection_engine/rules", { json: rule("r1", { tags: ["a"] }) });
    const enabled = await call("PATCH", "/api/detection_engine/rules", {
      json: { rule_id: "r1", enabled: true },
    });
    expect(enabled.body).toMatchObject({ enabled: true, revision: 0, tags: ["a"] });
    const renamed = await call("PATCH", "/api/detection_engine/rules", {
      json: { rule_id: "r1", name: "New" },
    });
    expect(renamed.body).toMatchObject({ name: "New", revision: 1, enabled: true });
    const invalid = await call("PATCH", "/api/detection_engine/rules", {
      json: { rule_id: "r1", language: "eql" },
    });
    expect(invalid.status).toBe(400);
  });

  it("deletes and returns the deleted rule", async () => {
    await call("POST", "/api/detection_engine/rules", { json: rule("r1") });
    const deleted = await call("DELETE", "/api/detection_engine/rules?rule_id=r1");
    expect(deleted.body.rule_id).toBe("r1");
    expect((await call("DELETE", "/api/detection_engine/rules?rule_id=r1")).status).toBe(404);
  });

  it("refuses to edit a prebuilt (immutable) rule but lets it be enabled", async () => {
    emu.seedRule(rule("elastic-1"), { prebuilt: true });
    const put = await call("PUT", "/api/detection_engine/rules", {
      json: rule("elastic-1", { query: "x:9" }),
    });
    expect(put.status).toBe(400);
    const patch = await call("PATCH", "/api/detection_engine/rules", {
      json: { rule_id: "elastic-1", enabled: true },
    });
    expect(patch.body).toMatchObject({ enabled: true, immutable: true, rule_source: { type: "external" } });
  });
});

describe("_find", () => {
  it("pages and filters on tags", async () => {
    for (let i = 0; i < 25; i++) {
      emu.seedRule(rule(`r${i}`, { tags: i % 2 === 0 ? ["Managed by: dac", "x"] : ["other"] }));
    }
    const page2 = await call("GET", "/api/detection_engine/rules/_find?page=2&per_page=10");
    expect(page2.body).toMatchObject({ page: 2, perPage: 10, total: 25 });
    expect(page2.body.data.map((r: { rule_id: string }) => r.rule_id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `r${i + 10}`),
    );
    const filter = encodeURIComponent('alert.attributes.tags:"Managed by: dac"');
    const managed = await call("GET", `/api/detection_engine/rules/_find?per_page=100&filter=${filter}`);
    expect(managed.body.total).toBe(13);
    const combined = encodeURIComponent(
      'alert.attributes.tags:("other" OR "x") AND NOT alert.attributes.params.ruleId:r0',
    );
    expect((await call("GET", `/api/detection_engine/rules/_find?filter=${combined}`)).body.total).toBe(24);
    const sorted = await call(
      "GET",
      "/api/detection_engine/rules/_find?sort_field=name&sort_order=desc&per_page=1",
    );
    expect(sorted.body.data[0].rule_id).toBe("r9");
  });

  it("rejects an unsupported filter with 400", async () => {
    const res = await call("GET", `/api/detection_engine/rules/_find?filter=${encodeURIComponent("nope:1")}`);
    expect(res.status).toBe(400);
  });
});

describe("_import", () => {
  it("creates rules, reports 409 inside a 200 without overwrite, and overwrites with it", async () => {
    const first = await call("POST", "/api/detection_engine/rules/_import", {
      form: ndjsonForm([rule("a"), rule("b")]),
    });
    expect(first.body).toMatchObject({ success: true, success_count: 2, rules_count: 2, errors: [] });
    const again = await call("POST", "/api/detection_engine/rules/_import", {
      form: ndjsonForm([rule("a", { version: 2 })]),
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      success: false,
      success_count: 0,
      errors: [{ rule_id: "a", error: { status_code: 409 } }],
    });
    const overwrite = await call("POST", "/api/detection_engine/rules/_import?overwrite=true", {
      form: ndjsonForm([rule("a", { version: 2, query: "y:1" })]),
    });
    expect(overwrite.body).toMatchObject({ success: true, success_count: 1 });
    expect(emu.rules().find((r) => r.rule_id === "a")).toMatchObject({
      version: 2,
      revision: 1,
      query: "y:1",
    });
  });

  it("reports a rule_id repeated in one file, invalid lines and the export summary line", async () => {
    const lines = [
      rule("a"),
      rule("a", { name: "last" }),
      { rule_id: "bad", type: "query" },
      { exported_count: 3 },
    ];
    const res = await call("POST", "/api/detection_engine/rules/_import", { form: ndjsonForm(lines) });
    expect(res.body.rules_count).toBe(3);
    expect(res.body.success_count).toBe(1);
    expect(res.body.errors).toEqual([
      { rule_id: "a", error: { status_code: 400, message: 'More than one rule with rule-id: "a" found' } },
      { rule_id: "bad", error: { status_code: 400, message: expect.stringContaining("name") } },
    ]);
    expect(emu.rules()[0]!.name).toBe("last");
  });

  it("requires an .ndjson file name", async () => {
    const res = await call("POST", "/api/detection_engine/rules/_import", {
      form: ndjsonForm([rule("a")], "rules.json"),
    });
    expect(res).toMatchObject({ status: 400, body: { message: "Invalid file extension .json" } });
  });

  it("accepts the lines that _export produces", async () => {
    emu.seedRule(rule("a", { required_fields: [{ name: "event.action", type: "keyword" }] }));
    const exported = await call("POST", "/api/detection_engine/rules/_export");
    const form = new FormData();
    form.append("file", new Blob([exported.text]), "export.ndjson");
    const res = await call("POST", "/api/detection_engine/rules/_import?overwrite=true", { form });
    expect(res.body).toMatchObject({ success: true, success_count: 1, rules_count: 1 });
  });
});

describe("_export", () => {
  it("writes ndjson with a summary line, and lists missing rules", async () => {
    emu.seedRule(rule("a"));
    emu.seedRule(rule("p"), { prebuilt: true });
    const res = await call("POST", "/api/detection_engine/rules/_export?file_name=x.ndjson", {
      json: { objects: [{ rule_id: "a" }, { rule_id: "zz" }] },
    });
    expect(res.headers.get("content-type")).toBe("application/ndjson");
    const lines = res.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0].rule_id).toBe("a");
    expect(lines[1]).toMatchObject({
      exported_count: 1,
      missing_rules: [{ rule_id: "zz" }],
      missing_rules_count: 1,
    });
    const all = await call("POST", "/api/detection_engine/rules/_export?exclude_export_details=true");
    expect(
      all.text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).rule_id),
    ).toEqual(["a"]);
  });
});

describe("_bulk_action", () => {
  it("enables, disables and deletes by ids or query, with dry_run", async () => {
    const a = emu.seedRule(rule("a", { tags: ["t"] }));
    emu.seedRule(rule("b", { tags: ["t"] }));
    emu.seedRule(rule("c"));
    const enable = await call("POST", "/api/detection_engine/rules/_bulk_action", {
      json: { action: "enable", query: 'alert.attributes.tags:"t"' },
    });
    expect(enable.body.attributes.summary).toEqual({ failed: 0, skipped: 0, succeeded: 2, total: 2 });
    expect(emu.rules().map((r) => r.enabled)).toEqual([true, true, false]);
    const disable = await call("POST", "/api/detection_engine/rules/_bulk_action", {
      json: { action: "disable", ids: [a.id] },
    });
    expect(disable.body.attributes.results.updated[0].enabled).toBe(false);
    const dry = await call("POST", "/api/detection_engine/rules/_bulk_action?dry_run=true", {
      json: { action: "delete" },
    });
    expect(dry.body.attributes.summary.succeeded).toBe(3);
    expect(emu.rules()).toHaveLength(3);
    const del = await call("POST", "/api/detection_engine/rules/_bulk_action", {
      json: { action: "delete", ids: [a.id, "nope"] },
    });
    expect(del.status).toBe(500);
    expect(del.body).toMatchObject({ success: false, message: "Bulk edit partially failed" });
    expect(emu.rules().map((r) => r.rule_id)).toEqual(["b", "c"]);
  });

  it("edits tags, skips no-ops and refuses to edit prebuilt rules", async () => {
    emu.seedRule(rule("a", { tags: ["t"] }));
    emu.seedRule(rule("p"), { prebuilt: true });
    const res = await call("POST", "/api/detection_engine/rules/_bulk_action", {
      json: { action: "edit", edit: [{ type: "add_tags", value: ["t"] }] },
    });
    expect(res.status).toBe(500);
    expect(res.body.attributes.summary).toEqual({ failed: 1, skipped: 1, succeeded: 0, total: 2 });
    expect(res.body.attributes.errors[0]).toMatchObject({ err_code: "IMMUTABLE" });
    const bad = await call("POST", "/api/detection_engine/rules/_bulk_action", { json: { action: "edit" } });
    expect(bad.status).toBe(400);
  });
});

describe("spaces", () => {
  it("keeps rules, ids and rule_ids per space", async () => {
    await call("POST", "/s/secops/api/detection_engine/rules", { json: rule("r1") });
    expect((await call("GET", "/api/detection_engine/rules/_find")).body.total).toBe(0);
    expect((await call("GET", "/s/secops/api/detection_engine/rules/_find")).body.total).toBe(1);
    expect((await call("POST", "/api/detection_engine/rules", { json: rule("r1") })).status).toBe(200);
    expect(emu.state.requests.at(-1)).toMatchObject({
      space: "default",
      path: "/api/detection_engine/rules",
    });
  });
});

describe("fault injection", () => {
  it("answers an injected status with Retry-After, then recovers", async () => {
    emu.injectFault({ type: "status", status: 429, retryAfter: 2, path: "_find" });
    const limited = await call("GET", "/api/detection_engine/rules/_find");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect((await call("GET", "/api/detection_engine/rules/_find")).status).toBe(200);
  });

  it("applies a fault the given number of times to matching requests only", async () => {
    emu.injectFault({ type: "status", status: 503, method: "POST", times: 2 });
    expect((await call("GET", "/api/detection_engine/rules/_find")).status).toBe(200);
    expect((await call("POST", "/api/detection_engine/rules", { json: rule("a") })).status).toBe(503);
    expect((await call("POST", "/api/detection_engine/rules", { json: rule("a") })).status).toBe(503);
    expect((await call("POST", "/api/detection_engine/rules", { json: rule("a") })).status).toBe(200);
  });

  it("resets the connection before or after handling", async () => {
    emu.injectFault({ type: "reset" });
    await expect(call("GET", "/api/detection_engine/rules/_find")).rejects.toThrow();
    emu.injectFault({ type: "reset", when: "after" });
    await expect(call("POST", "/api/detection_engine/rules", { json: rule("a") })).rejects.toThrow();
    expect(emu.rules().map((r) => r.rule_id)).toEqual(["a"]);
  });

  it("delays a response", async () => {
    emu.injectFault({ type: "delay", ms: 150 });
    const started = Date.now();
    expect((await call("GET", "/api/detection_engine/rules/_find")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("fails chosen rules inside an import", async () => {
    emu.injectFault({ type: "import-errors", ruleIds: ["b"], status: 500 });
    const res = await call("POST", "/api/detection_engine/rules/_import", {
      form: ndjsonForm([rule("a"), rule("b")]),
    });
    expect(res.body).toMatchObject({
      success: false,
      success_count: 1,
      errors: [{ rule_id: "b", error: { status_code: 500 } }],
    });
    expect(emu.rules().map((r) => r.rule_id)).toEqual(["a"]);
  });
});

describe("_import limits", () => {
  it("refuses more than 10,000 rules in one file", async () => {
    const lines = Array.from({ length: 10_001 }, (_, i) => rule(`r${i}`));
    const res = await call("POST", "/api/detection_engine/rules/_import", { form: ndjsonForm(lines) });
    expect(res).toMatchObject({ status: 500, body: { message: "Can't import more than 10000 rules" } });
    expect(emu.rules()).toHaveLength(0);
  });

  it("refuses a body over 10 MiB with 413", async () => {
    const form = new FormData();
    form.append("file", new Blob(["x".repeat(10 * 1024 * 1024 + 1)]), "big.ndjson");
    const res = await call("POST", "/api/detection_engine/rules/_import", { form });
    expect(res.status).toBe(413);
  });
});
