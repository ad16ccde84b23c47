import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { zipSync, strToU8 } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { describeWithElasticsearch, uniqueIndexName } from "@dac/es-test-node";
import { repoRoot, runCli, tempRepo } from "../test-support.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A repository whose only fields folder is its own `fields/` (never the real schemas folder). */
function repo(files: Record<string, string> = {}): string {
  const dir = tempRepo({
    "dac.config.yaml": "rules: rules\nfixtures: fixtures\nfields:\n  - fields\n",
    "fields/.keep": "",
    ...files,
  });
  dirs.push(dir);
  return dir;
}

const seed = readFileSync(
  join(repoRoot, "rules/kubernetes/kubernetes_denied_service_account_request.yaml"),
  "utf8",
);

/** A valid rule searching `index` with a KQL `query` (the seed's Kubernetes integration and fields dropped). */
function rule(index: string, query: string, extra = ""): string {
  return seed
    .replace(/^(?:related_integrations|required_fields):\n(?: {2}.*\n)+/gm, "")
    .replace(/^rule_id: .*$/m, `rule_id: ${randomUUID()}`)
    .replace(/^name: .*$/m, `name: ${JSON.stringify(`${index} ${query}`)}`)
    .replace(/^index:\n(?: {2}- .*\n)+/m, `index:\n  - ${index}\n`)
    .replace(/^query: \|\n(?: {2}.*\n)+/m, `query: ${JSON.stringify(query)}\n${extra}`);
}

/** The query and field diagnostics (DAC4xx) of `dac validate --format json` (a temp repo has no lock file). */
function queryDiagnostics(stdout: string): { file: string; code: string; message: string }[] {
  const { diagnostics } = JSON.parse(stdout) as {
    diagnostics: { file: string; code: string; message: string }[];
  };
  return diagnostics.filter((d) => d.code.startsWith("DAC4"));
}

// Fleet's layout, as elastic/integrations ships a package (packages/<name>/manifest.yml, data_stream/…).
const manifest = "format_version: 3.0.0\nname: acme\ntitle: Acme\nversion: 1.2.0\ntype: integration\n";
const fieldsYml = [
  "- name: acme.event",
  "  type: group",
  "  fields:",
  "    - name: id",
  "      type: keyword",
  "    - name: bytes",
  "      type: long",
  "    - name: peer",
  "      type: nested",
  "      fields:",
  "        - name: ip",
  "          type: ip",
  "",
].join("\n");

