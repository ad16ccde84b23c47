/**
 * Tests that need a real Elasticsearch: they run when `DAC_ES_URL` is set (`.ci/run` starts a node and sets
 * it). Outside CI, without it, they are skipped with a visible notice; in CI (`CI=true`) a missing URL fails.
 *
 * The same API as `describeWithElasticsearch` of `@dac/es-test-node` (the launcher's gating helper, on its own
 * branch): once both are merged, import it from there and delete this file.
 */
import { describe, it } from "vitest";
import type { Client } from "@elastic/elasticsearch";
import { connect } from "../connection.js";

export type Env = Readonly<Record<string, string | undefined>>;

function isCi(env: Env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/** Use `client` only inside `it` and hooks: in a skipped suite the body is collected without one. */
export function describeWithElasticsearch(
  name: string,
  body: (node: { readonly url: string; readonly client: Client }) => void,
  env: Env = process.env,
): void {
  const url = env.DAC_ES_URL?.trim();
  if (url) {
    describe(name, () => body({ url, client: connect({ url }, env).client }));
    return;
  }
  if (isCi(env)) {
    describe(name, () => {
      it("needs a real Elasticsearch node", () => {
        throw new Error("DAC_ES_URL is not set in CI: .ci/run must start the node and set it");
      });
    });
    return;
  }
  process.stderr.write(`notice: DAC_ES_URL is not set: Elasticsearch tests skipped (${name})\n`);
  describe.skip(`${name} (skipped: DAC_ES_URL is not set)`, () =>
    body({ url: "", client: undefined as never }));
}
