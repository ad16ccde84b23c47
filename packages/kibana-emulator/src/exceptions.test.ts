import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "./index.js";

const headers = {
  authorization: "ApiKey k",
  "kbn-xsrf": "true",
  "elastic-api-version": "2023-10-31",
  "content-type": "application/json",
};

let emu: Emulator;

async function call(method: string, path: string, json?: unknown) {
  const res = await fetch(emu.url + path, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  // Answers of many shapes; the assertions below say what each must hold.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const list = (listId: string, extra: Record<string, unknown> = {}) => ({
  list_id: listId,
  name: `List ${listId}`,
  description: "d",
  type: "detection",
  ...extra,
});
const item = (itemId: string, listId: string, extra: Record<string, unknown> = {}) => ({
  item_id: itemId,
  list_id: listId,
  type: "simple",
  name: `Item ${itemId}`,
  description: "d",
  entries: [{ type: "match", field: "user.name", value: "svc", operator: "included" }],
  ...extra,
});

beforeEach(async () => {
  emu = await startEmulator({ spaces: ["secops"], withoutListIndex: ["secops"] });
});
afterEach(async () => {
  await emu.close();
});

describe("exception lists", () => {
  it("creates, reads, updates and deletes a list with Kibana's server fields", async () => {
    const created = await call("POST", "/api/exception_lists", list("a", { tags: ["t"] }));
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      list_id: "a",
      namespace_type: "single",
      version: 1,
      immutable: false,
    });
    expect(typeof created.body.id).toBe("string");
    expect(typeof created.body._version).toBe("string");
    expect((await call("POST", "/api/exception_lists", list("a"))).status).toBe(409);
    const updated = await call("PUT", "/api/exception_lists", { ...list("a"), name: "Renamed" });
    expect(updated.body).toMatchObject({ id: created.body.id, name: "Renamed", version: 2, tags: [] });
    expect((await call("GET", "/api/exception_lists?list_id=a")).body.name).toBe("Renamed");
    expect((await call("DELETE", "/api/exception_lists?list_id=a")).status).toBe(200);
    expect((await call("GET", "/api/exception_lists?list_id=a")).status).toBe(404);
  });

  it.each([
    ["an unknown key", list("a", { bogus: 1 }), /unknown|additional/],
    ["a missing name", { list_id: "a", description: "d", type: "detection" }, /name/],
    ["an unknown type", list("a", { type: "nope" }), /type/],
    ["an unknown namespace_type", list("a", { namespace_type: "global" }), /namespace_type/],
  ])("rejects a create body with %s (400)", async (_label, body, message) => {
    const res = await call("POST", "/api/exception_lists", body);
    expect(res.status).toBe(400);
    expect(String(res.body.message)).toMatch(message);
  });

  it("shows agnostic lists in every space and single lists only in theirs", async () => {
    await call("POST", "/api/exception_lists", list("shared", { namespace_type: "agnostic" }));
    await call("POST", "/s/secops/api/exception_lists", list("mine"));
    const ids = async (prefix: string) =>
      (
        await call("GET", `${prefix}/api/exception_lists/_find?namespace_type=single,agnostic&per_page=100`)
      ).body.data.map((l: { list_id: string }) => l.list_id);
    expect(await ids("")).toEqual(["shared"]);
    expect(await ids("/s/secops")).toEqual(["mine", "shared"]);
    expect(
      (await call("GET", "/s/secops/api/exception_lists?list_id=shared&namespace_type=agnostic")).status,
    ).toBe(200);
    expect((await call("GET", "/api/exception_lists?list_id=mine")).status).toBe(404);
  });
});

