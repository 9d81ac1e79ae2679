/**
 * What Temporal stores of a milestone's life: no party's e-mail address in any history, in dev settings (payloads in
 * clear) or with payload encryption (production's default), where no statement or rationale is readable either.
 * Histories are read raw from the server, every byte of every payload searched.
 */
import { randomBytes } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { dataConverterFor } from '../../lib/data-converter';
import { keyIdOf, parseKeyring } from '../../lib/payload-codec';
import { bundleWorkflows } from '../../worker/create-worker';
import { uniq } from '../helpers/fixtures';
import { expectProblem, projectBody, startApiSystem, type ApiSystem } from '../helpers/api-system';
import { eventually } from '../helpers/temporal';

type History = temporal.api.history.v1.IHistory;
type RawPayload = temporal.api.common.v1.IPayload;

const STATEMENT = 'Les maquettes livrées ne respectent pas la charte graphique.';
const RATIONALE = 'Travail livré aux deux tiers, partage en conséquence.';
// an address's shape (the SDK's own `@temporalio/worker@1.24.0` in a worker identity is not one)
const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-z]{2,}\b/i;
const key = () => randomBytes(32).toString('base64');

/**
 * Every payload in a history that the codec encodes (inputs, results, signals, updates, failures, memo). Left in
 * clear by design, and holding ids only (the text checks below cover them): search attributes, which the server
 * indexes; the SDK's patch markers; headers (the API's x-request-id).
 */
const CLEAR_BY_DESIGN = new Set(['searchAttributes', 'markerRecordedEventAttributes', 'header']);
function payloadsIn(value: unknown, found: RawPayload[] = []): RawPayload[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  const o = value as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && 'data' in o) found.push(o);
  else for (const [k, v] of Object.entries(o)) if (!CLEAR_BY_DESIGN.has(k)) payloadsIn(v, found);
  return found;
}
/** All the text a history holds: its fields and the bytes of its payloads, as the server's database stores them. */
function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(textOf).join('\n');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

async function rawHistory(sys: ApiSystem, workflowId: string): Promise<History> {
  const { history } = await sys.env.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId }, maximumPageSize: 10_000 });
  return history!;
}

/**
 * A project lived through the API: one milestone released, one disputed, asked about, decided in shares (a refund
 * follows). Returns the ids of every workflow it started, found by their ProjectId search attribute.
 */
async function liveProject(sys: ApiSystem) {
  const client = { id: uniq('c'), email: `${uniq('cliente')}@example.test`, name: 'Cliente Privée' };
  const provider = { id: uniq('p'), email: `${uniq('presta')}@example.test`, name: 'Prestataire Privé' };
  const platform = await sys.as('platform-1', 'platform');
  const created = await platform.post('/v1/projects').send(projectBody({ client, provider, milestones: [{ title: 'Maquettes', amount: 90000 }, { title: 'Intégration', amount: 60000 }] }));
  expect(created.status).toBe(201);
  const projectId: string = created.body.id;
  const [released, disputed] = (created.body.milestones as { id: string }[]).map((m) => `/v1/projects/${projectId}/milestones/${m.id}`);
  for (const m of created.body.milestones as { id: string }[]) await sys.fund(projectId, m.id);
  const asClient = await sys.as(client.id, 'client');
  const asProvider = await sys.as(provider.id, 'provider');
  const mediator = await sys.as('med-1', 'mediator');
  expect((await asProvider.post(`${released}/complete`)).status).toBe(200);
  expect((await asClient.post(`${released}/release`)).status).toBe(200);

  const opened = await asClient.post(`${disputed}/disputes`).send({ reason: 'Non conforme', statement: STATEMENT });
  expect(opened.status).toBe(201);
  const d = `/v1/disputes/${opened.body.id}`;
  await eventually(async () => ((await mediator.get(d)).body.state === 'escalated' ? true : undefined), 20000, 'escalated');
  expect((await mediator.post(`${d}/information-requests`).send({ party: 'provider', question: 'Quelle part est livrée ?' })).status).toBe(201);
  expect((await asProvider.post(`${d}/responses`).send({ statement: 'Les deux tiers.' })).status).toBe(201);
  expect((await mediator.post(`${d}/decision`).send({ providerAmount: 40000, clientAmount: 20000, rationale: RATIONALE })).status).toBe(200);
  // the mails went out, addressed from what PostgreSQL holds
  await sys.mail.waitFor((m) => m.to.includes(client.email) && /décision/i.test(m.subject));
  await sys.mail.waitFor((m) => m.to.includes(provider.email) && /décision/i.test(m.subject));

  const ids = await eventually(async () => {
    const found: string[] = [];
    for await (const w of sys.temporal.workflow.list({ query: `ProjectId = "${projectId}"` })) found.push(w.workflowId);
    return found.some((id) => id.startsWith('refund:')) ? found.sort() : undefined;
  }, 15000, 'the refund workflow listed');
  expect(ids.filter((id) => id.startsWith('milestone:'))).toHaveLength(2);
  expect(ids).toContain(`project:${projectId}`);
  return { ids, client, provider, decisionPath: d };
}

