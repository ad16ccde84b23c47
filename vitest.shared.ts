import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));

// Tests import `@dac/*` from sources, so `npm test` needs no build first.
const alias = Object.fromEntries(
  readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => [`@dac/${entry.name}`, `${packagesDir}${entry.name}/src/index.ts`]),
);

export function packageProject(name: string) {
  return defineProject({
    resolve: { alias },
    test: { name, include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 30_000 },
  });
}
