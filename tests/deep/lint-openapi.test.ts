import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACCESS_POLICY } from '../../api/access-policy';

/** The OpenAPI linter of `npm run lint` passes the served document, and would catch what outside clients need. */
const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function lint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, ['scripts/lint-openapi.ts', ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr }),
    );
  });
}

type Operation = { operationId?: string; requestBody?: { required?: boolean }; summary?: string };

test('the served document passes; without an operationId, in another casing, or with a body not required, it fails', async () => {
  const served = await lint(['--print']);
  expect(served.code).toBe(0);
  const doc = JSON.parse(served.stdout) as { paths: Record<string, Record<string, Operation>> };
  const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
  // every route of the access table but the Stripe webhook, which a deployment on the default rail does not serve
  expect(operations.length).toBe(Object.keys(ACCESS_POLICY).length - 1);
  expect(operations.every((op) => /^[a-z][A-Za-z]+$/.test(op.operationId ?? ''))).toBe(true);

  const dir = mkdtempSync(path.join(tmpdir(), 'openapi-lint-'));
  const good = path.join(dir, 'good.json');
  writeFileSync(good, served.stdout);
  expect(await lint([good])).toMatchObject({ code: 0 });

  delete doc.paths['/v1/projects'].post.operationId;
  doc.paths['/v1/projects/{projectId}'].get.operationId = 'Get_Project';
  doc.paths['/v1/disputes/{disputeId}/proposals'].post.requestBody!.required = false;
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify(doc));
  const refused = await lint([bad]);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/operation-operationId: .* at #\/paths\/~1v1~1projects\/post/);
  expect(refused.stderr).toMatch(/rule\/operation-id-camel-case: operationId must be camelCase/);
  expect(refused.stderr).toMatch(/rule\/request-body-required: .* at #\/paths\/~1v1~1disputes~1\{disputeId\}~1proposals\/post\/requestBody/);
}, 60000);
