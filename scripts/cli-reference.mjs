#!/usr/bin/env node
// Regenerates the CLI reference in README.md from the built CLI's own help texts (`npm run docs:cli`).
import { readFileSync, writeFileSync } from "node:fs";
import { cliReference, commands, version } from "@dac/cli";

const start = "<!-- cli-reference:start -->\n\n";
const end = "<!-- cli-reference:end -->";
const file = new URL("../README.md", import.meta.url);
const readme = readFileSync(file, "utf8");
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from < 0 || to < 0) throw new Error("README.md lacks the cli-reference markers");
writeFileSync(
  file,
  readme.slice(0, from + start.length) + cliReference(commands, version) + "\n" + readme.slice(to),
);
console.log("README.md: CLI reference updated");
