import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The JSON Schemas and seed rules live at the repository root, outside any package.
const repo = new URL("../../../", import.meta.url);
const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(path, repo), "utf8")) as Record<string, unknown>;

// The same options the validator uses: strict mode rejects unknown keywords and sloppy types in the schema.
function compile(path: string): ValidateFunction {
  const ajv = new Ajv2020.default({ discriminator: true, strict: true, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(readJson(path));
}

const validateRule = compile("schemas/rule.schema.json");
const ruleSchema = readJson("schemas/rule.schema.json");
const commonFields = ((ruleSchema.$defs as Record<string, Data>).CommonFields!.properties ?? {}) as Data;
const validateConfig = compile("schemas/dac.config.schema.json");

/** ajv's errors without the umbrella `anyOf`/`oneOf` entries that only repeat a more precise error. */
function errorsOf(validate: ValidateFunction, data: unknown): ErrorObject[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf");
}

type Data = Record<string, unknown>;
type Expected = { instancePath: string; keyword: string; params?: Record<string, unknown> };
const clone = <T>(value: T): T => structuredClone(value);

const metadata = {
  maturity: "development",
  created: "2024-05-01",
  updated: "2024/05/02",
  integration: "kubernetes",
};
const common = {
  rule_id: "5b0f3c52-93a4-4a55-9f8e-0c3c0e7f6a11",
  name: "Test rule",
  description: "A rule used by the schema tests.",
  risk_score: 21,
  severity: "low",
  metadata,
};
const threat = [
  {
    framework: "MITRE ATT&CK",
    tactic: { id: "TA0007", name: "Discovery", reference: "https://attack.mitre.org/tactics/TA0007/" },
    technique: [
      {
        id: "T1069",
        name: "Permission Groups Discovery",
        reference: "https://attack.mitre.org/techniques/T1069/",
        subtechnique: [
          {
            id: "T1069.003",
            name: "Cloud Groups",
            reference: "https://attack.mitre.org/techniques/T1069/003/",
          },
        ],
      },
    ],
  },
];

/** One minimal valid rule per type: each defect below breaks exactly one thing in one of them. */
const valid: Record<string, Data> = {
  query: {
    ...common,
    type: "query",
    language: "kuery",
    query: "event.dataset: x",
    index: ["logs-*"],
    threat,
  },
  eql: { ...common, type: "eql", language: "eql", query: "process where true", index: ["logs-*"] },
  esql: { ...common, type: "esql", language: "esql", query: "FROM logs-* | LIMIT 10" },
  threshold: {
    ...common,
    type: "threshold",
    query: "a: b",
    index: ["logs-*"],
    threshold: { field: ["host.name"], value: 5 },
  },
  new_terms: {
    ...common,
    type: "new_terms",
    query: "a: b",
    index: ["logs-*"],
    new_terms_fields: ["user.name"],
    history_window_start: "now-7d",
  },
  threat_match: {
    ...common,
    type: "threat_match",
    query: "*:*",
    index: ["logs-*"],
    threat_query: '@timestamp >= "now-30d/d"',
    threat_index: ["logs-ti_*"],
    threat_mapping: [{ entries: [{ field: "source.ip", type: "mapping", value: "threat.indicator.ip" }] }],
  },
  machine_learning: {
    ...common,
    type: "machine_learning",
    anomaly_threshold: 75,
    machine_learning_job_id: ["job-1"],
  },
  saved_query: { ...common, type: "saved_query", saved_id: "saved-query-1", index: ["logs-*"] },
};

/** Starts from a valid rule of `type` and applies one change. */
function defect(type: string, change: (rule: Data) => void): Data {
  const rule = clone(valid[type]!);
  change(rule);
  return rule;
}

describe("rule.schema.json", () => {
  it.each([
    "kubernetes_suspicious_self_subject_review.yaml",
    "kubernetes_denied_service_account_request.yaml",
  ])("accepts the seed rule %s", (file) => {
    const text = readFileSync(new URL(`rules/kubernetes/${file}`, repo), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../../schemas/rule.schema.json");
    expect(errorsOf(validateRule, parse(text))).toEqual([]);
  });

  it.each(Object.keys(valid))("accepts a minimal %s rule", (type) => {
    expect(errorsOf(validateRule, valid[type])).toEqual([]);
  });

  it("accepts every optional field in its documented shape", () => {
    const rule: Data = {
      ...clone(valid.query!),
      enabled: false,
      tags: ["Data Source: Kubernetes"],
      interval: "10m",
      from: "now-1d/d",
      to: "now",
      max_signals: 100,
      references: ["https://kubernetes.io/docs/reference/access-authn-authz/authorization/"],
      false_positives: ["Admins debugging RBAC."],
      note: "## Triage",
      setup: "## Setup",
      author: ["dac"],
      license: "Apache-2.0",
      timestamp_override: "event.ingested",
      timestamp_override_fallback_disabled: true,
      rule_name_override: "rule.name",
      timeline_id: "tl-1",
      timeline_title: "Generic",
      related_integrations: [{ package: "kubernetes", integration: "audit_logs", version: "^1.80.0" }],
      required_fields: [{ name: "event.dataset", type: "keyword" }],
      exceptions_list: [{ id: "e1", list_id: "l1", type: "detection", namespace_type: "single" }],
      filters: [{ meta: { disabled: false }, query: { match_phrase: { "event.action": "x" } } }],
      alert_suppression: {
        group_by: ["user.name"],
        duration: { value: 5, unit: "m" },
        missing_fields_strategy: "suppress",
      },
      investigation_fields: { field_names: ["user.name"] },
      building_block_type: "default",
      actions: [
        {
          action_type_id: ".slack",
          id: "connector-1",
          group: "default",
          params: { message: "alert" },
          frequency: { summary: true, notifyWhen: "onActiveAlert", throttle: null },
        },
      ],
      throttle: "no_actions",
      response_actions: [
        { action_type_id: ".osquery", params: { query: "select * from uptime;" } },
        {
          action_type_id: ".endpoint",
          params: { command: "kill-process", config: { field: "process.pid", overwrite: true } },
        },
      ],
      risk_score_mapping: [{ field: "event.risk_score", operator: "equals", value: "" }],
      severity_mapping: [{ field: "event.severity", operator: "equals", value: "9", severity: "critical" }],
      meta: { from: "1m" },
      namespace: "default",
      data_view_id: "security-solution-default",
      saved_id: "sq-1",
      metadata: {
        ...metadata,
        integration: ["kubernetes", "cloud_defend"],
        version: 3,
        tests: { exempt: "needs a live cluster" },
        fields: { "kubernetes.audit.annotations.authorization_k8s_io/decision": "keyword" },
        min_stack_version: "8.15.0",
      },
    };
    expect(errorsOf(validateRule, rule)).toEqual([]);
  });

  const rejected: [label: string, rule: Data, expected: Expected][] = [
    [
      "unknown top-level key on a query rule",
      defect("query", (r) => (r.risk_scor = 21)),
      { instancePath: "", keyword: "additionalProperties", params: { additionalProperty: "risk_scor" } },
    ],
    [
      "`version` (owned by the lock file)",
      defect("query", (r) => (r.version = 2)),
      { instancePath: "", keyword: "additionalProperties", params: { additionalProperty: "version" } },
    ],
    [
      "a field of another rule type (index on esql)",
      defect("esql", (r) => (r.index = ["logs-*"])),
      { instancePath: "", keyword: "additionalProperties", params: { additionalProperty: "index" } },
    ],
    [
      "unknown key inside threat.tactic",
      defect("query", (r) => ((r.threat as Data[])[0]!.tactic = { ...threat[0]!.tactic, url: "x" })),
      {
        instancePath: "/threat/0/tactic",
        keyword: "additionalProperties",
        params: { additionalProperty: "url" },
      },
    ],
    [
      "unknown key inside a threat technique",
      defect("query", (r) => (((r.threat as Data[])[0]!.technique as Data[])[0]!.tactic = "TA0007")),
      {
        instancePath: "/threat/0/technique/0",
        keyword: "additionalProperties",
        params: { additionalProperty: "tactic" },
      },
    ],
    [
      "unknown key inside metadata",
      defect("query", (r) => ((r.metadata as Data).maturty = "production")),
      {
        instancePath: "/metadata",
        keyword: "additionalProperties",
        params: { additionalProperty: "maturty" },
      },
    ],
    [
      "risk_score as a string",
      defect("query", (r) => (r.risk_score = "21")),
      { instancePath: "/risk_score", keyword: "type", params: { type: "integer" } },
    ],
    [
      "tags as a string",
      defect("query", (r) => (r.tags = "Tactic: Discovery")),
      { instancePath: "/tags", keyword: "type", params: { type: "array" } },
    ],
    [
      "missing rule_id",
      defect("query", (r) => delete r.rule_id),
      { instancePath: "", keyword: "required", params: { missingProperty: "rule_id" } },
    ],
    [
      "missing metadata",
      defect("query", (r) => delete r.metadata),
      { instancePath: "", keyword: "required", params: { missingProperty: "metadata" } },
    ],
    [
      "missing metadata.maturity",
      defect("query", (r) => delete (r.metadata as Data).maturity),
      { instancePath: "/metadata", keyword: "required", params: { missingProperty: "maturity" } },
    ],
    [
      "eql without query",
      defect("eql", (r) => delete r.query),
      { instancePath: "", keyword: "required", params: { missingProperty: "query" } },
    ],
    [
      "esql without language",
      defect("esql", (r) => delete r.language),
      { instancePath: "", keyword: "required", params: { missingProperty: "language" } },
    ],
    [
      "threshold without threshold",
      defect("threshold", (r) => delete r.threshold),
      { instancePath: "", keyword: "required", params: { missingProperty: "threshold" } },
    ],
    [
      "new_terms without history_window_start",
      defect("new_terms", (r) => delete r.history_window_start),
      { instancePath: "", keyword: "required", params: { missingProperty: "history_window_start" } },
    ],
    [
      "threat_match without threat_mapping",
      defect("threat_match", (r) => delete r.threat_mapping),
      { instancePath: "", keyword: "required", params: { missingProperty: "threat_mapping" } },
    ],
    [
      "machine_learning without machine_learning_job_id",
      defect("machine_learning", (r) => delete r.machine_learning_job_id),
      { instancePath: "", keyword: "required", params: { missingProperty: "machine_learning_job_id" } },
    ],
    [
      "saved_query without saved_id",
      defect("saved_query", (r) => delete r.saved_id),
      { instancePath: "", keyword: "required", params: { missingProperty: "saved_id" } },
    ],
    [
      "severity outside the enum",
      defect("query", (r) => (r.severity = "moderate")),
      {
        instancePath: "/severity",
        keyword: "enum",
        params: { allowedValues: ["low", "medium", "high", "critical"] },
      },
    ],
    [
      "language eql on a query rule",
      defect("query", (r) => (r.language = "eql")),
      { instancePath: "/language", keyword: "enum", params: { allowedValues: ["kuery", "lucene"] } },
    ],
    [
      "language kuery on an eql rule",
      defect("eql", (r) => (r.language = "kuery")),
      { instancePath: "/language", keyword: "enum", params: { allowedValues: ["eql"] } },
    ],
    [
      "metadata.maturity outside the enum",
      defect("query", (r) => ((r.metadata as Data).maturity = "stable")),
      { instancePath: "/metadata/maturity", keyword: "enum" },
    ],
    [
      "interval with a space",
      defect("query", (r) => (r.interval = "5 m")),
      { instancePath: "/interval", keyword: "pattern", params: { pattern: "^[1-9][0-9]*[smhd]$" } },
    ],
    [
      "interval of zero",
      defect("query", (r) => (r.interval = "0m")),
      { instancePath: "/interval", keyword: "pattern" },
    ],
    [
      "from that is not date math",
      defect("query", (r) => (r.from = "6m")),
      { instancePath: "/from", keyword: "pattern" },
    ],
    [
      "metadata.created in another date format",
      defect("query", (r) => ((r.metadata as Data).created = "05/01/2024")),
      { instancePath: "/metadata/created", keyword: "pattern" },
    ],
    [
      "duplicate tags",
      defect("query", (r) => (r.tags = ["a", "a"])),
      { instancePath: "/tags", keyword: "uniqueItems" },
    ],
    [
      "risk_score above 100",
      defect("query", (r) => (r.risk_score = 101)),
      { instancePath: "/risk_score", keyword: "maximum" },
    ],
    [
      "four new_terms_fields",
      defect("new_terms", (r) => (r.new_terms_fields = ["a", "b", "c", "d"])),
      { instancePath: "/new_terms_fields", keyword: "maxItems" },
    ],
    [
      "a reference that is not a URI",
      defect("query", (r) => (r.references = ["see the wiki"])),
      { instancePath: "/references/0", keyword: "format", params: { format: "uri" } },
    ],
    [
      "metadata.fields with an unknown Elasticsearch type",
      defect("query", (r) => ((r.metadata as Data).fields = { "user.name": "string" })),
      { instancePath: "/metadata/fields/user.name", keyword: "enum" },
    ],
    [
      "missing type",
      defect("query", (r) => delete r.type),
      { instancePath: "", keyword: "discriminator", params: { error: "tag", tag: "type" } },
    ],
    [
      "unknown type",
      defect("query", (r) => (r.type = "kql")),
      {
        instancePath: "",
        keyword: "discriminator",
        params: { error: "mapping", tag: "type", tagValue: "kql" },
      },
    ],
  ];

  it.each(rejected)("rejects %s with one error at the defect", (_label, rule, expected) => {
    const errors = errorsOf(validateRule, rule);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject(expected);
  });

  it("reports each unknown key once, with no cascade from the other rule types", () => {
    const rule = defect("query", (r) => Object.assign(r, { risk_scor: 1, queryy: "x" }));
    expect(errorsOf(validateRule, rule).map((e) => [e.instancePath, e.keyword, e.params])).toEqual([
      ["", "additionalProperties", { additionalProperty: "risk_scor" }],
      ["", "additionalProperties", { additionalProperty: "queryy" }],
    ]);
  });

  it("reports a value of the wrong type in a union as type errors followed by anyOf", () => {
    const rule = defect("machine_learning", (r) => (r.machine_learning_job_id = 7));
    validateRule(rule);
    expect(validateRule.errors?.map((e) => [e.instancePath, e.keyword])).toEqual([
      ["/machine_learning_job_id", "type"],
      ["/machine_learning_job_id", "type"],
      ["/machine_learning_job_id", "anyOf"],
    ]);
  });

  it("lists exactly the shared keys as `true` in every rule type, so that additionalProperties: false holds", () => {
    const defs = ruleSchema.$defs as Record<string, Data>;
    for (const branch of ruleSchema.oneOf as { $ref: string }[]) {
      const def = defs[branch.$ref.replace("#/$defs/", "")]!;
      const properties = def.properties as Data;
      const shared = Object.keys(properties).filter((name) => properties[name] === true);
      expect(shared.sort(), branch.$ref).toEqual(Object.keys(commonFields).sort());
      expect(def.additionalProperties, branch.$ref).toBe(false);
    }
  });

  it("gives every property a description for editor completion (its own or its $ref target's)", () => {
    const missing: string[] = [];
    const check = (root: Data): void => {
      const described = (s: Data): boolean => {
        if (typeof s.description === "string" && s.description.length > 0) return true;
        if (typeof s.$ref !== "string" || !s.$ref.startsWith("#/")) return false;
        const target = s.$ref
          .slice(2)
          .split("/")
          .reduce<unknown>((node, key) => (node as Data | undefined)?.[key], root);
        return typeof (target as Data | undefined)?.description === "string";
      };
      const visit = (node: unknown, path: string): void => {
        if (!node || typeof node !== "object") return;
        const schema = node as Data;
        for (const [name, sub] of Object.entries((schema.properties as Data | undefined) ?? {})) {
          // `true` only stands for a shared key whose schema (and description) is in CommonFields.
          if (sub === true ? !(name in commonFields) : !described(sub as Data))
            missing.push(`${path}/properties/${name}`);
        }
        for (const [key, value] of Object.entries(schema)) {
          if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}/${key}/${i}`));
          else visit(value, `${path}/${key}`);
        }
      };
      visit(root, String(root.$id));
    };
    check(ruleSchema);
    check(readJson("schemas/dac.config.schema.json"));
    expect(missing).toEqual([]);
  });
});

describe("dac.config.schema.json", () => {
  const config = {
    rules: "rules",
    fixtures: "fixtures",
    fields: ["schemas/fields"],
    unknown_fields: "unmapped",
    lock: "rules.lock.json",
    attack: { stix: "vendor/attack/enterprise-attack.json" },
    exclusions: [{ rule: "rules/legacy/**", checks: ["DAC412"], reason: "legacy rules keep their casing" }],
    kibana: {
      url: "https://kibana.example.com:5601",
      spaces: ["default", "secops"],
      management_tag: "Managed by: dac",
    },
    limits: { max_file_bytes: 1_048_576, max_alias_count: 100 },
  };

  it("accepts a full configuration and an empty one", () => {
    expect(errorsOf(validateConfig, config)).toEqual([]);
    expect(errorsOf(validateConfig, {})).toEqual([]);
  });

  it.each<[string, (c: Data) => void, Expected]>([
    ["an unknown key", (c) => (c.rule = "rules"), { instancePath: "", keyword: "additionalProperties" }],
    [
      "an exclusion without a reason",
      (c) => delete (c.exclusions as Data[])[0]!.reason,
      { instancePath: "/exclusions/0", keyword: "required", params: { missingProperty: "reason" } },
    ],
    [
      "a blank reason",
      (c) => ((c.exclusions as Data[])[0]!.reason = "  "),
      { instancePath: "/exclusions/0/reason", keyword: "pattern" },
    ],
    [
      "a check that is not a code",
      (c) => ((c.exclusions as Data[])[0]!.checks = ["DAC41"]),
      { instancePath: "/exclusions/0/checks/0", keyword: "pattern" },
    ],
    [
      "unknown_fields outside the enum",
      (c) => (c.unknown_fields = "text"),
      { instancePath: "/unknown_fields", keyword: "enum" },
    ],
    [
      "a space id with capitals",
      (c) => ((c.kibana as Data).spaces = ["SecOps"]),
      { instancePath: "/kibana/spaces/0", keyword: "pattern" },
    ],
  ])("rejects %s", (_label, change, expected) => {
    const c = clone(config) as Data;
    change(c);
    const errors = errorsOf(validateConfig, c);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject(expected);
  });
});

describe("offline ATT&CK data", () => {
  it("lists the 14 Enterprise tactics with ids, names, shortnames and matching URLs", () => {
    const { tactics } = readJson("schemas/attack/enterprise-tactics.json") as {
      tactics: { id: string; name: string; shortname: string; url: string }[];
    };
    expect(tactics).toHaveLength(14);
    expect(new Set(tactics.map((t) => t.id)).size).toBe(14);
    for (const t of tactics) {
      expect(t.id).toMatch(/^TA\d{4}$/);
      expect(t.url).toBe(`https://attack.mitre.org/tactics/${t.id}/`);
      expect(t.shortname).toBe(t.name.toLowerCase().replace(/ /g, "-"));
    }
    expect(tactics.find((t) => t.id === "TA0007")?.name).toBe("Discovery");
    expect(tactics.find((t) => t.id === "TA0011")?.name).toBe("Command and Control");
  });

  it("has a mini STIX bundle whose subtechnique points at its parent", () => {
    const bundle = JSON.parse(
      readFileSync(new URL("./test-data/attack-mini.stix.json", import.meta.url), "utf8"),
    ) as {
      type: string;
      objects: {
        type: string;
        id: string;
        x_mitre_is_subtechnique?: boolean;
        source_ref?: string;
        target_ref?: string;
        relationship_type?: string;
        external_references?: { source_name: string; external_id: string }[];
      }[];
    };
    expect(bundle.type).toBe("bundle");
    const byAttackId = new Map(
      bundle.objects.flatMap((o) => {
        const id = o.external_references?.find((r) => r.source_name === "mitre-attack")?.external_id;
        return id ? [[id, o] as const] : [];
      }),
    );
    expect([...byAttackId.keys()].sort()).toEqual(["T1069", "T1069.003", "T1613", "TA0007"]);
    const link = bundle.objects.find((o) => o.relationship_type === "subtechnique-of");
    expect(link?.source_ref).toBe(byAttackId.get("T1069.003")?.id);
    expect(link?.target_ref).toBe(byAttackId.get("T1069")?.id);
    expect(byAttackId.get("T1069.003")?.x_mitre_is_subtechnique).toBe(true);
  });
});
