// Fixture `lookups:` for ES|QL's LOOKUP JOIN and ENRICH: parsed like `events:` (inline rows and `file:`
// references), with positions for bad entries, and run through the in-memory engine. LOOKUP JOIN is a left join
// that adds the lookup index's columns, one row per match and nulls when none matches (elastic/elasticsearch
// docs/reference/query-languages/esql/commands/lookup-join.md); ENRICH adds the enrich fields of the policy's
// rows whose match field equals the row's `ON` field (docs/reference/query-languages/esql/commands/enrich.md).
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { defaultConfig, loadYaml } from "@dac/schema";
import type { Rule } from "@dac/schema";
import type { EngineRule } from "./engine.js";
import { esqlEngine } from "./esql-engine.js";
import { loadRuleFixtures } from "./fixtures.js";
import { runTests } from "./run.js";
import { casesHeader, treesRemovedAfterEach } from "./test-support/tree.js";

const tree = treesRemovedAfterEach();

const join =
  "FROM logs-* METADATA _id\n| LOOKUP JOIN threat-intel ON source.ip\n| WHERE threat.feed.name IS NOT NULL";
const event = (s: number, ip: string) =>
  `{"@timestamp": "2026-03-01T10:00:0${s}Z", event: {action: connect}, source: {ip: "${ip}"}}`;

describe("fixture lookups: parsing", () => {
  const load = (root: string) => loadRuleFixtures(`${root}/f`, { cwd: root });

  it("reads inline rows and file references per name, with where each name is written", () => {
    const root = tree({
      "f/cases.yaml": `${casesHeader}cases:
  - name: listed
    expect: alert
    lookups:
      threat-intel:
        - {source.ip: 203.0.113.7, threat.feed.name: feed-a}
        - file: more.ndjson
      hosts-policy: []
    events: [${event(1, "203.0.113.7")}]
`,
      "f/more.ndjson": '{"source": {"ip": "198.51.100.1"}, "threat": {"feed": {"name": "feed-b"}}}\n',
    });
    const fixtures = load(root);
    expect(fixtures.diagnostics).toEqual([]);
    const lookups = fixtures.cases[0]!.lookups!;
    expect(lookups.location).toMatchObject({ file: "f/cases.yaml", line: 5, column: 5 });
    expect(Object.keys(lookups.tables)).toEqual(["threat-intel", "hosts-policy"]);
    expect(lookups.tables["threat-intel"]!.rows.map((r) => r.document)).toEqual([
      { "source.ip": "203.0.113.7", "threat.feed.name": "feed-a" },
      { source: { ip: "198.51.100.1" }, threat: { feed: { name: "feed-b" } } },
    ]);
    expect(lookups.tables["threat-intel"]!.location).toMatchObject({ line: 6, column: 7 });
    // An empty list is a lookup index with no rows, not a missing one.
    expect(lookups.tables["hosts-policy"]!.rows).toEqual([]);
  });

  it.each([
    [
      "a row that is not an object",
      "threat-intel: [42]",
      "DAC502",
      22,
      "row 1 of lookup `threat-intel` in case 1 is a number, not an object",
    ],
    [
      "rows that are not a list",
      "threat-intel: {source.ip: 203.0.113.7}",
      "DAC506",
      21,
      "cases[0].lookups.threat-intel must be a list, not a mapping",
    ],
    [
      "lookups that are not a map",
      "- threat-intel",
      "DAC506",
      7,
      "cases[0].lookups must be a mapping, not a list",
    ],
    [
      "a file that does not exist",
      "threat-intel: [{file: missing.ndjson}]",
      "DAC506",
      29,
      "lookup row file `missing.ndjson` does not exist",
    ],
  ])("%s is an error at its line and column", (_what, body, code, column, message) => {
    const root = tree({
      "f/cases.yaml": `${casesHeader}cases:
  - name: c
    expect: alert
    events: [${event(1, "203.0.113.7")}]
    lookups:
      ${body}
`,
    });
    expect(load(root).diagnostics.map((d) => [d.code, d.file, d.line, d.column, d.message])).toEqual([
      [code, "f/cases.yaml", 7, column, message],
    ]);
  });
});