describe("dac fields import", () => {
  it("reads a package folder in Fleet's layout, and the catalogue applies to the rules using the package", async () => {
    const dir = repo({
      "acme/manifest.yml": manifest,
      "acme/data_stream/events/fields/fields.yml": fieldsYml,
      "rules/r.yaml": rule("logs-acme.events-*", "acme.event.bytes > 10"),
    });
    const run = await runCli(["fields", "import", "acme"], dir);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      `wrote ${join(dir, "fields", "acme.json")}: 4 field(s) in 1 data stream(s) (events)\n`,
    );
    expect(run.code).toBe(0);
    const catalog = JSON.parse(readFileSync(join(dir, "fields", "acme.json"), "utf8"));
    expect(catalog).toMatchObject({
      format: "dac-fields/1",
      package: "acme",
      keywordIgnoreAbove: 1024,
      dataStreams: { events: { "acme.event.id": "keyword", "acme.event.bytes": "long" } },
    });
    const show = await runCli(["fields", "show", "acme.event.bytes", "--rule", "rules/r.yaml"], dir);
    expect(show.stdout).toContain(
      "acme.event.bytes in rules/r.yaml: long\n  from acme.events (fields/acme.json)",
    );
    expect(show.code).toBe(0);
    expect(queryDiagnostics((await runCli(["validate", "-f", "json"], dir)).stdout)).toEqual([]);
    // A run reads each catalogue file once; the next run, in the same process (as `--watch` does), sees it changed.
    catalog.dataStreams.events["acme.event.bytes"] = "ip";
    writeFileSync(join(dir, "fields", "acme.json"), `${JSON.stringify(catalog, null, 1)}\n`);
    const again = queryDiagnostics((await runCli(["validate", "-f", "json"], dir)).stdout);
    expect(again.map((d) => d.message)).toEqual([
      "query: ip field `acme.event.bytes`: '10' is not an IP string literal.",
    ]);
  });

  it("reads the same package as a zip, as the package registry serves it (<name>-<version>/…)", async () => {
    const dir = repo();
    const zip = zipSync({
      "acme-1.2.0/manifest.yml": strToU8(manifest),
      "acme-1.2.0/data_stream/events/fields/fields.yml": strToU8(fieldsYml),
      "acme-1.2.0/docs/README.md": strToU8("# Acme\n"),
    });
    writeFileSync(join(dir, "acme-1.2.0.zip"), zip);
    const run = await runCli(["fields", "import", "acme-1.2.0.zip"], dir);
    expect(run.code).toBe(0);
    const catalog = JSON.parse(readFileSync(join(dir, "fields", "acme.json"), "utf8"));
    expect(catalog.package).toBe("acme");
    expect(catalog.dataStreams.events["acme.event.peer"]).toBe("nested");
    expect(catalog.dataStreams.events["acme.event.peer.ip"]).toBe("ip");
  });

  it("reads a single fields.yml (with --package, or --out for a catalogue applying to every rule)", async () => {
    const dir = repo({ "fields.yml": fieldsYml });
    const named = await runCli(["fields", "import", "fields.yml", "--package", "acme"], dir);
    expect(named.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "fields", "acme.json"), "utf8"))).toMatchObject({
      package: "acme",
      fields: { "acme.event.id": "keyword" },
    });
    const out = await runCli(["fields", "import", "fields.yml", "--out", "fields/custom.json"], dir);
    expect(out.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "fields", "custom.json"), "utf8")).package).toBeUndefined();
    const bare = await runCli(["fields", "import", "fields.yml"], dir);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("a single file has no package name: pass --package NAME or --out FILE");
  });

  it.each([
    ["a missing path", "nowhere", "not found: "],
    [
      "a folder that is not a package",
      "notes",
      "no data_stream/*/fields/*.yml files (nor <data stream>/*.yml) found",
    ],
    ["a zip that is not a package", "empty.zip", "no data_stream/*/fields/*.yml files"],
    ["a file that is not a zip", "broken.zip", "not a readable zip"],
    [
      "another kind of file",
      "notes/readme.txt",
      "expected a package folder, a .zip, a fields .yml or a .json field list",
    ],
    ["a fields.yml that is not YAML", "bad.yml", "bad.yml"],
  ])("%s is a clear error, exit 2, nothing written", async (_what, path, message) => {
    const dir = repo({ "notes/readme.txt": "hello\n", "broken.zip": "not a zip", "bad.yml": "- name: [x\n" });
    writeFileSync(join(dir, "empty.zip"), zipSync({ "x/readme.md": strToU8("hi") }));
    const run = await runCli(["fields", "import", path, "--package", "p"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(dir, "fields"))).toEqual([".keep"]);
  });

  it("a catalogue that cannot be written is a clear error, exit 2", async () => {
    const dir = repo({ "fields.yml": fieldsYml, blocked: "a file, not a folder\n" });
    const run = await runCli(["fields", "import", "fields.yml", "--out", "blocked/acme.json"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^dac fields import: error: cannot write .*blocked\/acme\.json: .*(EEXIST|ENOTDIR)/,
    );
  });

  it("never replaces an existing catalogue without --force", async () => {
    const dir = repo({ "fields.yml": fieldsYml, "fields/acme.json": '{ "mine": true }\n' });
    const run = await runCli(["fields", "import", "fields.yml", "--package", "acme"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "dac fields import: error: fields/acme.json exists; pass --force to replace it (nothing was written)\n",
    );
    expect(readFileSync(join(dir, "fields", "acme.json"), "utf8")).toBe('{ "mine": true }\n');
    const forced = await runCli(["fields", "import", "fields.yml", "--package", "acme", "--force"], dir);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "fields", "acme.json"), "utf8")).package).toBe("acme");
  });
});

// --- dac fields pull, offline: a stand-in for Elasticsearch on 127.0.0.1 serving recorded answers -----------------

