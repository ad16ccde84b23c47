import { distance } from "fastest-levenshtein";

/** The closest candidates to a misspelt name, nearest first; only those close enough to be a plausible typo. */
export function closest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  const scored: [string, number][] = [];
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d <= limit || candidate.toLowerCase().startsWith(name.toLowerCase())) scored.push([candidate, d]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([c]) => c);
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const [best] = closest(name, candidates, 1);
  return best === undefined ? undefined : `did you mean \`${best}\`?`;
}
