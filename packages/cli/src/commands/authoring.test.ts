import { execFileSync } from "node:child_process";
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "@dac/schema";
import type { CommandContext } from "../command.js";
import { repoRoot, runCli, tempRepo } from "../test-support.js";
import { changesetCommand } from "./changeset.js";
import { fmtCommand } from "./fmt.js";
import { commands } from "./index.js";
import { newCommand, runNew } from "./new.js";
import { testCommand } from "./test.js";
import { versionCommand } from "./version.js";
import type { Prompter } from "./new.js";

// Registered by the CLI's command list; added here only if missing, so these tests do not depend on the order
// in which the command files and the list land.
for (const command of [newCommand, fmtCommand, changesetCommand, testCommand, versionCommand]) {
  if (!commands.some((c) => c.name === command.name)) commands.push(command);
}

const newFlags = [
  "--name",
  "Kubernetes Pod Exec",
  "--index",
  "logs-kubernetes.*",
  "--severity",
  "high",
  "--tactic",
  "Execution",
  "--dir",
  "kubernetes",
];
const ruleFile = "rules/kubernetes/kubernetes_pod_exec.yaml";
const casesFile = "fixtures/kubernetes/kubernetes_pod_exec/cases.yaml";

/** The repository's schemas, so the new rule's header resolves as in a real checkout. */
function repoWithSchemas(): string {
  const root = tempRepo({});
  execFileSync("cp", ["-r", join(repoRoot, "schemas"), join(root, "schemas")]);
  return root;
}

