import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { claimIdempotencyKey, releaseIdempotencyKey, storeIdempotentResponse, type KeyRef, type StoredResponse } from '../db/idempotency';
import type { Db } from '../db/pool';
import type { AuthUser } from './middleware/auth';
import { HttpProblem, toProblem } from './problem';

/** A request that died without answering keeps its key this long before the same request may take it over. */
const LOCK_SECONDS = 600;
/**
 * 1 to 255 visible ASCII characters but `"`, bare or in the double quotes of the IETF draft's sf-string form (the
 * same key either way). No space: HTTP trims a header value's edges, so a key with spaces would not be the one sent.
 */
export const IDEMPOTENCY_KEY_PATTERN = '^(?:"[!#-~]{1,255}"|[!#-~]{1,255})$';
const KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Objects with their keys sorted, so that the same JSON written in another order is the same request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

function fingerprintOf(req: Request): string {
  const file = req.file ? sha256(req.file.buffer) : null;
  return sha256(JSON.stringify([req.method, req.originalUrl, canonical(req.body ?? null), file]));
}

/**
 * `Idempotency-Key` on POST: the first response (success or refusal) is stored with the key for `ttlSeconds` and
 * replayed for the same request; the key with another request is a 422; the key while its first request still
 * runs is a 409. Failures of ours (5xx) free the key so the request can be retried.
 */
export class Idempotency {
  constructor(
    private readonly db: Db,
    private readonly ttlSeconds: number,
  ) {}

  async run(req: Request, user: AuthUser, produce: () => Promise<StoredResponse>): Promise<StoredResponse & { replayed?: true }> {
    const header = req.get('idempotency-key');
    if (header === undefined) return produce();
    if (!KEY.test(header)) {
      throw new HttpProblem(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters other than ", optionally in double quotes', 'invalid-idempotency-key');
    }
    const ref: KeyRef = { principal: `${user.role}:${user.id}`, key: header.replace(/^"(.*)"$/, '$1') };
    const claim = await claimIdempotencyKey(this.db, { ...ref, fingerprint: fingerprintOf(req), ttlSeconds: this.ttlSeconds, lockSeconds: LOCK_SECONDS });
    switch (claim.outcome) {
      case 'mismatch':
        throw new HttpProblem(422, 'this Idempotency-Key was used for another request; use a new key', 'idempotency-key-reused');
      case 'in-progress':
        throw new HttpProblem(409, 'a request with this Idempotency-Key is still being processed; retry later', 'idempotency-key-in-use', undefined, {
          'Retry-After': '1',
        });
      case 'replay':
        return { ...claim.response, replayed: true };
      case 'claimed':
        break;
    }
    let response: StoredResponse;
    try {
      response = await produce();
    } catch (err) {
      const { problem } = toProblem(err);
      if (problem.status >= 500) await releaseIdempotencyKey(this.db, ref);
      else await storeIdempotentResponse(this.db, ref, { status: problem.status, contentType: 'application/problem+json', body: JSON.stringify(problem) });
      throw err;
    }
    await storeIdempotentResponse(this.db, ref, response);
    return response;
  }
}
