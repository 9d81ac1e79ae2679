import type { DataConverter, Payload } from '@temporalio/common';
import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { UnknownPayloadKey } from '../../lib/payload-codec';
import { HttpProblem } from '../problem';
import type { ApiRoutes } from '../route';
import { CodedPayloadBatch, PayloadBatch } from './codec.schemas';

type WireBatch = z.infer<typeof PayloadBatch>;

const fromWire = (batch: WireBatch): Payload[] =>
  batch.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));
const toWire = (payloads: Payload[]): WireBatch => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});

/**
 * The codec server Temporal's Web UI calls to show encrypted payloads in clear (its codec endpoint setting:
 * `<API>/v1/codec`), for staff only. Without payload encryption payloads pass through unchanged.
 */
export function codecRoutes(routes: ApiRoutes, { dataConverter }: { dataConverter?: DataConverter }): void {
  const codecs = dataConverter?.payloadCodecs ?? [];
  const decode = async (payloads: Payload[]) => {
    try {
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    } catch (err) {
      // a key retired from the keyring, or bytes that are not what they claim: the caller's batch, not our fault
      if (err instanceof UnknownPayloadKey) throw new HttpProblem(422, err.message, 'undecodable-payload');
      throw new HttpProblem(422, `a payload does not decrypt: ${(err as Error).message}`, 'undecodable-payload');
    }
    return payloads;
  };
  const encode = async (payloads: Payload[]) => {
    for (const codec of codecs) payloads = await codec.encode(payloads);
    return payloads;
  };
  routes.add({
    route: 'POST /v1/codec/decode',
    summary: "Decodes workflow payloads for Temporal's Web UI (codec-server protocol): mediators and the platform read statements and rationales",
    body: PayloadBatch,
    responses: { 200: { description: 'the payloads decoded', schema: CodedPayloadBatch } },
  }).handle(async ({ body }) => ({ status: 200, body: toWire(await decode(fromWire(body))) }));
  routes.add({
    route: 'POST /v1/codec/encode',
    summary: "Encodes payloads for Temporal's Web UI (codec-server protocol), e.g. a signal staff send from it",
    body: PayloadBatch,
    responses: { 200: { description: 'the payloads encoded', schema: CodedPayloadBatch } },
  }).handle(async ({ body }) => ({ status: 200, body: toWire(await encode(fromWire(body))) }));
}

/**
 * CORS for the codec routes: the Web UI, on its own origin, calls them from the browser with the staff's bearer
 * token. The preflight is answered here, before the method guard and authentication (it carries no token).
 */
export function codecCors(origins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (!req.path.startsWith('/v1/codec/')) return next();
    const origin = req.get('origin');
    if (origin && origins.includes(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    // a preflight from an allowed origin; any other OPTIONS gets the API's 405 (a refused origin thus fails its preflight)
    if (req.method === 'OPTIONS' && origin && origins.includes(origin) && req.get('access-control-request-method')) return void res.status(204).end();
    next();
  };
}
