import { describe, expect, it } from "vitest";
import { describeWithElasticsearch, elasticsearchTarget, uniqueIndexName } from "./index.js";

describe("elasticsearchTarget", () => {
  const cases: ReadonlyArray<[string, Record<string, string>, string]> = [
    ["url set", { DAC_ES_URL: "http://127.0.0.1:9200" }, "node"],
    ["url set in CI", { DAC_ES_URL: "http://127.0.0.1:9200", CI: "true" }, "node"],
    ["unset outside CI", {}, "skip"],
    ["unset with CI=false", { CI: "false" }, "skip"],
    ["unset in CI", { CI: "true" }, "fail"],
    ["blank in CI", { CI: "1", DAC_ES_URL: "  " }, "fail"],
  ];
  it.each(cases)("%s", (_name, env, kind) => {
    expect(elasticsearchTarget(env).kind).toBe(kind);
  });

  it("takes an API key before basic auth, and only from the environment", () => {
    expect(
      elasticsearchTarget({
        DAC_ES_URL: "https://es:9200",
        DAC_ES_API_KEY: "k",
        DAC_ES_USERNAME: "u",
        DAC_ES_PASSWORD: "p",
      }),
    ).toEqual({ kind: "node", url: "https://es:9200", auth: { apiKey: "k" } });
    expect(
      elasticsearchTarget({ DAC_ES_URL: "https://es:9200", DAC_ES_USERNAME: "u", DAC_ES_PASSWORD: "p" }),
    ).toEqual({
      kind: "node",
      url: "https://es:9200",
      auth: { username: "u", password: "p" },
    });
  });

  it("makes index names that Elasticsearch accepts and that differ", () => {
    const a = uniqueIndexName("dac-Test");
    expect(a).toMatch(/^dac-test-[a-z0-9]+-[a-z0-9]+$/);
    expect(uniqueIndexName("dac-test")).not.toBe(a);
  });
});

// The gate itself against the real node: the launcher's GET / handler makes the client's info() and ping() work.
describeWithElasticsearch("a real Elasticsearch node", ({ client }) => {
  it("answers ping and info with its 9.x version", async () => {
    expect(await client.ping()).toBe(true);
    const info = await client.info();
    expect(info.version.number).toMatch(/^9\./);
  });
});
