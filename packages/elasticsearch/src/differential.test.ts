/**
 * The differential proof: generated KQL queries and documents over one typed mapping, each query judged twice,
 * by the in-memory evaluator (`compile`, its field catalogue read from the same mapping) and by a real
 * Elasticsearch node running the DSL Kibana's detection engine sends (`toDsl` with the data-view fields Kibana
 * builds from `_field_caps`). Every query × document-set pair must agree; a disagreement fails with fast-check's
 * shrunk counterexample, unless it is one of the listed known differences (test-support/differential.ts).
 *
 * Needs DAC_ES_URL (see @dac/es-test-node). DAC_ES_DIFF_SEED: the seed (a number, or `random`; fixed by default so
 * CI is reproducible). DAC_ES_DIFF_RUNS: batches (default 200, each up to 20 documents and 30 queries).
 */
import type { Client } from "@elastic/elasticsearch";
import { describeWithElasticsearch, uniqueIndexName } from "@dac/es-test-node";
import { fieldCatalog } from "@dac/fields";
import { compile, toDsl } from "@dac/kql";
import type { DslField } from "@dac/kql";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testIndexPrefix } from "./engine.js";
import { dslFieldsFromFieldCaps } from "./field-caps.js";
import type { FieldCapsResponse } from "./field-caps.js";
import {
  differentialMapping,
  documentsArbitrary,
  knownDifferences,
  queriesArbitrary,
  type KnownDifference,
  type NodeProbe,
  type Verdict,
} from "./test-support/differential.js";

