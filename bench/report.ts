/** What a run leaves: bench/results.json, and a section appended to docs/benchmarks.md. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporalCliPath } from '../dev/temporal-binaries';
import type { Db } from '../db/pool';
import { ROOT } from '../scripts/topology/system';
import type { ScenarioResult } from './scenario';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  temporalSdk: string;
  temporalServer: string;
  postgres: string;
}

export interface Failed {
  id: number;
  name: string;
  error: string;
}

export interface Results {
  date: string;
  mode: 'quick' | 'full';
  /** the scenarios asked for with --only (all when absent) */
  only?: number[];
  /** the command line's arguments */
  args: string;
  machine: Machine;
  seconds: number;
  /** actions sent again after the API answered 503 or 429 (overloaded) */
  retriedActions: number;
  scenarios: (ScenarioResult | Failed)[];
}

export async function machine(db: Db): Promise<Machine> {
  const cli = temporalCliPath();
  const server = cli ? execFileSync(cli, ['--version']).toString().trim() : 'unknown';
  const { rows } = await db.query<{ server_version: string }>('SHOW server_version');
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    temporalSdk: (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', '@temporalio', 'worker', 'package.json'), 'utf8')) as { version: string }).version,
    temporalServer: server,
    postgres: rows[0].server_version,
  };
}

const mark = (met: boolean | null) => (met === null ? 'measured' : met ? '**met**' : '**missed**');

export function markdown(results: Results, plotsLink: string): string {
  const m = results.machine;
  const lines = [
    '',
    `## ${results.mode === 'quick' ? 'Quick run' : 'Run'} of ${results.date.slice(0, 16).replace('T', ' ')} UTC (\`npm run bench${results.args ? ` -- ${results.args}` : ''}\`, ${results.seconds} s)`,
    '',
    `Actions retried after a 503 or 429: ${results.retriedActions}. Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, Temporal SDK ${m.temporalSdk}, ${m.temporalServer}, PostgreSQL ${m.postgres}.`,
    '',
    '| # | scenario | measured | ratio to baseline | goals |',
    '|---|---|---|---|---|',
  ];
  for (const s of results.scenarios) {
    if ('error' in s) {
      lines.push(`| ${s.id} | ${s.name} | failed: ${s.error.replace(/\|/g, '\\|')} | | |`);
      continue;
    }
    const plots = (s.plots ?? []).map((p) => `[${p.replace(/\.svg$/, '')}](${plotsLink}/${p})`).join(', ');
    lines.push(
      `| ${s.id} | ${s.name} | ${s.headline.replace(/\|/g, '\\|')}${plots ? ` — plots: ${plots}` : ''} | ${s.ratio ?? ''} | ${s.goals.map((g) => `${mark(g.met)}: ${g.text}`).join('<br>')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function write(results: Results, plotsLink: string): void {
  writeFileSync(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  appendFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), markdown(results, plotsLink));
}

/** Problems with a run: a scenario missing or failed, a headline figure that is not a number. */
export function problems(results: Results, expected: number[]): string[] {
  const found: string[] = [];
  for (const id of expected) {
    const s = results.scenarios.find((x) => x.id === id);
    if (!s) found.push(`scenario ${id} did not run`);
    else if ('error' in s) found.push(`scenario ${id} failed: ${s.error}`);
    else {
      const numbers = JSON.stringify(s.figures).match(/-?\d+(\.\d+)?/g) ?? [];
      if (numbers.length === 0) found.push(`scenario ${id} produced no numbers`);
      if (/null|NaN/.test(JSON.stringify(s.figures))) found.push(`scenario ${id} has a figure that is not a number: ${JSON.stringify(s.figures).slice(0, 300)}`);
    }
  }
  return found;
}
