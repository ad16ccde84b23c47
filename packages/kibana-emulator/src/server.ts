import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { faultQueue, type Fault, type FaultSpec } from "./faults.js";
import { bulkAction, exportRules, findRules, importNdjson } from "./operations.js";
import { bodyValidator, type BodyKind } from "./schemas.js";
import {
  createExceptionItem,
  createExceptionList,
  createValueList,
  createValueListItem,
  deleteExceptionItem,
  deleteExceptionList,
  deleteValueList,
  deleteValueListItems,
  exceptionResponse,
  findValueListItems,
  newExceptionNamespace,
  newValueLists,
  page,
  parseNamespace,
  parseNamespaces,
  requireExceptionItem,
  requireExceptionList,
  requireValueList,
  updateExceptionItem,
  updateExceptionList,
  updateValueList,
  valueListReferences,
  type ExceptionNamespace,
  type NamespaceType,
  type StoredExceptionItem,
  type StoredExceptionList,
  type ValueListState,
} from "./exceptions.js";
import {
  KibanaError,
  createRule,
  deleteRule,
  newSpace,
  patchRule,
  patchedFields,
  replaceRule,
  requireRule,
  toResponse,
  type SpaceState,
  type StoredRule,
} from "./store.js";

export const apiVersion = "2023-10-31";
/** `maxRuleImportPayloadBytes`. */
export const maxBodyBytes = 10 * 1024 * 1024;

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Accepted `Authorization: ApiKey <apiKey>`. */
  apiKey?: string;
  /** Accepted Basic credentials. With neither, any ApiKey or Basic header is accepted (but one is required). */
  basic?: { username: string; password: string };
  /** Spaces that exist besides `default`. */
  spaces?: string[];
  faults?: FaultSpec[];
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Spaces whose value-list data streams do not exist yet (`POST /api/lists/index` creates them). */
  withoutListIndex?: string[];
  /** Defaults to the repository's `schemas/kibana/`. */
  schemaDir?: string;
  now?: () => Date;
}

export interface RequestRecord {
  method: string;
  space: string;
  path: string;
  query: string;
  status: number | "reset";
  /** Request headers, except `authorization` (the emulator keeps no secrets). */
  headers: Record<string, string>;
}

export interface EmulatorState {
  spaces: Map<string, SpaceState>;
  /** Exception lists and items with namespace_type `single`, per space. */
  exceptions: Map<string, ExceptionNamespace>;
  /** Exception lists and items with namespace_type `agnostic`: visible in every space. */
  agnostic: ExceptionNamespace;
  /** Value lists, per space. */
  valueLists: Map<string, ValueListState>;
  requests: RequestRecord[];
}

