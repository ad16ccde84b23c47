import { describe, expect, it } from "vitest";
import { indexCovered, patternMatches, targetNames } from "./index-patterns.js";

describe("indexCovered", () => {
  it.each([
    // [patterns, index, covered, why]
    [["logs-kubernetes.*"], "logs-kubernetes.audit_logs-default", true, "wildcard suffix"],
    [
      ["logs-kubernetes.*"],
      ".ds-logs-kubernetes.audit_logs-default-2025.03.04-000001",
      true,
      "backing index of a covered data stream",
    ],
    [["logs-kubernetes.*"], "logs-system.auth-default", false, "other data set"],
    [["logs-*"], ".ds-logs-x-default-2025.03.04-000001", true, "hidden backing index through its stream"],
    [["*"], ".internal-index", false, "wildcards skip hidden names"],
    [[".internal-*"], ".internal-index", true, "a dotted pattern reaches hidden names"],
    [["logs-*,-logs-kubernetes.*"], "logs-kubernetes.audit_logs-default", false, "comma list with exclusion"],
    [["logs-*,-logs-kubernetes.*"], "logs-system.auth-default", true, "exclusion leaves others"],
    [
      ["logs-*", "-logs-kubernetes.*"],
      "logs-kubernetes.audit_logs-default",
      false,
      "exclusion as its own entry",
    ],
    [
      ["-logs-kubernetes.*", "logs-*"],
      "logs-kubernetes.audit_logs-default",
      true,
      "exclusion only removes what came before",
    ],
    [
      ["logs-*", "-logs-kubernetes.*", "logs-kubernetes.audit*"],
      "logs-kubernetes.audit_logs-default",
      true,
      "re-included later",
    ],
    [["remote:logs-*"], "logs-kubernetes.audit_logs-default", false, "remote cluster pattern"],
    [["auditbeat-8.0.0"], "auditbeat-8.0.0", true, "exact name"],
    [["auditbeat-8.0.0"], "auditbeat-8.0.1", false, "exact name differs"],
    [["logs-*-default"], "logs-a-b-default", true, "inner wildcard"],
    [["a*b*c"], "abc", true, "empty wildcard runs"],
    [["a*bb*bc"], "abbc", false, "pieces may not overlap"],
    [[" logs-* , -logs-x"], "logs-x", false, "spaces around entries"],
  ] as const)("%j covers %s: %s (%s)", (patterns, index, covered, _why) => {
    expect(indexCovered(patterns, index)).toBe(covered);
  });

  it("names a backing index by its data stream too", () => {
    expect(targetNames(".ds-logs-a.b-default-2024.01.31-000012")).toEqual([
      ".ds-logs-a.b-default-2024.01.31-000012",
      "logs-a.b-default",
    ]);
    expect(targetNames("logs-a")).toEqual(["logs-a"]);
  });

  it("treats regex characters literally", () => {
    expect(patternMatches("logs-k8s.(x)*", "logs-k8s.(x)-1")).toBe(true);
    expect(patternMatches("logs-k8s.*", "logs-k8sX-1")).toBe(false);
  });
});
