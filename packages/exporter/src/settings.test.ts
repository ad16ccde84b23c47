import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConfig, loadRuleFile, type DacConfig, type Rule } from "@dac/schema";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "./errors.js";
import { attachExceptionLists } from "./exceptions.js";
import { lockSha256, lockSubjects, serializeLock, updateLock } from "./lock.js";
import { catalogRequiredFields } from "./required-fields.js";
import {
  clientOptionsFrom,
  lockDiagnostics,
  payloadSettings,
  preparePayloads,
  publishableRules,
  spacesFrom,
} from "./settings.js";
import { seedLikeRules } from "./test-support.js";
import type { RuleData } from "./types.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const env = { DAC_KIBANA_API_KEY: "k" };

function config(overrides: Partial<DacConfig> = {}): DacConfig {
  const root = mkdtempSync(join(tmpdir(), "dac-settings-"));
  const base = defaultConfig(root);
  return { ...base, fields: [join(repoRoot, "schemas", "fields")], unknownFields: "unmapped", ...overrides };
}

describe("clientOptionsFrom", () => {
  it("takes the URL from the flag, then DAC_KIBANA_URL, then the config", () => {
    const c = config({ kibana: { spaces: [], managementTag: "t", url: "https://from-config" } });
    expect(clientOptionsFrom({ url: "https://flag" }, { ...env, DAC_KIBANA_URL: "https://env" }, c).url).toBe(
      "https://flag",
    );
    expect(clientOptionsFrom({}, { ...env, DAC_KIBANA_URL: "https://env" }, c).url).toBe("https://env");
    expect(clientOptionsFrom({}, env, c).url).toBe("https://from-config");
    expect(() => clientOptionsFrom({}, env, config())).toThrow(/no Kibana URL/);
  });

  it("reads the CA certificate file and checks it is PEM", () => {
    const dir = mkdtempSync(join(tmpdir(), "dac-ca-"));
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    writeFileSync(join(dir, "junk.txt"), "junk");
    expect(
      clientOptionsFrom({ url: "https://k", caCertFile: join(dir, "ca.pem") }, env).caCert,
    ).toBeInstanceOf(Buffer);
    expect(() => clientOptionsFrom({ url: "https://k", caCertFile: join(dir, "junk.txt") }, env)).toThrow(
      /not a PEM certificate/,
    );
    expect(() => clientOptionsFrom({ url: "https://k", caCertFile: join(dir, "none.pem") }, env)).toThrow(
      ConfigurationError,
    );
  });

  it("needs credentials and a positive timeout", () => {
    expect(() => clientOptionsFrom({ url: "https://k" }, {})).toThrow(ConfigurationError);
    expect(() => clientOptionsFrom({ url: "https://k", timeoutSeconds: 0 }, env)).toThrow(/timeout/);
    expect(clientOptionsFrom({ url: "https://k", timeoutSeconds: 2.5, insecure: true }, env)).toMatchObject({
      timeoutMs: 2500,
      insecure: true,
    });
  });
});

describe("spacesFrom and publishableRules", () => {
  it("prefers --space, then the config's spaces, then the default space", () => {
    expect(spacesFrom(["a", "a", "b"], config())).toEqual(["a", "b"]);
    expect(spacesFrom([], config({ kibana: { spaces: ["x", "y"], managementTag: "t" } }))).toEqual([
      "x",
      "y",
    ]);
    expect(spacesFrom([], config())).toEqual(["default"]);
  });

  it("leaves development rules out", () => {
    const [a, b] = seedLikeRules();
    b!.data.metadata = { ...b!.data.metadata, maturity: "development" };
    expect(publishableRules([a!, b!]).map((r) => r.data.rule_id)).toEqual([a!.data.rule_id]);
  });
});

describe("catalogRequiredFields", () => {
  it("types each field the seed queries use from the Kubernetes field catalogue, as the seeds list them", () => {
    const derive = catalogRequiredFields(config());
    // Rule-default exception lists live beside their rule (`*.exceptions.yaml`): they are not rules.
    const seeds = readdirSync(join(repoRoot, "rules", "kubernetes"))
      .filter((f) => !f.endsWith(".exceptions.yaml"))
      .map((f) => join(repoRoot, "rules", "kubernetes", f));
    expect(seeds.length).toBeGreaterThan(0);
    for (const file of seeds) {
      const rule = loadRuleFile(file, readFileSync(file), config()).rule!;
      const data = rule.data as unknown as RuleData;
      const derived = derive(String(data.query), "kuery", data).sort((x, y) => (x.name < y.name ? -1 : 1));
      const listed = [...(data.required_fields as { name: string; type: string }[])].sort((x, y) =>
        x.name < y.name ? -1 : 1,
      );
      expect(derived).toEqual(listed);
    }
  });

  it("types the fields of a Lucene query too (escapes removed, _exists_ left out)", () => {
    const derive = catalogRequiredFields(config());
    const data = seedLikeRules()[0]!.data;
    expect(
      derive("event.dataset:x AND NOT _exists_:user.name AND user.\\name:(a b)", "lucene", data),
    ).toEqual([
      { name: "event.dataset", type: "keyword" },
      { name: "user.name", type: "keyword" },
    ]);
  });

  it("gives nothing for unparsable queries and wildcard field names", () => {
    const derive = catalogRequiredFields(config());
    const data = seedLikeRules()[0]!.data;
    expect(derive("event.dataset:(", "lucene", data)).toEqual([]);
    expect(derive("event.dataset:(", "kuery", data)).toEqual([]);
    expect(derive("kubernetes.audit.*:x", "kuery", data)).toEqual([]);
  });
});

