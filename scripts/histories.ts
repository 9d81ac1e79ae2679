/**
 * The recorded workflow histories are frozen: tests/workflows/histories/SHA256SUMS lists each file with its SHA-256
 * (the `sha256sum` format). `npm run histories:check` fails when a listed file changed or disappeared, or when a
 * history is not listed; `npm run histories:check -- --add` lists new files (it never changes a listed one).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fail, oneLine } from './fail';

export const HISTORIES = path.resolve(__dirname, '..', 'tests', 'workflows', 'histories');
export const MANIFEST = 'SHA256SUMS';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function readManifest(dir: string): Map<string, string> {
  const file = path.join(dir, MANIFEST);
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  return new Map(lines.map((line) => {
    const [hash, name] = line.split(/\s+\*?/, 2);
    return [name, hash];
  }));
}

const histories = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

/** What breaks the freeze: listed files changed or gone, histories not listed. Empty when all holds. */
export function checkHistories(dir = HISTORIES): string[] {
  const manifest = readManifest(dir);
  const problems: string[] = [];
  for (const [name, hash] of manifest) {
    const file = path.join(dir, name);
    if (!existsSync(file)) problems.push(`${name}: listed but gone (a recorded history is never removed)`);
    else if (sha256(file) !== hash) problems.push(`${name}: changed since it was recorded (record a new one beside it)`);
  }
  for (const name of histories(dir)) if (!manifest.has(name)) problems.push(`${name}: not listed in ${MANIFEST} (npm run histories:check -- --add)`);
  return problems;
}

/** Lists the histories the manifest does not have yet; returns their names. */
export function addHistories(dir = HISTORIES): string[] {
  const manifest = readManifest(dir);
  const added = histories(dir).filter((name) => !manifest.has(name));
  for (const name of added) manifest.set(name, sha256(path.join(dir, name)));
  const lines = [...manifest].sort(([a], [b]) => a.localeCompare(b)).map(([name, hash]) => `${hash}  ${name}`);
  writeFileSync(path.join(dir, MANIFEST), `${lines.join('\n')}\n`);
  return added;
}

if (require.main === module) {
  try {
    if (process.argv.includes('--add')) console.log(`listed: ${addHistories().join(', ') || 'nothing new'}`);
    const problems = checkHistories();
    for (const problem of problems) console.error(`history ${problem}`);
    console.log(problems.length ? `${problems.length} problem(s) with the recorded histories` : `${readManifest(HISTORIES).size} recorded histories, unchanged`);
    process.exitCode = problems.length ? 1 : 0;
  } catch (err) {
    fail(`histories check could not run: ${oneLine(err)}`, 2);
  }
}
