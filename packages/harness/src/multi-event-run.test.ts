import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig } from "@dac/schema";
import { runTests } from "./run.js";
import { casesHeader, tempTree } from "./test-support/tree.js";
import { ruleFromData } from "./test-support/rule.js";

const rule = ruleFromData;

const logon = (at: string, user: string) =>
  `{"@timestamp": "${at}", event: {code: "4672"}, user: {name: ${user}}}`;

describe("new_terms cases through the runner", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  const newTerms = rule({
    type: "new_terms",
    language: "kuery",
    index: ["logs-*"],
    query: 'event.code: "4672"',
    new_terms_fields: ["user.name"],
    history_window_start: "now-7d",
    from: "now-10m",
  });

  it("says why an expected alert is missing: the term was seen in the history window", async () => {
    const t = tempTree({
      "fixtures/r/cases.yaml":
        casesHeader +
        `cases:
  - name: alice is not new
    expect: alert
    now: "2026-03-01T10:00:00Z"
    events: [${logon("2026-02-27T10:00:00Z", "alice")}, ${logon("2026-03-01T09:55:00Z", "alice")}]
`,
    });
    cleanup = t.cleanup;
    const result = await runTests({ rules: [newTerms], config: defaultConfig(t.root), cwd: t.root });
    const [c] = result.rules[0]!.cases;
    expect(c!.status).toBe("failed");
    expect(c!.message).toContain(
      "1 event inside the window matched by the query, but term alice seen at 2026-02-27T10:00Z, inside the history window (from 2026-02-22T10:00Z)",
    );
  });

  it("kills the history and field mutants with near misses", async () => {
    const t = tempTree({
      "fixtures/r/cases.yaml":
        casesHeader +
        `cases:
  - name: new user
    expect: alert
    now: "2026-03-01T10:00:00Z"
    alert: {"kibana.alert.new_terms": [bob]}
    events: [${logon("2026-02-27T10:00:00Z", "alice")}, ${logon("2026-03-01T09:55:00Z", "bob")}]
  - name: seen just inside the history window
    expect: no-alert
    now: "2026-03-01T10:00:00Z"
    events: [${logon("2026-02-22T10:01:00Z", "alice")}, ${logon("2026-03-01T09:55:00Z", "alice")}]
  - name: another host does not make the user new
    expect: no-alert
    now: "2026-03-01T10:00:00Z"
    events:
      - {"@timestamp": "2026-02-27T10:00:00Z", event: {code: "4672"}, user: {name: alice}, host: {name: h1}}
      - {"@timestamp": "2026-03-01T09:55:00Z", event: {code: "4672"}, user: {name: alice}, host: {name: h2}}
`,
    });
    cleanup = t.cleanup;
    const result = await runTests({
      rules: [newTerms],
      config: defaultConfig(t.root),
      cwd: t.root,
      mutate: true,
      coverage: true,
    });
    const [only] = result.rules;
    expect(only!.status).toBe("passed");
    // The query's mutants and the two of the settings (host.name added, the history an hour shorter).
    expect(only!.mutation!.mutants).toBeGreaterThanOrEqual(3);
    expect(only!.mutation!.survivors).toEqual([]);
    expect(only!.coverage!.clauses.map((c) => [c.clause, c.positives])).toEqual([['event.code:"4672"', 1]]);
  });
});

describe("indicator match cases through the runner", () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it("reads indicators from a search response with their _id and _index, and explains a miss", async () => {
    const hit = (id: string, ip: string) => ({
      _index: ".ds-logs-ti_abusech.malware-default-2026.02.20-000001",
      _id: id,
      _source: { threat: { feed: { name: "AbuseCH" }, indicator: { type: "ipv4-addr", ip } } },
    });
    const t = tempTree({
      "fixtures/r/indicators.json": { hits: { hits: [hit("abc", "203.0.113.7")] } },
      "fixtures/r/cases.yaml":
        casesHeader +
        `cases:
  - name: listed
    expect: alert
    now: "2026-03-01T10:00:00Z"
    alert:
      threat.enrichments:
        - matched: {atomic: 203.0.113.7, field: destination.ip, id: abc, index: .ds-logs-ti_abusech.malware-default-2026.02.20-000001, type: indicator_match_rule}
          feed: {name: AbuseCH}
          indicator: {type: ipv4-addr, ip: 203.0.113.7}
    indicators: [{file: indicators.json}]
    events: [{"@timestamp": "2026-03-01T09:55:00Z", destination: {ip: 203.0.113.7}}]
  - name: not listed, but expected
    expect: alert
    now: "2026-03-01T10:00:00Z"
    indicators: [{file: indicators.json}]
    events: [{"@timestamp": "2026-03-01T09:55:00Z", destination: {ip: 203.0.113.8}}]
`,
    });
    cleanup = t.cleanup;
    const r = rule({
      type: "threat_match",
      language: "kuery",
      index: ["logs-*"],
      query: "destination.ip: *",
      threat_index: ["logs-ti_*"],
      threat_query: 'threat.indicator.type: "ipv4-addr"',
      threat_mapping: [
        { entries: [{ field: "destination.ip", type: "mapping", value: "threat.indicator.ip" }] },
      ],
      from: "now-10m",
    });
    const result = await runTests({ rules: [r], config: defaultConfig(t.root), cwd: t.root });
    const [listed, missed] = result.rules[0]!.cases;
    expect(listed!.status).toBe("passed");
    expect(missed!.status).toBe("failed");
    expect(missed!.message).toContain("but no indicator matches a threat_mapping group:");
    expect(missed!.failures[0]!.explanation).toContain(
      'group 1: destination.ip does not match "203.0.113.7" (threat.indicator.ip of indicator abc)',
    );
  });
});
