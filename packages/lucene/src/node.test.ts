// The Lucene conformance table against a real node: the documents Elasticsearch returns for each query, sent as
// Kibana sends a Lucene rule's query (`toDsl`: query_string with analyze_wildcard and time zone Zulu), must be
// the table's, and so the in-memory engine's (evaluate.test.ts checks the same table in memory).
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithElasticsearch } from "@dac/es-test-node";
import { fieldCatalog } from "@dac/fields";
import { cases, documents, mappings } from "./conformance/lucene.cases.js";
import { toDsl } from "./dsl.js";
import { compile } from "./evaluate.js";
import { parse } from "./parser.js";

describeWithElasticsearch("query_string conformance on a node", (node) => {
  const index = `dac-lucene-conformance-${process.pid}-${Date.now()}`;
  const catalog = fieldCatalog({ mappings: [mappings], unknownFields: "unmapped" });
  const now = new Date();

  beforeAll(async () => {
    await node.client.indices.create({ index, mappings: mappings as never });
    for (const [id, doc] of Object.entries(documents)) await node.client.index({ index, id, document: doc });
    await node.client.indices.refresh({ index });
  });
  afterAll(async () => {
    await node.client.indices.delete({ index, ignore_unavailable: true });
  });

  it.each(cases)("$query", async ({ query, matches }) => {
    const response = await node.client.search({
      index,
      size: 100,
      query: { bool: { must: [toDsl(query)!] } } as never,
      sort: ["@timestamp"],
    });
    const got = response.hits.hits.map((h) => h._id);
    expect(got).toEqual(matches);
    const test = compile(parse(query), { catalog, now: () => now });
    expect(Object.keys(documents).filter((id) => test(documents[id]))).toEqual(got);
  });
});
