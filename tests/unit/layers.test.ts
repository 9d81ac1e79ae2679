/**
 * The layer rules of `npm run lint` (eslint.layers.mjs), run on deliberately bad fixtures: each fixture is linted as
 * if it lived in the folder it names, and exactly its lines marked `// refused` must be reported.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'layers-fixtures');

/** Each fixture and where it pretends to live. */
const CASES = {
  'workflow.ts': 'workflows/milestone/probe.ts',
  'api.ts': 'api/probe.ts',
  'domain.ts': 'domain/probe.ts',
  'activities.ts': 'activities/probe.ts',
  'db.ts': 'db/probe.ts',
};

// ESLint loads its config with import(), which jest's module system does not run: lint in a child Node process.
const LINT = `
import { ESLint } from 'eslint';
import { LAYERS } from './eslint.layers.mjs';
const eslint = new ESLint({ cwd: process.cwd(), overrideConfigFile: 'eslint.layers.mjs' });
const cases = JSON.parse(process.argv[1]);
const out = {};
for (const [name, { text, filePath }] of Object.entries(cases)) {
  const [result] = await eslint.lintText(text, { filePath });
  out[name] = result.messages.map((m) => ({ line: m.line, rule: m.ruleId, message: m.message }));
}
console.log(JSON.stringify({ findings: out, layers: LAYERS }));
`;

type Findings = Record<string, { line: number; rule: string | null; message: string }[]>;
let findings: Findings;
let layers: Record<string, string[]>;

beforeAll(async () => {
  const cases = Object.fromEntries(
    Object.entries(CASES).map(([name, virtual]) => [name, { text: readFileSync(path.join(FIXTURES, name), 'utf8'), filePath: path.join(ROOT, virtual) }]),
  );
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', LINT, JSON.stringify(cases)], { cwd: ROOT });
  ({ findings, layers } = JSON.parse(stdout) as { findings: Findings; layers: Record<string, string[]> });
}, 60000);

const refusedLines = (name: string) =>
  readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.endsWith('// refused') ? [i + 1] : []));

test.each(Object.entries(CASES))('%s, linted as %s: every marked import is refused, and only those', (name) => {
  const found = findings[name];
  expect(found.every((f) => f.rule === 'boundaries/dependencies')).toBe(true);
  expect(found.map((f) => f.line)).toEqual(refusedLines(name));
  expect(refusedLines(name).length).toBeGreaterThan(2);
});

test('a type-only import counts: workflow code may not import the activities even for a type', () => {
  const typeImport = findings['workflow.ts'].find((f) => f.line === 4);
  expect(typeImport?.message).toMatch(/workflows.*activities/);
});

test('the layer table allows no cycle between folders: every folder imports only folders below it', () => {
  const below = (folder: string): string[] => (layers[folder] ?? []).map((l) => (l === 'contracts' ? 'workflows' : l)).filter((l) => l !== folder);
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    below(from).some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
  const cycles = Object.keys(layers).filter((folder) => reaches(folder, folder));
  expect(Object.keys(layers).length).toBeGreaterThan(8);
  expect(cycles).toEqual([]);
  expect(layers.domain).toEqual([]);
});