describe("exception items", () => {
  beforeEach(async () => {
    await call("POST", "/api/exception_lists", list("a"));
  });

  it("needs its list, and item_id is unique in the namespace", async () => {
    expect((await call("POST", "/api/exception_lists/items", item("i", "missing"))).status).toBe(404);
    expect((await call("POST", "/api/exception_lists/items", item("i", "a"))).status).toBe(200);
    await call("POST", "/api/exception_lists", list("b"));
    expect((await call("POST", "/api/exception_lists/items", item("i", "b"))).status).toBe(409);
  });

  it.each([
    ["match without a value", [{ type: "match", field: "f", operator: "included" }]],
    ["match_any with no values", [{ type: "match_any", field: "f", value: [], operator: "included" }]],
    ["an unknown operator", [{ type: "exists", field: "f", operator: "is" }]],
    [
      "a list entry without its type",
      [{ type: "list", field: "f", list: { id: "x" }, operator: "excluded" }],
    ],
    [
      "a nested list entry",
      [
        {
          type: "nested",
          field: "p",
          entries: [{ type: "list", field: "f", list: { id: "x", type: "ip" }, operator: "included" }],
        },
      ],
    ],
    ["an empty field", [{ type: "exists", field: "", operator: "included" }]],
  ])("rejects entries with %s (400)", async (_label, entries) => {
    expect((await call("POST", "/api/exception_lists/items", item("i", "a", { entries }))).status).toBe(400);
  });

  it("appends comments on update and keeps the ones Kibana has (comments are append-only)", async () => {
    const created = await call(
      "POST",
      "/api/exception_lists/items",
      item("i", "a", { comments: [{ comment: "one" }] }),
    );
    expect(created.body.comments).toMatchObject([{ comment: "one", created_by: "elastic" }]);
    const updated = await call("PUT", "/api/exception_lists/items", {
      ...item("i", "a"),
      list_id: undefined,
      comments: [{ comment: "two" }],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.comments.map((c: { comment: string }) => c.comment)).toEqual(["one", "two"]);
  });

  it("finds the items of a list, paged, and deletes them with the list", async () => {
    for (const n of [1, 2, 3]) await call("POST", "/api/exception_lists/items", item(`i${n}`, "a"));
    const first = await call("GET", "/api/exception_lists/items/_find?list_id=a&per_page=2&page=1");
    expect(first.body).toMatchObject({ total: 3, page: 1, per_page: 2 });
    expect(first.body.data).toHaveLength(2);
    await call("DELETE", "/api/exception_lists?list_id=a");
    expect(emu.exceptionItems()).toEqual([]);
  });
});

describe("value lists", () => {
  it("need the list data streams of the space first", async () => {
    expect((await call("GET", "/s/secops/api/lists/index")).status).toBe(404);
    const refused = await call("POST", "/s/secops/api/lists", {
      id: "ips",
      name: "n",
      description: "d",
      type: "ip",
    });
    expect(refused.status).toBe(400);
    expect((await call("POST", "/s/secops/api/lists/index")).status).toBe(200);
    expect(
      (await call("POST", "/s/secops/api/lists", { id: "ips", name: "n", description: "d", type: "ip" }))
        .status,
    ).toBe(200);
  });

  it("hold items, and refuse deletion while exception items refer to them", async () => {
    await call("POST", "/api/lists", { id: "ips", name: "n", description: "d", type: "ip" });
    await call("POST", "/api/lists/items", { list_id: "ips", value: "10.0.0.1" });
    await call("POST", "/api/lists/items", { list_id: "ips", value: "10.0.0.2" });
    expect(emu.valueLists()).toMatchObject([{ id: "ips", values: ["10.0.0.1", "10.0.0.2"] }]);
    expect((await call("DELETE", "/api/lists/items?list_id=ips&value=10.0.0.1")).status).toBe(200);
    expect((await call("GET", "/api/lists/items/_find?list_id=ips")).body.total).toBe(1);
    await call("POST", "/api/exception_lists", list("a"));
    await call(
      "POST",
      "/api/exception_lists/items",
      item("i", "a", {
        entries: [
          { type: "list", field: "source.ip", list: { id: "ips", type: "ip" }, operator: "included" },
        ],
      }),
    );
    expect((await call("DELETE", "/api/lists?id=ips")).status).toBe(409);
    await call("DELETE", "/api/exception_lists/items?item_id=i");
    expect((await call("DELETE", "/api/lists?id=ips")).status).toBe(200);
  });
});

describe("rules _import with exception lines", () => {
  const rule = (refs: unknown[]) => ({
    rule_id: "r1",
    name: "Rule",
    description: "d",
    type: "query",
    query: "a:b",
    language: "kuery",
    severity: "low",
    risk_score: 1,
    exceptions_list: refs,
  });
  const importLines = async (lines: unknown[], query = "") => {
    const form = new FormData();
    form.append("file", new Blob([lines.map((l) => JSON.stringify(l)).join("\n") + "\n"]), "rules.ndjson");
    const { "content-type": _json, ...multipart } = headers;
    const res = await fetch(`${emu.url}/api/detection_engine/rules/_import${query}`, {
      method: "POST",
      headers: multipart,
      body: form,
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (await res.json()) as Record<string, any>;
  };
  const ref = { id: "from-elsewhere", list_id: "a", type: "detection", namespace_type: "single" };

  it("creates lists and items, and points the rule's references at them by list_id", async () => {
    const answer = await importLines([rule([ref]), list("a"), item("i", "a")]);
    expect(answer).toMatchObject({ success: true, exceptions_success: true, exceptions_success_count: 2 });
    const created = emu.exceptionLists()[0]!;
    expect(emu.rules()[0]!.exceptions_list).toEqual([{ ...ref, id: created.id }]);
    expect(emu.exceptionItems().map((i) => i.item_id)).toEqual(["i"]);
  });

  it("refuses an existing list without overwrite_exceptions, and replaces its items with it", async () => {
    await importLines([list("a"), item("old", "a")]);
    const again = await importLines([list("a"), item("new", "a")]);
    expect(again.exceptions_errors).toMatchObject([{ list_id: "a", error: { status_code: 409 } }]);
    await importLines([list("a"), item("new", "a")], "?overwrite_exceptions=true");
    expect(emu.exceptionItems().map((i) => i.item_id)).toEqual(["new"]);
  });

  it("removes a reference to a list that does not exist, with an error for the rule", async () => {
    const answer = await importLines([rule([ref])]);
    expect(answer.errors[0].error.message).toMatch(
      /references a non existent exception list of list_id: "a"/,
    );
    expect(emu.rules()[0]!.exceptions_list).toEqual([]);
  });
});
