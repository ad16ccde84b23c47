import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));

// Tests import `@dac/*` from sources, so `npm test` needs no build first: `@dac/x` is packages/x/src/index.ts, and a
// subpath export `@dac/x/y` is packages/x/src/y.ts.
const alias = [
  { find: /^@dac\/([^/]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
  { find: /^@dac\/([^/]+)\/(.+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
];

export function packageProject(name: string) {
  return defineProject({
    resolve: { alias },
    test: { name, include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 30_000 },
  });
}
