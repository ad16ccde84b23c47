import { EventEmitter } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connect, testIndices } from "@dac/elasticsearch";
import type { ElasticsearchEngine } from "@dac/elasticsearch";
import { loadConfig } from "@dac/schema";
import type { CommandContext } from "../command.js";
import { repoRoot, runCli, tempRepo } from "../test-support.js";
import { withEngine } from "./engine.js";
import { runHarness } from "./test.js";

const esUrl = process.env.DAC_ES_URL;

describe("dac test --engine elasticsearch: settings and connection", () => {
  it.each([
    [["test", "--engine", "elasticsearch"], {}, "no Elasticsearch URL: pass --es-url URL or set DAC_ES_URL"],
    [["test", "--engine", "elasticsearch", "--es-url", "ftp://x"], {}, "must start with http:// or https://"],
    [
      ["check", "--engine", "elasticsearch", "--es-url", "http://u:p@127.0.0.1:1"],
      {},
      "put no credentials in the Elasticsearch URL",
    ],
    [
      ["test", "--engine", "elasticsearch", "--es-url", "http://127.0.0.1:1"],
      { DAC_ES_USERNAME: "elastic" },
      "needs both DAC_ES_USERNAME and DAC_ES_PASSWORD; DAC_ES_PASSWORD is not set",
    ],
    [["test", "--es-url", "http://127.0.0.1:1"], {}, "--es-url and --ca-cert need --engine elasticsearch"],
    [
      ["test", "--engine", "elasticsearch", "--coverage", "--es-url", "http://127.0.0.1:1"],
      {},
      "--coverage and --mutate run on the memory engine only",
    ],
    [["test", "--engine", "spark"], {}, "--engine must be one of memory, elasticsearch"],
    [["survey"], {}, "no Elasticsearch URL: pass --es-url URL or set DAC_ES_URL"],
    [["survey", "--from", "last week"], {}, "--from must be date math such as now-7d, or an ISO date"],
    [["survey", "--format", "sarif"], {}, "--format must be one of pretty, json, markdown"],
  ])("%j is a usage error", async (argv, env, message) => {
    const run = await runCli(argv, repoRoot, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("names the URL and the cause when the node cannot be reached, exit 2, no secret printed", async () => {
    const run = await runCli(
      ["test", "--engine", "elasticsearch", "--es-url", "http://127.0.0.1:1"],
      repoRoot,
      {
        DAC_ES_USERNAME: "elastic",
        DAC_ES_PASSWORD: "pa55-w0rd-secret",
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^dac test: error: cannot reach Elasticsearch at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
    expect(run.stderr).not.toContain("--help");
    expect(run.stdout + run.stderr).not.toContain("pa55-w0rd-secret");
  });
});

// Needs a node: skipped with a notice without DAC_ES_URL, except in CI, where a missing URL fails.
if (!esUrl && process.env.CI === "true")
  it("needs DAC_ES_URL for the node tests", () => {
    throw new Error("DAC_ES_URL is not set: CI must start the Elasticsearch test node and set it");
  });
if (!esUrl) console.warn("[skipped] dac test --engine elasticsearch on a node: DAC_ES_URL is not set");

describe.skipIf(!esUrl)("dac test --engine elasticsearch on a node", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("passes the repository's KQL rules (dac check)", async () => {
    const run = await runCli(["check", "--engine", "elasticsearch", "rules/kubernetes"], repoRoot, {
      DAC_ES_URL: esUrl,
    });
    expect(run.stderr).toMatch(
      /(?:^|\n)running the rules on Elasticsearch at http\S+ \(test indices \S+-\*\)\n$/,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("All fixtures pass.");
  });

  it("runs the EQL rules where the node has EQL, and says `unsupported: eql on this cluster` where not", async () => {
    const run = await runCli(["test", "--engine", "elasticsearch", "rules/endpoint"], repoRoot, {
      DAC_ES_URL: esUrl,
    });
    if (run.code === 0) expect(run.stdout).toContain("All fixtures pass.");
    else {
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("unsupported: eql on this cluster");
    }
  });

  it("surveys the rules read-only, in json and markdown (an index pattern with no index is a warning)", async () => {
    const json = await runCli(["survey", "--index", "dac-none-*", "--format", "json"], repoRoot, {
      DAC_ES_URL: esUrl,
    });
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as {
      rules: { file: string; status: string; hits: number; warnings: string[] }[];
    };
    // The survey counts a query's hits. For new_terms and indicator match rules that count is an upper bound, and
    // the survey says so; what the node cannot run (EQL, ES|QL here) is surveyed as unsupported.
    const queries = result.rules.filter((r) => r.status !== "unsupported");
    expect(queries.length).toBeGreaterThanOrEqual(2);
    const upperBound = (file: string) =>
      ["new_terms", "threat_match"].includes(
        // Rules are in dac fmt's canonical form: `type:` is a top-level line.
        /^type: (\S+)$/m.exec(readFileSync(join(repoRoot, file), "utf8"))?.[1] ?? "",
      )
        ? [expect.stringMatching(/^would-be alerts are an upper bound: /)]
        : [];
    expect(queries.map((r) => [r.status, r.hits, r.warnings])).toEqual(
      queries.map((r) => ["ok", 0, [...upperBound(r.file), "no index matches dac-none-*"]]),
    );
    const md = await runCli(["survey", "--index", "dac-none-*", "--format", "markdown"], repoRoot, {
      DAC_ES_URL: esUrl,
    });
    expect(md.stdout).toMatch(/^## Rule survey\n/);
  });

  it("deletes the run's indices on Ctrl-C, then exits 130", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) {
      files[`rules/r${i}.yaml`] = [
        "# yaml-language-server: $schema=../schemas/rule.schema.json",
        `rule_id: 6f1f1d0e-0c1b-4d8e-9a56-${String(i).padStart(12, "0")}`,
        `name: Rule ${i}`,
        "description: d",
        "type: query",
        "language: kuery",
        "index: [logs-*]",
        `query: 'user.name: u${i}'`,
        "severity: low",
        "risk_score: 21",
        "metadata: {maturity: development, created: '2025-01-01', updated: '2025-01-01', integration: x}",
        "",
      ].join("\n");
      const events = Array.from({ length: 200 }, (_, k) =>
        JSON.stringify({ user: { name: `u${k % 3 === 0 ? i : k}` } }),
      );
      files[`fixtures/r${i}/positive/p.ndjson`] = `${JSON.stringify({ user: { name: `u${i}` } })}\n`;
      files[`fixtures/r${i}/negative/n.ndjson`] =
        `${events.filter((e) => !e.includes(`"u${i}"`)).join("\n")}\n`;
    }
    const dir = tempRepo(files);
    dirs.push(dir);
    const ctx: CommandContext = {
      cwd: dir,
      env: { DAC_ES_URL: esUrl },
      stdout: () => undefined,
      stderr: () => undefined,
      color: false,
      version: "test",
      config: () => loadConfig(dir),
    };
    const host = Object.assign(new EventEmitter(), {
      exitCode: undefined as number | undefined,
      exit(code: number) {
        this.exitCode = code;
      },
    });
    let runId = "";
    await withEngine(
      { engine: "elasticsearch" },
      ctx,
      async (chosen) => {
        const engine = chosen.engines![0] as ElasticsearchEngine;
        runId = engine.runId;
        const run = runHarness({ cwd: dir, config: ctx.config(), ...chosen });
        while (engine.liveIndices().length === 0) await new Promise((r) => setTimeout(r, 2));
        host.emit("SIGINT", "SIGINT");
        while (host.exitCode === undefined) await new Promise((r) => setTimeout(r, 5));
        const left = await testIndices(connect({ url: esUrl }, {}).client);
        expect(left.filter((i) => i.includes(runId))).toEqual([]);
        return run;
      },
      host,
    );
    expect(host.exitCode).toBe(130);
    expect(runId).not.toBe("");
  });

  it("reports a rule type it cannot run as unsupported on elasticsearch, never a pass", async () => {
    const dir = tempRepo({
      "rules/t.yaml": [
        "# yaml-language-server: $schema=../schemas/rule.schema.json",
        "rule_id: 6f1f1d0e-0c1b-4d8e-9a56-1d5e2f7f3a11",
        "name: ML",
        "description: d",
        "type: machine_learning",
        "machine_learning_job_id: job",
        "anomaly_threshold: 50",
        "severity: low",
        "risk_score: 21",
        "metadata: {maturity: development, created: '2025-01-01', updated: '2025-01-01', integration: x}",
        "",
      ].join("\n"),
      "fixtures/t/cases.yaml": "cases:\n  - {name: one, expect: match, events: [{event: {action: x}}]}\n",
    });
    dirs.push(dir);
    const run = await runCli(["test", "--engine", "elasticsearch", "--es-url", esUrl!], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/unsupported: machine_learning/);
  });
});
