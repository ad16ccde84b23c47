import { statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { envRedactor } from "@dac/exporter";
import { writeFileAtomic } from "@dac/schema";
import type { CommandContext } from "./command.js";
import { UsageError } from "./command.js";

/** The file's stat, or undefined when nothing is there (or a parent is not a folder, checked separately). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The absolute path of an output file named by `flag`, checked before any work is done: it must not be an
 * existing directory, and whatever exists of its parent must be a directory. Throws a `UsageError` (exit 2).
 */
export function outputFile(ctx: Pick<CommandContext, "cwd">, path: string, flag: string): string {
  if (path === "") throw new UsageError(`${flag} needs a file name`);
  const absolute = resolve(ctx.cwd, path);
  if (statOf(absolute)?.isDirectory())
    throw new UsageError(`${flag} ${path} is a directory; name a file to write`);
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    const stat = statOf(dir);
    if (stat && !stat.isDirectory())
      throw new UsageError(`${flag} ${path}: ${dir} is not a directory, so the file cannot be written`);
    if (stat || dirname(dir) === dir) break;
  }
  return absolute;
}

/**
 * Writes a report file whole or not at all, through the same redaction as standard output (a report is
 * output too). A path that cannot be written is a usage error naming it, never an internal error.
 */
export function writeOutputFile(
  ctx: Pick<CommandContext, "cwd" | "env">,
  path: string,
  text: string,
  flag: string,
): void {
  const absolute = outputFile(ctx, path, flag);
  try {
    writeFileAtomic(absolute, envRedactor(ctx.env)(text));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code && ["EISDIR", "ENOTDIR", "EACCES", "EPERM", "EROFS", "ENOENT", "ENAMETOOLONG"].includes(code))
      throw new UsageError(`${flag} ${path}: cannot write the file (${code})`);
    throw error;
  }
}
