import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands } from "./commands/index.js";
import { cliReference } from "./help.js";
import { version } from "./main.js";
import { repoRoot } from "./test-support.js";

const start = "<!-- cli-reference:start -->\n\n";
const end = "<!-- cli-reference:end -->";

describe("README", () => {
  it("carries the CLI reference generated from the commands' own help (run `npm run docs:cli` to update)", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    expect(from, "README.md lacks the cli-reference markers").toBeGreaterThan(0);
    expect(readme.slice(from + start.length, to)).toBe(`${cliReference(commands, version)}\n`);
  });
});
