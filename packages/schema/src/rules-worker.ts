// A worker thread of `loadRules`: claims files from the shared counter and sends each file's result back.
import { parentPort, workerData } from "node:worker_threads";
import { loadAttackData } from "./attack.js";
import type { WorkerInput, WorkerMessage } from "./parallel.js";
import type { PrestartedWorkerData } from "./prestart.js";
import { checkFile } from "./rules.js";
import type { RuleExtras } from "./rules.js";

// A prestarted worker has loaded its modules (the imports above) and waits for its files.
const input =
  "prestarted" in (workerData as PrestartedWorkerData | WorkerInput)
    ? await new Promise<WorkerInput>((resolve) => parentPort!.once("message", resolve))
    : (workerData as WorkerInput);
const { files, cwd, config, state: shared, port } = input;
const computeExtras = input.extras
  ? ((await import(input.extras.module)) as Record<string, RuleExtras["compute"]>)[input.extras.name]
  : undefined;
const state = new Int32Array(shared);
let attack: ReturnType<typeof loadAttackData> | undefined;
for (let i = Atomics.add(state, 0, 1); i < files.length; i = Atomics.add(state, 0, 1)) {
  let message: WorkerMessage;
  try {
    attack ??= loadAttackData(config.attack.stix, config.attack.stixAt);
    const { diagnostics, rule } = checkFile(files[i]!, cwd, config, attack);
    message = { index: i, diagnostics };
    if (rule) {
      message.rule = { file: rule.file, text: rule.source.text, data: rule.data, valid: rule.valid };
      if (rule.valid && input.extras && computeExtras)
        message.rule.extras = { [input.extras.name]: computeExtras(rule, config) };
    }
  } catch {
    message = { index: i, failed: true };
  }
  port.postMessage(message);
  Atomics.store(state, 1 + i, 1);
  Atomics.notify(state, 1 + i);
}
port.close();
