// Test infrastructure only: one gate for every test that needs a real Elasticsearch node.
// DAC_ES_URL set → the tests run against it; unset → skipped with a visible notice, except in CI (CI=true),
// where a missing node is a failure, never a silent skip. `scripts/es-node.sh start` runs a local node.
import { Client, type ClientOptions } from "@elastic/elasticsearch";
import { describe, it } from "vitest";

export type Env = Readonly<Record<string, string | undefined>>;

/** Where the tests' Elasticsearch is, or why there is none. */
export type ElasticsearchTarget =
  | { readonly kind: "node"; readonly url: string; readonly auth?: ClientOptions["auth"] }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "fail"; readonly reason: string };

const howToStart = "start one with `scripts/es-node.sh start` and set DAC_ES_URL=http://127.0.0.1:9200";

function isCi(env: Env): boolean {
  const ci = env["CI"]?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/** Reads DAC_ES_URL (and optional DAC_ES_API_KEY, or DAC_ES_USERNAME with DAC_ES_PASSWORD). */
export function elasticsearchTarget(env: Env = process.env): ElasticsearchTarget {
  const url = env["DAC_ES_URL"]?.trim();
  if (!url) {
    return isCi(env)
      ? { kind: "fail", reason: `DAC_ES_URL is not set in CI: .ci/run must start the node (${howToStart})` }
      : { kind: "skip", reason: `DAC_ES_URL is not set: Elasticsearch tests skipped (${howToStart})` };
  }
  const apiKey = env["DAC_ES_API_KEY"];
  const username = env["DAC_ES_USERNAME"];
  const password = env["DAC_ES_PASSWORD"];
  const auth = apiKey ? { apiKey } : username && password ? { username, password } : undefined;
  return auth ? { kind: "node", url, auth } : { kind: "node", url };
}

/** A client for the target node (the 9.x client: the launcher's node is 9.x). */
export function elasticsearchClient(target: Extract<ElasticsearchTarget, { kind: "node" }>): Client {
  return new Client({
    node: target.url,
    ...(target.auth ? { auth: target.auth } : {}),
    requestTimeout: 60_000,
  });
}

const noticed = new Set<string>();

/**
 * `describe` for tests that need Elasticsearch. The body gets the node's URL and a client (closed after the
 * suite by the caller's own afterAll if it wants; the client holds no server state). Without DAC_ES_URL the
 * suite is skipped with a notice on stderr, or, in CI, replaced by one failing test that says why.
 */
export function describeWithElasticsearch(
  name: string,
  body: (node: { readonly url: string; readonly client: Client }) => void,
  env: Env = process.env,
): void {
  const target = elasticsearchTarget(env);
  if (target.kind === "node") {
    describe(name, () => body({ url: target.url, client: elasticsearchClient(target) }));
    return;
  }
  if (target.kind === "fail") {
    describe(name, () => {
      it("needs a real Elasticsearch node", () => {
        throw new Error(target.reason);
      });
    });
    return;
  }
  if (!noticed.has(target.reason)) {
    noticed.add(target.reason);
    process.stderr.write(`notice: ${target.reason}\n`);
  }
  describe.skip(`${name} (skipped: DAC_ES_URL is not set)`, () =>
    body({ url: "", client: undefined as never }));
}

/** A unique, valid index name under a prefix that tests clean up by (lowercase, no reserved characters). */
export function uniqueIndexName(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `${prefix}-${Date.now().toString(36)}-${random}`.toLowerCase();
}
