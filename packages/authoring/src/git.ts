import { execFileSync } from "node:child_process";

/** Runs git with an argument array (never a shell) and returns stdout; tests may pass their own. */
export type Git = (args: readonly string[], options?: GitOptions) => string;

export interface GitOptions {
  cwd?: string;
  input?: string;
  /** Return the raw bytes as a latin1 string (one character per byte), for output holding sizes in bytes. */
  bytes?: boolean;
}

/** git is missing, the folder is not a repository, or a ref does not resolve. */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GitError";
  }
}

export function gitIn(cwd: string): Git {
  return (args, options = {}) => {
    try {
      return execFileSync("git", [...args], {
        cwd: options.cwd ?? cwd,
        encoding: options.bytes ? "latin1" : "utf8",
        input: options.input,
        maxBuffer: 1 << 30,
        stdio: ["pipe", "pipe", "pipe"],
      });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === "ENOENT") throw new GitError("git is not installed or not on PATH");
      const detail = (e.stderr ?? "").trim().split("\n")[0] || e.message;
      throw new GitError(`git ${args[0]} failed: ${detail}`);
    }
  };
}

/** Reads many blobs (`<commit>:<path>`) in one `git cat-file --batch`, the bulk form of `git show REF:path`. */
export function readBlobs(git: Git, objects: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (objects.length === 0) return out;
  const raw = Buffer.from(
    git(["cat-file", "--batch"], { input: `${objects.join("\n")}\n`, bytes: true }),
    "latin1",
  );
  let at = 0;
  for (const object of objects) {
    const headerEnd = raw.indexOf(10, at);
    if (headerEnd < 0) break;
    const header = raw.subarray(at, headerEnd).toString("utf8");
    at = headerEnd + 1;
    const size = /^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1];
    if (size === undefined) continue; // "<object> missing", or not a blob
    out.set(object, raw.subarray(at, at + Number(size)).toString("utf8"));
    at += Number(size) + 1;
  }
  return out;
}
