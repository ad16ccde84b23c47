import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A throwaway repository with these files (paths relative to its root). */
export function tempRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "dac-exceptions-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export const header = "# yaml-language-server: $schema=../schemas/exception-list.schema.json\n";
export const ruleHeader = "# yaml-language-server: $schema=../../../schemas/exception-list.schema.json\n";
