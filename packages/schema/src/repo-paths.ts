import { fileURLToPath } from "node:url";

/** The repository's `schemas/` folder: the same depth from `src/` and `dist/`. */
export const schemasDir = fileURLToPath(new URL("../../../schemas/", import.meta.url));
