import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function find(envVar: string, name: string): string | undefined {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar}=${fromEnv} does not exist`);
    return fromEnv;
  }
  const local = path.join(ROOT, '.tools', 'venv', 'bin', name);
  return existsSync(local) ? local : onPath(name);
}

/** The `temporal` CLI (dev server): $TEMPORAL_CLI_PATH, then .tools/venv (scripts/install-temporal.sh), then PATH. */
export const temporalCliPath = (): string | undefined => find('TEMPORAL_CLI_PATH', 'temporal');

/** The time-skipping test server: $TEMPORAL_TEST_SERVER_PATH, then .tools/venv, then PATH. */
export const temporalTestServerPath = (): string | undefined => find('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');

/** How the SDK's ephemeral servers get their binary: the one found here, else the SDK's own download. */
export function executableFor(found: string | undefined) {
  return found ? { type: 'existing-path' as const, path: found } : { type: 'cached-download' as const };
}
