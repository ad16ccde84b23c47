import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { startEmulator } from "@dac/kibana-emulator";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createKibanaClient } from "./client.js";
import { ndjsonLines } from "./export.js";
import {
  parseNdjsonRules,
  writeImportedRules,
  kibanaRuleToRuleData,
  ruleToYaml,
  ruleFileName,
  type ImportSource,
} from "./import.js";
import { lockSubjects, lockVersions, updateLock, type Lock } from "./lock.js";
import { buildPayloads } from "./payload.js";
import { buildPlan } from "./plan.js";
import { publishPlan } from "./publish.js";
import { fakeRequiredFields, generatedRules, seedLikeRules } from "./test-support.js";
import type { RuleData, RuleSource } from "./types.js";

const options = { managementTag: "Managed by: dac", requiredFields: fakeRequiredFields };

/** What `dac export` writes for rules: lock them, build validated payloads, one line each. */
function exportText(
  rules: RuleSource[],
  lock: Lock = updateLock({}, lockSubjects(rules, options)).lock,
): string {
  const { payloads, errors } = buildPayloads(rules, { ...options, versionOf: lockVersions(lock) });
  expect(errors).toEqual([]);
  return ndjsonLines(payloads.map((p) => p.payload))
    .map((l) => l + "\n")
    .join("");
}

async function importInto(
  sources: ImportSource[],
  extra: Partial<Parameters<typeof writeImportedRules>[1]> = {},
) {
  const root = await mkdtemp(join(tmpdir(), "dac-import-"));
  const result = await writeImportedRules(sources, {
    ...options,
    root,
    dir: join(root, "rules"),
    byIntegration: true,
    lock: {},
    today: "2026-02-03",
    ...extra,
  });
  const rules: RuleSource[] = [];
  for (const w of result.written)
    rules.push({ file: w.file, data: parse(await readFile(w.file, "utf8")) as RuleData });
  return { root, result, rules };
}

