/** Faults injected on request, consumed in order by the requests they match. */

export type Fault =
  /** Answer with this status instead of handling the request (429 may carry `Retry-After`). */
  | { type: "status"; status: number; retryAfter?: number | string; body?: unknown }
  /** Wait before handling; if the client has gone by then, the request is not handled. */
  | { type: "delay"; ms: number }
  /** Destroy the connection, before handling the request or after handling it without answering. */
  | { type: "reset"; when?: "before" | "after" }
  /** `_import` only: these rules (by `rule_id`, or the first `count` rule lines) fail inside a 200 answer. */
  | { type: "import-errors"; ruleIds?: string[]; count?: number; status?: number; message?: string };

export type FaultSpec = Fault & {
  /** Only requests with this method (any when absent). */
  method?: string;
  /** Only paths (without the `/s/<space>` prefix) containing this string or matching this pattern. */
  path?: string | RegExp;
  /** How many matching requests the fault applies to (default 1; `Infinity` for all). */
  times?: number;
};

export interface FaultQueue {
  add(spec: FaultSpec): void;
  clear(): void;
  take(method: string, path: string): Fault | undefined;
  pending(): readonly FaultSpec[];
}

export function faultQueue(initial: FaultSpec[] = []): FaultQueue {
  const queue: { spec: FaultSpec; left: number }[] = [];
  const add = (spec: FaultSpec) => queue.push({ spec, left: spec.times ?? 1 });
  initial.forEach(add);
  const matches = (spec: FaultSpec, method: string, path: string) =>
    (spec.method === undefined || spec.method.toUpperCase() === method) &&
    (spec.path === undefined ||
      (typeof spec.path === "string" ? path.includes(spec.path) : spec.path.test(path))) &&
    (spec.type !== "import-errors" || path.endsWith("/_import"));
  return {
    add,
    clear: () => void queue.splice(0),
    take(method, path) {
      const index = queue.findIndex((q) => matches(q.spec, method, path));
      if (index < 0) return undefined;
      const entry = queue[index]!;
      if (--entry.left <= 0) queue.splice(index, 1);
      return entry.spec;
    },
    pending: () => queue.map((q) => q.spec),
  };
}
