/**
 * Exception items and the documents they remove, checked in memory (evaluate.test.ts) and on a real node
 * (node.test.ts, with the query `dsl.ts` builds). The documents are in the order of their ids.
 */
import type { ExceptionItem, ValueList } from "../types.js";

export const mappings = {
  dynamic: false,
  properties: {
    "@timestamp": { type: "date" },
    user: { properties: { name: { type: "keyword" } } },
    message: { type: "text" },
    process: { properties: { pid: { type: "long" }, command_line: { type: "keyword" } } },
    source: { properties: { ip: { type: "ip" } } },
    host: {
      properties: {
        os: {
          properties: { type: { type: "keyword" }, name: { properties: { caseless: { type: "keyword" } } } },
        },
      },
    },
    tags: { type: "keyword" },
    labels: { type: "nested", properties: { key: { type: "keyword" }, value: { type: "keyword" } } },
  },
} as const;

export const documents: Record<string, object> = {
  d1: {
    "@timestamp": "2026-01-01T00:00:01Z",
    user: { name: "alice" },
    message: "Scheduled backup finished",
    process: { pid: 10, command_line: "/usr/bin/backup --all" },
    source: { ip: "10.1.2.3" },
    host: { os: { type: "linux" } },
    tags: ["prod", "backup"],
    labels: [
      { key: "team", value: "ops" },
      { key: "env", value: "prod" },
    ],
  },
  d2: {
    "@timestamp": "2026-01-01T00:00:02Z",
    user: { name: "Bob" },
    message: "manual restore started",
    process: { pid: 20, command_line: "C:\\Windows\\cmd.exe /c dir" },
    source: { ip: "192.168.1.5" },
    host: { os: { name: { caseless: "windows" } } },
    labels: [{ key: "team", value: "dev" }],
  },
  d3: {
    "@timestamp": "2026-01-01T00:00:03Z",
    "user.name": "svc-monitor",
    process: { pid: 30 },
    source: { ip: "2001:db8::7" },
    tags: "test",
    labels: [{ key: "env", value: "ops" }],
  },
  d4: { "@timestamp": "2026-01-01T00:00:04Z", message: "nothing here" },
};

export const valueLists: Record<string, ValueList> = {
  users: {
    id: "users",
    type: "keyword",
    name: "u",
    description: "u",
    values: ["alice", "svc-monitor"],
    file: "u",
  },
  nets: {
    id: "nets",
    type: "ip_range",
    name: "n",
    description: "n",
    values: ["10.0.0.0/8", "192.168.1.1-192.168.1.9"],
    file: "n",
  },
  addrs: { id: "addrs", type: "ip", name: "a", description: "a", values: ["10.1.2.3"], file: "a" },
  phrases: {
    id: "phrases",
    type: "text",
    name: "p",
    description: "p",
    values: ["backup finished"],
    file: "p",
  },
};

const item = (entries: ExceptionItem["entries"], extra: Partial<ExceptionItem> = {}): ExceptionItem => ({
  item_id: "i",
  name: "i",
  description: "i",
  type: "simple",
  entries,
  ...extra,
});

const inc = "included" as const;
const exc = "excluded" as const;