export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:40123`, without a trailing slash. */
  url: string;
  state: EmulatorState;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  pendingFaults(): readonly FaultSpec[];
  /** Adds a rule as if created through the API (or installed from Elastic's package when `prebuilt`). */
  seedRule(rule: Record<string, unknown>, options?: { space?: string; prebuilt?: boolean }): StoredRule;
  /** The stored rules of a space, as the API returns them. */
  rules(space?: string): StoredRule[];
  /** Adds an exception list (and its items) as if created through the API, e.g. one made by hand. */
  seedExceptionList(
    list: Record<string, unknown>,
    items?: Record<string, unknown>[],
    options?: { space?: string },
  ): StoredExceptionList;
  /** The exception lists visible in a space (its own, then the agnostic ones), as the API returns them. */
  exceptionLists(space?: string): StoredExceptionList[];
  /** The exception items visible in a space. */
  exceptionItems(space?: string): StoredExceptionItem[];
  /** The value lists of a space with their values. */
  valueLists(
    space?: string,
  ): { id: string; type: string; name: string; description: string; values: string[] }[];
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const reasons: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  413: "Request Entity Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const validate = bodyValidator(options.schemaDir);
  const faults = faultQueue(options.faults);
  const now = options.now ?? (() => new Date());
  const state: EmulatorState = {
    spaces: new Map([
      ["default", newSpace()],
      ...(options.spaces ?? []).map((s) => [s, newSpace()] as const),
    ]),
    exceptions: new Map(
      ["default", ...(options.spaces ?? [])].map((s) => [s, newExceptionNamespace()] as const),
    ),
    agnostic: newExceptionNamespace(),
    valueLists: new Map(
      ["default", ...(options.spaces ?? [])].map(
        (s) => [s, newValueLists(!(options.withoutListIndex ?? []).includes(s))] as const,
      ),
    ),
    requests: [],
  };
  const namespaceOf = (spaceId: string, type: NamespaceType): ExceptionNamespace =>
    type === "agnostic" ? state.agnostic : state.exceptions.get(spaceId)!;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { message: String(e), status_code: 500 } });
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handler) : createHttpServer(handler);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://emulator");
    let path = url.pathname;
    let spaceId = "default";
    const prefixed = /^\/s\/([^/]+)(\/.*)$/.exec(path);
    if (prefixed) {
      spaceId = decodeURIComponent(prefixed[1]!);
      path = prefixed[2]!;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name !== "authorization" && value !== undefined) headers[name] = String(value);
    }
    const record: RequestRecord = { method, space: spaceId, path, query: url.search, status: 0, headers };
    state.requests.push(record);
    const body = await readBody(req);
    const fault = faults.take(method, path);

    if (fault?.type === "delay") {
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (res.destroyed || req.socket.destroyed) {
        record.status = "reset";
        return;
      }
    }
    if (fault?.type === "reset" && fault.when !== "after") {
      record.status = "reset";
      req.socket.destroy();
      return;
    }
    let reply: Reply;
    if (fault?.type === "status") {
      const headers: Record<string, string> =
        fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
      reply = {
        status: fault.status,
        headers,
        body: fault.body ?? {
          statusCode: fault.status,
          error: reasons[fault.status] ?? "Error",
          message: "Injected fault",
        },
      };
    } else {
      try {
        reply = await route(method, path, spaceId, url.searchParams, req, body, fault);
      } catch (e) {
        if (e instanceof HttpError) {
          reply = {
            status: e.statusCode,
            body: { statusCode: e.statusCode, error: reasons[e.statusCode] ?? "Error", message: e.message },
          };
        } else if (e instanceof KibanaError) {
          reply = { status: e.statusCode, body: { message: e.message, status_code: e.statusCode } };
        } else {
          throw e;
        }
      }
    }
    if (fault?.type === "reset") {
      record.status = "reset";
      req.socket.destroy();
      return;
    }
    record.status = reply.status;
    send(res, reply);
  }

  function authenticate(req: IncomingMessage): string {
    const header = req.headers.authorization ?? "";
    const unauthorized = () =>
      new HttpError(
        401,
        "[security_exception\n\tRoot causes:\n\t\tsecurity_exception: unable to authenticate user for REST request [/_security/_authenticate]]: unable to authenticate user for REST request [/_security/_authenticate]",
      );
    const [scheme, token = ""] = header.split(" ", 2);
    if (scheme === "ApiKey" && token !== "") {
      if (options.basic && !options.apiKey) throw unauthorized();
      if (options.apiKey !== undefined && token !== options.apiKey) throw unauthorized();
      return "elastic";
    }
    if (scheme === "Basic" && token !== "") {
      const decoded = Buffer.from(token, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const username = decoded.slice(0, colon);
      if (colon < 0) throw unauthorized();
      if (options.apiKey && !options.basic) throw unauthorized();
      if (
        options.basic &&
        (username !== options.basic.username || decoded.slice(colon + 1) !== options.basic.password)
      ) {
        throw unauthorized();
      }
      return username;
    }
    throw unauthorized();
  }

  async function route(
    method: string,
    path: string,
    spaceId: string,
    params: URLSearchParams,
    req: IncomingMessage,
    raw: Buffer | "too-large",
    fault: Fault | undefined,
  ): Promise<Reply> {
    const user = authenticate(req);
    const space = state.spaces.get(spaceId);
    if (!space) throw new HttpError(404, "Not Found");
    if (
      !path.startsWith("/api/detection_engine/") &&
      !path.startsWith("/api/exception_lists") &&
      !path.startsWith("/api/lists")
    )
      throw new HttpError(404, "Not Found");
    const version = req.headers["elastic-api-version"];
    if (version === undefined) {
      throw new HttpError(
        400,
        `Please specify a version via elastic-api-version header. Available versions: ${apiVersion}`,
      );
    }
    if (version !== apiVersion) {
      throw new HttpError(
        400,
        `Invalid version. Received "${String(version)}", expected one of: ${apiVersion}`,
      );
    }
    if (method !== "GET" && method !== "HEAD" && req.headers["kbn-xsrf"] === undefined) {
      throw new HttpError(400, "Request must contain a kbn-xsrf header.");
    }
    if (raw === "too-large") {
      throw new HttpError(413, `Payload content length greater than maximum allowed: ${maxBodyBytes}`);
    }
    const ctx = { user, now: now() };
    const json = (kind?: BodyKind, optional = false): Record<string, unknown> | undefined => {
      if (raw.length === 0) {
        if (optional) return undefined;
        throw new HttpError(400, "[request body]: expected a plain object value, but found [null] instead.");
      }
      if (!String(req.headers["content-type"] ?? "").includes("application/json")) {
        throw new HttpError(415, "Unsupported Media Type");
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch (e) {
        throw new HttpError(400, `Invalid JSON in request body: ${(e as Error).message}`);
      }
      if (kind) {
        const problem = validate(kind, body);
        if (problem) throw new KibanaError(400, problem);
      }
      return body as Record<string, unknown>;
    };
    const ref = () => ({ id: params.get("id") ?? undefined, rule_id: params.get("rule_id") ?? undefined });
    const ok = (body: unknown): Reply => ({ status: 200, body });

    switch (`${method} ${path}`) {
      case "GET /api/detection_engine/rules":
        return ok(toResponse(requireRule(space, ref())));
      case "POST /api/detection_engine/rules":
        return ok(toResponse(createRule(space, json("create")!, ctx)));
      case "PUT /api/detection_engine/rules": {
        const body = json("update")!;
        const existing = requireRule(space, body as { id?: string; rule_id?: string });
        return ok(toResponse(replaceRule(space, existing, body, ctx)));
      }
      case "PATCH /api/detection_engine/rules": {
        const body = json("patch")!;
        const existing = requireRule(space, body as { id?: string; rule_id?: string });
        const problem = validate("create", patchedFields(existing, body));
        if (problem) throw new KibanaError(400, problem);
        return ok(toResponse(patchRule(space, existing, body, ctx)));
      }
      case "DELETE /api/detection_engine/rules":
        return ok(toResponse(deleteRule(space, requireRule(space, ref()))));
      case "GET /api/detection_engine/rules/_find":
        return ok(findRules(space, params));
      case "GET /api/detection_engine/tags":
        return ok([...new Set([...space.rules.values()].flatMap((r) => r.tags))].sort());
      case "POST /api/detection_engine/rules/_import": {
        const file = await multipartFile(req, raw);
        const overwrite = params.get("overwrite") === "true";
        const importFault = fault?.type === "import-errors" ? fault : undefined;
        return ok(
          importNdjson(space, file, {
            overwrite,
            validate,
            ctx,
            fault: importFault,
            exceptions: (type) => namespaceOf(spaceId, type),
            overwriteExceptions: params.get("overwrite_exceptions") === "true",
          }),
        );
      }
      case "POST /api/detection_engine/rules/_export": {
        const body = json(undefined, true);
        const fileName = params.get("file_name") ?? "export.ndjson";
        const text = exportRules(space, body, params.get("exclude_export_details") === "true");
        return {
          status: 200,
          text,
          contentType: "application/ndjson",
          headers: { "content-disposition": `attachment; filename="${fileName}"` },
        };
      }
      case "POST /api/detection_engine/rules/_bulk_action": {
        const body = json("bulkAction") as unknown as Parameters<typeof bulkAction>[1];
        const result = bulkAction(space, body, { dryRun: params.get("dry_run") === "true", ctx });
        if (result.ndjson !== undefined)
          return { status: 200, text: result.ndjson, contentType: "application/ndjson" };
        return { status: result.status, body: result.body };
      }
      default:
        return exceptionRoute(method, path, spaceId, params, json, ctx);
    }
  }

  /** `/api/exception_lists…` and `/api/lists…`: bodies validated against schemas/kibana/exceptions.schema.json. */
  function exceptionRoute(
    method: string,
    path: string,
    spaceId: string,
    params: URLSearchParams,
    json: (kind?: BodyKind, optional?: boolean) => Record<string, unknown> | undefined,
    ctx: { user: string; now: Date },
  ): Reply {
    const ok = (body: unknown): Reply => ({ status: 200, body: exceptionResponse(body) });
    const param = (name: string) => params.get(name) ?? undefined;
    const ns = () => namespaceOf(spaceId, parseNamespace(params.get("namespace_type")));
    const bodyNs = (body: Record<string, unknown>) =>
      namespaceOf(spaceId, parseNamespace(body.namespace_type as string | undefined));
    const lists = state.valueLists.get(spaceId)!;
    switch (`${method} ${path}`) {
      case "POST /api/exception_lists": {
        const body = json("exceptionListCreate")!;
        return ok(createExceptionList(bodyNs(body), body, ctx));
      }
      case "GET /api/exception_lists":
        return ok(requireExceptionList(ns(), { id: param("id"), list_id: param("list_id") }));
      case "PUT /api/exception_lists": {
        const body = json("exceptionListUpdate")!;
        return ok(updateExceptionList(bodyNs(body), body, ctx));
      }
      case "DELETE /api/exception_lists": {
        const namespace = ns();
        const list = requireExceptionList(namespace, { id: param("id"), list_id: param("list_id") });
        return ok(deleteExceptionList(namespace, list));
      }
      case "GET /api/exception_lists/_find": {
        if (params.get("filter"))
          throw new KibanaError(400, "the emulator does not support filter on this route");
        const all = parseNamespaces(params.get("namespace_type")).flatMap((t) => [
          ...namespaceOf(spaceId, t).lists.values(),
        ]);
        return ok(page(all, params));
      }
      case "POST /api/exception_lists/items": {
        const body = json("exceptionItemCreate")!;
        return ok(createExceptionItem(bodyNs(body), body, ctx));
      }
      case "GET /api/exception_lists/items":
        return ok(requireExceptionItem(ns(), { id: param("id"), item_id: param("item_id") }));
      case "PUT /api/exception_lists/items": {
        const body = json("exceptionItemUpdate")!;
        return ok(updateExceptionItem(bodyNs(body), body, ctx));
      }
      case "DELETE /api/exception_lists/items": {
        const namespace = ns();
        const item = requireExceptionItem(namespace, { id: param("id"), item_id: param("item_id") });
        return ok(deleteExceptionItem(namespace, item));
      }
      case "GET /api/exception_lists/items/_find": {
        // find_exception_list_items: `list_id` and `namespace_type` are parallel comma lists.
        const listIds = (params.get("list_id") ?? "").split(",").filter((l) => l !== "");
        if (listIds.length === 0) throw new KibanaError(400, "[request query]: list_id: Required");
        const types = parseNamespaces(params.get("namespace_type"));
        const items: StoredExceptionItem[] = [];
        for (const [i, listId] of listIds.entries()) {
          const namespace = namespaceOf(spaceId, types[i] ?? types[0]!);
          if (!namespace.lists.has(listId))
            throw new KibanaError(404, `exception list list_id: "${listId}" does not exist`);
          items.push(...[...namespace.items.values()].filter((it) => it.list_id === listId));
        }
        return ok(page(items, params));
      }
      case "GET /api/lists/index":
        if (!lists.indexExists) {
          throw new KibanaError(
            404,
            `data stream .lists-${spaceId} and data stream .items-${spaceId} does not exist`,
          );
        }
        return ok({ list_index: true, list_item_index: true });
      case "POST /api/lists/index":
        if (lists.indexExists)
          throw new KibanaError(
            409,
            `data stream: ".lists-${spaceId}" and ".items-${spaceId}" already exists`,
          );
        lists.indexExists = true;
        return ok({ acknowledged: true });
      case "POST /api/lists": {
        const body = json("valueListCreate")!;
        return ok(createValueList(lists, spaceId, body, ctx));
      }
      case "GET /api/lists":
        return ok(requireValueList(lists, params.get("id")));
      case "PUT /api/lists": {
        const body = json("valueListUpdate")!;
        return ok(updateValueList(lists, body, ctx));
      }
      case "DELETE /api/lists": {
        const list = requireValueList(lists, params.get("id"));
        const refs = valueListReferences([state.exceptions.get(spaceId)!, state.agnostic], list.id);
        if (
          refs.length > 0 &&
          params.get("deleteReferences") !== "true" &&
          params.get("ignoreReferences") !== "true"
        ) {
          throw new KibanaError(
            409,
            `Value list "${list.id}" is referenced in existing exception item(s): ${refs.map((r) => r.item_id).join(", ")}`,
          );
        }
        return ok(deleteValueList(lists, list));
      }
      case "GET /api/lists/_find":
        return ok({ ...page([...lists.lists.values()], params), cursor: "emulator" });
      case "POST /api/lists/items": {
        const body = json("valueListItemCreate")!;
        return ok(createValueListItem(lists, body, ctx));
      }
      case "DELETE /api/lists/items":
        return ok(deleteValueListItems(lists, params));
      case "GET /api/lists/items/_find":
        return ok(findValueListItems(lists, params));
      default:
        throw new HttpError(404, "Not Found");
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    state,
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    seedRule(rule, seedOptions = {}) {
      const space = state.spaces.get(seedOptions.space ?? "default");
      if (!space) throw new Error(`unknown space ${seedOptions.space}`);
      return createRule(space, rule, { user: "elastic", now: now() }, { prebuilt: seedOptions.prebuilt });
    },
    rules(spaceId = "default") {
      return [...(state.spaces.get(spaceId)?.rules.values() ?? [])].map((r) => toResponse(r) as StoredRule);
    },
    seedExceptionList(list, items = [], seedOptions = {}) {
      const spaceId = seedOptions.space ?? "default";
      if (!state.spaces.has(spaceId)) throw new Error(`unknown space ${spaceId}`);
      const ctx = { user: "elastic", now: now() };
      const namespace = namespaceOf(spaceId, parseNamespace(list.namespace_type as string | undefined));
      const created = createExceptionList(namespace, list, ctx);
      for (const item of items) {
        createExceptionItem(
          namespace,
          { list_id: created.list_id, namespace_type: created.namespace_type, ...item },
          ctx,
        );
      }
      return exceptionResponse(created);
    },
    exceptionLists(spaceId = "default") {
      return [...(state.exceptions.get(spaceId)?.lists.values() ?? []), ...state.agnostic.lists.values()].map(
        exceptionResponse,
      );
    },
    exceptionItems(spaceId = "default") {
      return [...(state.exceptions.get(spaceId)?.items.values() ?? []), ...state.agnostic.items.values()].map(
        exceptionResponse,
      );
    },
    valueLists(spaceId = "default") {
      const lists = state.valueLists.get(spaceId);
      return [...(lists?.lists.values() ?? [])].map((l) => ({
        id: l.id,
        type: l.type,
        name: l.name,
        description: l.description,
        values: [...(lists!.items.get(l.id)?.values() ?? [])].map((i) => i.value),
      }));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= maxBodyBytes) chunks.push(chunk as Buffer);
  }
  return size > maxBodyBytes ? "too-large" : Buffer.concat(chunks);
}

/** The `file` form field of a multipart body; the name must end in `.ndjson` (import route). */
async function multipartFile(req: IncomingMessage, raw: Buffer): Promise<string> {
  const contentType = String(req.headers["content-type"] ?? "");
  if (!contentType.startsWith("multipart/form-data")) throw new HttpError(415, "Unsupported Media Type");
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new HttpError(400, "Invalid multipart payload format");
  }
  const file = form.get("file");
  if (!file || typeof file === "string")
    throw new HttpError(400, "[request body.file]: expected value of type [Stream]");
  const extension = /\.[^.]*$/.exec(file.name)?.[0] ?? "";
  if (extension !== ".ndjson") throw new KibanaError(400, `Invalid file extension ${extension}`);
  return file.text();
}

function send(res: ServerResponse, reply: Reply): void {
  const payload = reply.text ?? JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": reply.contentType ?? "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    ...reply.headers,
  });
  res.end(payload);
}
