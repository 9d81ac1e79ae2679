/** Durations as the REST contract (../shared/API.md) writes them: `500ms`, `90s`, `15m`, `36h`, `2d`. Values are milliseconds. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}" (expected e.g. 500ms, 90s, 15m, 36h, 2d)`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A schedule is a comma-separated list of offsets from the event that starts it, in increasing order. */
export function parseSchedule(text: string): number[] {
  if (text.trim() === '') return [];
  const offsets = text.split(',').map(parseDuration);
  offsets.forEach((offset, i) => {
    if (i > 0 && offset <= offsets[i - 1]) throw new Error(`schedule "${text}" must be strictly increasing`);
  });
  return offsets;
}
