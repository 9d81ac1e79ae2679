/**
 * Generated hostile requests for the fuzz test: random methods, ids, query strings, tokens, headers, content types,
 * encodings and bodies, to every route of the access table and to paths that match none. Every POST is hostile in at
 * least one way (an unknown field, a foreign media type, a bad signature…), so none may change anything.
 */
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ACCESS_POLICY, splitRouteKey, type RouteKey } from '../../api/access-policy';
import { signPayload } from '../../lib/webhook-signature';
import { PDF } from './fixtures';
import { idsByParam, validBodies, type World } from './security-world';

export interface Fuzzed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const ROUTES = Object.keys(ACCESS_POLICY) as RouteKey[];
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const percentBytes = fc.uint8Array({ minLength: 1, maxLength: 24 }).map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join(''));
const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,80}$/),
  fc.constantFrom('..', '.', '%2e%2e', '%00', '%E0%A4%A', '%ZZ', '%2F', "'%20OR%201=1--", '%F0%9F%92%B8', '-1', '0', '__proto__', 'constructor'),
  percentBytes,
);

/** Mostly the world's id for that parameter (so requests reach the deep checks), sometimes another or a hostile one. */
function idFor(world: World, param: string): fc.Arbitrary<string> {
  const ids = idsByParam(world);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...ids[param]) },
    { weight: 1, arbitrary: fc.constantFrom(...Object.values(ids).flat()) },
    { weight: 2, arbitrary: segment },
  );
}

const routePath = (world: World) =>
  fc.constantFrom(...ROUTES).chain((key) => {
    const { path } = splitRouteKey(key);
    const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    return fc.tuple(...params.map((param) => idFor(world, param))).map((ids) => {
      let i = 0;
      return { key, path: path.replace(/:\w+/g, () => ids[i++]) };
    });
  });
const strayPath = fc.array(segment, { minLength: 0, maxLength: 6 }).map((segs) => ({ key: undefined, path: `/${['v1', ...segs].join('/')}` }));

const query = fc.option(
  fc.dictionary(fc.stringMatching(/^[a-zA-Z_[\]]{1,12}$/), fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/), percentBytes, fc.constantFrom('201', '-1', '1e9', 'escalated', '')), { maxKeys: 4 }),
  { nil: undefined },
).map((q) => (q && Object.keys(q).length ? `?${Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}` : ''));

const authorization = (tokens: string[]) =>
  fc.oneof(
    fc.constant(undefined),
    { weight: 8, arbitrary: fc.constantFrom(...tokens).map((t) => `Bearer ${t}`) },
    fc.constantFrom(...tokens).map((t) => `Bearer ${t.slice(0, -3)}abc`),
    fc.constantFrom(...tokens).map((t) => `bearer ${t}`),
    printable.map((s) => `Bearer ${s}`),
    printable,
  );