describe("dac new", () => {
  it("creates a rule that validates and fixtures that fail until filled in", async () => {
    const root = repoWithSchemas();
    const created = await runCli(["new", ...newFlags], root);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    expect(created.stdout).toContain(`created ${ruleFile}\ncreated ${casesFile}\n`);
    expect(readFileSync(join(root, ruleFile), "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../../schemas/rule.schema.json",
    );
    expect(readFileSync(join(root, casesFile), "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../../../schemas/fixture-cases.schema.json",
    );
    // A development rule needs no lock entry, so it passes `dac validate` at once, with no finding.
    expect(created.stdout).not.toMatch(/^added /m);
    const validated = await runCli(["validate", "--format", "json"], root);
    expect(validated.code).toBe(0);
    expect((JSON.parse(validated.stdout) as { diagnostics: unknown[] }).diagnostics).toEqual([]);
    expect(await runCli(["version", "--check"], root)).toMatchObject({ code: 0 });
    expect(await runCli(["fmt", "--check"], root)).toMatchObject({ code: 0 });
    const tested = await runCli(["test", ruleFile], root);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain("not filled in yet: paste an event the rule must match");
  });

  it("names the integration in related_integrations when its fields are known, so its fields are typed (issue 9 item 8)", async () => {
    const root = repoWithSchemas();
    const query = 'kubernetes.audit.verb:"create" and kubernetes.audit.objectRef.subresource:"exec"';
    expect(await runCli(["new", ...newFlags, "--query", query], root)).toMatchObject({ code: 0 });
    const rule = readFileSync(join(root, ruleFile), "utf8");
    expect(rule).toContain('related_integrations:\n  - package: kubernetes\n    version: "*"\n');
    // Typed from the Kubernetes definitions even without the index-pattern fallback.
    const typed = rule.replace("logs-kubernetes.*", "k8s-audit-*");
    writeFileSync(join(root, ruleFile), typed);
    const validated = await runCli(["validate", "--format", "json"], root);
    expect(JSON.parse(validated.stdout)).toMatchObject({ diagnostics: [] });
    // Without the entry (and no other way to tell the integration), the fields are unknown, and the hint names
    // the definitions and the missing entry.
    const untyped = typed
      .replace(/related_integrations:\n(?: {2}.*\n)+/, "")
      .replace("  integration: kubernetes\n", "  integration: inhouse\n");
    writeFileSync(join(root, ruleFile), untyped);
    const unknown = await runCli(["validate", "--format", "json"], root);
    expect(unknown.code).toBe(1);
    const [first] = (
      JSON.parse(unknown.stdout) as { diagnostics: { code: string; message: string; hint: string }[] }
    ).diagnostics;
    expect(first).toMatchObject({
      code: "DAC402",
      message:
        "unknown field `kubernetes.audit.verb`: it is defined for an integration the rule does not use",
    });
    expect(first!.hint).toMatch(/^defined in .*schemas\/fields\/.*kubernetes.*package `kubernetes`/);
    expect(first!.hint).not.toContain(root);
    expect(first!.hint).toContain("related_integrations: [{package: kubernetes");
  });

  it("reuses the version range the repository's rules give the package, and names no unknown integration", async () => {
    const root = repoWithSchemas();
    execFileSync("cp", ["-r", join(repoRoot, "rules"), join(root, "rules")]);
    expect(await runCli(["new", ...newFlags], root)).toMatchObject({ code: 0 });
    expect(readFileSync(join(root, ruleFile), "utf8")).toContain(
      "related_integrations:\n  - package: kubernetes\n    version: ^1.80.0\n",
    );
    const other = newFlags.map((f) =>
      f === "kubernetes" ? "inhouse" : f === "logs-kubernetes.*" ? "inhouse-*" : f,
    );
    expect(await runCli(["new", ...other], root)).toMatchObject({ code: 0 });
    expect(readFileSync(join(root, "rules/inhouse/kubernetes_pod_exec.yaml"), "utf8")).not.toContain(
      "related_integrations",
    );
  });

  it("never overwrites", async () => {
    const root = repoWithSchemas();
    await runCli(["new", ...newFlags], root);
    writeFileSync(join(root, ruleFile), "edited\n");
    const again = await runCli(["new", ...newFlags], root);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${ruleFile} and ${casesFile} already exist; dac new never overwrites`);
    expect(readFileSync(join(root, ruleFile), "utf8")).toBe("edited\n");
  });

  it("follows the documented loop: check passes before `dac version`, and the rule goes out at version 1", async () => {
    const root = repoWithSchemas();
    const created = await runCli(["new", ...newFlags], root);
    expect(created.code).toBe(0);
    // The "Next:" text names what the scaffold holds: `todo:` lines, not "fill in" events.
    expect(created.stdout).toContain("todo:");
    expect(created.stdout).not.toContain('"fill in" events');
    // 2. the query and the prose; 3. real events.
    const rule = join(root, ruleFile);
    writeFileSync(
      rule,
      readFileSync(rule, "utf8")
        .replace(/query: .*\n( {2}.*\n)*/, "query: 'event.action: \"exec\"'\n")
        .replace(/description: .*\n( {2}.*\n)*/, "description: A pod exec by a service account.\n"),
    );
    writeFileSync(
      join(root, casesFile),
      [
        "# yaml-language-server: $schema=../../../schemas/fixture-cases.schema.json",
        "cases:",
        "  - name: exec",
        "    expect: match",
        '    events: [{ "event": { "action": "exec" } }]',
        "  - name: get",
        "    expect: no-match",
        '    events: [{ "event": { "action": "get" } }]',
        "",
      ].join("\n"),
    );
    expect(await runCli(["test", ruleFile], root)).toMatchObject({ code: 0 }); // 4.
    const checked = await runCli(["check"], root); // 5.
    expect(checked.stdout).not.toContain("DAC601");
    expect(checked.code).toBe(0);
    expect(await runCli(["fmt"], root)).toMatchObject({ code: 0 }); // 6.
    // 7. A development rule is not published, so it is not versioned yet, and dac version says so.
    const waiting = await runCli(["version"], root);
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toContain("Kubernetes Pod Exec");
    expect(waiting.stdout).toContain("maturity development");
    writeFileSync(rule, readFileSync(rule, "utf8").replace("maturity: development", "maturity: production"));
    const stale = await runCli(["validate", "--format", "json"], root);
    expect(stale.stdout).toContain("DAC602");
    const checkOnly = await runCli(["version", "--check"], root);
    expect(checkOnly.code).toBe(1);
    expect(checkOnly.stdout).toMatch(/would add +Kubernetes Pod Exec \[[0-9a-f-]+\] v1/);
    expect(await runCli(["version"], root)).toMatchObject({ code: 0 });
    const lock = JSON.parse(readFileSync(join(root, "rules.lock.json"), "utf8")) as Record<
      string,
      { version: number }
    >;
    expect(Object.values(lock).map((e) => e.version)).toEqual([1]);
    expect(await runCli(["check"], root)).toMatchObject({ code: 0 });
  });

  it("`dac version --check` says what it would do, and writes nothing", async () => {
    const root = repoWithSchemas();
    await runCli(["new", ...newFlags], root);
    const rule = join(root, ruleFile);
    writeFileSync(rule, readFileSync(rule, "utf8").replace("maturity: development", "maturity: production"));
    await runCli(["version"], root);
    const locked = readFileSync(join(root, "rules.lock.json"), "utf8");
    writeFileSync(rule, readFileSync(rule, "utf8").replace("risk_score: 73", "risk_score: 70"));
    const check = await runCli(["version", "--check"], root);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/would bump +Kubernetes Pod Exec \[[0-9a-f-]+\] v1 → v2/);
    expect(check.stdout).not.toMatch(/^ +bumped/m);
    expect(readFileSync(join(root, "rules.lock.json"), "utf8")).toBe(locked);
  });

  it("a query that does not parse is reported at its position in the query, and nothing is written", async () => {
    const root = repoWithSchemas();
    const run = await runCli(["new", ...newFlags, "--query", "a:(b"], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--query:1:5 error");
    expect(run.stderr).toContain("DAC401");
    expect(run.stderr).toContain("nothing was written");
    expect(readdirSync(root).sort()).toEqual(["dac.config.yaml", "schemas"]);
  });

  it("with a corrupt rules.lock.json, creates the rule without touching the lock", async () => {
    const root = repoWithSchemas();
    writeFileSync(join(root, "rules.lock.json"), "{ not json");
    const run = await runCli(["new", ...newFlags], root);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(join(root, "rules.lock.json"), "utf8")).toBe("{ not json");
    expect(readFileSync(join(root, ruleFile), "utf8")).toContain("name: Kubernetes Pod Exec");
  });

  it("writes both files or neither", async () => {
    const root = repoWithSchemas();
    writeFileSync(join(root, "fixtures"), "a file where the fixtures folder should be\n");
    const run = await runCli(["new", ...newFlags], root);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain("internal error");
    expect(run.stderr).toContain("nothing was written");
    expect(readdirSync(root).sort()).toEqual(["dac.config.yaml", "fixtures", "schemas"]);
  });

  it("without a terminal, a missing flag is a usage error", async () => {
    const run = await runCli(["new", "--name", "X"], repoWithSchemas());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing --index, --severity, --tactic, --dir (stdin is not a terminal");
  });

  it.each([
    [["--tactic", "Nope"], "`Nope` is not an ATT&CK Enterprise tactic"],
    [["--severity", "urgent"], "--severity must be one of low, medium, high, critical"],
    [["--type", "eql", "--language", "kuery"], "a eql rule is written in eql, not `kuery`"],
  ])("rejects %j", async (extra, message) => {
    const run = await runCli(["new", ...newFlags, ...extra], repoWithSchemas());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it("asks for what is missing when it can, and asks again after a wrong answer", async () => {
    const root = repoWithSchemas();
    const answers = [
      "Kubernetes Pod Exec",
      "",
      "",
      "logs-kubernetes.*",
      "urgent",
      "high",
      "Lateral Moves",
      "TA0002",
      "kubernetes",
    ];
    const asked: string[] = [];
    const told: string[] = [];
    const prompter: Prompter = {
      interactive: true,
      ask: async (q) => {
        asked.push(q);
        return answers.shift() ?? "";
      },
      tell: (m) => void told.push(m),
      close: () => undefined,
    };
    let stdout = "";
    const ctx: CommandContext = {
      cwd: root,
      env: {},
      stdout: (t) => void (stdout += t),
      stderr: () => undefined,
      color: false,
      version: "0.0.0",
      config: () => loadConfig(root),
    };
    expect(await runNew({}, ctx, prompter)).toBe(0);
    expect(asked.map((q) => q.split(" ")[0])).toEqual([
      "Rule",
      "Rule",
      "Query",
      "Index",
      "Severity",
      "Severity",
      "ATT&CK",
      "ATT&CK",
      "Folder",
    ]);
    expect(asked[2]).toBe("Query language (kuery/lucene) [kuery]: ");
    expect(told).toEqual([
      "  choose one of low, medium, high, critical\n",
      expect.stringMatching(/^ {2}not an Enterprise tactic/),
    ]);
    expect(stdout).toContain(`created ${ruleFile}`);
    expect(readFileSync(join(root, ruleFile), "utf8")).toContain("id: TA0002");
  });
});

describe("dac fmt", () => {
  const messy =
    "# yaml-language-server: $schema=../../schemas/rule.schema.json\nseverity: low\nname: 'Rule'\n";

  it("--check lists drift, writes nothing and exits 1; fmt then fixes it", async () => {
    const root = tempRepo({
      "rules/k/a.yaml": messy,
      "rules/k/b.yaml": "# yaml-language-server: $schema=../../schemas/rule.schema.json\nname: B\n",
    });
    const check = await runCli(["fmt", "--check"], root);
    expect(check).toMatchObject({
      code: 1,
      stdout:
        "would reformat rules/k/a.yaml\n1 file(s) would be reformatted, 1 already formatted. Run `dac fmt` to fix.\n",
    });
    expect(readFileSync(join(root, "rules/k/a.yaml"), "utf8")).toBe(messy);
    const fixed = await runCli(["fmt"], root);
    expect(fixed).toMatchObject({
      code: 0,
      stdout: "formatted rules/k/a.yaml\nFormatted 1 file(s), 1 already formatted.\n",
    });
    expect(readFileSync(join(root, "rules/k/a.yaml"), "utf8")).toBe(
      "# yaml-language-server: $schema=../../schemas/rule.schema.json\nname: Rule\nseverity: low\n",
    );
    expect(await runCli(["fmt", "--check"], root)).toMatchObject({ code: 0 });
  });

  it("reports a file it cannot format and exits 1", async () => {
    const root = tempRepo({ "rules/k/bad.yaml": "name: [\n" });
    const run = await runCli(["fmt", "rules"], root);
    expect(run.code).toBe(1);
    // The same diagnostic as `dac validate`.
    expect(run.stderr).toMatch(/^rules\/k\/bad\.yaml:2:1 error .* DAC001 yaml-syntax/);
  });

  it("an empty selection or a missing path is a usage error", async () => {
    expect((await runCli(["fmt"], tempRepo({}))).code).toBe(2);
    expect((await runCli(["fmt", "nowhere"], tempRepo({}))).stderr).toContain(
      "nowhere: no such file or folder",
    );
  });

  it("passes on the repository", async () => {
    expect(await runCli(["fmt", "--check"], repoRoot)).toMatchObject({ code: 0 });
  });
});

describe("dac fmt refuses what dac validate refuses, and writes nothing over it", () => {
  const header = "# yaml-language-server: $schema=../../schemas/rule.schema.json\n";
  const messy = `${header}severity: low\nname: 'Rule'\n`;
  const tidy = `${header}name: Rule\nseverity: low\n`;
  const bomb = [
    "a: &a [x, x, x, x, x, x, x, x, x, x]",
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "",
  ].join("\n");
  const bytesOf = (root: string, file: string) => readFileSync(join(root, file));
  /** The diagnostics dac validate gives a file, as `code@line:col`. */
  const validateCodes = async (root: string, file: string) => {
    const run = await runCli(["validate", "--format", "json", file], root);
    const report = JSON.parse(run.stdout) as {
      diagnostics: { code: string; line: number; column: number }[];
    };
    return report.diagnostics
      .filter((d) => d.code.startsWith("DAC0"))
      .map((d) => `${d.code}@${d.line}:${d.column}`);
  };

  it("a file that is not UTF-8 (arbitrary bytes, UTF-16) is DAC005 and keeps every byte", async () => {
    const root = tempRepo({ "rules/k/a.yaml": messy });
    const binary = Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x00, 0x80, 0x0a, 0xc3]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${header}name: x\n`, "utf16le")]);
    writeFileSync(join(root, "rules/k/binary.yaml"), binary);
    writeFileSync(join(root, "rules/k/utf16.yaml"), utf16);
    for (const argv of [["fmt", "--check"], ["fmt"]]) {
      const run = await runCli(argv, root);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("rules/k/binary.yaml:1:7 error file is not valid UTF-8 (byte offset 6)");
      expect(run.stderr).toContain("rules/k/utf16.yaml:1:1 error file is not valid UTF-8 (byte offset 0)");
      expect(run.stderr).toContain("DAC005");
      expect(bytesOf(root, "rules/k/binary.yaml")).toEqual(binary);
      expect(bytesOf(root, "rules/k/utf16.yaml")).toEqual(utf16);
    }
    expect(readFileSync(join(root, "rules/k/a.yaml"), "utf8")).toBe(tidy);
    expect(await validateCodes(root, "rules/k/binary.yaml")).toEqual(["DAC005@1:7"]);
  });

  it("an alias bomb is DAC004 at its position; the other files are formatted, exit 1", async () => {
    const files = Object.fromEntries(["a", "b", "d", "e"].map((n) => [`rules/k/${n}.yaml`, messy]));
    const root = tempRepo({ ...files, "rules/k/c.yaml": bomb });
    const check = await runCli(["fmt", "--check"], root);
    expect(check.code).toBe(1);
    expect(check.stderr).not.toContain("internal error");
    expect(check.stderr).toContain(
      "rules/k/c.yaml:3:40 error alias `*b` (anchor `&b` at 2:4) expands past 100 nodes",
    );
    expect(check.stdout).toContain(
      "4 file(s) would be reformatted, 0 already formatted, 1 could not be formatted",
    );
    const run = await runCli(["fmt"], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("DAC004");
    for (const n of ["a", "b", "d", "e"])
      expect(readFileSync(join(root, `rules/k/${n}.yaml`), "utf8")).toBe(tidy);
    expect(readFileSync(join(root, "rules/k/c.yaml"), "utf8")).toBe(bomb);
    expect(await validateCodes(root, "rules/k/c.yaml")).toEqual(["DAC004@3:40"]);
  });

  it("respects limits.max_alias_count both ways", async () => {
    const config = (n: number) => `rules: rules\nfixtures: fixtures\nlimits:\n  max_alias_count: ${n}\n`;
    const generous = tempRepo({ "dac.config.yaml": config(100000), "rules/k/c.yaml": bomb });
    const formatted = await runCli(["fmt", "--check"], generous);
    expect(formatted).toMatchObject({ code: 1, stderr: "" });
    expect(formatted.stdout).toContain("would reformat rules/k/c.yaml");
    const strict = tempRepo({
      "dac.config.yaml": config(2),
      "rules/k/c.yaml": "a: &x [1]\nb: [*x, *x, *x]\n",
    });
    const refused = await runCli(["fmt", "--check"], strict);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("expands past 2 nodes");
  });

  it("a file over limits.max_file_bytes is DAC006 and left as it is", async () => {
    const long = `${messy}description: '${"x".repeat(200)}'\n`;
    const root = tempRepo({
      "dac.config.yaml": "rules: rules\nfixtures: fixtures\nlimits:\n  max_file_bytes: 200\n",
      "rules/k/long.yaml": long,
      "rules/k/a.yaml": messy,
    });
    const run = await runCli(["fmt"], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("rules/k/long.yaml:1:1 error file is");
    expect(run.stderr).toContain("over the limit of 200 bytes");
    expect(run.stderr).toContain("DAC006");
    expect(readFileSync(join(root, "rules/k/long.yaml"), "utf8")).toBe(long);
    expect(readFileSync(join(root, "rules/k/a.yaml"), "utf8")).toBe(tidy);
    expect(await validateCodes(root, "rules/k/long.yaml")).toEqual(["DAC006@1:1"]);
  });

  it("an empty or comment-only file is DAC007 and left as it is", async () => {
    const root = tempRepo({ "rules/k/empty.yaml": "", "rules/k/comments.yaml": `${header}# nothing yet\n` });
    for (const argv of [["fmt", "--check"], ["fmt"]]) {
      const run = await runCli(argv, root);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("rules/k/empty.yaml:1:1 error file is empty");
      expect(run.stderr).toContain("rules/k/comments.yaml:1:1 error file is empty");
    }
    expect(readFileSync(join(root, "rules/k/empty.yaml"), "utf8")).toBe("");
    expect(readFileSync(join(root, "rules/k/comments.yaml"), "utf8")).toBe(`${header}# nothing yet\n`);
    expect(await validateCodes(root, "rules/k/empty.yaml")).toEqual(["DAC007@1:1"]);
  });
});

describe("symbolic links: read inside the repository only, never written through or over", () => {
  const header = "# yaml-language-server: $schema=../../schemas/rule.schema.json\n";
  const messy = `${header}severity: low\nname: 'Rule'\n`;
  const outside = () => {
    const dir = mkdtempSync(join(tmpdir(), "dac-outside-"));
    writeFileSync(join(dir, "secret.yaml"), "root:x:0:0:root:/root:/bin/bash\n");
    return join(dir, "secret.yaml");
  };

  it("a link to a file outside the repository is refused (DAC009): never read, quoted or replaced", async () => {
    const root = tempRepo({ "rules/k/a.yaml": messy });
    const target = outside();
    symlinkSync(target, join(root, "rules/k/link.yaml"));
    for (const argv of [["fmt", "--check"], ["fmt"], ["validate"], ["validate", "rules/k/link.yaml"]]) {
      const run = await runCli(argv, root);
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toContain("rules/k/link.yaml:1:1 error");
      expect(run.stdout + run.stderr).toContain("outside the repository");
      expect(run.stdout + run.stderr).toContain("DAC009");
      expect(run.stdout + run.stderr).not.toContain("root:x:0:0");
    }
    expect(lstatSync(join(root, "rules/k/link.yaml")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(root, "rules/k/link.yaml"))).toBe(target);
    expect(readFileSync(target, "utf8")).toBe("root:x:0:0:root:/root:/bin/bash\n");
  });

  it("a link inside the repository is read by validate, skipped by fmt with a note, and stays a link", async () => {
    const root = tempRepo({ "rules/k/a.yaml": messy, "shared/b.yaml": messy });
    symlinkSync(join(root, "shared/b.yaml"), join(root, "rules/k/b.yaml"));
    const run = await runCli(["fmt"], root);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("rules/k/b.yaml: skipped: a symbolic link");
    expect(lstatSync(join(root, "rules/k/b.yaml")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, "shared/b.yaml"), "utf8")).toBe(messy);
    const validated = await runCli(["validate", "--format", "json"], root);
    const files = (
      JSON.parse(validated.stdout) as { diagnostics: { file: string; code: string }[] }
    ).diagnostics.map((d) => d.file);
    expect(files).toContain("rules/k/b.yaml");
    expect(validated.stdout).not.toContain("DAC009");
  });

  it("a link to a folder is not followed, and the walk says so", async () => {
    const root = tempRepo({ "rules/k/a.yaml": messy, "shared/x.yaml": messy });
    symlinkSync(join(root, "shared"), join(root, "rules/linked"));
    const fmt = await runCli(["fmt", "--check", "rules"], root);
    expect(fmt.stderr).toContain("rules/linked: skipped: a symbolic link to a folder");
    const validated = await runCli(["validate", "--format", "json"], root);
    expect(validated.stdout).toContain('"code": "DAC011"');
    expect(validated.stdout).toContain("rules/linked");
  });
});

