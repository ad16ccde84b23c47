/**
 * Rule fixtures as vitest (or jest, or node:test) tests: one `describe` per rule, one `it` per case. The test
 * functions are passed in, so this package does not depend on a test runner at run time:
 *
 *     import { describe, it } from "vitest";
 *     import { defineRuleTests } from "@dac/harness";
 *     await defineRuleTests({ cwd: repositoryRoot, describe, it });
 *
 * It is asynchronous (an engine may do I/O), so await it at the top level of the test file.
 */
import { describeCaseFailure } from "@dac/report";
import { testRepository } from "./repository.js";
import type { RepositoryRun, TestRepositoryOptions } from "./repository.js";

type TestFn = (name: string, fn: () => void) => void;

export interface TestApi {
  describe: (name: string, fn: () => void) => void;
  it: TestFn & { skip?: TestFn };
}

export type DefineRuleTestsOptions = TestRepositoryOptions & TestApi;

/** Runs the fixtures once, while the test file is collected, and declares a test per outcome. */
export async function defineRuleTests(options: DefineRuleTestsOptions): Promise<RepositoryRun> {
  const { describe, it, ...repository } = options;
  const run = await testRepository(repository);
  for (const rule of run.result.rules) {
    describe(`${rule.name} (${rule.file})`, () => {
      if (rule.cases.length === 0) {
        if (rule.status === "exempt" && it.skip) it.skip(`exempt: ${rule.exempt ?? ""}`, () => {});
        else
          it(rule.status, () => {
            if (rule.status !== "passed" && rule.status !== "exempt")
              throw new Error(rule.message ?? rule.status);
          });
      }
      for (const c of rule.cases) {
        it(c.name, () => {
          if (c.status === "failed") throw new Error(`${rule.file}: ${describeCaseFailure(c)}`);
        });
      }
    });
  }
  const errors = run.result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    describe("fixture diagnostics", () => {
      for (const d of errors) {
        it(`${d.code} ${d.file}:${d.line}:${d.column}`, () => {
          throw new Error(
            `${d.file}:${d.line}:${d.column} ${d.code} ${d.name}: ${d.message}${d.hint ? ` (${d.hint})` : ""}`,
          );
        });
      }
    });
  }
  return run;
}
