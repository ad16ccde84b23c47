import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli, tempRepo } from "./test-support.js";

const seed = readFileSync(
  join(repoRoot, "rules/kubernetes/kubernetes_denied_service_account_request.yaml"),
  "utf8",
);

function misspelt(): string {
  return seed.replace(/^risk_score:/m, "risk_scor:");
}

function lineOf(text: string, prefix: string): number {
  return text.split("\n").findIndex((l) => l.startsWith(prefix)) + 1;
}

describe("dac (entry point)", () => {
  it("--version prints the version", async () => {
    const run = await runCli(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("--help lists the commands; no command is a usage error", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("validate");
    expect((await runCli([])).code).toBe(2);
  });

  it("an unknown command suggests the closest", async () => {
    const run = await runCli(["valdiate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("did you mean `validate`?");
  });

  it("validate --help shows the options", async () => {
    const run = await runCli(["validate", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--format FORMAT");
  });

  it("an unknown option or a bad choice is exit 2", async () => {
    expect((await runCli(["validate", "--frmat", "json"])).code).toBe(2);
    const bad = await runCli(["validate", "--format", "xml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--format must be one of pretty, json, github, sarif");
  });
});

describe("dac validate", () => {
  it("exits 0 on the repository's rules", async () => {
    const run = await runCli(["validate"]);
    expect(run.stderr).toBe("");
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/✔ \d+ files?, \d+ rules? checked: 0 errors/);
  });

  it("a misspelt key exits 1 with that key's exact line and column", async () => {
    const dir = tempRepo({ "rules/k8s/rule.yaml": misspelt() });
    const run = await runCli(["validate"], dir);
    expect(run.code).toBe(1);
    const line = lineOf(misspelt(), "risk_scor:");
    expect(run.stdout).toContain(
      `rules/k8s/rule.yaml:${line}:1 error unknown key \`risk_scor\`, did you mean \`risk_score\`?`,
    );
    expect(run.stdout).toContain("^^^^^^^^^");
  });

  it("--format json is a stable document", async () => {
    const dir = tempRepo({ "rules/rule.yaml": misspelt() });
    const run = await runCli(["validate", "--format", "json"], dir);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.summary).toMatchObject({ files: 1, rules: 1, errors: 1 });
    expect(report.diagnostics[0]).toMatchObject({
      file: "rules/rule.yaml",
      code: "DAC101",
      line: lineOf(misspelt(), "risk_scor:"),
      column: 1,
    });
  });

  it("--format sarif validates against SARIF 2.1.0", async () => {
    const dir = tempRepo({ "rules/rule.yaml": misspelt() });
    const run = await runCli(["validate", "--format", "sarif"], dir);
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(
      readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
    );
    const ajv = new Ajv.default({ strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(run.stdout);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].results[0].ruleId).toBe("DAC101");
  });

  it("--format github writes annotations", async () => {
    const dir = tempRepo({ "rules/rule.yaml": misspelt() });
    const run = await runCli(["validate", "--format", "github"], dir);
    expect(run.stdout).toContain(
      `::error file=rules/rule.yaml,line=${lineOf(misspelt(), "risk_scor:")},col=1,`,
    );
  });

  it("reports the exception lists' problems at their entries, and only the lists a selected rule uses", async () => {
    const rule = seed.replace(
      "\nmetadata:",
      "\nexceptions_list:\n  - list_id: ops\n  - list_id: gone\nmetadata:",
    );
    const header = "# yaml-language-server: $schema=../schemas/exception-list.schema.json\n";
    const list = (id: string, field: string) =>
      `${header}list_id: ${id}\nname: ${id}\ndescription: ${id}\ntype: detection\nitems:\n` +
      `  - item_id: ${id}-1\n    name: a\n    description: a\n    entries:\n` +
      `      - { field: ${field}, type: match, operator: included, value: x }\n`;
    const dir = tempRepo({
      "rules/k8s/rule.yaml": rule,
      "rules/other/rule.yaml": seed.replace(
        /^rule_id: .*$/m,
        "rule_id: 6c3f1f34-5a0b-4c9e-8f53-6d1d3c9e2a10",
      ),
      "exceptions/ops.yaml": list("ops", "kubernetes.audit.user.usernme"),
      "exceptions/unused.yaml": list("unused", "user.nmae"),
    });
    const codes = (stdout: string) =>
      (JSON.parse(stdout).diagnostics as { file: string; line: number; column: number; code: string }[])
        .filter((d) => d.code.startsWith("DAC7"))
        .map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);
    const all = await runCli(["validate", "--format", "json"], dir);
    expect(all.code).toBe(1);
    expect(codes(all.stdout)).toEqual([
      "exceptions/ops.yaml:11:18 DAC705",
      "exceptions/unused.yaml:11:18 DAC705",
      `rules/k8s/rule.yaml:${lineOf(rule, "  - list_id: gone")}:14 DAC703`,
    ]);
    expect(all.stdout).toContain("did you mean `kubernetes.audit.user.username`?");
    // `dac validate <rule>` checks the lists that rule uses, not every list of the repository.
    const one = await runCli(["validate", "--format", "json", "rules/other/rule.yaml"], dir);
    expect(codes(one.stdout)).toEqual([]);
  });

  it("--output writes the report to a file", async () => {
    const dir = tempRepo({ "rules/rule.yaml": seed });
    expect((await runCli(["version"], dir)).code).toBe(0);
    const run = await runCli(["validate", "--format", "json", "--output", "out/report.json"], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "out/report.json"), "utf8")).summary.errors).toBe(0);
  });

  it("warnings pass, unless --strict", async () => {
    const dir = tempRepo({
      "rules/rule.yaml": seed.replace(/^rule_id: .*$/m, "rule_id: 63c056a0-339a-11ed-a261-0242ac120002"),
    });
    expect((await runCli(["version"], dir)).code).toBe(0);
    expect((await runCli(["validate"], dir)).code).toBe(0);
    expect((await runCli(["validate", "--strict"], dir)).code).toBe(1);
  });

  it("an empty selection is a usage error", async () => {
    const dir = tempRepo({ "rules/README.md": "nothing" });
    const run = await runCli(["validate"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no rule files");
  });

  it("a path that does not exist is a usage error", async () => {
    const run = await runCli(["validate", "no/such/dir"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no/such/dir: no such file or folder");
  });

  it("an invalid configuration file is exit 2 with its position", async () => {
    const dir = tempRepo({ "dac.config.yaml": "rulez: rules\n", "rules/rule.yaml": seed });
    const run = await runCli(["validate"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("dac.config.yaml:1:1");
    expect(run.stderr).toContain("did you mean `rules`?");
  });

  it("duplicate rule ids across files are reported on the second file", async () => {
    const dir = tempRepo({
      "rules/a.yaml": seed,
      "rules/b.yaml": seed.replace(/^name: .*$/m, "name: Another"),
    });
    const run = await runCli(["validate", "--format", "json"], dir);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.diagnostics.map((d: { file: string; code: string }) => `${d.file} ${d.code}`)).toContain(
      "rules/b.yaml DAC202",
    );
  });
});

describe("colour", () => {
  const dir = tempRepo({ "rules/rule.yaml": misspelt() });
  const hasAnsi = (text: string) => text.includes("\u001b[");

  it("is off for a pipe, and with NO_COLOR or FORCE_COLOR=0 even when forced by a terminal", async () => {
    expect(hasAnsi((await runCli(["validate"], dir)).stdout)).toBe(false);
    expect(hasAnsi((await runCli(["validate"], dir, { FORCE_COLOR: "0" })).stdout)).toBe(false);
    expect(hasAnsi((await runCli(["validate"], dir, { NO_COLOR: "1", FORCE_COLOR: "1" })).stdout)).toBe(
      false,
    );
  });

  it("is on with FORCE_COLOR=1 or --color", async () => {
    expect(hasAnsi((await runCli(["validate"], dir, { FORCE_COLOR: "1" })).stdout)).toBe(true);
    expect(hasAnsi((await runCli(["validate", "--color"], dir)).stdout)).toBe(true);
  });
});

describe("hostile input stays readable", () => {
  it("one leading-wildcard warning on a 600 KB value prints a few lines, not megabytes", async () => {
    const huge = `*${"a".repeat(600_000)}`;
    const rule = seed.replace(/^query: \|\n(?: {2}.*\n)+/m, `query: |\n  event.dataset: ${huge}\n`);
    const dir = tempRepo({ "rules/k/huge.yaml": rule });
    for (const format of ["pretty", "github"]) {
      const run = await runCli(["validate", "--format", format], dir);
      expect(run.stdout).toContain("DAC414");
      expect(run.stdout.length).toBeLessThan(5_000);
    }
  });

  it("control characters in a rule name are an error at the character; none reaches the terminal", async () => {
    const rule = seed.replace(/^name: .*$/m, 'name: "Evil \\e[2J rule \\0"');
    const dir = tempRepo({ "rules/k/evil.yaml": rule });
    const run = await runCli(["validate"], dir);
    expect(run.code).toBe(1);
    const line = lineOf(rule, "name:");
    expect(run.stdout).toContain(`rules/k/evil.yaml:${line}:13 error`);
    expect(run.stdout).toContain("DAC210");
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});