describe("dac changeset", () => {
  function gitRepo() {
    const root = tempRepo({
      "rules/package.json": '{ "name": "@dac/rules", "version": "0.1.0", "private": true }\n',
      "rules/k/a.yaml": "rule_id: 11111111-1111-4111-8111-111111111111\nname: Rule A\n",
      ".changeset/config.json": '{ "baseBranch": "main" }\n',
    });
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=dac", "-c", "user.email=dac@example.com", ...args], {
        cwd: root,
      });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
    git("checkout", "-q", "-b", "feature");
    return root;
  }

  it("writes a changeset for an added rule, which --check then accepts", async () => {
    const root = gitRepo();
    writeFileSync(
      join(root, "rules/k/b.yaml"),
      "rule_id: 22222222-2222-4222-8222-222222222222\nname: Rule B\n",
    );
    const check = await runCli(["changeset", "--check", "--base", "main"], root);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("no changeset added since the base releases @dac/rules");
    const run = await runCli(["changeset", "--base", "main"], root);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("They need a minor release of @dac/rules.");
    const files = readdirSync(join(root, ".changeset")).filter((f) => f.endsWith(".md"));
    expect(files).toEqual(["rules-added-rule-b.md"]);
    expect(readFileSync(join(root, ".changeset", files[0]!), "utf8")).toContain('"@dac/rules": minor');
    expect(await runCli(["changeset", "--check", "--base", "main"], root)).toMatchObject({ code: 0 });
    // Run again: already covered, nothing more written.
    expect((await runCli(["changeset", "--base", "main"], root)).stdout).toContain(
      "Covered by .changeset/rules-added-rule-b.md (minor)",
    );
  });

  it("says so when no rule changed, and writes nothing", async () => {
    const root = gitRepo();
    const run = await runCli(["changeset"], root);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^No rule changed since main \([0-9a-f]{12}\): no changeset needed\.\n$/);
    expect(readdirSync(join(root, ".changeset"))).toEqual(["config.json"]);
  });

  it("a base that does not resolve is a usage error", async () => {
    const root = gitRepo();
    rmSync(join(root, "rules/k/a.yaml"));
    const run = await runCli(["changeset", "--base", "origin/nope"], root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot resolve the base `origin/nope`");
  });
});
