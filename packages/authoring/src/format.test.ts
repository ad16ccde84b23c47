import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { format as prettierFormat, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig, schemasDir } from "@dac/schema";
import { casesKeyOrder, ruleKeyOrder, ruleTopLevelOrder } from "./canonical-order.js";
import { FormatError, formatYaml } from "./format.js";
import type { YamlKind } from "./format.js";
import { writeFileAtomic } from "@dac/schema";
import { formatTarget, formatTargets } from "./format-files.js";
import { formatKqlQuery, splitTopLevel } from "./kql-layout.js";
import { repoRoot, tempRepo } from "./test-support/temp-repo.js";

const header = "# yaml-language-server: $schema=../../schemas/rule.schema.json";
const fmt = (text: string, kind: YamlKind = "rule", queries = false) =>
  formatYaml(text, { kind, queries }).text;

describe("formatYaml", () => {
  it.each([
    [
      "puts top-level keys in the canonical order",
      "severity: low\nname: Rule\nrule_id: x\n",
      "rule_id: x\nname: Rule\nseverity: low\n",
    ],
    [
      "orders nested ATT&CK keys",
      "threat:\n  - tactic:\n      reference: r\n      id: TA0007\n      name: Discovery\n    framework: MITRE ATT&CK\n",
      "threat:\n  - framework: MITRE ATT&CK\n    tactic:\n      id: TA0007\n      name: Discovery\n      reference: r\n",
    ],
    [
      "orders metadata by the schema",
      "metadata:\n  integration: k\n  updated: '2026-01-02'\n  maturity: production\n  created: '2026-01-01'\n",
      'metadata:\n  maturity: production\n  created: "2026-01-01"\n  updated: "2026-01-02"\n  integration: k\n',
    ],
    [
      "keeps unknown keys after the known ones, in their order",
      "zeta: 1\nname: Rule\nalpha: 2\n",
      "name: Rule\nzeta: 1\nalpha: 2\n",
    ],
    [
      "writes flow collections as blocks",
      "tags: [a, b]\nindex: ['x-*']\n",
      "index:\n  - x-*\ntags:\n  - a\n  - b\n",
    ],
    ["keeps empty collections in flow style", "tags: []\nmeta: {}\n", "tags: []\nmeta: {}\n"],
    ["indents sequences under their key", "tags:\n- a\n- b\n", "tags:\n  - a\n  - b\n"],
    ["drops the document start marker", "---\nname: Rule\n", "name: Rule\n"],
  ])("%s", (_label, input, output) => {
    expect(fmt(input)).toBe(output);
  });

  it.each([
    ["a plain string stays plain", "'plain text'", "plain text"],
    ["double quotes become plain when safe", '"logs-kubernetes.*"', "logs-kubernetes.*"],
    ["a YAML 1.1 boolean is quoted", "yes", '"yes"'],
    ["a date is quoted (YAML 1.1 reads a timestamp)", "2026-11-22", '"2026-11-22"'],
    ["an ISO timestamp is quoted", "2025-03-04T06:22:18.819Z", '"2025-03-04T06:22:18.819Z"'],
    ["a number-like string is quoted", "'47'", '"47"'],
    ["a string with `: ` is double-quoted", "'Tactic: Discovery'", '"Tactic: Discovery"'],
    ["more double than single quotes: single-quoted", `'"hi": she said'`, `'"hi": she said'`],
    ["quotes inside plain text stay plain", `'say "hi"'`, `say "hi"`],
    ["a single quote: double-quoted", `'it''s: here'`, `"it's: here"`],
    ["the empty string", "''", '""'],
    ["a control character needs double quotes", '"bell\\a: x"', '"bell\\a: x"'],
    ["a version-like string stays plain", "8.17.2", "8.17.2"],
  ])("quoting: %s", (_label, value, expected) => {
    expect(fmt(`name: ${value}\n`)).toBe(`name: ${expected}\n`);
  });

  it("quotes keys only where needed", () => {
    expect(
      fmt(
        "cases:\n  - name: a\n    expect: match\n    events:\n      - \"@timestamp\": x\n        'event': {}\n",
        "cases",
      ),
    ).toBe(
      'cases:\n  - name: a\n    expect: match\n    events:\n      - "@timestamp": x\n        event: {}\n',
    );
  });

  it("writes multi-line strings as literal blocks", () => {
    expect(fmt('note: "## Triage\\n\\nRead it.\\n"\nsetup: "a\\nb"\n')).toBe(
      "note: |\n  ## Triage\n\n  Read it.\nsetup: |-\n  a\n  b\n",
    );
  });

  it("folds single-line prose that overflows its line, and only that", () => {
    const long = "word ".repeat(30).trim();
    const out = fmt(
      `description: ${long}\nname: short prose\nreferences:\n  - https://example.com/${"x".repeat(120)}\n`,
    );
    expect(out).toMatch(/^name: short prose\ndescription: >-\n {2}word word/);
    expect(out.split("\n").every((line) => line.length <= 110 || line.includes("https://"))).toBe(true);
    expect(parse(out)).toEqual({
      name: "short prose",
      description: long,
      references: [`https://example.com/${"x".repeat(120)}`],
    });
  });

  it("keeps comments with the keys they belong to, and the schema header first", () => {
    const input = [
      header,
      "# About this rule.",
      "severity: low # the lowest",
      "# The name.",
      "name: Rule",
      "tags:",
      "  # first tag",
      "  - a",
      "",
    ].join("\n");
    expect(fmt(input)).toBe(
      [
        header,
        "# About this rule.",
        "# The name.",
        "name: Rule",
        "severity: low # the lowest",
        "tags:",
        "  # first tag",
        "  - a",
        "",
      ].join("\n"),
    );
  });

  it("moves the schema header to the first line and adds it when missing", () => {
    expect(fmt(`# A comment.\n${header}\nname: Rule\n`)).toBe(`${header}\n# A comment.\nname: Rule\n`);
    expect(formatYaml("name: Rule\n", { kind: "rule", schemaHeader: header }).text).toBe(
      `${header}\nname: Rule\n`,
    );
  });

  it("keeps a blank line between the file comment and the first key", () => {
    const input = `${header}\n\nname: Rule\n`;
    expect(fmt(input)).toBe(input);
  });

  it("orders fixture cases but never the keys of an event", () => {
    const input =
      "cases:\n  - events:\n      - z: 1\n        a: 2\n    expect: match\n    name: first\nfields:\n  b: keyword\n  a: ip\n";
    expect(fmt(input, "cases")).toBe(
      "fields:\n  b: keyword\n  a: ip\ncases:\n  - name: first\n    expect: match\n    events:\n      - z: 1\n        a: 2\n",
    );
  });

  it("is idempotent and never changes the data", () => {
    const input = `${header}\nseverity: medium\ntags: ['Data Source: K8s', "x"]\nquery: "a: 1 and\\n  b: 2\\n"\nname: "Rule"\n`;
    const once = fmt(input);
    expect(fmt(once)).toBe(once);
    expect(parse(once)).toEqual(parse(input));
  });

  it("reports when nothing changes", () => {
    expect(formatYaml(`${header}\nname: Rule\n`, { kind: "rule" }).changed).toBe(false);
  });

  it.each([
    ["an unparsable file", "name: [\n", /Flow sequence|Unexpected|Missing/],
    ["duplicate keys", "name: a\nname: b\n", /unique/],
    ["several documents", "name: a\n---\nname: b\n", /multiple documents/],
  ])("refuses %s", (_label, input, message) => {
    expect(() => fmt(input)).toThrow(FormatError);
    expect(() => fmt(input)).toThrow(message);
  });
});

