/**
 * Does a rule's `index` cover the concrete index an event came from? Elasticsearch multi-target syntax: each
 * entry may be a comma list; `*` is the only wildcard; `-pattern` removes what the patterns before it added;
 * wildcards skip hidden names (leading `.`) unless the pattern itself starts with `.`; `cluster:pattern`
 * targets a remote cluster, never a local index.
 */

const dataStreamBackingIndex = /^\.ds-(.+)-\d{4}\.\d{2}\.\d{2}-\d{6}$/;

/**
 * The names a search through a pattern can reach this index by: the index itself and, for a backing index
 * (`.ds-<stream>-<date>-<generation>`, the `_index` a Dev Tools search shows), its data stream.
 */
export function targetNames(index: string): string[] {
  const stream = dataStreamBackingIndex.exec(index)?.[1];
  return stream ? [index, stream] : [index];
}

export function splitPatterns(patterns: readonly string[]): string[] {
  return patterns
    .flatMap((p) => p.split(","))
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

export function indexCovered(patterns: readonly string[], index: string): boolean {
  const names = targetNames(index);
  let covered = false;
  let first = true;
  for (const pattern of splitPatterns(patterns)) {
    // A leading `-` only excludes after another pattern; Elasticsearch reads a first `-x` as a name.
    if (pattern.startsWith("-") && !first) {
      if (names.some((name) => patternMatches(pattern.slice(1), name))) covered = false;
    } else if (names.some((name) => patternMatches(pattern, name))) {
      covered = true;
    }
    first = false;
  }
  return covered;
}

export function patternMatches(pattern: string, name: string): boolean {
  if (pattern.includes(":")) return false;
  if (!pattern.includes("*")) return pattern === name;
  if (name.startsWith(".") && !pattern.startsWith(".")) return false;
  const parts = pattern.split("*");
  const head = parts[0]!;
  const tail = parts[parts.length - 1]!;
  if (!name.startsWith(head) || name.length < head.length + tail.length || !name.endsWith(tail)) return false;
  let at = head.length;
  const end = name.length - tail.length;
  for (const middle of parts.slice(1, -1)) {
    const found = name.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}
