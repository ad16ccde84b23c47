/** Temporary folders for tests, written from a map of relative path → content. */
import { afterEach } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export type Tree = Record<string, string | object>;

export function writeTree(root: string, tree: Tree): void {
  for (const [path, content] of Object.entries(tree)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
}

/** A fresh folder holding `tree`; `cleanup` removes it. */
export function tempTree(tree: Tree = {}): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "dac-harness-"));
  writeTree(root, tree);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** For a test file: `tree(files)` makes a `tempTree` and gives its root; every one is removed after each test. */
export function treesRemovedAfterEach(): (tree?: Tree) => string {
  let cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups) c();
    cleanups = [];
  });
  return (tree = {}) => {
    const t = tempTree(tree);
    cleanups.push(t.cleanup);
    return t.root;
  };
}

export const casesHeader = "# yaml-language-server: $schema=../../../schemas/fixture-cases.schema.json\n";