/** A field_caps answer as Elasticsearch 9 gives it for two indices (abridged from a real node's). */
const fieldCaps = {
  indices: ["web-1", "web-2"],
  fields: {
    _id: { _id: { type: "_id", metadata_field: true, searchable: true, aggregatable: false } },
    _index: { _index: { type: "_index", metadata_field: true, searchable: true, aggregatable: true } },
    "url.path": {
      keyword: { type: "keyword", metadata_field: false, searchable: true, aggregatable: true },
    },
    "web.note": {
      text: {
        type: "text",
        metadata_field: false,
        searchable: false,
        aggregatable: false,
        indices: ["web-1"],
      },
      unmapped: {
        type: "unmapped",
        metadata_field: false,
        searchable: false,
        aggregatable: false,
        indices: ["web-2"],
      },
    },
    "web.code": {
      keyword: {
        type: "keyword",
        metadata_field: false,
        searchable: true,
        aggregatable: true,
        indices: ["web-1"],
      },
      long: { type: "long", metadata_field: false, searchable: true, aggregatable: true, indices: ["web-2"] },
    },
    web: { object: { type: "object", metadata_field: false, searchable: false, aggregatable: false } },
  },
};
const mapping = {
  "web-1": {
    mappings: {
      properties: {
        url: { properties: { path: { type: "keyword", ignore_above: 1024 } } },
        web: { properties: { note: { type: "text", index: false }, code: { type: "keyword" } } },
      },
    },
  },
  "web-2": {
    mappings: {
      properties: {
        url: { properties: { path: { type: "keyword", ignore_above: 1024 } } },
        web: { properties: { code: { type: "long" } } },
      },
    },
  },
};

type Answer = { status: number; body: unknown } | "hang";

