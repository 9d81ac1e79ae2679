/**
 * Scenario 7 (full bench only): the wall time of `npm test`, the fast suite, with its jest workers as configured. What
 * the suite needs installed (stripe-mock, built by its `pretest` on a fresh clone) is installed first, off the clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { ROOT } from '../../scripts/topology/system';
import { log, type Context, type ScenarioResult } from '../scenario';

const GOAL_SECONDS = 180;

export async function testSuiteTime(_ctx: Context): Promise<ScenarioResult> {
  const install = spawnSync('bash', ['scripts/install-stripe-mock.sh'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (install.status !== 0) throw new Error(`stripe-mock, which npm test needs, could not be installed (exit ${install.status})`);
  const started = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn('npm', ['test', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: 'true' } });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  log(`test suite: npm test exited ${code} after ${seconds} s`);
  if (code !== 0) throw new Error(`npm test failed (exit ${code}): its time is not a measure`);
  return {
    id: 7,
    name: 'Test suite',
    figures: { npmTestSeconds: seconds },
    headline: `npm test: ${seconds} s`,
    goals: [{ text: `≤ ${GOAL_SECONDS} s (${seconds} s)`, met: seconds <= GOAL_SECONDS }],
  };
}
