import { describe, expect, it } from "vitest";
import { runCli, tempRepo } from "./test-support.js";

const seedQuery = `event.dataset: "kubernetes.audit_logs"
  and kubernetes.audit.user.username: system\\:serviceaccount\\:*
  and kubernetes.audit.annotations.authorization_k8s_io/decision: "forbid"`;

const events = [
  {
    event: { dataset: "kubernetes.audit_logs" },
    kubernetes: {
      audit: {
        user: { username: "system:serviceaccount:default:sa" },
        annotations: { "authorization_k8s_io/decision": "forbid" },
      },
    },
  },
  {
    event: { dataset: "kubernetes.audit_logs" },
    kubernetes: {
      audit: {
        user: { username: "System:serviceaccount:default:sa" },
        annotations: { "authorization_k8s_io/decision": "forbid" },
      },
    },
  },
  {
    "event.dataset": "kubernetes.audit_logs",
    "kubernetes.audit.user.username": "system:serviceaccount:a:b",
    kubernetes: { audit: { annotations: { "authorization_k8s_io/decision": "allow" } } },
  },
];

describe("dac kql", () => {
  const dir = tempRepo({ "events.ndjson": events.map((e) => JSON.stringify(e)).join("\n") + "\n" });
  const mapping = [
    "--mapping",
    `${process.cwd().replace(/packages\/cli$/, "")}/schemas/fields/kubernetes.audit_logs.yml`,
  ];

  it("parse prints the tree with spans", async () => {
    const run = await runCli(["kql", "parse", "--query", "a:b or c:d", "--format", "json"], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ type: "or", span: { start: 0, end: 10 } });
  });

  it("a syntax error is exit 1 with its line and column", async () => {
    const run = await runCli(["kql", "parse", "--query", "message:cannot find"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('<query>:1:12 error Expected AND, OR, end of input but "n" found.');
  });

  it("fmt prints canonical KQL", async () => {
    const run = await runCli(["kql", "fmt", "--query", "a:x OR a:y AND NOT b:z"], dir);
    expect(run.stdout).toBe("a:x or a:y and not b:z\n");
  });

  it("dsl prints Kibana's rule DSL with the outer bool", async () => {
    const run = await runCli(["kql", "dsl", "--query", "process.name:cmd.exe", "--format", "json"], dir);
    expect(JSON.parse(run.stdout)).toEqual({
      bool: {
        must: [],
        filter: [{ bool: { should: [{ match: { "process.name": "cmd.exe" } }], minimum_should_match: 1 } }],
        should: [],
        must_not: [],
      },
    });
  });

  it("eval writes one JSON line per event", async () => {
    const run = await runCli(
      [
        "kql",
        "eval",
        "--query",
        seedQuery,
        "--events",
        "events.ndjson",
        ...mapping,
        "--unknown-fields",
        "unmapped",
      ],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      '{"index":0,"match":true}\n{"index":1,"match":false}\n{"index":2,"match":false}\n',
    );
  });

  it("explain says why an event does not match", async () => {
    const run = await runCli(
      ["kql", "explain", "--query", seedQuery, "--events", "events.ndjson", ...mapping],
      dir,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("event 1:");
    expect(run.stdout).toMatch(/case-sensitive/);
  });

  it("explain escapes control characters of event values and of the query (pretty); json stays exact", async () => {
    const value = "evil\u001b[2J\u001b]0;title\u0007";
    const events = tempRepo({ "e.ndjson": `${JSON.stringify({ user: { name: value } })}\n` });
    const query = 'user.name:x or user.name:"\u001b[31m"';
    const pretty = await runCli(["kql", "explain", "--query", query, "--events", "e.ndjson"], events);
    expect(pretty.code, pretty.stderr).toBe(0);
    expect(pretty.stdout).toContain("evil\\u001b[2J");
    expect(pretty.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    const json = await runCli(
      ["kql", "explain", "--query", query, "--events", "e.ndjson", "--format", "json"],
      events,
    );
    expect(JSON.parse(json.stdout).trace.children[0].values).toEqual([value]);
  });

  it("missing query or events are usage errors", async () => {
    expect((await runCli(["kql", "parse"], dir)).code).toBe(2);
    expect((await runCli(["kql", "eval", "--query", "a:b"], dir)).code).toBe(2);
    expect((await runCli(["kql", "eval", "--query", "a:b", "--events", "missing.ndjson"], dir)).code).toBe(2);
    expect((await runCli(["kql", "nope"], dir)).code).toBe(2);
  });

  it("a value Elasticsearch cannot parse for the field type is a clear error, exit 1", async () => {
    const run = await runCli(
      [
        "kql",
        "eval",
        "--query",
        "kubernetes.audit.responseStatus.code:abc",
        "--events",
        "events.ndjson",
        ...mapping,
      ],
      dir,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/kubernetes\.audit\.responseStatus\.code/);
  });
});
