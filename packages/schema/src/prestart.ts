/**
 * Worker threads for `loadRules`, started before the CLI has loaded its own modules: a thread spends about 0.3 s
 * loading dac before it checks a first file, and started this early it loads on the other core while the main
 * thread loads. `@dac/schema/prestart` imports nothing else of dac, so that `bin` can call it first.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { builtFile } from "./repo-paths.js";

/** Most threads that check rule files by default, the main one included. */
export const maxThreads = 4;

/** Most threads `DAC_THREADS` can ask for. */
export const maxRequestedThreads = 16;

/**
 * `DAC_THREADS`: how many threads check rule files (1 = only the main one). Undefined when it is unset (dac
 * decides), null when it is not a whole number from 1 (a usage error for the CLI).
 */
export function threadsSetting(raw: string | undefined): number | null | undefined {
  if (raw === undefined || raw === "") return undefined;
  return /^[1-9]\d{0,2}$/.test(raw) ? Number(raw) : null;
}

/**
 * Threads by default, the main one included: one per core up to `maxThreads`, from 3 cores. On 2 cores one thread
 * already keeps part of the second core busy (garbage collection and compilation run beside it), and a second
 * thread gave no gain in wall time for about 30% more CPU (`npm run bench`, Elastic's 2,068 rules, 2026-12-08).
 */
export function defaultThreads(cores = availableParallelism()): number {
  return cores < 3 ? 1 : Math.min(cores, maxThreads);
}

export const ruleWorkerFile: string | undefined = builtFile(import.meta.url, "rules-worker.js");

/** What a prestarted worker is given first: it then waits for its files (a `WorkerInput`) as a message. */
export interface PrestartedWorkerData {
  prestarted: true;
}

const waiting: Worker[] = [];

/**
 * Starts the worker threads that `loadRules` would start by default (`defaultThreads`, less the main one); they
 * load dac and wait. `requested` is `DAC_THREADS` when set. Workers no run takes are ended by the next `loadRules`
 * and never keep the process alive.
 */
export function prestartRuleWorkers(requested?: number): void {
  if (ruleWorkerFile === undefined || waiting.length > 0) return;
  const threads = Math.min(requested ?? defaultThreads(), maxRequestedThreads);
  for (let t = 1; t < threads; t++) {
    try {
      const workerData: PrestartedWorkerData = { prestarted: true };
      const worker = new Worker(ruleWorkerFile, { workerData });
      worker.unref();
      // A worker that fails is not used: `loadRules` checks files itself when a thread sends nothing.
      worker.on("error", () => {});
      waiting.push(worker);
    } catch {
      break;
    }
  }
}

/** Up to `count` prestarted workers, for one run; the others are ended. */
export function takePrestartedWorkers(count: number): Worker[] {
  const taken = waiting.splice(0, Math.max(0, count));
  for (const worker of waiting.splice(0)) void worker.terminate();
  return taken;
}
