/** A harness's own progress lines (chaos, cluster): on stderr (stdout is kept for a JSON summary) and in the run's log file. */
import { appendFileSync } from 'node:fs';

const started = Date.now();
let file: string | undefined;
let tag = 'chaos';

/** Seconds since the harness started, to the tenth. */
export const elapsed = (at = Date.now()): number => Math.round((at - started) / 100) / 10;

export function logTo(path: string): void {
  file = path;
}

export function logAs(name: string): void {
  tag = name;
}

export function log(message: string): void {
  const line = `[${tag} +${elapsed().toFixed(1)}s] ${message}`;
  process.stderr.write(`${line}\n`);
  if (file) appendFileSync(file, `${line}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

