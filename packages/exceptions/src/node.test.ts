// The conformance table on a real node: the documents the query of dsl.ts matches (what Kibana's detection
// engine puts in the rule search's must_not) must be the table's, and so the in-memory evaluator's
// (evaluate.test.ts). Also checks that the whole must_not keeps exactly the others.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithElasticsearch } from "@dac/es-test-node";
import { fieldCatalog } from "@dac/fields";
import { cases, documents, mappings, valueLists } from "./conformance/exceptions.cases.js";
import { compileExceptions, exceptionsQuery, withExceptions } from "./index.js";

describeWithElasticsearch("exception filters on a node", (node) => {
  const index = `dac-exceptions-conformance-${process.pid}-${Date.now()}`;
  const catalog = fieldCatalog({ mappings: [mappings], unknownFields: "unmapped" });
  const ids = Object.keys(documents);

  beforeAll(async () => {
    await node.client.indices.create({ index, mappings: mappings as never });
    for (const [id, doc] of Object.entries(documents)) await node.client.index({ index, id, document: doc });
    await node.client.indices.refresh({ index });
  });
  afterAll(async () => {
    await node.client.indices.delete({ index, ignore_unavailable: true });
  });

  const search = async (query: unknown) =>
    (
      await node.client.search({ index, size: 100, query: query as never, sort: ["@timestamp"] })
    ).hits.hits.map((h) => h._id);

  it.each(cases)("$name", async ({ item, removes }) => {
    expect(await search(exceptionsQuery([item], valueLists))).toEqual(removes);
    const inMemory = compileExceptions([item], valueLists, catalog);
    expect(ids.filter((id) => inMemory.removedBy(documents[id]).length > 0)).toEqual(removes);
    expect(await search(withExceptions({ match_all: {} }, [item], valueLists))).toEqual(
      ids.filter((id) => !removes.includes(id)),
    );
  });

  it("all items at once, chunked as Kibana chunks them, remove the union", async () => {
    const items = cases.map((c, i) => ({ ...c.item, item_id: `i${i}` }));
    const union = ids.filter((id) => cases.some((c) => c.removes.includes(id)));
    expect(await search(exceptionsQuery(items, valueLists, { chunkSize: 4 }))).toEqual(union);
  });
});
