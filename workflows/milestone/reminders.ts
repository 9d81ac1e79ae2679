import { condition } from '@temporalio/workflow';

/**
 * Walks a reminder schedule: at each offset (ms after `from`, and before `until` if given) calls `send(n)` while
 * `waiting()` still holds. Returns true when the whole schedule passed with `waiting()` true, false as soon as it
 * stops holding (the state moved on: nothing more is sent).
 */
export async function remindOnSchedule(
  from: number,
  offsets: number[],
  waiting: () => boolean,
  send: (n: number) => void,
  until = Infinity,
): Promise<boolean> {
  for (const [i, offset] of offsets.entries()) {
    if (from + offset >= until) break;
    if (!(await waitWhile(waiting, from + offset))) return false;
    send(i + 1);
  }
  return waiting();
}

/** Waits until workflow time `at` unless `waiting()` stops holding first; true when `at` came with it still holding. */
export async function waitWhile(waiting: () => boolean, at: number): Promise<boolean> {
  const delay = at - Date.now();
  if (delay > 0) await condition(() => !waiting(), delay);
  return waiting();
}
