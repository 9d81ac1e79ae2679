/** Latency figures in ms, to the tenth; nearest-rank percentiles. */
export interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

const tenth = (x: number) => Math.round(x * 10) / 10;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    count: sorted.length,
    p50: tenth(percentile(sorted, 50)),
    p90: tenth(percentile(sorted, 90)),
    p99: tenth(percentile(sorted, 99)),
    max: tenth(sorted[sorted.length - 1] ?? NaN),
    mean: tenth(sorted.length ? sum / sorted.length : NaN),
  };
}

/** `ours / floor`, to the hundredth. */
export const ratio = (ours: number, floor: number): number => Math.round((ours / floor) * 100) / 100;
