/** Memory and CPU of a process group, read from /proc (Linux): the worker is tsx and the node it starts. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const PAGE_BYTES = Number(execFileSync('getconf', ['PAGESIZE']).toString().trim()) || 4096;

export interface Usage {
  rssBytes: number;
  /** user + system CPU time, seconds, since each process started */
  cpuSeconds: number;
}

export function groupUsage(pgid: number): Usage {
  let rssBytes = 0;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // the command may hold spaces and parentheses: the fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    rssBytes += Number(fields[21]) * PAGE_BYTES;
  }
  return { rssBytes, cpuSeconds: ticks / TICKS_PER_SECOND };
}

/** The group's CPU share (1 = one core) and its largest RSS over `ms`, sampled every second. */
export async function watchUsage(pgid: number, ms: number): Promise<{ cpuCores: number; maxRssBytes: number; rssBytes: number }> {
  const first = groupUsage(pgid);
  const started = Date.now();
  let maxRssBytes = first.rssBytes;
  let last = first;
  while (Date.now() - started < ms) {
    await new Promise((r) => setTimeout(r, Math.min(1000, ms - (Date.now() - started))));
    last = groupUsage(pgid);
    maxRssBytes = Math.max(maxRssBytes, last.rssBytes);
  }
  const seconds = (Date.now() - started) / 1000;
  return { cpuCores: Math.round(((last.cpuSeconds - first.cpuSeconds) / seconds) * 1000) / 1000, maxRssBytes, rssBytes: last.rssBytes };
}