const esqlRule = (query: string, type = "esql", language = "esql"): Rule => {
  const data: Record<string, unknown> = { type, language, rule_id: "r1", name: "R", query, from: "now-6m" };
  if (type !== "esql") data.index = ["logs-*"];
  const text = `# yaml-language-server: $schema=../schemas/rule.schema.json\n${Object.entries(data)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join("\n")}\n`;
  const { source, value } = loadYaml("rules/r.yaml", text);
  return { file: "rules/r.yaml", source: source!, data: value as Rule["data"], valid: true };
};

async function run(rule: Rule, cases: string, files: Record<string, string> = {}) {
  const root = tree({ "fixtures/r/cases.yaml": `${casesHeader}cases:\n${cases}`, ...files });
  return runTests({ rules: [rule], config: defaultConfig(root), cwd: root });
}

const intel = `    lookups:
      threat-intel:
        - {source.ip: 203.0.113.7, threat.feed.name: abuse-feed}
`;

describe("fixture lookups: dac test", () => {
  it("a LOOKUP JOIN rule alerts on the listed address only, the joined columns in the alert", async () => {
    const result = await run(
      esqlRule(join),
      `  - name: listed
    expect: alert
    alerts: 1
    alert: {source.ip: 203.0.113.7, threat.feed.name: abuse-feed}
${intel}    events: [${event(1, "203.0.113.7")}, ${event(2, "203.0.113.8")}]
  - name: near miss, the address is not in the lookup index
    expect: no-match
${intel}    events: [${event(3, "203.0.113.8")}]
  - name: listed, on its own
    expect: match
${intel}    events: [${event(4, "203.0.113.7")}]
`,
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.rules[0]!.cases.map((c) => [c.name, c.status, c.message])).toEqual([
      ["listed", "passed", undefined],
      ["near miss, the address is not in the lookup index", "passed", undefined],
      ["listed, on its own", "passed", undefined],
    ]);
  });

  it("rows from a file reference, and ENRICH on its policy's rows", async () => {
    const query =
      'FROM logs-* METADATA _id\n| ENRICH hosts-policy ON source.ip WITH owner = host.owner\n| WHERE owner == "it"';
    const result = await run(
      esqlRule(query),
      `  - name: owned by it
    expect: alert
    alert: {owner: it}
    lookups:
      hosts-policy: [{file: hosts.ndjson}]
    events: [${event(1, "203.0.113.7")}]
  - name: another owner
    expect: no-alert
    lookups:
      hosts-policy: [{file: hosts.ndjson}]
    events: [${event(2, "203.0.113.9")}]
`,
      {
        "fixtures/r/hosts.ndjson":
          '{"source": {"ip": "203.0.113.7"}, "host": {"owner": "it"}}\n{"source": {"ip": "203.0.113.9"}, "host": {"owner": "hr"}}\n',
      },
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.rules[0]!.cases.map((c) => c.status)).toEqual(["passed", "passed"]);
  });

  it("coverage tests each case's events with that case's rows (a WHERE after the LOOKUP JOIN reads them)", async () => {
    const root = tree({
      "fixtures/r/cases.yaml": `${casesHeader}cases:
  - name: listed
    expect: match
${intel}    events: [${event(1, "203.0.113.7")}]
  - name: unlisted
    expect: no-match
${intel}    events: [${event(2, "203.0.113.8")}]
`,
    });
    const rule = esqlRule(
      'FROM logs-*\n| WHERE event.action == "connect"\n| LOOKUP JOIN threat-intel ON source.ip\n| WHERE threat.feed.name IS NOT NULL',
    );
    const result = await runTests({ rules: [rule], config: defaultConfig(root), cwd: root, coverage: true });
    expect(result.rules[0]!.cases.map((c) => c.status)).toEqual(["passed", "passed"]);
    expect(result.rules[0]!.coverage!.clauses.map((c) => [c.clause, c.positives, c.negatives])).toEqual([
      ['event.action == "connect"', 1, 0],
      ["threat.feed.name IS NOT NULL", 1, 1],
    ]);
  });

  it("without lookups the case fails and says where the rows go (never a pass)", async () => {
    const result = await run(
      esqlRule(join),
      `  - name: no rows given
    expect: no-alert
    events: [${event(1, "203.0.113.7")}]
`,
    );
    const [c] = result.rules[0]!.cases;
    expect(c!.status).toBe("failed");
    expect(c!.message).toMatch(/no lookup data for lookup index \[threat-intel\].*`lookups:`/);
  });

  it("a lookups name the query does not read is DAC506 at the name", async () => {
    const result = await run(
      esqlRule(join),
      `  - name: typo
    expect: no-alert
    lookups:
      threat-intell: []
      threat-intel: []
    events: [${event(1, "203.0.113.7")}]
`,
    );
    // DAC505 (no positive case) aside.
    const own = result.diagnostics.filter((d) => d.code === "DAC506");
    expect(own.map((d) => [d.code, d.file, d.line, d.column, d.message])).toEqual([
      [
        "DAC506",
        "fixtures/r/cases.yaml",
        6,
        7,
        "the query has no LOOKUP JOIN or ENRICH that reads `threat-intell`",
      ],
    ]);
    // An empty lookup index: the join adds nulls, the WHERE drops the row.
    expect(result.rules[0]!.cases[0]!.status).toBe("passed");
  });

  it("lookups on a rule that is not ES|QL is DAC506 at the key", async () => {
    const result = await run(
      esqlRule("event.action: connect", "query", "kuery"),
      `  - name: kql
    expect: match
    lookups:
      threat-intel: []
    events: [${event(1, "203.0.113.7")}]
`,
    );
    const own = result.diagnostics.filter((d) => d.code === "DAC506");
    expect(own.map((d) => [d.code, d.line, d.column])).toEqual([["DAC506", 5, 5]]);
    expect(own[0]!.message).toContain("this rule is `type: query`");
  });
});