/** JSON that no route accepts: objects always carry an unknown field; other values are never an object. */
const hostileJson = (world: World, key: RouteKey | undefined) => {
  const unknownField = fc.stringMatching(/^[a-z]{1,10}$/).map((k) => `zz_${k}`);
  const near = validBodies(world)[key as never] as Record<string, unknown> | undefined;
  return fc.oneof(
    fc.tuple(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), unknownField).map(([o, k]) => ({ ...o, [k]: 1 })),
    fc.tuple(fc.dictionary(fc.constantFrom(...Object.keys(near ?? { state: 1 })), fc.jsonValue({ maxDepth: 2 })), unknownField).map(([o, k]) => ({ ...near, ...o, [k]: true })),
    fc.jsonValue({ maxDepth: 3 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
    fc.constant({ __proto__: { role: 'platform' }, constructor: { prototype: { admin: true } }, zz_x: 1 }),
  );
};

function multipart(fields: [string, string][], file?: Buffer): { contentType: string; body: Buffer } {
  const boundary = 'fuzzboundary7e3a';
  const parts: Buffer[] = fields.map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="invoice"; filename="f.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), file, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1',
  'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=x',
  'application/octet-stream', '*/*', 'garbage', 'application/json;;;',
];

/** A body with its headers: hostile JSON, raw bytes, or a multipart form with an unknown field. */
const body = (world: World, key: RouteKey | undefined) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.tuple(hostileJson(world, key), fc.constantFrom(...CONTENT_TYPES)).map(([v, ct]) => ({ contentType: ct, bytes: Buffer.from(JSON.stringify(v)) })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }))
        .filter(([b]) => !isEmptyJsonObject(Buffer.from(b)))
        .map(([b, ct]) => ({ contentType: ct, bytes: Buffer.from(b) })),
    },
    { weight: 1, arbitrary: fc.integer({ min: 101, max: 160 }).map((kb) => ({ contentType: 'application/json', bytes: Buffer.from(JSON.stringify({ zz: 'x'.repeat(kb * 1024) })) })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.array(fc.tuple(fc.constantFrom('invoiceNumber', 'amount', 'invoice', 'x'), printable), { maxLength: 6 }), fc.boolean(), fc.stringMatching(/^[a-z]{1,8}$/))
        .map(([fields, withFile, extra]) => {
          const m = multipart([...fields, [`zz_${extra}`, '1']], withFile ? PDF : undefined);
          return { contentType: m.contentType, bytes: m.body };
        }),
    },
  );

function isEmptyJsonObject(b: Buffer): boolean {
  try {
    const v = JSON.parse(b.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
  } catch {
    return false;
  }
}

const ENCODINGS: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => gzipSync(b, { level: 1 }),
  deflate: (b) => deflateSync(b, { level: 1 }),
  br: (b) => brotliCompressSync(b, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } }),
};
const encoding = fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-unknown', 'gzip, gzip'), { nil: undefined });

const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'content-type', 'content-encoding', 'authorization', 'expect', 'upgrade', 'te', 'keep-alive']);
const extraHeaders = fc.dictionary(
  fc.stringMatching(/^[a-z][a-z-]{0,20}$/).filter((h) => !FORBIDDEN_HEADERS.has(h)),
  printable,
  { maxKeys: 3 },
);

/** Requests to the world's routes with the given tokens; each POST is hostile in at least one way. */
export function hostileRequests(world: World, tokens: string[]): fc.Arbitrary<Fuzzed> {
  const bodies = new Map<RouteKey | undefined, ReturnType<typeof body>>();
  const bodyFor = (key: RouteKey | undefined) => bodies.get(key) ?? bodies.set(key, body(world, key)).get(key)!;
  return fc
    .tuple(
      fc.oneof({ weight: 9, arbitrary: routePath(world) }, { weight: 1, arbitrary: strayPath }),
      fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') }),
      query,
      authorization(tokens),
      extraHeaders,
      encoding,
      fc.boolean(),
      fc.option(printable, { nil: undefined }),
    )
    .chain(([target, methodOverride, q, auth, extra, enc, encodeForReal, idempotencyKey]) => {
      const method = methodOverride ?? (target.key ? splitRouteKey(target.key).method.toUpperCase() : 'GET');
      return bodyFor(target.key).map((b) => {
        const headers: Record<string, string> = { ...extra };
        if (auth !== undefined) headers.authorization = auth;
        if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
        if (target.key === 'POST /v1/webhooks/payments') headers['payment-signature'] = signPayload('not-the-webhook-secret', b.bytes);
        if (method === 'GET' || method === 'HEAD') return { method, path: target.path + q, headers };
        let bytes = b.bytes;
        if (b.contentType) headers['content-type'] = b.contentType;
        if (enc) {
          headers['content-encoding'] = enc;
          if (encodeForReal && ENCODINGS[enc]) bytes = ENCODINGS[enc](bytes);
        }
        return { method, path: target.path + q, headers, body: bytes };
      });
    });
}