function loadRule(c: DacConfig, name: string, text: string): Rule {
  const file = join(c.root, "rules", name);
  writeFileSync(join(c.root, name), text);
  return loadRuleFile(file, text, c).rule!;
}

describe("lockDiagnostics and preparePayloads", () => {
  const seed = readFileSync(
    join(repoRoot, "rules", "kubernetes", "kubernetes_denied_service_account_request.yaml"),
    "utf8",
  );

  it("reports a missing entry, then a stale one, at the rule_id, and a removed rule on the lock file", async () => {
    const c = config();
    const rule = loadRule(c, "denied.yaml", seed);
    expect(lockDiagnostics([rule], c).map((d) => [d.code, d.line])).toEqual([["DAC602", 2]]);
    const settings = payloadSettings(c);
    const { lock } = updateLock(
      { gone: { name: "Gone", sha256: "0".repeat(64), version: 3 } },
      lockSubjects([rule], settings),
    );
    writeFileSync(
      c.lock,
      serializeLock({ ...lock, gone: { name: "Gone", sha256: "0".repeat(64), version: 3 } }),
    );
    expect(lockDiagnostics([rule], c).map((d) => [d.code, d.file])).toEqual([["DAC601", "rules.lock.json"]]);
    expect(lockDiagnostics([rule], c, { partial: true })).toEqual([]);
    writeFileSync(c.lock, serializeLock(lock));
    expect(lockDiagnostics([rule], c)).toEqual([]);
    expect((await preparePayloads([rule], c)).payloads.map((p) => p.payload.version)).toEqual([6]);

    const edited = loadRule(c, "denied.yaml", seed.replace("max_signals: 100", "max_signals: 101"));
    const stale = lockDiagnostics([edited], c);
    expect(stale).toMatchObject([
      { code: "DAC601", line: 2, message: expect.stringContaining("changed since version 6") },
    ]);
    const prepared = await preparePayloads([edited], c);
    expect(prepared.payloads).toEqual([]);
    expect(prepared.problems).toMatchObject([{ code: "DAC601" }]);
  });

  it("uses a hash computed while the rule was checked, unless the exception references were completed since", () => {
    const c = config();
    const rule = loadRule(c, "denied.yaml", seed);
    const { lock } = updateLock({}, lockSubjects([rule], payloadSettings(c)));
    writeFileSync(c.lock, serializeLock(lock));
    expect(lockSha256(rule, c)).toBe(lock[String(rule.data.rule_id)]!.sha256);
    // A precomputed hash is trusted: a wrong one shows that it is read.
    const wrong = { ...rule, extras: { lockSha256: "0".repeat(64) } };
    expect(lockDiagnostics([wrong], c).map((d) => d.code)).toEqual(["DAC601"]);
    expect(lockDiagnostics([{ ...rule, extras: { lockSha256: lockSha256(rule, c) } }], c)).toEqual([]);
    // A rule-default exception list completes the rule's references: its hash is computed again, from them.
    const exceptions = {
      lists: [
        {
          list_id: "denied-defaults",
          name: "Denied defaults",
          description: "d",
          type: "rule_default",
          namespace_type: "single" as const,
          items: [],
          file: "denied.exceptions.yaml",
          rule_id: String(rule.data.rule_id),
        },
      ],
      valueLists: [],
    };
    const withRefs = attachExceptionLists([rule], exceptions).rules;
    writeFileSync(c.lock, serializeLock(updateLock({}, lockSubjects(withRefs, payloadSettings(c))).lock));
    expect(lockDiagnostics([rule], c, { exceptions })).toEqual([]);
    expect(lockDiagnostics([wrong], c, { exceptions })).toEqual([]);
  });

  it("reports an unreadable lock file as a diagnostic", () => {
    const c = config();
    writeFileSync(c.lock, "{nope");
    expect(lockDiagnostics([], c)).toMatchObject([
      { code: "DAC601", file: "rules.lock.json", message: expect.stringContaining("not valid JSON") },
    ]);
  });
});