describe("import from ndjson", () => {
  it("reproduces the exported payloads byte for byte", async () => {
    const original = exportText([...seedLikeRules(), ...generatedRules(3)]);
    const { sources, skipped } = parseNdjsonRules(original, "in.ndjson");
    expect(skipped).toEqual([]);
    const { result, rules } = await importInto(sources);
    expect(result.written.every((w) => w.normalized.length === 0)).toBe(true);
    expect(exportText(rules, result.lock)).toBe(original);
    expect(checkVersions(result.lock)).toEqual({
      [seedLikeRules()[0]!.data.rule_id as string]: 204,
      [seedLikeRules()[1]!.data.rule_id as string]: 6,
    });
  });

  it("writes readable YAML: schema header, block scalars, no defaults, no server fields, no management tag", async () => {
    const line = JSON.parse(exportText(seedLikeRules()).split("\n")[1]!) as Record<string, unknown>;
    const kibanaLine = {
      ...line,
      id: "0b8f3a9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
      immutable: false,
      revision: 4,
      rule_source: { type: "internal" },
      created_at: "2025-05-06T07:08:09.000Z",
      updated_at: "2025-06-07T00:00:00.000Z",
      created_by: "x",
      updated_by: "y",
      execution_summary: {},
      output_index: "",
    };
    const { result, root } = await importInto([{ origin: "t", rule: kibanaLine }]);
    const file = result.written[0]!.file;
    expect(relative(root, file)).toBe("rules/kubernetes/kubernetes_suspicious_self_subject_review.yaml");
    const text = await readFile(file, "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../../schemas/rule.schema.json");
    expect(text).toContain(
      "description: |-\n  Test rule: Kubernetes Suspicious Self-Subject Review.\n  Second line of the description.\n",
    );
    expect(text).toContain("note: |\n  ## Triage\n");
    for (const absent of [
      "\nid:",
      "revision:",
      "immutable:",
      "rule_source:",
      "created_at:",
      "execution_summary:",
      "output_index:",
      "Managed by: dac",
      "enabled:",
      "to: now",
      "exceptions_list:",
      "required_fields:",
      "\nversion:",
    ]) {
      expect(text).not.toContain(absent);
    }
    expect(text).toContain('created: "2025-05-06"');
    expect(parse(text).metadata).toEqual({
      maturity: "production",
      created: "2025-05-06",
      updated: "2025-06-07",
      integration: "kubernetes",
      version: 204,
    });
  });

  it("keeps required_fields only when they differ from what the query gives", () => {
    const base = JSON.parse(exportText(generatedRules(1)).trim()) as Record<string, unknown>;
    expect(kibanaRuleToRuleData(base, options)).not.toHaveProperty("required_fields");
    const custom = kibanaRuleToRuleData(
      { ...base, required_fields: [{ name: "x", type: "ip", ecs: false }] },
      options,
    );
    expect(custom.required_fields).toEqual([{ name: "x", type: "ip" }]);
  });

  it("normalizes a foreign line once, and is stable from then on", async () => {
    const foreign = {
      rule_id: "f1",
      name: "Foreign",
      description: "d",
      type: "query",
      query: "a:1",
      severity: "low",
      risk_score: 5,
      tags: ["Managed by: dac", "x"],
      version: 3,
    };
    const { result, rules } = await importInto([{ origin: "f", rule: foreign }]);
    expect(result.written[0]!.normalized).toEqual(
      expect.arrayContaining(["tags[0]", "tags[1]", "language", "enabled"]),
    );
    const once = exportText(rules, result.lock);
    const again = await importInto(parseNdjsonRules(once, "x").sources);
    expect(exportText(again.rules, again.result.lock)).toBe(once);
  });

  it("skips summaries, connectors and bad lines with reasons, and sets exception lines apart", () => {
    const text = [
      JSON.stringify({
        rule_id: "r",
        name: "n",
        description: "d",
        type: "query",
        severity: "low",
        risk_score: 1,
      }),
      "",
      "{oops",
      JSON.stringify({ list_id: "l", type: "detection" }),
      JSON.stringify({ attributes: {}, type: "action" }),
      JSON.stringify({ exported_count: 1 }),
    ].join("\n");
    const { sources, skipped, exceptions } = parseNdjsonRules(text, "f.ndjson");
    expect(sources.map((s) => s.origin)).toEqual(["f.ndjson:1"]);
    expect(skipped.map((s) => s.origin)).toEqual(["f.ndjson:3", "f.ndjson:5"]);
    expect(exceptions.map((e) => e.origin)).toEqual(["f.ndjson:4"]);
  });

  it("never overwrites a file without force", async () => {
    const sources = parseNdjsonRules(exportText(seedLikeRules()), "x").sources;
    const first = await importInto(sources);
    const file = first.result.written[0]!.file;
    await writeFile(file, "# mine\n");
    const again = await writeImportedRules(sources, {
      ...options,
      root: first.root,
      dir: join(first.root, "rules"),
      byIntegration: true,
      lock: {},
    });
    expect(again.written).toEqual([]);
    expect(again.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/already exists \(use --force/),
      expect.stringMatching(/already exists \(use --force/),
    ]);
    expect(await readFile(file, "utf8")).toBe("# mine\n");
    const existing = new Map([[first.result.written[0]!.rule_id, file]]);
    const forced = await writeImportedRules(sources, {
      ...options,
      root: first.root,
      dir: join(first.root, "rules"),
      byIntegration: true,
      lock: {},
      existing,
      force: true,
    });
    expect(forced.written.map((w) => w.file)).toContain(file);
    expect(await readFile(file, "utf8")).toMatch(/^# yaml-language-server/);
  });

  it("round-trips arbitrary text fields (property)", async () => {
    const text = fc.string({
      unit: fc.constantFrom(
        "a",
        " ",
        "\n",
        "\t",
        "#",
        ":",
        "'",
        '"',
        "-",
        "é",
        "\\",
        "|",
        ">",
        "*",
        "&",
        "{",
        "0",
        "\u2028",
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1 }).filter((s) => s.trim() !== ""),
        text,
        fc.array(text, { maxLength: 3 }),
        async (description, note, tags) => {
          const [rule] = generatedRules(1);
          Object.assign(rule!.data, { description, note, tags: [...new Set(tags)] });
          const original = exportText([rule!]);
          const data = kibanaRuleToRuleData(JSON.parse(original), options);
          const reparsed = parse(ruleToYaml(data, "x")) as RuleData;
          expect(
            exportText([{ file: "f", data: reparsed }], {
              [rule!.data.rule_id as string]: { name: "", sha256: "0".repeat(64), version: 1 },
            }),
          ).toBe(original);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("import from Kibana", () => {
  it("turns published rules back into files whose export is byte-identical", async () => {
    const emu = await startEmulator({ apiKey: "k" });
    const client = createKibanaClient({ url: emu.url, credentials: { kind: "apiKey", apiKey: "k" } });
    try {
      const rules = [...seedLikeRules(), ...generatedRules(2)];
      const lock = updateLock({}, lockSubjects(rules, options)).lock;
      const { payloads } = buildPayloads(rules, { ...options, versionOf: lockVersions(lock) });
      const plan = await buildPlan(client, payloads, { lock, managementTag: options.managementTag });
      await publishPlan(client, plan, new Map(payloads.map((p) => [p.payload.rule_id, p.payload])));
      emu.seedRule(generatedRules(1, "prebuilt")[0]!.data, { prebuilt: true });

      const sources: ImportSource[] = [];
      for await (const page of client.findRules())
        for (const rule of page) sources.push({ origin: `kibana:${rule.id}`, rule });
      const imported = await importInto(sources);
      expect(imported.result.skipped).toEqual([
        expect.objectContaining({ rule_id: "prebuilt-00000", reason: expect.stringMatching(/prebuilt/) }),
      ]);
      expect(exportText(imported.rules, imported.result.lock)).toBe(exportText(rules, lock));
      expect(imported.result.lock).toEqual(lock);
    } finally {
      await client.close();
      await emu.close();
    }
  });
});

describe("ruleFileName", () => {
  it.each([
    ["Kubernetes Denied Service Account Request", "kubernetes_denied_service_account_request.yaml"],
    ["  Ünïcode — & symbols!! ", "unicode_symbols.yaml"],
    ["!!!", "rid.yaml"],
  ])("%s → %s", (name, file) => {
    expect(ruleFileName(name, "rid")).toBe(file);
  });
});

function checkVersions(lock: Lock): Record<string, number> {
  return Object.fromEntries(
    Object.entries(lock)
      .filter(([id]) => !id.startsWith("gen"))
      .map(([id, e]) => [id, e.version]),
  );
}