describe("esqlEngine with lookups", () => {
  const catalog = fieldCatalog({ ecs: true });
  const rule: EngineRule = {
    file: "rules/r.yaml",
    data: { type: "esql", language: "esql", rule_id: "r1", name: "R", query: join } as EngineRule["data"],
  };
  const window = { from: new Date("2026-03-01T10:00:00Z"), to: new Date("2026-03-01T10:01:00Z") };
  const events = [
    { "@timestamp": "2026-03-01T10:00:01Z", source: { ip: "203.0.113.7" } },
    { "@timestamp": "2026-03-01T10:00:02Z", source: { ip: "203.0.113.8" } },
  ];

  it("joins each event against the execution's rows: the listed one alerts, with the lookup's columns", async () => {
    const lookups = { "threat-intel": [{ "source.ip": "203.0.113.7", "threat.feed.name": "abuse-feed" }] };
    const out = await esqlEngine.execute(rule, [{ events, catalog, range: window, now: window.to, lookups }]);
    const execution = out.executions[0]!;
    expect(execution.error).toBeUndefined();
    expect(execution.alerts.map((a) => a.events)).toEqual([[0]]);
    expect(execution.alerts[0]!.document).toMatchObject({ "threat.feed.name": "abuse-feed" });
    expect(execution.events.map((e) => e.matched)).toEqual([true, false]);
  });

  it("two lookup rows with the listed key: two rows, one alert (the same _id)", async () => {
    const lookups = {
      "threat-intel": [
        { "source.ip": "203.0.113.7", "threat.feed.name": "feed-a" },
        { "source.ip": "203.0.113.7", "threat.feed.name": "feed-b" },
      ],
    };
    const out = await esqlEngine.execute(rule, [{ events, catalog, range: window, now: window.to, lookups }]);
    expect(out.executions[0]!.alerts.map((a) => a.events)).toEqual([[0]]);
  });
});
