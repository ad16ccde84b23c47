// The item index (select.ts) only skips items that cannot hold: with it and without it, every event is removed by
// the same items. Held on random items and events over ECS fields, and on the conformance table all at once.
import { describe, expect, it } from "vitest";
import { fieldCatalog } from "@dac/fields";
import { cases, documents, mappings, valueLists } from "./conformance/exceptions.cases.js";
import { compileExceptions } from "./index.js";
import type { ExceptionEntry, ExceptionItem, ValueList } from "./types.js";

/** A small seeded generator (mulberry32), so a failure names a reproducible seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

const names = ["alice", "bob", "svc-1", "svc-2", "42"];
const ips = ["10.0.0.1", "10.0.0.2", "::ffff:10.0.0.1", "192.168.1.7", "2001:db8::1"];
const lists: Record<string, ValueList> = {
  accounts: {
    id: "accounts",
    type: "keyword",
    name: "a",
    description: "a",
    values: ["svc-1", "svc-2"],
    file: "a",
  },
  hosts: {
    id: "hosts",
    type: "ip",
    name: "h",
    description: "h",
    values: ["10.0.0.1", "2001:db8::1"],
    file: "h",
  },
  nets: { id: "nets", type: "ip", name: "n", description: "n", values: ["10.0.0.0/24"], file: "n" },
};

function randomEntry(r: ReturnType<typeof random>, depth = 0): ExceptionEntry {
  const operator = r.next() < 0.9 ? ("included" as const) : ("excluded" as const);
  const kind = r.pick(["match", "match_any", "wildcard", "exists", "list", "ip", "nested"] as const);
  switch (kind) {
    case "match":
      return { type: "match", field: r.pick(["user.name", "host.name"]), operator, value: r.pick(names) };
    case "match_any":
      return { type: "match_any", field: "user.name", operator, value: [r.pick(names), r.pick(names)] };
    case "wildcard":
      // Starts of names, `?`, escapes, a leading star, a pattern without wildcards.
      return {
        type: "wildcard",
        field: r.pick(["user.name", "host.name"]),
        operator,
        value: r.pick([`${r.pick(names).slice(0, 2)}*`, "sv?-1", "s\\vc-*", "a\\*", "*ob", "bob", "4?"]),
      };
    case "exists":
      return { type: "exists", field: r.pick(["user.name", "source.ip", "host.name"]), operator };
    case "list":
      return { type: "list", field: "user.name", operator, list: { id: "accounts", type: "keyword" } };
    case "ip":
      return r.next() < 0.5
        ? { type: "match", field: "source.ip", operator, value: r.pick([...ips, "10.0.0.0/24"]) }
        : { type: "list", field: "source.ip", operator, list: { id: r.pick(["hosts", "nets"]), type: "ip" } };
    case "nested":
      if (depth > 0) return randomEntry(r, depth);
      return {
        type: "nested",
        field: "threat.enrichments",
        entries: [
          {
            type: "match",
            field: "matched.field",
            operator: "included",
            value: r.pick(["source.ip", "user.name"]),
          },
          { type: "match", field: "indicator.ip", operator: "included", value: r.pick(ips) },
        ],
      };
  }
}

function randomEvent(r: ReturnType<typeof random>): object {
  const value = (xs: readonly string[]) =>
    r.next() < 0.2 ? [r.pick(xs), r.pick(xs)] : r.next() < 0.1 ? Number(r.pick(["42", "7"])) : r.pick(xs);
  const event: Record<string, unknown> = {};
  // Both spellings of a field: objects and dotted keys.
  if (r.next() < 0.8) {
    if (r.next() < 0.5) event["user"] = { name: value(names) };
    else event["user.name"] = value(names);
  }
  if (r.next() < 0.5) event["host"] = { name: value(names) };
  if (r.next() < 0.7) event["source"] = { ip: value(ips) };
  if (r.next() < 0.4)
    event["threat"] = {
      enrichments: [0, 1].map(() => ({
        matched: { field: r.pick(["source.ip", "user.name"]) },
        indicator: { ip: r.pick(ips) },
      })),
    };
  return event;
}

describe("the item index", () => {
  const ecs = fieldCatalog({ ecs: true, unknownFields: "unmapped" });
  const now = new Date("2026-01-01T00:00:00Z");

  it.each([1, 2, 3, 4, 5])("removes what testing every item removes (seed %i)", (seed) => {
    const r = random(seed);
    const items: ExceptionItem[] = Array.from({ length: 40 }, (_, i) => ({
      item_id: `i${i}`,
      name: "i",
      description: "i",
      type: "simple",
      entries: Array.from({ length: 2 + Math.floor(r.next() * 2) }, () => randomEntry(r)),
    }));
    const events = Array.from({ length: 400 }, () => randomEvent(r));
    const indexed = compileExceptions(items, lists, ecs, { now });
    const plain = compileExceptions(items, lists, ecs, { now, index: false });
    const removed = events.map((e) => plain.removedBy(e));
    expect(events.map((e) => indexed.removedBy(e))).toEqual(removed);
    // Not vacuous: many events are removed, by many different sets of items.
    expect(removed.filter((ids) => ids.length > 0).length).toBeGreaterThan(100);
    expect(new Set(removed.map((ids) => ids.join())).size).toBeGreaterThan(50);
  });

  it("removes what testing every item removes, over the whole conformance table at once", () => {
    const catalog = fieldCatalog({ mappings: [mappings], unknownFields: "unmapped" });
    const items = cases.map((c, i) => ({ ...c.item, item_id: `case${i}` }));
    const indexed = compileExceptions(items, valueLists, catalog);
    const plain = compileExceptions(items, valueLists, catalog, { index: false });
    for (const doc of Object.values(documents)) expect(indexed.removedBy(doc)).toEqual(plain.removedBy(doc));
    // And each item removes exactly the documents the table says it does.
    const ids = Object.keys(documents);
    cases.forEach((c, i) =>
      expect(ids.filter((id) => indexed.removedBy(documents[id]).includes(`case${i}`))).toEqual(c.removes),
    );
  });
});
