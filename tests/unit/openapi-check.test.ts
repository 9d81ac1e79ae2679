import { Client } from '@temporalio/client';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createPool } from '../../db/pool';
import { loadConfig } from '../../lib/config';
import { openApiChecker, type OpenApiDocument } from '../helpers/openapi-check';

// The document needs no running service: the pool and the Temporal client connect on first use, which never comes.
const db = createPool('postgres://nobody@127.0.0.1:1/none');
const app = createApp({ db, temporal: new Client(), config: loadConfig({ DATABASE_URL: 'postgres://unused' }), log: pino({ level: 'silent' }) });
let check: ReturnType<typeof openApiChecker>;
beforeAll(async () => {
  check = openApiChecker((await request(app).get('/openapi.json')).body as OpenApiDocument);
});
afterAll(() => db.end());

const project = {
  id: 'prj_1', externalId: 'pel-1', title: 'Site', formula: 'r0', currency: 'EUR', state: 'active',
  client: { id: 'c-1', email: 'c@example.test', name: 'C' }, provider: { id: 'p-1', email: 'p@example.test', name: 'P' },
  clientSilencePolicy: 'notify_provider', commissionRate: 0.1, escrowFeeRate: 0.03,
  milestones: [{ id: 'ms_1', title: 'A', amount: 1000, state: 'funded', kind: 'milestone' }],
};
const get = (status: number, body: unknown, contentType = 'application/json; charset=utf-8') =>
  check('GET', '/v1/projects/prj_1', status, contentType, JSON.stringify(body));

test('an answer as documented passes', () => {
  expect(get(200, project)).toBeUndefined();
  expect(get(404, { type: 'https://errors.escrow.example/not-found', title: 'Not found', status: 404, detail: 'no project' }, 'application/problem+json')).toBeUndefined();
});

test('an undocumented field, a wrong type, a missing field, an undocumented status or media type fail', () => {
  expect(get(200, { ...project, secret: 'x' })).toMatch(/additional properties/);
  expect(get(200, { ...project, milestones: [{ ...project.milestones[0], amount: '1000' }] })).toMatch(/must be integer/);
  const { title: _title, ...untitled } = project;
  expect(get(200, untitled)).toMatch(/must have required property 'title'/);
  expect(get(200, { ...project, state: 'archived' })).toMatch(/must be equal to one of the allowed values/);
  expect(get(201, project)).toMatch(/status not documented/);
  expect(get(200, project, 'text/html')).toMatch(/text\/html is not documented/);
});

test('paths that match no route are left to the router', () => {
  expect(check('GET', '/v1/nowhere', 404, 'application/problem+json', '{}')).toBeUndefined();
});
