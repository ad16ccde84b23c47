/** A job summary for `$GITHUB_STEP_SUMMARY`: a totals table, then failures, exemptions, findings and coverage. */
import type { TestRunResult } from "./model.js";
import { at, caseDetail, formatDuration, printableRun } from "./text.js";

export function formatTestMarkdown(run: TestRunResult): string {
  const result = printableRun(run);
  const s = result.summary;
  const out = [
    `## dac test: ${!s.ok ? "❌ failed" : s.rules === 0 ? "✅ no rules tested" : "✅ passed"}`,
    "",
    "| Rules | Cases | Passed | Failed | Exempt | Unsupported | Time |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${s.rules} | ${s.cases} | ${s.passed} | ${s.failed} | ${s.exempt} | ${s.unsupported} | ${formatDuration(result.durationMs)} |`,
  ];

  const broken = result.rules.filter((r) => r.status === "unsupported" || r.status === "error");
  const failures = result.rules.flatMap((r) =>
    r.cases.filter((c) => c.status === "failed").map((c) => ({ r, c })),
  );
  if (failures.length > 0 || broken.length > 0) {
    out.push("", "### Failures", "");
    for (const r of broken)
      out.push(`- **${inline(r.name)}** (\`${r.file}\`): ${inline(r.message ?? r.status)}`);
    for (const { r, c } of failures) {
      out.push(
        "<details>",
        `<summary><b>${html(r.name)}</b>: ${html(c.name)} (<code>${html(at(c.location))}</code>)</summary>`,
        "",
        ...(c.description ? [inline(c.description), ""] : []),
        fence(caseDetail(c)),
        "",
        "</details>",
      );
    }
  }

  const exempt = result.rules.filter((r) => r.status === "exempt");
  if (exempt.length > 0) {
    out.push("", "### Exemptions", "");
    for (const r of exempt) out.push(`- \`${r.file}\`: ${inline(r.exempt ?? "")}`);
  }

  if (result.diagnostics.length > 0) {
    out.push(
      "",
      "### Diagnostics",
      "",
      "| Location | Severity | Code | Message |",
      "| --- | --- | --- | --- |",
    );
    for (const d of result.diagnostics) {
      out.push(
        `| \`${cell(`${d.file}:${d.line}:${d.column}`)}\` | ${d.severity} | ${d.code} | ${cell(d.message)} |`,
      );
    }
  }

  const covered = result.rules.filter((r) => r.coverage);
  if (covered.length > 0) {
    out.push(
      "",
      "### Coverage",
      "",
      "| Rule | Branches | Uncovered | Untested exceptions |",
      "| --- | ---: | --- | --- |",
    );
    for (const r of covered) {
      const c = r.coverage!;
      const uncovered = c.branches.filter((b) => b.positives === 0).map((b) => `\`${cell(b.branch)}\``);
      // Exception items no case shows suppressing an event (expired ones are not applied, so not counted).
      const untested = (r.exceptions ?? [])
        .filter((e) => e.suppressed.length === 0 && !e.expired)
        .map((e) => `\`${cell(e.itemId)}\` (${cell(e.listId)})`);
      out.push(
        `| ${cell(r.name)} | ${c.branchPercent}% | ${uncovered.join("<br>") || "none"} | ${untested.join("<br>") || "none"} |`,
      );
    }
  }

  const mutated = result.rules.filter((r) => r.mutation);
  if (mutated.length > 0) {
    out.push("", "### Mutation", "", "| Rule | Killed | Surviving mutants |", "| --- | ---: | --- |");
    for (const r of mutated) {
      const m = r.mutation!;
      const survivors = m.survivors.map((x) => `${x.operator}: \`${cell(x.query)}\``);
      const notRun = m.skipped ? ` (${m.skipped} more not run: over the limit per rule)` : "";
      out.push(
        `| ${cell(r.name)} | ${m.killed}/${m.mutants}${notRun} | ${survivors.join("<br>") || "none"} |`,
      );
    }
  }
  return out.join("\n") + "\n";
}

/** A fence longer than any backtick run inside, so event text cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}text\n${text}\n${ticks}`;
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function inline(text: string): string {
  return html(text).replace(/\n/g, " ");
}

function cell(text: string): string {
  return inline(text).replace(/\|/g, "\\|").replace(/`/g, "'");
}