/** An integer setting from the environment, or its default; anything else is a usage error, not NaN. */
function integerSetting(name: string, fallback: number, random?: () => number): number {
  const text = process.env[name]?.trim();
  if (!text) return fallback;
  if (text === "random" && random) return random();
  if (!/^-?\d+$/.test(text)) {
    throw new Error(`${name} must be an integer${random ? ' or "random"' : ""}, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

const SEED = integerSetting("DAC_ES_DIFF_SEED", 20261207, () => Math.floor(Math.random() * 2 ** 31));
const RUNS = integerSetting("DAC_ES_DIFF_RUNS", 200);
const MIN_PAIRS = 2000;

const catalog = fieldCatalog({ ecs: false, mappings: [differentialMapping] });

/** The evaluator's verdict: the ids of the documents it returns, or why it refuses the query. */
function inMemory(query: string, docs: readonly { id: string; source: object }[]): Verdict {
  let test: (doc: object) => boolean;
  try {
    test = compile(query, { catalog });
  } catch (error) {
    return { refused: (error as Error).message };
  }
  return {
    matched: docs
      .filter((d) => test(d.source))
      .map((d) => d.id)
      .sort(),
  };
}

const agree = (a: Verdict, b: Verdict) =>
  "matched" in a && "matched" in b ? a.matched.join() === b.matched.join() : "refused" in a && "refused" in b;

const show = (v: Verdict) => ("matched" in v ? JSON.stringify(v.matched) : `refused: ${v.refused}`);

describeWithElasticsearch(
  "differential: in-memory KQL verdicts equal a real Elasticsearch node's",
  ({ client }) => {
    const index = uniqueIndexName(`${testIndexPrefix}differential`);
    let fields: DslField[] = [];
    let batch = 0;
    let pairs = 0;
    let agreed = 0;
    let documents = 0;
    let refusedByBoth = 0;
    let hits = 0;
    let verdicts = 0;
    const excused = new Map<string, number>();

    beforeAll(async () => {
      await client.indices.create({
        index,
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: differentialMapping.mappings,
      });
      // Kibana translates KQL with the data view's fields, which it reads from `_field_caps`.
      fields = dslFieldsFromFieldCaps(
        (await client.fieldCaps({ index, fields: "*" })) as unknown as FieldCapsResponse,
      );
    });
    afterAll(async () => {
      await client.indices.delete({ index, ignore_unavailable: true });
    });

    /** The search's query for a rule query: Kibana's DSL confined to a batch's documents. */
    const searchQuery = (dsl: unknown, ids: readonly string[]) => ({
      // An ids filter in a conjunction: the same verdicts on this batch's documents, none of another batch's.
      bool: { filter: [dsl, { ids: { values: [...ids] } }] },
    });

    const probe: NodeProbe = {
      refuses: async (query) => {
        let dsl: unknown;
        try {
          dsl = toDsl(query, { fields });
        } catch {
          return true;
        }
        return !(await client.indices.validateQuery({ index, query: dsl as never })).valid;
      },
      refusedInMemory: (query) => "refused" in inMemory(query, []),
    };

    /** The node's verdicts for one batch's queries, in one `_msearch`; a query Kibana refuses is refused. */
    async function onNode(
      es: Client,
      queries: readonly string[],
      ids: readonly string[],
    ): Promise<Verdict[]> {
      const dsl = queries.map((query): { query: unknown } | { refused: string } => {
        try {
          return { query: toDsl(query, { fields }) };
        } catch (error) {
          return { refused: `Kibana: ${(error as Error).message}` };
        }
      });
      const sent = dsl.filter((d): d is { query: unknown } => "query" in d);
      const searches = sent.flatMap((d) => [
        { index },
        {
          query: searchQuery(d.query, ids),
          size: ids.length,
          _source: false,
        },
      ]);
      const responses = sent.length ? (await es.msearch({ searches: searches as never })).responses : [];
      let next = 0;
      return dsl.map((d) => {
        if ("refused" in d) return d;
        const item = responses[next++]!;
        if ("error" in item) {
          const cause = item.error.root_cause?.[0] ?? item.error;
          return { refused: `Elasticsearch: ${cause.type}: ${cause.reason ?? ""}` };
        }
        return { matched: item.hits.hits.map((hit) => hit._id as string).sort() };
      });
    }

    it("agrees on every generated query × document set", async () => {
      const started = Date.now();
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
          const node = await onNode(
            client,
            queries,
            docs.map((d) => d.id),
          );
          for (const [i, query] of queries.entries()) {
            const memory = inMemory(query, docs);
            const es = node[i]!;
            pairs += 1;
            if (!agree(memory, es)) {
              let known: KnownDifference | undefined;
              for (const k of knownDifferences)
                if (!known && (await k.applies(query, memory, es, probe))) known = k;
              if (known) {
                excused.set(known.name, (excused.get(known.name) ?? 0) + 1);
                continue;
              }
              let dsl: string;
              try {
                dsl = JSON.stringify(toDsl(query, { fields }));
              } catch (error) {
                dsl = `(none: ${(error as Error).message})`;
              }
              throw new Error(
                [
                  `disagreement on ${JSON.stringify(query)}`,
                  `in memory: ${show(memory)}`,
                  `elasticsearch: ${show(es)}`,
                  `dsl: ${dsl}`,
                  ...docs.map((d) => `${d.id}: ${JSON.stringify(d.source)}`),
                ].join("\n"),
              );
            }
            agreed += 1;
            if ("refused" in memory) refusedByBoth += 1;
            else {
              hits += memory.matched.length;
              verdicts += docs.length;
            }
          }
          documents += docs.length;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      const known = [...excused].map(([name, n]) => `${n} ${name}`).join(", ");
      process.stderr.write(
        `differential: seed ${SEED} (DAC_ES_DIFF_SEED), ${batch} batches: ${pairs} query × document-set pairs ran, ` +
          `${agreed} agreed${known ? `, known differences: ${known}` : ""}; ${documents} documents, ` +
          `${verdicts} document verdicts (${hits} matches), ${refusedByBoth} queries refused by both; ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
      if (RUNS >= 200) expect(pairs).toBeGreaterThanOrEqual(MIN_PAIRS);
      expect(agreed + [...excused.values()].reduce((a, b) => a + b, 0)).toBe(pairs);
    }, 600_000);
  },
);