describe('dev settings (payloads in clear)', () => {
  let sys: ApiSystem;
  beforeAll(async () => {
    sys = await startApiSystem({ DISPUTE_RESPONSE_WINDOW: '2s', DISPUTE_REMINDER_SCHEDULE: '1s' });
  });
  afterAll(() => sys?.close());

  test('no e-mail address in any history of a project: workflows carry the parties by id', async () => {
    const { ids, client, provider } = await liveProject(sys);
    for (const id of ids) {
      const text = textOf(await rawHistory(sys, id));
      expect(text).not.toContain(client.email);
      expect(text).not.toContain(provider.email);
      expect(text).not.toMatch(EMAIL);
      expect(text).toContain(client.id);
    }
  });
});

describe('payload encryption (on by default in production)', () => {
  const [k1, k2] = [key(), key()];
  let sys: ApiSystem;
  beforeAll(async () => {
    sys = await startApiSystem({ DISPUTE_RESPONSE_WINDOW: '2s', DISPUTE_REMINDER_SCHEDULE: '1s', PAYLOAD_ENCRYPTION_KEYS: `k1:${k1}` });
  });
  afterAll(() => sys?.close());

  test('every stored payload is sealed; replay, the codec endpoint and a rotated keyring read them; a keyring without their key does not', async () => {
    const { ids, client, decisionPath } = await liveProject(sys);
    const milestone = ids.find((id) => id.startsWith('milestone:'))!;
    const histories = await Promise.all(ids.map((id) => rawHistory(sys, id)));
    for (const history of histories) {
      const payloads = payloadsIn(history.events);
      expect(payloads.length).toBeGreaterThan(0);
      expect(payloads.map((p) => keyIdOf({ metadata: p.metadata ?? {}, data: p.data ?? undefined }))).toEqual(payloads.map(() => 'k1'));
      const text = textOf(history);
      for (const secret of [STATEMENT, RATIONALE, client.email, client.name]) expect(text).not.toContain(secret);
    }

    // what the API answers is decrypted: the statement is there in clear
    expect((await (await sys.as('med-1', 'mediator')).get(decisionPath)).body.statements[0].text).toBe(STATEMENT);

    // replay, as a worker does after an eviction: with the key, and after a rotation that kept it
    const bundle = await bundleWorkflows();
    const disputedHistory = histories.find((h) => textOf(h).includes('decideDispute'))!;
    const replay = (keys: string) => Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: dataConverterFor({ PAYLOAD_ENCRYPTION_KEYS: parseKeyring(keys) }) }, disputedHistory);
    await expect(replay(`k1:${k1}`)).resolves.toBeUndefined();
    await expect(replay(`k2:${k2},k1:${k1}`)).resolves.toBeUndefined();
    await expect(replay(`k2:${k2}`)).rejects.toThrow();
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, disputedHistory)).rejects.toThrow();

    // the Web UI's path: the codec endpoint, for staff, with CORS for the UI's origin
    const sealed = payloadsIn((await rawHistory(sys, milestone)).events).map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(p.data ?? []).toString('base64'),
    }));
    const staffToken = await sys.token('med-1', 'mediator');
    const decoded = await request(sys.app).post('/v1/codec/decode').set('authorization', `Bearer ${staffToken}`).set('origin', 'http://localhost:8233').send({ payloads: sealed });
    expect(decoded.status).toBe(200);
    expect(decoded.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const clear = decoded.body.payloads.map((p: { data: string }) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');
    expect(clear).toContain('"milestoneId"');
    expect(decoded.body.payloads.every((p: { metadata: Record<string, string> }) => Buffer.from(p.metadata.encoding, 'base64').toString() !== 'binary/encrypted')).toBe(true);
    // after a rotation that kept k1 the endpoint still reads them; once k1 is gone it says so
    const rotated = sys.appWith({ PAYLOAD_ENCRYPTION_KEYS: parseKeyring(`k2:${k2},k1:${k1}`) });
    const again = await request(rotated).post('/v1/codec/decode').set('authorization', `Bearer ${staffToken}`).send({ payloads: sealed });
    expect(again.body).toEqual(decoded.body);
    const retired = sys.appWith({ PAYLOAD_ENCRYPTION_KEYS: parseKeyring(`k2:${k2}`) });
    const refused = expectProblem(await request(retired).post('/v1/codec/decode').set('authorization', `Bearer ${staffToken}`).send({ payloads: sealed }), 422);
    expect(refused.detail).toMatch(/key k1/);
    expectProblem(await request(sys.app).post('/v1/codec/decode').set('authorization', `Bearer ${await sys.token(client.id, 'client')}`).send({ payloads: sealed }), 403);
    expectProblem(await request(sys.app).post('/v1/codec/decode').send({ payloads: sealed }), 401);
    expectProblem(await request(sys.app).post('/v1/codec/decode').set('authorization', `Bearer ${staffToken}`).send({ payloads: [{ data: '%%%' }] }), 400);

    // encode (the platform only: it is an oracle for what workers accept) then decode gives back what was sent, sealed under the current key
    const platformToken = await sys.token('platform-1', 'platform');
    const original = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"bonjour"').toString('base64') };
    expectProblem(await request(sys.app).post('/v1/codec/encode').set('authorization', `Bearer ${staffToken}`).send({ payloads: [original] }), 403);
    const encoded = await request(sys.app).post('/v1/codec/encode').set('authorization', `Bearer ${platformToken}`).send({ payloads: [original] });
    expect(Buffer.from(encoded.body.payloads[0].metadata['encryption-key-id'], 'base64').toString()).toBe('k1');
    const back = await request(sys.app).post('/v1/codec/decode').set('authorization', `Bearer ${staffToken}`).send(encoded.body);
    expect(back.body.payloads[0]).toEqual(original);

    // a batch as large as the protocol allows (1.5 MB here) is taken: the codec routes have a body limit of their own
    const big = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.alloc(45_000, 'a').toString('base64') };
    const batch = await request(sys.app).post('/v1/codec/encode').set('authorization', `Bearer ${platformToken}`).send({ payloads: Array(25).fill(big) });
    expect([batch.status, batch.body.payloads?.length]).toEqual([200, 25]);

    const preflight = await request(sys.app).options('/v1/codec/decode').set('origin', 'http://localhost:8233').set('access-control-request-method', 'POST');
    expect(preflight.status).toBe(204);
    expect(preflight.get('access-control-allow-headers')).toMatch(/Authorization/);
    const foreign = await request(sys.app).options('/v1/codec/decode').set('origin', 'https://evil.example').set('access-control-request-method', 'POST');
    expect(foreign.status).toBe(405);
    expect(foreign.get('access-control-allow-origin')).toBeUndefined();
  });
});
