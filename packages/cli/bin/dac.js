#!/usr/bin/env node
// The `dac` bin. npm links bins when it installs (`npm ci`), before anything is built, and skips a bin whose
// file is missing; this committed file is always there, so the link always exists, and it runs the build.
import { existsSync } from "node:fs";

const built = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(built)) {
  process.stderr.write("dac: the CLI is not built yet: run `npm run build` (or `npm run check`) first\n");
  process.exit(2);
}
await import(built.href);
