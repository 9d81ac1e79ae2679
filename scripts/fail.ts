/** How the command-line tools report an expected failure: one line on stderr, no stack, an exit code ≠ 0. */
import { inspect } from 'node:util';

const flat = (text: string) => text.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ');

/** An error and its causes on one line (fetch hides why it failed in `cause`; a refused dual-stack connect is an AggregateError without a message). */
export function oneLine(err: unknown): string {
  const parts: string[] = [];
  for (let e = err; e !== undefined && e !== null && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    if (e instanceof AggregateError && !e.message) parts.push(e.errors.map(oneLine).join(', '));
    else if (e instanceof Error) parts.push(e.message || (e as NodeJS.ErrnoException).code || e.name);
    else parts.push(typeof e === 'string' ? e : inspect(e, { breakLength: Infinity }));
  }
  return flat(parts.join(': '));
}

export function fail(message: string, exitCode = 1): never {
  console.error(flat(message));
  process.exit(exitCode);
}
