import { describe, expect, it } from "vitest";
import { flattenEvent, trimEvent } from "./trim.js";

describe("trimEvent", () => {
  const event = {
    "@timestamp": "2025-03-04T06:22:18.819Z",
    event: { dataset: "kubernetes.audit_logs", outcome: "failure" },
    kubernetes: {
      audit: {
        annotations: { "authorization_k8s_io/decision": "forbid" },
        user: { username: "system:serviceaccount:default:x", groups: ["system:serviceaccounts"] },
        verb: "list",
      },
    },
    "source.ip": ["10.0.0.1"],
    rules: [{ verbs: ["get"] }, { verbs: ["list"], apiGroups: [""] }],
  };

  it("flattens nested objects, dotted keys and objects in arrays", () => {
    expect(flattenEvent(event)).toEqual({
      "@timestamp": "2025-03-04T06:22:18.819Z",
      "event.dataset": "kubernetes.audit_logs",
      "event.outcome": "failure",
      "kubernetes.audit.annotations.authorization_k8s_io/decision": "forbid",
      "kubernetes.audit.user.username": "system:serviceaccount:default:x",
      "kubernetes.audit.user.groups": ["system:serviceaccounts"],
      "kubernetes.audit.verb": "list",
      "source.ip": ["10.0.0.1"],
      "rules.verbs": ["get", "list"],
      "rules.apiGroups": [""],
    });
  });

  it("keeps exact names, object prefixes and wildcard names", () => {
    expect(
      trimEvent(event, [
        "event.dataset",
        "kubernetes.audit.annotations.authorization_k8s_io/decision",
        "kubernetes.audit.user",
        "source.*",
        "missing.field",
      ]),
    ).toEqual({
      "event.dataset": "kubernetes.audit_logs",
      "kubernetes.audit.annotations.authorization_k8s_io/decision": "forbid",
      "kubernetes.audit.user.username": "system:serviceaccount:default:x",
      "kubernetes.audit.user.groups": ["system:serviceaccounts"],
      "source.ip": ["10.0.0.1"],
    });
  });

  it("keeps everything for a free-text query", () => {
    expect(Object.keys(trimEvent({ a: { b: 1 } }, []))).toEqual(["a.b"]);
  });
});
