/**
 * The differential proof: generated KQL queries and documents over one typed mapping, each query judged twice,
 * by the in-memory evaluator (`compile`, catalogue typed from the same mapping) and by a real Elasticsearch node
 * running the DSL Kibana's detection engine sends (`toDsl` typed with the catalogue's data-view fields). Every
 * query × document-set pair must agree; a disagreement fails with fast-check's shrunk counterexample.
 *
 * Needs DAC_ES_URL (see @dac/es-test-node). Seed and size: DAC_ES_DIFF_SEED (a number, or `random`; fixed by
 * default so CI is reproducible) and DAC_ES_DIFF_RUNS (default 200 batches).
 */
import type { Client } from "@elastic/elasticsearch";
import { describeWithElasticsearch, uniqueIndexName } from "@dac/es-test-node";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fieldCatalog } from "../catalog.js";
import { toDsl } from "../dsl.js";
import { dslFieldsFromCatalog } from "../dsl-fields.js";
import { compile } from "../evaluate.js";
import {
  differentialMapping,
  documentsArbitrary,
  queriesArbitrary,
} from "./elasticsearch.differential.cases.js";

const seedSetting = process.env["DAC_ES_DIFF_SEED"];
const SEED =
  seedSetting === "random"
    ? Math.floor(Math.random() * 2 ** 31)
    : seedSetting
      ? Number(seedSetting)
      : 20261207;
const RUNS = Number(process.env["DAC_ES_DIFF_RUNS"] ?? 200);

const catalog = fieldCatalog({ ecs: false, mappings: [differentialMapping] });
const fields = dslFieldsFromCatalog(catalog);

interface Verdict {
  matched: string[] | null;
  error?: string;
}

/** The evaluator's verdict: the ids of the documents it returns, or null when it refuses the query. */
function inMemory(query: string, docs: readonly { id: string; source: object }[]): Verdict {
  let test: (doc: object) => boolean;
  try {
    test = compile(query, { catalog });
  } catch (error) {
    return { matched: null, error: (error as Error).message };
  }
  return { matched: docs.filter((d) => test(d.source)).map((d) => d.id) };
}

describeWithElasticsearch(
  "differential: in-memory KQL verdicts equal a real Elasticsearch node's",
  ({ client }) => {
    const index = uniqueIndexName("dac-kql-differential");
    let batch = 0;
    let pairs = 0;
    let documents = 0;
    let refusedByBoth = 0;
    let hits = 0;
    let verdicts = 0;

    beforeAll(async () => {
      await client.indices.create({
        index,
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: differentialMapping.mappings,
      });
    });
    afterAll(async () => {
      await client.indices.delete({ index, ignore_unavailable: true });
    });

    async function onNode(
      es: Client,
      queries: readonly string[],
      ids: readonly string[],
    ): Promise<Verdict[]> {
      const searches = queries.flatMap((query) => [
        { index },
        {
          // The rule's DSL, confined to this batch's documents by an ids filter (a conjunction: same verdicts).
          query: { bool: { filter: [toDsl(query, { fields }), { ids: { values: [...ids] } }] } },
          size: ids.length,
          _source: false,
          sort: ["_doc"],
        },
      ]);
      const response = await es.msearch({ searches: searches as never });
      return response.responses.map((item) => {
        if ("error" in item) return { matched: null, error: JSON.stringify(item.error) };
        return { matched: item.hits.hits.map((hit) => hit._id as string).sort() };
      });
    }

    it("agrees on every generated query × document set", async () => {
      await fc.assert(
        fc.asyncProperty(documentsArbitrary, queriesArbitrary, async (sources, queries) => {
          batch += 1;
          const docs = sources.map((source, i) => ({ id: `b${batch}-d${i}`, source }));
          const bulk = await client.bulk({
            refresh: true,
            operations: docs.flatMap((d) => [{ index: { _index: index, _id: d.id } }, d.source]),
          });
          // A refused document is a generator bug (a value the mapping cannot take), not a verdict.
          const refused = bulk.items.find((item) => item.index?.error);
          if (refused) throw new Error(`bulk refused a document: ${JSON.stringify(refused.index)}`);
          const ids = docs.map((d) => d.id);
          const node = await onNode(client, queries, ids);
          queries.forEach((query, i) => {
            const memory = inMemory(query, docs);
            const es = node[i]!;
            const agree =
              memory.matched === null || es.matched === null
                ? memory.matched === es.matched
                : JSON.stringify([...memory.matched].sort()) === JSON.stringify(es.matched);
            if (!agree) {
              throw new Error(
                [
                  `disagreement on ${JSON.stringify(query)}`,
                  `in memory: ${memory.matched ? JSON.stringify(memory.matched) : `refused: ${memory.error}`}`,
                  `elasticsearch: ${es.matched ? JSON.stringify(es.matched) : `refused: ${es.error}`}`,
                  `dsl: ${JSON.stringify(toDsl(query, { fields }))}`,
                  ...docs.map((d) => `${d.id}: ${JSON.stringify(d.source)}`),
                ].join("\n"),
              );
            }
            if (memory.matched === null) refusedByBoth += 1;
            else {
              hits += memory.matched.length;
              verdicts += docs.length;
            }
          });
          pairs += queries.length;
          documents += docs.length;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      process.stderr.write(
        `differential: ${pairs} query × document-set pairs over ${documents} documents in ${batch} batches ` +
          `(${verdicts} document verdicts, ${hits} of them matches; ${refusedByBoth} queries refused by both), seed ${SEED}\n`,
      );
      if (RUNS >= 200) expect(pairs).toBeGreaterThanOrEqual(2000);
    }, 600_000);
  },
);
