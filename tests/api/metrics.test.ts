/** GET /metrics on the API: requests by route template (never by path), webhook signature refusals, METRICS_TOKEN. */
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { startApiSystem, projectBody, type ApiSystem } from '../helpers/api-system';
import { CLIENT } from '../helpers/fixtures';
import { seriesOf } from '../helpers/prometheus';

let sys: ApiSystem;
beforeAll(async () => {
  sys = await startApiSystem();
});
afterAll(() => sys?.close());

const metricsOf = async () => {
  const res = await request(sys.app).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return { text: res.text, series: seriesOf(res.text) };
};

test('a request is counted and timed under its route template, and its ids appear nowhere', async () => {
  const client = await sys.as(CLIENT.id, 'client');
  const created = await client.post('/v1/projects').send(projectBody());
  expect(created.status).toBe(201);
  const before = (await metricsOf()).series;
  const key = 'http_requests_total{method="GET",route="/v1/projects/:projectId",status="200"}';
  expect((await client.get(`/v1/projects/${created.body.id}`)).status).toBe(200);
  expect((await client.get(`/v1/projects/${created.body.id}`)).status).toBe(200);
  expect((await client.get('/v1/projects/prj_nobody')).status).toBe(404);
  const after = await metricsOf();
  expect(after.series.get(key)).toBe((before.get(key) ?? 0) + 2);
  expect(after.series.get('http_requests_total{method="GET",route="/v1/projects/:projectId",status="404"}')).toBeGreaterThanOrEqual(1);
  expect(after.series.get('http_request_duration_seconds_count{method="GET",route="/v1/projects/:projectId",status="200"}')).toBe((before.get('http_request_duration_seconds_count{method="GET",route="/v1/projects/:projectId",status="200"}') ?? 0) + 2);
  expect(after.text).not.toContain(created.body.id);
  expect(after.text).not.toContain('prj_nobody');
  expect(after.series.has('process_cpu_seconds_total')).toBe(true);
});

test('a path without a route is counted as unmatched, not under its path', async () => {
  await request(sys.app).get('/no/such/path-xyz');
  const after = await metricsOf();
  expect(after.series.get('http_requests_total{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
  expect(after.text).not.toContain('path-xyz');
});

test('a webhook delivery with a wrong signature is counted as such; a signed one is not', async () => {
  const key = 'escrow_webhook_signature_rejections_total{route="/v1/webhooks/payments"}';
  const before = (await metricsOf()).series.get(key) ?? 0;
  const body = JSON.stringify({ id: 'evt_bad_sig', type: 'payout.paid', data: { payoutId: 'po_x' } });
  const refused = await request(sys.app).post('/v1/webhooks/payments').set('content-type', 'application/json').set('payment-signature', 't=1,v1=00').send(body);
  expect(refused.status).toBe(401);
  await sys.webhook('payout.paid', { payoutId: 'po_unknown' });
  expect((await metricsOf()).series.get(key)).toBe(before + 1);
});

test('with METRICS_TOKEN: 401 problem+json without it or with another, 200 with it', async () => {
  const token = 'metrics-token-for-tests-0001';
  const app = createApp({ db: sys.db, temporal: sys.env.client, config: { ...sys.config, METRICS_TOKEN: token }, log: pino({ level: 'silent' }) });
  const none = await request(app).get('/metrics');
  expect(none.status).toBe(401);
  expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(none.headers['www-authenticate']).toContain('Bearer');
  expect((await request(app).get('/metrics').set('authorization', 'Bearer metrics-token-for-tests-0002')).status).toBe(401);
  // a user's token is not the metrics token
  expect((await request(app).get('/metrics').set('authorization', `Bearer ${await sys.token('plat-1', 'platform')}`)).status).toBe(401);
  const ok = await request(app).get('/metrics').set('authorization', `Bearer ${token}`);
  expect(ok.status).toBe(200);
  expect(ok.text).toContain('http_requests_total');
  const documented = (await request(app).get('/openapi.json')).body.paths['/metrics'].get;
  expect(Object.keys(documented.responses)).toContain('401');
  expect(documented.security).toEqual([{ metricsToken: [] }]);
});
