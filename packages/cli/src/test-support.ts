import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "./main.js";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, capturing its output. */
export async function runCli(
  argv: string[],
  cwd = repoRoot,
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    cwd,
    env,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
  });
  return { code, stdout, stderr };
}

/** A throw-away repository: files by relative path. A `dac.config.yaml` pointing at the repo's schemas is added. */
export function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dac-cli-"));
  const all = {
    "dac.config.yaml": `rules: rules\nfixtures: fixtures\nfields:\n  - ${join(repoRoot, "schemas", "fields")}\nunknown_fields: unmapped\n`,
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