describe("--queries", () => {
  const rule = `${header}\nlanguage: kuery\nquery: |\n  event.dataset : "k" AND (a:1 OR a:2) and not b : x\n`;

  it("reprints the KQL query with the KQL printer, one top-level operand per line", () => {
    const out = fmt(rule, "rule", true);
    expect(parse(out).query).toBe('event.dataset:"k"\n  and a:(1 or 2)\n  and not b:x\n');
  });

  it("leaves the query alone without --queries", () => {
    expect(parse(fmt(rule)).query).toBe(parse(rule).query);
  });

  it("leaves a query that does not parse, and says so", () => {
    const result = formatYaml(`${header}\nquery: "a:(b"\n`, { kind: "rule", queries: true });
    expect(parse(result.text).query).toBe("a:(b");
    expect(result.notes[0]).toMatch(/^query left as it is: /);
  });

  it("reprints an EQL query, one sequence step per line", () => {
    const eql = `${header}\ntype: eql\nlanguage: eql\nquery: "sequence by host.id [process where a==1] [file where b : \\"x\\"]"\n`;
    expect(parse(fmt(eql, "rule", true)).query).toBe(
      'sequence by host.id\n  [process where a == 1]\n  [file where b : "x"]',
    );
  });

  it("leaves an EQL query with comments alone, and says so", () => {
    const eql = `${header}\ntype: eql\nlanguage: eql\nquery: "any where a == 1 // why"\n`;
    const result = formatYaml(eql, { kind: "rule", queries: true });
    expect(parse(result.text).query).toBe("any where a == 1 // why");
    expect(result.notes[0]).toMatch(/comments/);
  });

  it("leaves other languages alone", () => {
    const esql = `${header}\ntype: esql\nlanguage: esql\nquery: "from logs-* | limit 1"\n`;
    expect(parse(fmt(esql, "rule", true)).query).toBe("from logs-* | limit 1");
  });

  it.each([
    ["a or b", "a\n  or b"],
    ["a:(1 or 2)", "a:(1 or 2)"],
    ['f:"x and y" and g:(1 or 2)', 'f:"x and y"\n  and g:(1 or 2)'],
    ["a:1 and (b:2 or c:3)", "a:1\n  and (b:2 or c:3)"],
  ])("lays out %s", (query, expected) => {
    expect(formatKqlQuery(query)).toBe(expected);
  });

  it("splits only outside quotes, escapes and parentheses", () => {
    expect(splitTopLevel('a and "b and c" and d\\ and e and (f and g)', " and ")).toEqual([
      "a",
      '"b and c"',
      "d\\ and e",
      "(f and g)",
    ]);
  });
});

