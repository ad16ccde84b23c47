/**
 * Watches folders and files and reports what changed, debounced: an editor's save (write, rename, chmod)
 * arrives as one batch, so a watch run starts once per save.
 */
import { existsSync, statSync, watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { join, resolve } from "node:path";

export interface Watcher {
  close(): void;
}

export interface WatchOptions {
  /** Quiet time before a batch is reported; default 100 ms. */
  debounceMs?: number;
}

export function watchPaths(
  paths: readonly string[],
  onChange: (files: string[]) => void,
  options: WatchOptions = {},
): Watcher {
  const debounceMs = options.debounceMs ?? 100;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const files = [...pending].sort();
    pending.clear();
    if (files.length > 0) onChange(files);
  };
  const watchers: FSWatcher[] = [];
  for (const path of new Set(paths.map((p) => resolve(p)))) {
    if (!existsSync(path)) continue;
    const folder = statSync(path).isDirectory();
    const watcher = watch(path, { recursive: folder }, (_event, name) => {
      pending.add(folder && name ? join(path, name.toString()) : path);
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    });
    watchers.push(watcher);
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
