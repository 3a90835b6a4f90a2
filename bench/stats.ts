// Order statistics for the bench's samples (milliseconds).

export interface Summary {
  n: number;
  median: number;
  p99: number;
}

/** The q-quantile (0..1) by linear interpolation between the nearest ranks. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (at - low);
}

export const median = (samples: readonly number[]) => quantile(samples, 0.5);

export function summarize(samples: readonly number[]): Summary {
  return { n: samples.length, median: round(median(samples)), p99: round(quantile(samples, 0.99)) };
}

/** Three decimals: microseconds are the resolution the bench can speak to. */
export const round = (ms: number) => Math.round(ms * 1000) / 1000;
