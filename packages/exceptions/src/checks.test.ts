// The exception checks of `dac validate` (DAC703-DAC708), each at the line and column of what it is about.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defaultConfig, loadRules } from "@dac/schema";
import type { Diagnostic } from "@dac/schema";
import { checkExceptions, loadExceptions } from "./index.js";
import { header, tempRepo } from "./test-support/repo.js";

// A real rule of the repository (a Kubernetes audit rule on logs-kubernetes.*), attaching two shared lists.
const seedRule = readFileSync(
  fileURLToPath(
    new URL("../../../rules/kubernetes/kubernetes_denied_service_account_request.yaml", import.meta.url),
  ),
  "utf8",
);
const rule = `${seedRule.trimEnd()}\nexceptions_list:\n  - list_id: shared-ops\n  - list_id: no-such-list\n  - list_id: endpoint_list\n`;

const list = (items: string) => `${header}list_id: shared-ops
name: Shared ops
description: Shared exceptions.
type: detection
items:
${items}`;

const item = (id: string, entries: string, extra = "") => `  - item_id: ${id}
    name: ${id}
    description: ${id}
${extra}    entries:
${entries}`;

/** `dac validate`'s view: the rules of the repository, its exceptions, and the checks, as `file:line:col code`. */
function check(items: string, now = new Date("2026-06-01T00:00:00Z")) {
  const root = tempRepo({
    "rules/k8s/denied.yaml": rule,
    "exceptions/shared-ops.yaml": list(items),
    "exceptions/lists/scanners.ip.txt": "10.0.0.1\n",
  });
  const config = defaultConfig(root);
  const rules = loadRules([], config, root, { threads: 1 });
  const set = loadExceptions(root, { cwd: root });
  expect(set.diagnostics).toEqual([]);
  return checkExceptions(set, rules.rules, config, { now });
}

