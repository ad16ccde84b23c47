/**
 * Tests that need a real Elasticsearch: they run when `DAC_ES_URL` is set (`.ci/run` starts a node and sets
 * it). Outside CI, without it, they are skipped with a visible notice; in CI (`CI=true`) a missing URL fails.
 */
import { describe, it } from "vitest";
import { connect } from "../connection.js";
import type { Connection } from "../connection.js";

export const esUrl = process.env.DAC_ES_URL;

export function describeWithElasticsearch(name: string, body: (connection: () => Connection) => void): void {
  if (esUrl) {
    let connection: Connection | undefined;
    describe(name, () => body(() => (connection ??= connect({ url: esUrl }, process.env))));
    return;
  }
  if (process.env.CI === "true") {
    describe(name, () => {
      it("needs DAC_ES_URL", () => {
        throw new Error("DAC_ES_URL is not set: CI must start the Elasticsearch test node and set it");
      });
    });
    return;
  }
  console.warn(
    `[skipped] ${name}: DAC_ES_URL is not set; start a node and set DAC_ES_URL to run these tests`,
  );
  describe.skip(name, () => body(() => connect({ url: "http://127.0.0.1:1" }, {})));
}
