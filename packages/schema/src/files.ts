import { randomBytes } from "node:crypto";
import { lstatSync, mkdirSync, readlinkSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";

/**
 * Writes a file so that readers see the old content or the new, never a part: a temporary sibling, then a
 * rename. The one file writer of every package (reports, the lock, exports, imported and formatted rules).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(temp, data, { flush: true });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** What a path is under the symbolic-link policy (docs/authoring.md, "Symbolic links"). */
export type LinkStatus =
  | { link: false; problem?: undefined }
  /** A link dac may read through, since its target lies inside the repository; never written through. */
  | { link: true; target: string; problem?: undefined }
  /** A link dac refuses: its target is outside the repository, or does not exist. */
  | { link: true; target: string; problem: string };

/**
 * Whether `path` is a symbolic link, and whether dac may read through it: only when it resolves to something
 * inside `root` (the repository, the folder of dac.config.yaml). The target is named, never read.
 */
export function linkStatus(path: string, root: string): LinkStatus {
  try {
    if (!lstatSync(path).isSymbolicLink()) return { link: false };
  } catch {
    return { link: false };
  }
  const target = readlinkSync(path);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { link: true, target, problem: `is a symbolic link to ${target}, which does not exist` };
  }
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
  } catch {
    // A root that does not exist contains nothing.
  }
  const rel = relative(realRoot, real);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return {
      link: true,
      target,
      problem: `is a symbolic link to ${target}, outside the repository (${root}); dac reads no file outside it`,
    };
  }
  return { link: true, target };
}
