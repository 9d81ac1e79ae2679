import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Workflow code must stay deterministic: it may import the workflow SDK, other workflow modules and pure helpers,
// and anything else only as types (activities are reached through proxyActivities).
const ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, 'workflows');
const DOMAIN = path.join(ROOT, 'domain');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

function valueImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)';/gm)].filter(([, typeOnly]) => !typeOnly).map(([, , from]) => from);
}

function allowed(file: string, from: string): boolean {
  if (from === '@temporalio/workflow') return true;
  if (!from.startsWith('.')) return false;
  const resolved = path.resolve(path.dirname(file), from);
  return resolved.startsWith(WORKFLOWS + path.sep) || resolved.startsWith(DOMAIN + path.sep);
}

test('every workflow module imports only the workflow SDK, workflow modules and pure helpers', () => {
  const checked = tsFiles(WORKFLOWS).flatMap((file) => valueImports(file).map((from) => ({ file: path.relative(ROOT, file), from })));
  expect(checked.length).toBeGreaterThan(5);
  expect(checked.filter(({ file, from }) => !allowed(path.join(ROOT, file), from))).toEqual([]);
});

test('the check catches a forbidden import', () => {
  const file = path.join(WORKFLOWS, 'milestone', 'workflow.ts');
  expect(allowed(file, 'pg')).toBe(false);
  expect(allowed(file, 'node:fs')).toBe(false);
  expect(allowed(file, '../../activities')).toBe(false);
  expect(allowed(file, '../../domain/payout-calendar')).toBe(true);
  expect(allowed(file, './contract')).toBe(true);
});
