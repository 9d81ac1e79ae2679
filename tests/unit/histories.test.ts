import { appendFileSync, cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkHistories, HISTORIES } from '../../scripts/histories';

let copy: string;
beforeEach(() => {
  copy = mkdtempSync(path.join(tmpdir(), 'histories-'));
  cpSync(HISTORIES, copy, { recursive: true });
});
afterEach(() => rmSync(copy, { recursive: true, force: true }));

test('the committed histories are exactly those of the manifest, unchanged', () => {
  expect(checkHistories()).toEqual([]);
  expect(checkHistories(copy)).toEqual([]);
});

test('a changed, a removed or an unlisted history fails the check (and so .ci/run)', () => {
  appendFileSync(path.join(copy, 'milestone-happy-path.json'), ' ');
  unlinkSync(path.join(copy, 'project-two-milestones.json'));
  writeFileSync(path.join(copy, 'milestone-happy-path.v999.json'), '{}');
  expect(checkHistories(copy)).toEqual([
    'milestone-happy-path.json: changed since it was recorded (record a new one beside it)',
    'project-two-milestones.json: listed but gone (a recorded history is never removed)',
    'milestone-happy-path.v999.json: not listed in SHA256SUMS (npm run histories:check -- --add)',
  ]);
});
