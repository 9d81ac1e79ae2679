import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { claimIdempotencyKey, releaseIdempotencyKey, storedResponse, storeIdempotentResponse, type KeyRef, type StoredResponse } from '../db/idempotency';
import type { Db } from '../db/pool';
import type { AuthUser } from './middleware/auth';
import type { Presence } from './presence';
import { HttpProblem, toProblem } from './problem';
import { runAttempt } from './request-context';

/** However its process looks, a claim older than this may be taken over by the same request. */
const LOCK_SECONDS = 120;
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

/** What a request could not write about its key (the database was down when it answered): written once it is back. */
type PendingWrite = { ref: KeyRef; response?: StoredResponse };

/**
 * `Idempotency-Key` on POST: the first response (success or refusal) is stored with the key for `ttlSeconds` and
 * replayed for the same request; the key with another request is a 422; the key while its first request still
 * runs is a 409 with Retry-After. Failures of ours (5xx) free the key so the request can be retried. An attempt that
 * dies without answering (its process killed) frees its key as soon as its process stops beating (api/presence.ts),
 * and the retry repeats it with the same ids (api/request-context.ts), so it finds what the first attempt did.
 */
export class Idempotency {
  private readonly pending = new Map<string, PendingWrite>();

  constructor(
    private readonly db: Db,
    private readonly ttlSeconds: number,
    private readonly presence: Presence,
  ) {
    setInterval(() => void this.flush(), 1000).unref();
  }

  async run(req: Request, user: AuthUser, produce: () => Promise<StoredResponse>): Promise<StoredResponse & { replayed?: true }> {
    const header = req.get('idempotency-key');
    if (header === undefined) return produce();
    if (!KEY.test(header)) {
      throw new HttpProblem(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters other than ", optionally in double quotes', 'invalid-idempotency-key');
    }
    const ref: KeyRef = { principal: `${user.role}:${user.id}`, key: header.replace(/^"(.*)"$/, '$1') };
    const fingerprint = fingerprintOf(req);
    const name = JSON.stringify([ref.principal, ref.key]);
    return this.presence.holding(name, async () => {
      await this.flushOne(name);
      const claim = await claimIdempotencyKey(this.db, {
        ...ref, fingerprint, ttlSeconds: this.ttlSeconds, lockSeconds: LOCK_SECONDS, owner: this.presence.id,
      });
      switch (claim.outcome) {
        case 'mismatch':
          throw new HttpProblem(422, 'this Idempotency-Key was used for another request; use a new key', 'idempotency-key-reused');
        case 'in-progress':
          throw new HttpProblem(409, 'a request with this Idempotency-Key is still being processed; retry later', 'idempotency-key-in-use', undefined, {
            'Retry-After': '1',
          });
        case 'replay':
          return { ...claim.response, replayed: true as const };
        case 'claimed':
          break;
      }
      let response: StoredResponse;
      try {
        response = await runAttempt(sha256(`${name}\n${fingerprint}`), produce);
      } catch (err) {
        const { problem } = toProblem(err);
        const refusal = { status: problem.status, contentType: 'application/problem+json', body: JSON.stringify(problem) };
        await this.write(name, { ref, response: problem.status >= 500 ? undefined : refusal });
        throw err;
      }
      // Only a stored answer is given: one the database did not take would not be the one a retry gets (the retry
      // runs the request again, under the same ids). If another attempt stored first, its answer is the answer.
      let stored: boolean;
      try {
        stored = await storeIdempotentResponse(this.db, ref, response);
      } catch (err) {
        await this.write(name, { ref });
        throw err;
      }
      if (stored) return response;
      const first = await storedResponse(this.db, ref);
      return first ? { ...first, replayed: true as const } : response;
    });
  }

  /** Stores the response (or frees the key); with the database down, keeps it for `flush`. */
  private async write(name: string, write: PendingWrite): Promise<void> {
    try {
      await (write.response ? storeIdempotentResponse(this.db, write.ref, write.response) : releaseIdempotencyKey(this.db, write.ref));
      this.pending.delete(name);
    } catch {
      this.pending.set(name, write);
    }
  }

  private async flushOne(name: string): Promise<void> {
    const write = this.pending.get(name);
    if (write) await this.write(name, write);
  }

  private async flush(): Promise<void> {
    for (const name of [...this.pending.keys()]) await this.flushOne(name);
  }
}
