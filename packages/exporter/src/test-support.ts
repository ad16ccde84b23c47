/** Test data: rules shaped like the repository's seeds (two Kubernetes audit rules), and generated rule sets. */
import type { RequiredFieldsFn, RuleSource } from "./types.js";

const threat = [
  {
    framework: "MITRE ATT&CK",
    tactic: { id: "TA0007", name: "Discovery", reference: "https://attack.mitre.org/tactics/TA0007/" },
    technique: [
      {
        id: "T1613",
        name: "Container and Resource Discovery",
        reference: "https://attack.mitre.org/techniques/T1613/",
      },
    ],
  },
];

function k8sRule(ruleId: string, name: string, query: string, version: number): RuleSource {
  return {
    file: `rules/kubernetes/${name.toLowerCase().replace(/[^a-z0-9]+/g, "_")}.yaml`,
    data: {
      rule_id: ruleId,
      name,
      description: `Test rule: ${name}.\nSecond line of the description.`,
      type: "query",
      language: "kuery",
      index: ["logs-kubernetes.*"],
      query,
      severity: "medium",
      risk_score: 47,
      interval: "5m",
      from: "now-6m",
      max_signals: 100,
      timestamp_override: "event.ingested",
      tags: ["Data Source: Kubernetes", "Tactic: Discovery", "Resources: Investigation Guide"],
      threat,
      author: ["Elastic"],
      license: "Elastic License v2",
      related_integrations: [{ package: "kubernetes", integration: "audit_logs", version: "^1.80.0" }],
      note: "## Triage\n\nLook at the user.\n",
      metadata: {
        maturity: "production",
        created: "2026-01-01",
        updated: "2026-01-01",
        integration: "kubernetes",
        version,
      },
    },
  };
}

/** Two rules like the seeds: metadata.version 204 and 6. */
export function seedLikeRules(): RuleSource[] {
  return [
    k8sRule(
      "7f1c5d02-3f0e-4a47-9a65-1f6d0c6a0b01",
      "Kubernetes Suspicious Self-Subject Review",
      'event.dataset : "kubernetes.audit_logs" and kubernetes.audit.verb:"create" and kubernetes.audit.objectRef.resource:("selfsubjectaccessreviews" or "selfsubjectrulesreviews")',
      204,
    ),
    k8sRule(
      "2b9e6c41-8d7a-4c1e-b3f2-5a0e9d4c7b02",
      "Kubernetes Denied Service Account Request",
      'event.dataset: "kubernetes.audit_logs" and kubernetes.audit.user.username: system\\:serviceaccount\\:* and kubernetes.audit.annotations.authorization_k8s_io/decision: "forbid"',
      6,
    ),
  ];
}

/** `count` distinct query rules, deterministic. */
export function generatedRules(count: number, prefix = "gen"): RuleSource[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(5, "0");
    return {
      file: `rules/generated/${prefix}_${n}.yaml`,
      data: {
        rule_id: `${prefix}-${n}`,
        name: `Generated rule ${prefix} ${n}`,
        description: `Generated rule number ${i}.`,
        type: "query",
        language: "kuery",
        index: ["logs-*"],
        query: `event.action:"action-${i}" and host.name:*`,
        severity: "low",
        risk_score: 21,
        tags: ["Generated"],
        metadata: {
          maturity: "production",
          created: "2026-01-01",
          updated: "2026-01-01",
          integration: "custom",
        },
      },
    };
  });
}

/** A stand-in for the catalogue-backed derivation: `field:` names from the query, typed keyword. */
export const fakeRequiredFields: RequiredFieldsFn = (query, language) => {
  if (language !== "kuery") return [];
  const names = [...query.matchAll(/([A-Za-z@][\w.@/]*)\s*:/g)].map((m) => m[1]!);
  return names.map((name) => ({ name, type: name === "@timestamp" ? "date" : "keyword" }));
};
