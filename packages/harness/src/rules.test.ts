// The repository's own rules against their fixtures: `npm test` runs every rule case as a test.
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";
import { defineRuleTests } from "./vitest.js";

await defineRuleTests({ cwd: fileURLToPath(new URL("../../../", import.meta.url)), describe, it });
