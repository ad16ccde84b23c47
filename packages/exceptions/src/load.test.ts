import { describe, expect, it } from "vitest";
import { loadExceptions, parseValueList } from "./index.js";
import { header, ruleHeader, tempRepo } from "./test-support/repo.js";

const operators = `${header}list_id: k8s-operators
name: Known Kubernetes operators
description: Service accounts of operators we run.
type: detection
items:
  - item_id: argocd
    name: Argo CD
    description: Argo CD probes what it may do.
    entries:
      - field: kubernetes.audit.user.username
        type: match
        operator: included
        value: system:serviceaccount:argocd:argocd-application-controller
`;

describe("loadExceptions", () => {
  it("reads shared lists, rule-default lists next to their rules and value lists, with Kibana's defaults", () => {
    const root = tempRepo({
      "exceptions/k8s-operators.yaml": operators,
      "exceptions/lists/scanners.ip_range.txt":
        "# name: Scanners\n# description: Our scanners\n10.0.0.0/8\n\n192.168.1.1-192.168.1.9\n10.0.0.0/8\n",
      "rules/k8s/denied.yaml": "rule_id: 0f972c5e-be60-4fd3-a32c-cd0b39e5b6d1\nname: x\n",
      "rules/k8s/denied.exceptions.yaml": `${ruleHeader}list_id: denied-defaults
name: Denied defaults
description: The rule's own exceptions.
type: rule_default
namespace_type: single
items: []
`,
    });
    const set = loadExceptions(root, { cwd: root });
    expect(set.diagnostics).toEqual([]);
    expect(set.lists.map((l) => [l.list_id, l.file, l.namespace_type, l.rule_id])).toEqual([
      ["k8s-operators", "exceptions/k8s-operators.yaml", "single", undefined],
      [
        "denied-defaults",
        "rules/k8s/denied.exceptions.yaml",
        "single",
        "0f972c5e-be60-4fd3-a32c-cd0b39e5b6d1",
      ],
    ]);
    expect(set.lists[0]!.items[0]!.type).toBe("simple");
    expect(set.valueLists).toEqual([
      {
        id: "scanners",
        type: "ip_range",
        name: "Scanners",
        description: "Our scanners",
        values: ["10.0.0.0/8", "192.168.1.1-192.168.1.9"],
        file: "exceptions/lists/scanners.ip_range.txt",
      },
    ]);
    expect(set.sources.get("exceptions/k8s-operators.yaml")).toBeDefined();
  });

  it("reports schema errors at their place, with a did-you-mean, and yields no list", () => {
    const root = tempRepo({
      "exceptions/bad.yaml": operators.replace("    entries:", "    entrys:"),
    });
    const set = loadExceptions(root, { cwd: root });
    expect(set.lists).toEqual([]);
    const shown = set.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`);
    expect(shown).toEqual([
      "exceptions/bad.yaml:10:5 DAC701 unknown key `entrys` in items[0], did you mean `entries`?",
    ]);
  });

  it("reports duplicate list, item and value list ids", () => {
    const root = tempRepo({
      "exceptions/a.yaml": operators,
      "exceptions/b.yaml": operators,
      "exceptions/lists/x.keyword.txt": "a\n",
      "exceptions/lists/sub/x.ip.txt": "10.0.0.1\n",
    });
    const codes = loadExceptions(root, { cwd: root }).diagnostics.map(
      (d) => `${d.file}:${d.line} ${d.code} ${d.message}`,
    );
    expect(codes).toEqual([
      "exceptions/b.yaml:2 DAC702 list_id `k8s-operators` is also the id of exceptions/a.yaml",
      "exceptions/b.yaml:7 DAC702 item_id `argocd` is already used in exceptions/a.yaml",
      "exceptions/lists/x.keyword.txt:1 DAC702 value list id `x` is also the id of exceptions/lists/sub/x.ip.txt",
    ]);
  });

  it("refuses a rule-default list without its rule, and a shared list of type rule_default", () => {
    const root = tempRepo({
      "rules/k8s/gone.exceptions.yaml": `${ruleHeader}list_id: a\nname: a\ndescription: a\ntype: rule_default\nitems: []\n`,
      "rules/k8s/typed.yaml": "rule_id: r1\n",
      "rules/k8s/typed.exceptions.yaml": `${ruleHeader}list_id: b\nname: b\ndescription: b\ntype: detection\nitems: []\n`,
      "exceptions/c.yaml": `${header}list_id: c\nname: c\ndescription: c\ntype: rule_default\nitems: []\n`,
    });
    const set = loadExceptions(root, { cwd: root });
    expect(set.lists).toEqual([]);
    expect(set.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`)).toEqual([
      "exceptions/c.yaml:5 DAC711",
      "rules/k8s/gone.exceptions.yaml:1 DAC711",
      "rules/k8s/typed.exceptions.yaml:5 DAC711",
    ]);
  });

  it("reports misnamed value list files and values their type cannot hold, at their line", () => {
    const root = tempRepo({
      "exceptions/lists/hosts.txt": "a\n",
      "exceptions/lists/hosts.colour.txt": "a\n",
      "exceptions/lists/addrs.ip.txt": "10.0.0.1\nnot-an-ip\n",
    });
    const set = loadExceptions(root, { cwd: root });
    expect(set.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      "exceptions/lists/addrs.ip.txt:2:1 DAC712",
      "exceptions/lists/hosts.colour.txt:1:1 DAC712",
      "exceptions/lists/hosts.txt:1:1 DAC712",
    ]);
    expect(set.valueLists.map((l) => l.values)).toEqual([["10.0.0.1"]]);
  });
});

describe("parseValueList", () => {
  it.each([
    ["ip_range", "10.0.0.0/8", true],
    ["ip_range", "10.0.0.1-10.0.0.9", true],
    ["ip_range", "2001:db8::/32", true],
    ["ip_range", "10.0.0.0/33", false],
    ["ip_range", "10.0.0.1-2001:db8::1", false],
    ["long", "12", true],
    ["long", "1.5", false],
    ["keyword", "anything at all", true],
  ] as const)("%s accepts %s: %s", (type, value, ok) => {
    expect(parseValueList("f", value, "id", type).diagnostics.length === 0).toBe(ok);
  });
});
