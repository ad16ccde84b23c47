import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** A throw-away repository: files by relative path, with a `dac.config.yaml` using the repository's field files. */
export function tempRepo(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "dac-authoring-"));
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
