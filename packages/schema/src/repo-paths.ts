import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository's `schemas/` folder: the same depth from `src/` and `dist/`. */
export const schemasDir = fileURLToPath(new URL("../../../schemas/", import.meta.url));

/**
 * A file the build writes beside the module at `from` (an `import.meta.url`): beside it once built, else, from the
 * sources (tests), the package's built one in dist/. Undefined before a build.
 */
export function builtFile(from: string, name: string): string | undefined {
  return [fileURLToPath(new URL(`./${name}`, from)), fileURLToPath(new URL(`../dist/${name}`, from))].find(
    (f) => existsSync(f),
  );
}
