import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SEARCH_ATTRIBUTE_NAMES } from '../domain/search-attributes';

export interface DevServerLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

export interface DevServerOptions {
  port: number;
  /** the Web UI's port; none: headless */
  uiPort?: number;
  /** SQLite file that keeps the server's data; none: in memory */
  dbFile?: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** each line the server writes, its JSON logs parsed (the banner on stdout comes as info lines) */
  onLine: (line: DevServerLine) => void;
}

const LEVELS: Record<string, DevServerLine['level']> = { DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'error' };

/** The Temporal CLI's dev server (`temporal server start-dev`) with JSON logs, each line handed to `onLine`. */
export function spawnTemporalDevServer(cli: string, o: DevServerOptions): ChildProcess {
  const args = [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--namespace', o.namespace ?? 'default',
    '--log-format', 'json', '--log-level', o.logLevel ?? 'warn',
    ...(o.uiPort === undefined ? ['--headless'] : ['--ui-port', String(o.uiPort)]),
    ...(o.dbFile ? ['--db-filename', o.dbFile] : []),
    ...searchAttributeFlags(),
  ];
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.trim()) o.onLine({ level: 'info', msg: line.trim(), fields: {} });
  });
  createInterface({ input: child.stderr }).on('line', (line) => o.onLine(parseLine(line)));
  return child;
}

/** The dev server's flags that register the workflows' search attributes (again, harmlessly, on a kept database). */
export function searchAttributeFlags(): string[] {
  return SEARCH_ATTRIBUTE_NAMES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}

function parseLine(line: string): DevServerLine {
  try {
    const { level, msg, time: _time, ...fields } = JSON.parse(line) as Record<string, unknown>;
    return { level: LEVELS[String(level)] ?? 'info', msg: typeof msg === 'string' ? msg : line, fields };
  } catch {
    return { level: 'info', msg: line, fields: {} };
  }
}