const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.severity}`);

describe("checkExceptions", () => {
  it("DAC703: a rule attaches a list the repository does not hold, at the reference (Kibana's endpoint list aside)", () => {
    const ds = check(
      item("ok", "      - { field: user.name, type: match, operator: included, value: alice }\n"),
    );
    const refLine = rule.split("\n").findIndex((l) => l.includes("no-such-list")) + 1;
    expect(brief(ds)).toEqual([`rules/k8s/denied.yaml:${refLine}:14 DAC703 error`]);
    expect(ds[0]!.message).toBe("exception list `no-such-list` is not in the repository");
    expect(ds[0]!.hint).toContain("known: shared-ops");
  });

  const only = (ds: Diagnostic[]) => ds.filter((d) => d.code !== "DAC703");

  it("DAC704: a `list` entry names a value list that does not exist", () => {
    const ds = only(
      check(
        item(
          "lists",
          [
            "      - field: source.ip",
            "        type: list",
            "        operator: included",
            "        list: { id: scanners, type: ip }",
            "      - field: source.ip",
            "        type: list",
            "        operator: excluded",
            "        list: { id: office, type: ip_range }",
            "",
          ].join("\n"),
        ),
      ),
    );
    expect(brief(ds)).toEqual(["exceptions/shared-ops.yaml:18:21 DAC704 error"]);
    expect(ds[0]!.message).toBe("value list `office` does not exist");
  });

  it("DAC705: an unknown field is an error with `did you mean` where its namespace has definitions, a warning where it has none", () => {
    const ds = only(
      check(
        item(
          "fields",
          [
            "      - { field: user.nmae, type: match, operator: included, value: alice }",
            "      - { field: acme.app.user, type: match, operator: included, value: alice }",
            "",
          ].join("\n"),
        ),
      ),
    );
    expect(brief(ds)).toEqual([
      "exceptions/shared-ops.yaml:11:18 DAC705 error",
      "exceptions/shared-ops.yaml:12:18 DAC705 warning",
    ]);
    expect(ds[0]!.message).toMatch(/^exception entry: unknown field `user.nmae`, did you mean `user.name`/);
    // The same wording as an unknown query field in such a namespace (DAC406).
    expect(ds[1]!.message).toBe("exception entry: no field definitions for `acme.*` (field `acme.app.user`)");
  });

  it("DAC706: match on text, wildcard on a number or an address, and values the field cannot hold", () => {
    const ds = only(
      check(
        item(
          "types",
          [
            "      - { field: message, type: match, operator: included, value: backup done }",
            "      - { field: process.pid, type: wildcard, operator: included, value: '12*' }",
            "      - { field: source.ip, type: wildcard, operator: included, value: '10.*' }",
            "      - { field: process.pid, type: match, operator: included, value: abc }",
            "      - { field: source.ip, type: match_any, operator: included, value: [10.0.0.1, 10.0.0.300] }",
            "      - { field: user.name, type: match, operator: included, value: alice }",
            "",
          ].join("\n"),
        ),
      ),
    );
    expect(brief(ds)).toEqual([
      "exceptions/shared-ops.yaml:11:18 DAC706 error",
      "exceptions/shared-ops.yaml:12:18 DAC706 error",
      "exceptions/shared-ops.yaml:13:18 DAC706 error",
      "exceptions/shared-ops.yaml:14:71 DAC706 error",
      "exceptions/shared-ops.yaml:15:84 DAC706 error",
    ]);
    expect(ds[0]!.message).toContain("`match` on match_only_text field `message`");
    expect(ds[2]!.hint).toContain("CIDR");
    // Elasticsearch's own refusals (NumberFieldMapper, InetAddresses.forString).
    expect(ds[3]!.message).toContain("abc");
    expect(ds[4]!.message).toContain("'10.0.0.300' is not an IP string literal.");
  });

  it("DAC706: a `nested` entry on a field that is not nested", () => {
    const ds = only(
      check(
        item(
          "nested",
          [
            "      - field: process",
            "        type: nested",
            "        entries:",
            "          - { field: name, type: match, operator: included, value: cmd.exe }",
            "",
          ].join("\n"),
        ),
      ),
    );
    expect(brief(ds)).toEqual(["exceptions/shared-ops.yaml:11:16 DAC706 error"]);
    expect(ds[0]!.message).toContain("`process` is an object field");
  });

  it("DAC707: an item whose expire_time has passed is a warning; one still to expire is not", () => {
    const entries = "      - { field: user.name, type: match, operator: included, value: alice }\n";
    const items =
      item("old", entries, "    expire_time: 2026-01-01T00:00:00.000Z\n") +
      item("later", entries, "    expire_time: 2027-01-01T00:00:00.000Z\n");
    const ds = only(check(items));
    expect(brief(ds)).toEqual(["exceptions/shared-ops.yaml:10:18 DAC707 warning"]);
    expect(ds[0]!.message).toContain("`old` expired on 2026-01-01T00:00:00.000Z");
  });

  it("DAC708: entries that contradict; different values of one field only warn (an array can hold both)", () => {
    const ds = only(
      check(
        item(
          "exists",
          [
            "      - { field: user.name, type: exists, operator: included }",
            "      - { field: user.name, type: exists, operator: excluded }",
            "",
          ].join("\n"),
        ) +
          item(
            "same-value",
            [
              "      - { field: user.name, type: match, operator: included, value: alice }",
              "      - { field: user.name, type: match_any, operator: excluded, value: [alice, bob] }",
              "",
            ].join("\n"),
          ) +
          item(
            "missing",
            [
              "      - { field: host.name, type: exists, operator: excluded }",
              "      - { field: host.name, type: wildcard, operator: included, value: 'ws-*' }",
              "",
            ].join("\n"),
          ) +
          item(
            "two-values",
            [
              "      - { field: user.name, type: match, operator: included, value: alice }",
              "      - { field: user.name, type: match, operator: included, value: bob }",
              "",
            ].join("\n"),
          ) +
          item(
            "fine",
            [
              "      - { field: user.name, type: match, operator: included, value: alice }",
              "      - { field: user.name, type: match, operator: excluded, value: bob }",
              "",
            ].join("\n"),
          ),
      ),
    );
    expect(brief(ds)).toEqual([
      "exceptions/shared-ops.yaml:12:9 DAC708 error",
      "exceptions/shared-ops.yaml:18:9 DAC708 error",
      "exceptions/shared-ops.yaml:24:9 DAC708 error",
      "exceptions/shared-ops.yaml:30:9 DAC708 warning",
    ]);
    expect(ds[0]!.message).toBe("exception item `exists`: `user.name` must both exist and not exist");
    expect(ds[3]!.message).toContain("only an event holding both in an array matches");
  });

  it("reports nothing for the seed rules' own exceptions", () => {
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const config = defaultConfig(root);
    const rules = loadRules([], config, root, { threads: 1 });
    const set = loadExceptions(root, { cwd: root });
    expect(set.lists.length).toBeGreaterThan(0);
    expect(checkExceptions(set, rules.rules, config)).toEqual([]);
  });
});
