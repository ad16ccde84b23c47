import { defineConfig } from "vitest/config";

// One run over every package; `@dac/*` resolve to sources so tests need no build.
export default defineConfig({
  test: {
    projects: ["packages/*"],
  },
});