async function fakeElasticsearch(answer: (req: IncomingMessage) => Answer) {
  const seen: { method: string; url: string; authorization?: string }[] = [];
  const server = createServer((req, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const a = answer(req);
    if (a === "hang") return;
    res.writeHead(a.status, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const recordedCluster = (req: IncomingMessage): Answer => {
  const path = (req.url ?? "").split("?")[0]!;
  if (path === "/_cluster/health") return { status: 200, body: { status: "green" } };
  if (path.endsWith("/_field_caps")) return { status: 200, body: fieldCaps };
  if (path.endsWith("/_mapping")) return { status: 200, body: mapping };
  return { status: 404, body: { error: { type: "not_found", reason: path } } };
};

describe("dac fields pull (recorded answers)", () => {
  it("writes a cluster catalogue under the fields folder that validation then uses; read-only requests", async () => {
    const es = await fakeElasticsearch(recordedCluster);
    try {
      const dir = repo({
        "rules/code.yaml": rule("web-*", "web.code: 404"),
        "rules/note.yaml": rule("web-*", "web.note: hello"),
      });
      const run = await runCli(["fields", "pull", "--es-url", es.url, "--index", "web-*"], dir, {
        DAC_ES_API_KEY: "c2VjcmV0LWtleS12YWx1ZQ==",
      });
      expect(run.stderr).toBe("");
      const file = join(dir, "fields", "cluster-web.json");
      expect(run.stdout).toBe(
        [
          `wrote ${file}: 3 field(s) from 2 index(es) (4 mapped; those ECS defines identically are left out)`,
          "conflict: `web.code` is keyword in web-1; long in web-2: recorded as a conflict (Kibana's data view types it conflict)",
          "unsearchable (no index, no doc values): `web.note`",
          "1 field(s) are not mapped in some of the indices (they match nothing there); --format json lists them",
          "",
        ].join("\n"),
      );
      expect(run.code).toBe(0);
      expect(
        es.seen.every((r) => r.method === "GET" || r.method === "HEAD" || r.url.includes("_field_caps")),
      ).toBe(true);
      expect(es.seen.map((r) => r.url.split("?")[0])).toEqual([
        "/_cluster/health",
        "/web-*/_field_caps",
        "/web-*/_mapping",
      ]);
      expect(es.seen[1]!.url).toContain("include_unmapped=true");
      expect(es.seen[0]!.authorization).toBe("ApiKey c2VjcmV0LWtleS12YWx1ZQ==");
      const catalog = JSON.parse(readFileSync(file, "utf8"));
      expect(catalog).toEqual({
        format: "dac-fields/1",
        source: `Elasticsearch ${es.url}: _field_caps and _mapping of web-*`,
        indexPatterns: ["web-*"],
        keywordIgnoreAbove: 1024,
        fields: {
          "url.path": "keyword",
          "web.code": { type: "conflict", esTypes: { keyword: ["web-1"], long: ["web-2"] } },
          "web.note": { type: "text", searchable: false },
        },
      });
      const validate = await runCli(["validate", "--format", "json"], dir);
      expect(validate.code).toBe(1);
      const found = queryDiagnostics(validate.stdout);
      expect(found).toHaveLength(2);
      const byFile = Object.fromEntries(found.map((d) => [d.file, `${d.code} ${d.message}`]));
      expect(byFile["rules/note.yaml"]).toBe(
        "DAC403 query: Cannot search on field [web.note] since it is not indexed nor has doc values.",
      );
      expect(byFile["rules/code.yaml"]).toMatch(
        /^DAC403 query: the indices map `web.code` with conflicting types \(keyword in 1 index\(es\), long in 1 index\(es\)\)/,
      );
      const show = await runCli(["fields", "show", "web.code"], dir);
      expect(show.stdout).toContain(
        [
          "web.code: conflict",
          "definitions (1):",
          "  cluster-web.json (fields/cluster-web.json) [rules searching web-*]: conflict, indices disagree: keyword in web-1; long in web-2",
          `    read from Elasticsearch ${es.url}: _field_caps and _mapping of web-*`,
          "used by 1 rule(s):",
          "  rules/code.yaml:12:9 query",
        ].join("\n"),
      );

      const json = await runCli(
        ["fields", "pull", "--es-url", es.url, "--index", "web-*", "--force", "-f", "json"],
        dir,
      );
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({
        file,
        indices: ["web-1", "web-2"],
        fields: 3,
        conflicts: [{ field: "web.code", type: "conflict", kibanaType: "conflict" }],
        partlyUnmapped: [{ field: "web.note", unmappedIn: ["web-2"] }],
        unsearchable: ["web.note"],
        notes: [],
      });
    } finally {
      await es.close();
    }
  });

  it("--out outside the fields folders: written, with a note that validation will not read it", async () => {
    const es = await fakeElasticsearch(recordedCluster);
    try {
      const dir = repo();
      const run = await runCli(
        ["fields", "pull", "--es-url", es.url, "--index", "web-*", "--out", "web.json"],
        dir,
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(
        `note: ${join(dir, "web.json")} is not in a configured fields folder (\`fields:\` in dac.config.yaml), so validation does not read it\n`,
      );
      expect(JSON.parse(readFileSync(join(dir, "web.json"), "utf8")).format).toBe("dac-fields/1");
    } finally {
      await es.close();
    }
  });

  it("leaves an existing file alone without --force, before sending anything", async () => {
    const es = await fakeElasticsearch(recordedCluster);
    try {
      const dir = repo({ "fields/web.json": "mine\n" });
      const run = await runCli(
        ["fields", "pull", "--es-url", es.url, "--index", "web-*", "--name", "web"],
        dir,
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "dac fields pull: error: fields/web.json exists; pass --force to replace it (nothing was written)\n",
      );
      expect(readFileSync(join(dir, "fields", "web.json"), "utf8")).toBe("mine\n");
      expect(es.seen).toEqual([]);
    } finally {
      await es.close();
    }
  });

  it.each<[string, (req: IncomingMessage) => Answer, string[], string]>([
    [
      "refused credentials (401)",
      () => ({
        status: 401,
        body: { error: { type: "security_exception", reason: "unable to authenticate user [elastic]" } },
      }),
      [],
      "refused the credentials (401 security_exception: unable to authenticate user [elastic]); check DAC_ES_API_KEY or DAC_ES_USERNAME/DAC_ES_PASSWORD",
    ],
    [
      "a missing privilege (403; the cluster's health may be forbidden too)",
      (req) =>
        (req.url ?? "").startsWith("/_cluster")
          ? {
              status: 403,
              body: {
                error: {
                  type: "security_exception",
                  reason: "action [cluster:monitor/health] is unauthorized",
                },
              },
            }
          : {
              status: 403,
              body: {
                error: {
                  type: "security_exception",
                  reason: "action [indices:data/read/field_caps] is unauthorized",
                },
              },
            },
      [],
      "does not allow _field_caps on web-* (403 security_exception: action [indices:data/read/field_caps] is unauthorized); the user needs the view_index_metadata privilege",
    ],
    [
      "a pattern matching no index",
      (req) =>
        (req.url ?? "").startsWith("/_cluster")
          ? { status: 200, body: {} }
          : { status: 200, body: { indices: [], fields: {} } },
      [],
      "error: no index at http://127.0.0.1:",
    ],
    [
      "a timeout",
      (req) => ((req.url ?? "").startsWith("/_cluster") ? { status: 200, body: {} } : "hang"),
      ["--timeout", "0.3"],
      "_field_caps on web-* at http://127.0.0.1:",
    ],
  ])(
    "%s: a clear message, exit 2, nothing written, no secret shown",
    async (_what, answer, args, message) => {
      const es = await fakeElasticsearch(answer);
      try {
        const dir = repo();
        const run = await runCli(["fields", "pull", "--es-url", es.url, "--index", "web-*", ...args], dir, {
          DAC_ES_USERNAME: "elastic",
          DAC_ES_PASSWORD: "pa55-w0rd-secret",
        });
        expect(run.stderr).toContain(message);
        expect(run.code).toBe(2);
        expect(run.stderr).not.toMatch(/\n\s+at /);
        expect(run.stdout + run.stderr).not.toContain("pa55-w0rd-secret");
        expect(readdirSync(join(dir, "fields"))).toEqual([".keep"]);
      } finally {
        await es.close();
      }
    },
  );

  it("names the URL and the cause when the cluster cannot be reached", async () => {
    const run = await runCli(["fields", "pull", "--es-url", "http://127.0.0.1:1", "--index", "x"], repo());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^dac fields pull: error: cannot reach Elasticsearch at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it.each([
    [["fields", "pull", "--es-url", "http://127.0.0.1:1"], "--index PATTERN is required"],
    [["fields", "pull", "--index", "x"], "no Elasticsearch URL: pass --es-url URL or set DAC_ES_URL"],
    [
      ["fields", "pull", "--index", "x", "--es-url", "http://127.0.0.1:1", "--name", "../x"],
      "--name must be a file name",
    ],
    [
      ["fields", "pull", "--index", "x", "--es-url", "http://127.0.0.1:1", "--timeout", "soon"],
      "--timeout must be a positive number",
    ],
    [["fields", "pull", "logs-*"], "unexpected argument `logs-*`: give index patterns with --index"],
  ])("%j is a usage error", async (argv, message) => {
    const run = await runCli(argv, repo());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe("dac fields show", () => {
  it("shows an ECS field with its multi-fields, and the rules whose queries use it", async () => {
    const dir = repo({
      "rules/a.yaml": rule("logs-*", "process.name: cmd.exe and not user.name: root"),
      "rules/b.yaml": rule("logs-*", "process.*: whoami"),
      "rules/c.yaml": rule("logs-*", "host.name: x"),
    });
    const run = await runCli(["fields", "show", "process.name"], dir);
    expect(run.stdout).toBe(
      [
        "process.name: keyword",
        "definitions (1):",
        "  ECS 9.4.0 [every rule]: keyword, ignore_above 1024, multi-fields process.name.text (match_only_text)",
        "used by 2 rule(s):",
        "  rules/a.yaml:12:9 query",
        "  rules/b.yaml:12:9 query (via `process.*`)",
        "",
      ].join("\n"),
    );
    expect(run.code).toBe(0);
  });

  it("says which definition a rule gets, in JSON too", async () => {
    const dir = repo({
      "fields/web.json": JSON.stringify({
        format: "dac-fields/1",
        indexPatterns: ["web-*"],
        fields: { "user.name": { type: "keyword", ignoreAbove: 256 } },
      }),
      "rules/web.yaml": rule("web-*", "user.name: root"),
      "rules/other.yaml": rule("logs-*", "user.name: root"),
    });
    const web = await runCli(["fields", "show", "user.name", "--rule", "rules/web.yaml", "-f", "json"], dir);
    expect(web.code).toBe(0);
    const shown = JSON.parse(web.stdout);
    expect(shown.definitions.map((d: { kind: string; label: string }) => `${d.kind} ${d.label}`)).toEqual([
      "ecs ECS 9.4.0",
      "catalogue web.json",
    ]);
    expect(shown.rule).toMatchObject({
      file: "rules/web.yaml",
      resolution: "mapped",
      type: "keyword",
      ignoreAbove: 256,
      from: "web.json (fields/web.json)",
    });
    expect(shown.usedBy.map((u: { file: string }) => u.file)).toEqual(["rules/other.yaml", "rules/web.yaml"]);
    const other = await runCli(
      ["fields", "show", "user.name", "--rule", "rules/other.yaml", "-f", "json"],
      dir,
    );
    expect(JSON.parse(other.stdout).rule).toMatchObject({ ignoreAbove: 1024, from: "ECS 9.4.0" });
  });

  it("reads threshold fields, and counts the queries it cannot parse (EQL, ES|QL, Lucene)", async () => {
    const dir = repo({
      "rules/t.yaml": rule(
        "logs-*",
        "event.action: login",
        "threshold:\n  field: [source.ip]\n  value: 5\n",
      ).replace(/^type: query$/m, "type: threshold"),
      "rules/l.yaml": rule("logs-*", "source.ip:10.0.0.1").replace(/^language: kuery$/m, "language: lucene"),
    });
    const run = await runCli(["fields", "show", "source.ip", "-f", "json"], dir);
    const shown = JSON.parse(run.stdout);
    expect(shown.usedBy).toEqual([{ file: "rules/t.yaml", line: 14, column: 11, key: "threshold.field" }]);
    expect(shown.notScanned).toEqual([{ file: "rules/l.yaml", language: "lucene" }]);
  });

  it("an unknown field: did-you-mean, exit 1", async () => {
    const dir = repo();
    const run = await runCli(["fields", "show", "proces.name"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "proces.name: no definition in ECS or any field file\ndid you mean `process.name`",
    );
    const json = await runCli(["fields", "show", "proces.name", "-f", "json"], dir);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ field: "proces.name", known: false, definitions: [] });
    expect(JSON.parse(json.stdout).suggestions).toContain("process.name");
  });

  it.each([
    [["fields", "show"], "give exactly one FIELD"],
    [["fields", "show", "a b"], "`a b` is not a field name"],
    [["fields", "show", "x", "--rule", "rules/none.yaml"], "rules/none.yaml: no such file or folder"],
  ])("%j is a usage error", async (argv, message) => {
    const run = await runCli(argv, repo());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describeWithElasticsearch("dac fields pull on a real node", ({ url, client }) => {
  const prefix = uniqueIndexName("dac-cli-pull");
  afterAll(async () => {
    await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true });
  });

  it("pulls typed mappings of two indices and the catalogue drives validation", async () => {
    await client.indices.create({
      index: `${prefix}-a`,
      mappings: {
        properties: {
          "@timestamp": { type: "date" },
          service: { properties: { tier: { type: "keyword", ignore_above: 64 } } },
          raw: { type: "keyword", index: false, doc_values: false },
          code: { type: "keyword" },
          tags: { type: "nested", properties: { key: { type: "keyword" } } },
        },
      },
    });
    await client.indices.create({
      index: `${prefix}-b`,
      mappings: { properties: { "@timestamp": { type: "date" }, code: { type: "long" } } },
    });
    const dir = repo({
      "rules/raw.yaml": rule(`${prefix}-*`, "raw: x"),
      "rules/tier.yaml": rule(`${prefix}-*`, "service.tier: web and tags:{ key: env }"),
    });
    const run = await runCli(
      ["fields", "pull", "--index", `${prefix}-*`, "--name", "node", "-f", "json"],
      dir,
      {
        DAC_ES_URL: url,
      },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      indices: [`${prefix}-a`, `${prefix}-b`],
      unsearchable: ["raw"],
      conflicts: [
        { field: "code", type: "conflict", esTypes: { keyword: [`${prefix}-a`], long: [`${prefix}-b`] } },
      ],
    });
    const catalog = JSON.parse(readFileSync(join(dir, "fields", "node.json"), "utf8"));
    // The most common keyword ignore_above is the file's default; a keyword without one says so.
    expect(catalog.keywordIgnoreAbove).toBe(64);
    expect(catalog.fields["service.tier"]).toBe("keyword");
    expect(catalog.fields["tags.key"]).toEqual({ type: "keyword", ignoreAbove: null });
    expect(catalog.fields.tags).toBe("nested");
    expect(existsSync(join(dir, "fields", "node.json"))).toBe(true);
    const validate = await runCli(["validate", "--format", "json"], dir);
    expect(queryDiagnostics(validate.stdout).map((d) => `${d.file} ${d.code}`)).toEqual([
      "rules/raw.yaml DAC403",
    ]);
  });
});
