// "Did you mean …?" for a mistyped provider id. Optimal string alignment distance counts a swap of two
// neighbouring letters as one edit, the most common typo (`sam-destkop` for `sam-desktop`).

function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const prev = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** The candidate nearest to `input` when it is near enough to be a typo: at most 2 edits, and at most a third of its length. */
export function closestId(input: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.floor(input.length / 3));
  let best: { id: string; distance: number } | undefined;
  for (const id of candidates) {
    if (Math.abs(id.length - input.length) > limit) continue;
    const distance = editDistance(input.toLowerCase(), id);
    if (distance <= limit && (!best || distance < best.distance)) best = { id, distance };
  }
  return best?.id;
}
