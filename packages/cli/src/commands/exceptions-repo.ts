import { loadExceptions, type ExceptionSet } from "@dac/exceptions";
import type { CommandContext } from "../command.js";

/** The repository's exception lists and value lists (`exceptions:` and rule-default lists next to the rules). */
export function repositoryExceptions(ctx: CommandContext): ExceptionSet {
  const config = ctx.config();
  return loadExceptions(config.root, { exceptions: config.exceptions, rules: config.rules, cwd: ctx.cwd });
}
