import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { MessagePort } from "node:worker_threads";
import type { DacConfig } from "./config.js";
import type { Diagnostic } from "./diagnostic.js";
import type { Rule, RuleData } from "./rule.js";
import { defaultThreads, maxRequestedThreads, ruleWorkerFile, takePrestartedWorkers } from "./prestart.js";
import { lazyYamlSource } from "./yaml-source.js";

/** What checking one rule file gives: its diagnostics and, when it parsed, the rule. */
export interface FileResult {
  diagnostics: Diagnostic[];
  rule?: Rule;
}

/** A file's result as a worker sends it: the rule without its YAML tree, which cannot cross threads. */
export interface WorkerMessage {
  index: number;
  diagnostics?: Diagnostic[];
  rule?: { file: string; text: string; data: RuleData; valid: boolean; extras?: Record<string, unknown> };
  /** The check threw: the main thread checks the file again, so the error surfaces as it would unthreaded. */
  failed?: true;
}

/** What a worker is given. `state[0]` is the next file to claim; `state[1 + i]` is 1 once file i is sent. */
export interface WorkerInput {
  files: string[];
  cwd: string;
  config: DacConfig;
  state: SharedArrayBuffer;
  port: MessagePort;
  /** `LoadRulesOptions.extras` without its function: the worker imports it. */
  extras?: { name: string; module: string };
}

/** Below this many files, starting a thread (about 0.3 s of module loading) costs more than it saves. */
export const parallelThreshold = 400;

/** A file a worker claimed and did not send within this time is checked by the main thread instead. */
const stallMs = 20_000;

/**
 * How many threads (the main one included) check `count` files: `requested` when given (1 = none), else
 * `defaultThreads` once there are enough files to pay for them. Only the built package has the worker script.
 */
export function threadCount(count: number, requested?: number): number {
  if (ruleWorkerFile === undefined) return 1;
  if (requested !== undefined)
    return Math.max(1, Math.min(Math.floor(requested), maxRequestedThreads, count));
  if (count < parallelThreshold) return 1;
  return defaultThreads();
}

/**
 * Checks files on `threads` threads and returns the results in the files' order. The main thread works too:
 * every thread claims the next unclaimed file from a shared counter, so a slow or late thread takes fewer.
 * Synchronous (the main thread waits with Atomics), so callers keep a plain function; a worker that fails to
 * start, throws or stalls costs time, never a result: the main thread checks what it did not send.
 */
export function checkFilesInThreads(
  files: string[],
  threads: number,
  input: { cwd: string; config: DacConfig; extras?: { name: string; module: string } },
  check: (index: number) => FileResult,
): FileResult[] {
  const results: (FileResult | undefined)[] = new Array<FileResult | undefined>(files.length);
  const shared = new SharedArrayBuffer(4 * (files.length + 1));
  const state = new Int32Array(shared);
  const channels: { port: MessagePort; worker: Worker }[] = [];
  // Workers started early (`prestartRuleWorkers`) are given their files; the others are started now.
  const prestarted = takePrestartedWorkers(threads - 1);
  for (let t = 1; t < threads; t++) {
    const { port1, port2 } = new MessageChannel();
    const data: WorkerInput = {
      files,
      cwd: input.cwd,
      config: input.config,
      state: shared,
      port: port2,
      ...(input.extras ? { extras: input.extras } : {}),
    };
    try {
      let worker = prestarted[t - 1];
      if (worker) worker.postMessage(data, [port2]);
      else {
        worker = new Worker(ruleWorkerFile!, { workerData: data, transferList: [port2] });
        worker.unref();
        // Its errors are handled by checking its files here; an unhandled 'error' event would end the process.
        worker.on("error", () => {});
      }
      channels.push({ port: port1, worker });
    } catch {
      port1.close();
    }
  }
  try {
    for (let i = Atomics.add(state, 0, 1); i < files.length; i = Atomics.add(state, 0, 1))
      results[i] = check(i);
    const receive = () => {
      for (const { port } of channels) {
        for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
          const message = m.message as WorkerMessage;
          if (message.failed || results[message.index]) continue;
          results[message.index] = fromWorker(message);
        }
      }
    };
    for (let i = 0; i < files.length; i++) {
      if (results[i]) continue;
      const deadline = Date.now() + stallMs;
      for (;;) {
        receive();
        if (results[i]) break;
        const left = deadline - Date.now();
        if (left <= 0 || Atomics.load(state, 1 + i) === 1) {
          // Sent but failed, or stalled: checked here.
          receive();
          results[i] ??= check(i);
          break;
        }
        Atomics.wait(state, 1 + i, 0, Math.min(left, 1_000));
      }
    }
  } finally {
    for (const { port, worker } of channels) {
      port.close();
      void worker.terminate();
    }
  }
  return results as FileResult[];
}

function fromWorker(message: WorkerMessage): FileResult {
  const diagnostics = message.diagnostics ?? [];
  if (!message.rule) return { diagnostics };
  const { file, text, data, valid, extras } = message.rule;
  const rule: Rule = { file, source: lazyYamlSource(file, text), data, valid };
  if (extras) rule.extras = extras;
  return { diagnostics, rule };
}