describe("the canonical order", () => {
  const schema = JSON.parse(readFileSync(join(schemasDir, "rule.schema.json"), "utf8")) as {
    $defs: Record<string, { properties?: Record<string, unknown> }>;
  };
  const props = (name: string) => Object.keys(schema.$defs[name]?.properties ?? {});

  it("names every top-level property of every rule type", () => {
    const all = new Set(
      Object.values(schema.$defs).flatMap((d) =>
        d.properties && "rule_id" in d.properties ? Object.keys(d.properties) : [],
      ),
    );
    expect([...all].filter((p) => !(ruleTopLevelOrder as readonly string[]).includes(p))).toEqual([]);
    expect(new Set(ruleTopLevelOrder).size).toBe(ruleTopLevelOrder.length);
  });

  it.each([
    ["metadata", "RepositoryMetadata"],
    ["threat[]", "Threat"],
    ["related_integrations[]", "RelatedIntegration"],
    ["required_fields[]", "RequiredField"],
    ["threshold", "Threshold"],
    ["alert_suppression", "AlertSuppression"],
    ["alert_suppression.duration", "SuppressionDuration"],
    ["exceptions_list[]", "ExceptionListRef"],
  ])("names every property at %s (%s)", (position, def) => {
    expect(props(def).filter((p) => !ruleKeyOrder[position]!.includes(p))).toEqual([]);
  });

  it("names every property of a fixture case", () => {
    const cases = JSON.parse(readFileSync(join(schemasDir, "fixture-cases.schema.json"), "utf8")) as {
      properties: Record<string, unknown>;
      $defs: { Case: { properties: Record<string, unknown> } };
    };
    expect(Object.keys(cases.properties).filter((p) => !casesKeyOrder[""]!.includes(p))).toEqual([]);
    expect(
      Object.keys(cases.$defs.Case.properties).filter((p) => !casesKeyOrder["cases[]"]!.includes(p)),
    ).toEqual([]);
  });
});

describe("the repository", () => {
  const config = loadConfig(repoRoot);
  const folders = { rules: config.rules, fixtures: config.fixtures, schemas: join(repoRoot, "schemas") };
  const targets = formatTargets([], folders, repoRoot);

  it("finds the rules and the fixture cases", () => {
    const kinds = targets.map((t) => t.kind);
    expect(kinds.filter((k) => k === "rule").length).toBeGreaterThanOrEqual(2);
    expect(kinds).toContain("cases");
  });

  // `dac fmt --check` passes on the repository.
  it.each(targets.map((t) => [t.file.slice(repoRoot.length), t] as const))(
    "%s is formatted",
    (_file, target) => {
      const outcome = formatTarget(target, folders);
      expect(outcome.message).toBeUndefined();
      expect(outcome.status).toBe("unchanged");
    },
  );

  // `npm run lint` runs `prettier --check .` over the same files: the two formatters must agree.
  it.each(targets.map((t) => [t.file.slice(repoRoot.length), t.file] as const))(
    "Prettier agrees on %s",
    async (_file, file) => {
      const text = readFileSync(file, "utf8");
      const options = (await resolveConfig(file)) ?? {};
      expect(await prettierFormat(text, { ...options, filepath: file })).toBe(text);
    },
  );
});

describe("files", () => {
  it("writes atomically and reports errors per file", () => {
    const root = tempRepo({
      "rules/k/a.yaml": "name: Rule\nrule_id: x\n",
      "rules/k/bad.yaml": "name: [\n",
      "fixtures/k/a/cases.yaml": "cases: []\n",
      "fixtures/k/a/other.yaml": "b: 1\na: 2\n",
    });
    const folders = { rules: join(root, "rules"), fixtures: join(root, "fixtures"), schemas: schemasDir };
    const targets = formatTargets([], folders, root);
    expect(targets.map((t) => [t.file.slice(root.length + 1), t.kind])).toEqual([
      ["fixtures/k/a/cases.yaml", "cases"],
      ["fixtures/k/a/other.yaml", "other"],
      ["rules/k/a.yaml", "rule"],
      ["rules/k/bad.yaml", "rule"],
    ]);
    const outcomes = targets.map((t) => formatTarget(t, folders));
    expect(outcomes.map((o) => o.status)).toEqual(["changed", "unchanged", "changed", "error"]);
    expect(outcomes[2]!.text).toMatch(
      /^# yaml-language-server: \$schema=\S+\/schemas\/rule\.schema\.json\nrule_id: x\nname: Rule\n$/,
    );
    writeFileAtomic(targets[2]!.file, outcomes[2]!.text!);
    expect(formatTarget(targets[2]!, folders).status).toBe("unchanged");
    writeFileSync(join(root, "x.yaml"), "b: 1\n");
    expect(() => formatTargets(["missing"], folders, root)).toThrow(/missing: no such file/);
  });
});
