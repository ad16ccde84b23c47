import { describe, expect, it } from "vitest";
import { findFixtureFolders, fixtureFolderFor, loadRuleFixtures, representativeFile } from "./fixtures.js";
import { casesHeader, treesRemovedAfterEach } from "./test-support/tree.js";

const tree = treesRemovedAfterEach();

const load = (root: string, dir = "f") => loadRuleFixtures(`${root}/${dir}`, { cwd: root });

describe("YAML merge keys in fixtures", () => {
  it("are an error at their line and column, in a case and in an event", () => {
    const root = tree({
      "f/cases.yaml":
        casesHeader +
        `base: &event {"@timestamp": "2026-03-01T10:00:00Z", user: {name: alice}}
cases:
  - name: merged
    expect: match
    events:
      - <<: *event
        event: {action: x}
`,
    });
    const loaded = load(root);
    expect(loaded.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([["DAC012", 7, 9]]);
    expect(loaded.cases).toEqual([]);
  });
});

describe("fixture folders", () => {
  it("maps a rule file to its fixture folder", () => {
    expect(fixtureFolderFor("rules/k8s/a.yaml", "rules", "fixtures", "/repo")).toBe("/repo/fixtures/k8s/a");
    expect(fixtureFolderFor("/repo/rules/a.yml", "/repo/rules", "/private/corpus", "/elsewhere")).toBe(
      "/private/corpus/a",
    );
    expect(fixtureFolderFor("other/b.yaml", "rules", "fixtures", "/repo")).toBe("/repo/fixtures/b");
  });

  it("finds fixture folders and does not descend into them", () => {
    const root = tree({
      "k8s/a/cases.yaml": casesHeader,
      "k8s/b/positive/x.json": "{}",
      "k8s/b/negative/nested/positive/y.json": "{}",
      "k8s/c/negative/y.json": "{}",
      "k8s/notes.md": "",
      ".hidden/d/cases.yaml": "",
    });
    expect(findFixtureFolders(root).map((d) => d.slice(root.length + 1))).toEqual([
      "k8s/a",
      "k8s/b",
      "k8s/c",
    ]);
    expect(representativeFile(`${root}/k8s/c`)).toBe(`${root}/k8s/c/negative/y.json`);
    expect(representativeFile(`${root}/k8s/a`)).toBe(`${root}/k8s/a/cases.yaml`);
  });
});

describe("positive/ and negative/ folders", () => {
  it("makes one case per event, named after the file and line", () => {
    const root = tree({
      "f/positive/service-account.json": { a: 1 },
      "f/positive/many.ndjson": '{"a":2}\n{"a":3}\n',
      "f/negative/hits.json": { hits: { hits: [{ _index: "logs-x", _id: "1", _source: { a: 4 } }] } },
      "f/negative/README.md": "notes",
    });
    const fixtures = load(root);
    expect(fixtures.diagnostics).toEqual([]);
    expect(
      fixtures.cases.map((c) => [c.name, c.expect, c.description, c.index, c.events[0]!.document]),
    ).toEqual([
      ["positive/many.ndjson:1", "match", "many", undefined, { a: 2 }],
      ["positive/many.ndjson:2", "match", "many", undefined, { a: 3 }],
      ["positive/service-account.json", "match", "service account", undefined, { a: 1 }],
      ["negative/hits.json", "no-match", "hits", "logs-x", { a: 4 }],
    ]);
    expect(fixtures.cases[1]!.location).toEqual({ file: "f/positive/many.ndjson", line: 2, column: 1 });
  });

  it("reports files that are not event files and events that are not objects", () => {
    const root = tree({ "f/positive/a.yaml": "a: 1", "f/negative/b.json": "[1]" });
    const fixtures = load(root);
    expect(fixtures.diagnostics.map((d) => [d.code, d.file, d.message])).toEqual([
      ["DAC501", "f/positive/a.yaml", "a.yaml is not an event file"],
      ["DAC502", "f/negative/b.json", "item 0 is a number, not a JSON object"],
    ]);
  });
});

describe("cases.yaml", () => {
  const cases = (body: string) => casesHeader + body;

  it("reads inline events, file references, index and field overrides", () => {
    const root = tree({
      "f/cases.yaml": cases(`fields:
  custom.field: keyword
cases:
  - name: inline
    description: a service account
    expect: match
    index: logs-kubernetes.audit_logs-default
    fields:
      other.field: long
    events:
      - event:
          dataset: kubernetes.audit_logs
      - "event.dataset": kubernetes.audit_logs
  - name: from a file
    expect: no-match
    events:
      - file: events/hits.json
      - file: {nested: true}
`),
      "f/events/hits.json": { hits: { hits: [{ _index: "idx", _id: "1", _source: { b: 1 } }] } },
    });
    const fixtures = load(root);
    expect(fixtures.diagnostics).toEqual([]);
    expect(fixtures.fields).toEqual({ "custom.field": "keyword" });
    const [inline, fromFile] = fixtures.cases;
    expect(inline).toMatchObject({
      name: "inline",
      description: "a service account",
      expect: "match",
      index: "logs-kubernetes.audit_logs-default",
      fields: { "other.field": "long" },
      location: { file: "f/cases.yaml", line: 5, column: 5 },
    });
    expect(inline!.events.map((e) => [e.document, e.location.line])).toEqual([
      [{ event: { dataset: "kubernetes.audit_logs" } }, 12],
      [{ "event.dataset": "kubernetes.audit_logs" }, 14],
    ]);
    expect(fromFile!.events.map((e) => [e.document, e.index, e.location.file])).toEqual([
      [{ b: 1 }, "idx", "f/events/hits.json"],
      [{ file: { nested: true } }, undefined, "f/cases.yaml"],
    ]);
  });

  it.each([
    [
      "a case without expect",
      "cases:\n  - name: a\n    events:\n      - {a: 1}\n",
      [["DAC504", 3, 5, "case `a` has no `expect`"]],
    ],
    [
      "an event that is not an object",
      "cases:\n  - name: a\n    expect: match\n    events:\n      - 42\n      - {a: 1}\n",
      [["DAC502", 6, 9, "event 1 of case 1 is a number, not an object"]],
    ],
    [
      "a wrong expect value",
      "cases:\n  - name: a\n    expect: matches\n    events:\n      - {a: 1}\n",
      [["DAC506", 4, 13, expect.stringContaining("`matches`")]],
    ],
    [
      "an unknown key",
      "cases:\n  - name: a\n    expect: match\n    event:\n      - {a: 1}\n",
      [["DAC506", 5, 5, "unknown key `event` in cases[0], did you mean `events`?"]],
    ],
    [
      "a missing event file",
      "cases:\n  - name: a\n    expect: match\n    events:\n      - file: nope.json\n",
      [["DAC506", 6, 15, "event file `nope.json` does not exist"]],
    ],
    [
      "a duplicate case name",
      "cases:\n  - name: a\n    expect: match\n    events: [{a: 1}]\n  - name: a\n    expect: no-match\n    events: [{a: 2}]\n",
      [["DAC506", 6, 11, "a second case is named `a`"]],
    ],
    [
      "an unparsable file",
      "cases: [\n",
      [["DAC001", expect.any(Number), expect.any(Number), expect.any(String)]],
    ],
  ])("reports %s at its position", (_what, body, expected) => {
    const root = tree({ "f/cases.yaml": cases(body) });
    const got = load(root).diagnostics.map((d) => [d.code, d.line, d.column, d.message]);
    expect(got).toEqual(expected);
  });

  it("asks for the schema header", () => {
    const root = tree({ "f/cases.yaml": "cases:\n  - name: a\n    expect: match\n    events: [{a: 1}]\n" });
    expect(load(root).diagnostics).toMatchObject([{ code: "DAC010", severity: "error", line: 1 }]);
  });

  it("still runs the well-formed cases of a file with problems", () => {
    const root = tree({
      "f/cases.yaml": cases(
        "cases:\n  - name: a\n    events: [{a: 1}]\n  - name: b\n    expect: no-match\n    events: [{a: 2}]\n",
      ),
    });
    const fixtures = load(root);
    expect(fixtures.cases.map((c) => c.name)).toEqual(["b"]);
    expect(fixtures.diagnostics.map((d) => d.code)).toEqual(["DAC504"]);
  });
});

describe("alert cases (expect: alert | no-alert)", () => {
  const cases = (body: string) => tree({ "f/cases.yaml": `${casesHeader}\ncases:\n${body}` });

  it("reads now, alerts, the alert forms and indicators", () => {
    const root = cases(
      [
        "  - name: burst",
        "    expect: alert",
        '    now: "2026-03-01T10:06:00Z"',
        "    alerts: 2",
        "    alert:",
        "      - user.name: alice",
        "      - user.name: bob",
        "    indicators:",
        '      - {"threat.indicator.ip": "203.0.113.7"}',
        "    events:",
        '      - {"@timestamp": "2026-03-01T10:00:00Z"}',
        "  - name: quiet",
        "    expect: no-alert",
        "    events:",
        '      - {"@timestamp": "2026-03-01T10:00:00Z"}',
        "  - name: every",
        "    expect: alert",
        "    alert: {kibana.alert.rule.type: threshold}",
        "    events:",
        '      - {"@timestamp": "2026-03-01T10:00:00Z"}',
      ].join("\n"),
    );
    const fixtures = load(root);
    expect(fixtures.diagnostics).toEqual([]);
    const [burst, quiet, every] = fixtures.cases;
    expect(burst!.now?.toISOString()).toBe("2026-03-01T10:06:00.000Z");
    expect(burst!.alerts?.count).toBe(2);
    expect(burst!.alerts?.nth).toEqual([{ "user.name": "alice" }, { "user.name": "bob" }]);
    expect(burst!.alerts?.locations.map((l) => l.line)).toEqual([9, 10]);
    expect(burst!.indicators?.map((i) => i.document)).toEqual([{ "threat.indicator.ip": "203.0.113.7" }]);
    expect(quiet!.expect).toBe("no-alert");
    expect(every!.alerts?.every).toEqual({ "kibana.alert.rule.type": "threshold" });
  });

  it.each([
    [
      "now on a match case",
      'expect: match\n    now: "2026-03-01T10:00:00Z"',
      "now",
      /applies to `expect: alert \| no-alert` only/,
    ],
    [
      "alerts on a match case",
      "expect: no-match\n    alerts: 1",
      "alerts",
      /applies to `expect: alert \| no-alert` only/,
    ],
    ["a now without a time zone", 'expect: alert\n    now: "2026-03-01T10:00:00"', "now", /./],
    ["alerts: 0 with expect: alert", "expect: alert\n    alerts: 0", "alerts", /contradicts `expect: alert`/],
    [
      "alerts: 2 with expect: no-alert",
      "expect: no-alert\n    alerts: 2",
      "alerts",
      /contradicts `expect: no-alert`/,
    ],
    ["alert with expect: no-alert", "expect: no-alert\n    alert: {a: 1}", "alert", /expects none/],
    [
      "a list longer than alerts",
      "expect: alert\n    alerts: 1\n    alert: [{a: 1}, {a: 2}]",
      "alert",
      /lists 2 alerts/,
    ],
    ["an expect that is not one of the four", "expect: alerts", "expect", /./],
  ])("%s is an error at the key", (_name, lines, key, message) => {
    const root = cases(
      `  - name: c\n    ${lines}\n    events:\n      - {"@timestamp": "2026-03-01T10:00:00Z"}`,
    );
    const fixtures = load(root);
    const found = fixtures.diagnostics.find((d) => d.message.match(message));
    expect(found, JSON.stringify(fixtures.diagnostics)).toBeDefined();
    expect(found!.file).toBe("f/cases.yaml");
    const text = `${casesHeader}\ncases:\n  - name: c\n    ${lines}`;
    const line = text.split("\n").findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 1;
    expect(found!.line).toBe(line);
  });
});