export const cases: { name: string; item: ExceptionItem; removes: string[] }[] = [
  {
    name: "match keyword",
    item: item([{ type: "match", field: "user.name", operator: inc, value: "alice" }]),
    removes: ["d1"],
  },
  {
    name: "match keyword is case-sensitive",
    item: item([{ type: "match", field: "user.name", operator: inc, value: "bob" }]),
    removes: [],
  },
  {
    name: "match dotted key",
    item: item([{ type: "match", field: "user.name", operator: inc, value: "svc-monitor" }]),
    removes: ["d3"],
  },
  {
    name: "match excluded",
    item: item([{ type: "match", field: "user.name", operator: exc, value: "alice" }]),
    removes: ["d2", "d3", "d4"],
  },
  {
    name: "match array element",
    item: item([{ type: "match", field: "tags", operator: inc, value: "backup" }]),
    removes: ["d1"],
  },
  {
    name: "match number",
    item: item([{ type: "match", field: "process.pid", operator: inc, value: "20" }]),
    removes: ["d2"],
  },
  {
    name: "match ip CIDR",
    item: item([{ type: "match", field: "source.ip", operator: inc, value: "10.0.0.0/8" }]),
    removes: ["d1"],
  },
  {
    name: "match_any",
    item: item([{ type: "match_any", field: "user.name", operator: inc, value: ["Bob", "svc-monitor"] }]),
    removes: ["d2", "d3"],
  },
  {
    name: "match_any excluded",
    item: item([{ type: "match_any", field: "user.name", operator: exc, value: ["Bob", "alice"] }]),
    removes: ["d3", "d4"],
  },
  {
    name: "wildcard",
    item: item([{ type: "wildcard", field: "user.name", operator: inc, value: "svc-*" }]),
    removes: ["d3"],
  },
  {
    name: "wildcard ?",
    item: item([{ type: "wildcard", field: "user.name", operator: inc, value: "?ob" }]),
    removes: ["d2"],
  },
  {
    name: "wildcard field type",
    item: item([{ type: "wildcard", field: "process.command_line", operator: inc, value: "*backup*" }]),
    removes: ["d1"],
  },
  {
    name: "wildcard escaped backslash",
    item: item([
      { type: "wildcard", field: "process.command_line", operator: inc, value: "C:\\\\Windows\\\\*" },
    ]),
    removes: ["d2"],
  },
  { name: "exists", item: item([{ type: "exists", field: "tags", operator: inc }]), removes: ["d1", "d3"] },
  {
    name: "exists excluded",
    item: item([{ type: "exists", field: "user.name", operator: exc }]),
    removes: ["d4"],
  },
  {
    name: "unmapped field matches nothing",
    item: item([{ type: "match", field: "nope", operator: inc, value: "x" }]),
    removes: [],
  },
  {
    name: "entries are ANDed",
    item: item([
      { type: "match", field: "tags", operator: inc, value: "prod" },
      { type: "match", field: "user.name", operator: inc, value: "Bob" },
    ]),
    removes: [],
  },
  {
    name: "entries ANDed with excluded",
    item: item([
      { type: "exists", field: "process.pid", operator: inc },
      { type: "match", field: "user.name", operator: exc, value: "alice" },
    ]),
    removes: ["d2", "d3"],
  },
  {
    name: "match on text is a phrase",
    item: item([{ type: "match", field: "message", operator: inc, value: "backup finished" }]),
    removes: ["d1"],
  },
  {
    name: "match on text phrase order",
    item: item([{ type: "match", field: "message", operator: inc, value: "finished backup" }]),
    removes: [],
  },
  {
    name: "os_types",
    item: item([{ type: "exists", field: "process.pid", operator: inc }], { os_types: ["windows"] }),
    removes: ["d2"],
  },
  {
    name: "os_types host.os.type",
    item: item([{ type: "exists", field: "process.pid", operator: inc }], { os_types: ["linux", "macos"] }),
    removes: ["d1"],
  },
  {
    name: "list keyword",
    item: item([{ type: "list", field: "user.name", operator: inc, list: { id: "users", type: "keyword" } }]),
    removes: ["d1", "d3"],
  },
  {
    name: "list keyword excluded",
    item: item([{ type: "list", field: "user.name", operator: exc, list: { id: "users", type: "keyword" } }]),
    removes: ["d2", "d4"],
  },
  {
    name: "list ip",
    item: item([{ type: "list", field: "source.ip", operator: inc, list: { id: "addrs", type: "ip" } }]),
    removes: ["d1"],
  },
  {
    name: "list ip_range",
    item: item([{ type: "list", field: "source.ip", operator: inc, list: { id: "nets", type: "ip_range" } }]),
    removes: ["d1", "d2"],
  },
  {
    name: "list ip_range excluded",
    item: item([{ type: "list", field: "source.ip", operator: exc, list: { id: "nets", type: "ip_range" } }]),
    removes: ["d3", "d4"],
  },
  {
    name: "list text",
    item: item([{ type: "list", field: "message", operator: inc, list: { id: "phrases", type: "text" } }]),
    removes: ["d1"],
  },
  {
    name: "nested, one object",
    item: item([
      {
        type: "nested",
        field: "labels",
        entries: [
          { type: "match", field: "key", operator: inc, value: "team" },
          { type: "match", field: "value", operator: inc, value: "ops" },
        ],
      },
    ]),
    removes: ["d1"],
  },
  {
    name: "nested, not across objects",
    item: item([
      {
        type: "nested",
        field: "labels",
        entries: [
          { type: "match", field: "key", operator: inc, value: "env" },
          { type: "match", field: "value", operator: inc, value: "ops" },
        ],
      },
    ]),
    removes: ["d3"],
  },
  {
    name: "nested single entry",
    item: item([
      {
        type: "nested",
        field: "labels",
        entries: [{ type: "match_any", field: "value", operator: inc, value: ["dev"] }],
      },
    ]),
    removes: ["d2"],
  },
];

/** Kibana leaves expired items out (the executor filters on expire_time). */
export const expiredItem = item([{ type: "exists", field: "@timestamp", operator: inc }], {
  item_id: "expired",
  expire_time: "2020-01-01T00:00:00Z",
});
