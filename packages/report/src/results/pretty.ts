/** Human output for a terminal: failures in full, passes in one line per rule, then a summary. */
import pc from "picocolors";
import type { Diagnostic } from "@dac/schema";
import type { RuleTestResult, TestRunResult } from "./model.js";
import { at, caseMessage, failureDetail, formatDuration, plural, printableRun, ruleNote } from "./text.js";

export interface TestPrettyOptions {
  /** ANSI colours; off unless asked for, so output is stable in files and tests. */
  color?: boolean;
  /** List every case, not only the failed ones. */
  verbose?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

export function formatTestPretty(run: TestRunResult, options: TestPrettyOptions = {}): string {
  const result = printableRun(run);
  const c = pc.createColors(options.color ?? false);
  const out: string[] = [];
  for (const rule of result.rules) out.push(...ruleBlock(rule, c, options.verbose ?? false));
  if (result.diagnostics.length > 0) {
    out.push("", c.bold("Diagnostics"));
    for (const d of result.diagnostics) out.push(`  ${diagnosticLine(d, c)}`);
  }
  const notes = new Map<string, number>();
  for (const rule of result.rules) for (const n of rule.notes ?? []) notes.set(n, (notes.get(n) ?? 0) + 1);
  if (notes.size > 0) {
    out.push("", c.bold("Engine notes"));
    for (const [n, count] of notes) out.push(`  ${c.dim(`${plural(count, "rule")}:`)} ${n}`);
  }
  const excepted = result.rules.filter((r) => r.exceptions?.length);
  if (excepted.length > 0) {
    out.push("", c.bold("Exceptions"));
    for (const rule of excepted) out.push(...exceptionsBlock(rule, c));
  }
  const covered = result.rules.filter((r) => r.coverage);
  if (covered.length > 0) {
    out.push("", c.bold("Coverage"));
    for (const rule of covered) out.push(...coverageBlock(rule, c));
  }
  const mutated = result.rules.filter((r) => r.mutation);
  if (mutated.length > 0) {
    out.push("", c.bold("Mutation"));
    for (const rule of mutated) out.push(...mutationBlock(rule, c));
  }
  out.push("", ...summaryLines(result, c));
  return out.join("\n") + "\n";
}

function ruleBlock(rule: RuleTestResult, c: Colors, verbose: boolean): string[] {
  const lines = ruleLines(rule, c, verbose);
  // Engine notes repeat across rules: listed once at the end, and under each rule only with --verbose.
  const notes = verbose ? (rule.notes ?? []).map((n) => `    ${c.dim(`note: ${n}`)}`) : [];
  return [lines[0]!, ...notes, ...lines.slice(1)];
}

function ruleLines(rule: RuleTestResult, c: Colors, verbose: boolean): string[] {
  const title = `${rule.file}  ${c.dim(`${rule.name} (${rule.engine})`)}`;
  const note = ruleNote(rule);
  switch (rule.status) {
    case "passed": {
      const head = `${c.green(" PASS ")} ${title} ${c.dim(`${plural(rule.cases.length, "case")}`)}`;
      if (!verbose) return [head];
      return [head, ...rule.cases.map((k) => `    ${c.green("✓")} ${k.name}`)];
    }
    case "exempt":
      return [`${c.yellow(" EXEMPT ")} ${title}`, `    ${note ?? ""}`];
    default: {
      const label =
        rule.status === "unsupported" ? " UNSUPPORTED " : rule.status === "error" ? " ERROR " : " FAIL ";
      const lines = [`${c.red(label)} ${title}`];
      if (note) lines.push(`    ${c.red(note)}`);
      for (const k of rule.cases) {
        if (k.status === "passed") {
          if (verbose) lines.push(`    ${c.green("✓")} ${k.name}`);
          continue;
        }
        lines.push(`    ${c.red("✗")} ${k.name} ${c.dim(at(k.location))}`);
        if (k.description) lines.push(`      ${c.dim(k.description)}`);
        lines.push(`      ${caseMessage(k)}`);
        for (const failure of k.failures) lines.push(...indent(failureDetail(failure), 6));
      }
      return lines;
    }
  }
}

/** Per exception item: the cases in which it removed an event the rule matched. */
function exceptionsBlock(rule: RuleTestResult, c: Colors): string[] {
  const lines = [`  ${rule.file}`];
  for (const e of rule.exceptions ?? []) {
    const name = `${e.itemId} ${c.dim(`(${e.listId})`)}`;
    if (e.expired) lines.push(`    ${c.dim("-")} ${name} expired, not applied ${c.dim(at(e.location))}`);
    else if (e.suppressed.length === 0)
      lines.push(`    ${c.yellow("·")} ${name} suppressed no case ${c.dim(at(e.location))}`);
    else lines.push(`    ${c.green("✓")} ${name} suppressed ${e.suppressed.join(", ")}`);
  }
  return lines;
}

function coverageBlock(rule: RuleTestResult, c: Colors): string[] {
  const coverage = rule.coverage!;
  const covered = coverage.branches.filter((b) => b.positives > 0).length;
  const lines = [
    `  ${rule.file}  branches ${covered}/${coverage.branches.length} (${coverage.branchPercent}%)`,
  ];
  for (const b of coverage.branches) {
    if (b.positives === 0)
      lines.push(`    ${c.yellow("uncovered branch")} ${b.branch} ${c.dim(at(b.location))}`);
  }
  for (const clause of coverage.clauses) {
    const mark = clause.positives > 0 ? c.green("✓") : c.yellow("·");
    lines.push(
      `    ${mark} ${clause.clause}  ${c.dim(`positives ${clause.positives}, rejected negatives ${clause.negatives}`)}`,
    );
  }
  for (const e of rule.exceptions ?? []) {
    if (e.suppressed.length === 0 && !e.expired)
      lines.push(`    ${c.yellow("untested exception")} ${e.itemId} (${e.listId}) ${c.dim(at(e.location))}`);
  }
  return lines;
}

function mutationBlock(rule: RuleTestResult, c: Colors): string[] {
  const m = rule.mutation!;
  const skipped = m.skipped ? ` (${m.skipped} more mutants not run: over the limit per rule)` : "";
  const lines = [`  ${rule.file}  ${m.killed}/${m.mutants} mutants killed${skipped}`];
  for (const s of m.survivors) {
    lines.push(`    ${c.yellow("survived")} ${s.operator}: ${s.description}`, `      ${s.query}`);
  }
  return lines;
}

function diagnosticLine(d: Diagnostic, c: Colors): string {
  const severity = d.severity === "error" ? c.red("error") : c.yellow("warning");
  return `${d.file}:${d.line}:${d.column} ${severity} ${d.code} ${d.name}: ${d.message}${d.hint ? c.dim(` (${d.hint})`) : ""}`;
}

function summaryLines(result: TestRunResult, c: Colors): string[] {
  const s = result.summary;
  const lines = [
    `${c.bold("Rules")}  ${s.rules}${ruleBreakdown(result)}`,
    `${c.bold("Cases")}  ${s.cases} (${c.green(`${s.passed} passed`)}, ${s.failed > 0 ? c.red(`${s.failed} failed`) : "0 failed"})`,
  ];
  const exempt = result.rules.filter((r) => r.status === "exempt");
  lines.push(`${c.bold("Exempt")} ${exempt.length}`);
  for (const r of exempt) lines.push(`  ${r.file}: ${r.exempt ?? ""}`);
  if (s.diagnosticErrors > 0) lines.push(`${c.bold("Errors")} ${plural(s.diagnosticErrors, "diagnostic")}`);
  lines.push(`${c.bold("Time")}   ${formatDuration(result.durationMs)}`);
  if (!s.ok) lines.push(c.red("Fixture tests failed."));
  else lines.push(s.rules === 0 ? "No rules tested." : c.green("All fixtures pass."));
  return lines;
}

function ruleBreakdown(result: TestRunResult): string {
  const counts = new Map<string, number>();
  for (const r of result.rules) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = ["passed", "failed", "exempt", "unsupported", "error"]
    .filter((status) => counts.has(status))
    .map((status) => `${counts.get(status)} ${status}`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function indent(text: string, spaces: number): string[] {
  const pad = " ".repeat(spaces);
  return text.split("\n").map((l) => pad + l);
}
