import type { Request, RequestHandler } from 'express';
import type { Db } from '../../db/pool';
import { forgetFullBuckets, takeTokens, type Taken } from '../../db/rate-limits';
import { within } from '../../lib/within';
import { HttpProblem } from '../problem';

export interface Limiter {
  take(key: string): Taken | Promise<Taken>;
}

/**
 * Token buckets in this process's memory, one per key: `capacity` requests at once, refilled evenly over `windowMs`.
 * Alone, each API instance would limit on its own (behind N instances, N times the limit): this is the fallback of
 * the shared buckets below while PostgreSQL does not answer.
 */
export class TokenBuckets implements Limiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly capacity: number,
    windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    this.perMs = capacity / windowMs;
  }

  /** Takes one token for `key`; when none is left, says how many seconds until one is. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    if (!this.buckets.has(key)) this.admit(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Keeps memory bounded under many keys (many addresses): full buckets carry no information and go first. */
  private admit(key: string, bucket: { tokens: number; at: number }) {
    if (this.buckets.size >= this.maxKeys) {
      const now = this.now();
      for (const [k, b] of this.buckets) {
        if (b.tokens + (now - b.at) * this.perMs >= this.capacity) this.buckets.delete(k);
      }
      for (const k of this.buckets.keys()) {
        if (this.buckets.size < this.maxKeys) break;
        this.buckets.delete(k);
      }
    }
    this.buckets.set(key, bucket);
  }
}

/** Tokens this process took ahead from a busy caller's shared bucket, spent here until `until`. */
interface Lease {
  tokens: number;
  size: number;
  until: number;
}

/** How long a lease's tokens may be spent: a token is never used much later than the bucket let it go. */
const LEASE_MS = 1_000;

/**
 * Buckets in PostgreSQL, shared by every API process (db/rate-limits.ts), so that N replicas give a caller the
 * limit once. When the database does not answer within `timeoutMs`, this process limits on its own for a while
 * (`TokenBuckets`) rather than queue every request behind an unreachable database or let everything through. The
 * bound is generous (2 s): a burst from one caller queues on that caller's row, and on a loaded machine 250 ms was
 * seen to pass, sending a whole burst to the per-process fallback (176 of 200 let through for a limit of 120).
 *
 * A busy caller's row would take one statement per request, all queued on that one row (the bench's 200 req/s from
 * one address): instead each process leases tokens, one statement at a time per key, doubling the lease while
 * leases run out within `LEASE_MS`, up to 1 % of the capacity (64 at most), and returns an expired lease's unspent
 * tokens with its next statement. Leased tokens come out of the shared bucket, so the limit still holds once across
 * processes; below a capacity of 200 a lease is one token, as without leases.
 */
export class SharedTokenBuckets implements Limiter {
  private readonly local: TokenBuckets;
  private localUntil = 0;
  private forgotAt = 0;
  private readonly maxLease: number;
  private readonly leases = new Map<string, Lease>();
  private readonly fetching = new Map<string, Promise<Taken>>();

  constructor(
    private readonly db: Db,
    private readonly scope: string,
    private readonly capacity: number,
    private readonly windowMs: number,
    private readonly timeoutMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {
    this.local = new TokenBuckets(capacity, windowMs, now);
    this.maxLease = Math.max(1, Math.min(64, Math.floor(capacity / 100)));
  }

  async take(key: string): Promise<Taken> {
    for (;;) {
      if (this.now() < this.localUntil) return this.local.take(key);
      const lease = this.leases.get(key);
      if (lease && lease.tokens > 0 && this.now() < lease.until) {
        lease.tokens -= 1;
        return { ok: true };
      }
      const pending = this.fetching.get(key);
      if (!pending) return this.lease(key);
      // Another request of this caller is taking a lease: its tokens, or its refusal, are this one's too.
      const taken = await pending;
      if (!taken.ok) return taken;
    }
  }

  /** One statement for `key`: this request's token and the lease's, or the refusal. */
  private lease(key: string): Promise<Taken> {
    const now = this.now();
    const previous = this.leases.get(key);
    const live = previous !== undefined && now < previous.until;
    const want = live && previous.tokens === 0 ? Math.min(this.maxLease, previous.size * 2) : 1;
    const giveBack = previous && !live ? previous.tokens : 0;
    this.leases.delete(key);
    const fetched = this.fromDatabase(key, want, giveBack, now).finally(() => this.fetching.delete(key));
    this.fetching.set(key, fetched);
    return fetched;
  }

  private async fromDatabase(key: string, want: number, giveBack: number, now: number): Promise<Taken> {
    try {
      // The settings are part of the key: buckets of other limits (a changed setting, another test) never mix.
      const shared = `${this.scope}/${this.capacity}/${this.windowMs}:${key}`;
      const taken = await within(takeTokens(this.db, shared, want, this.capacity, this.windowMs, giveBack), this.timeoutMs);
      if (now - this.forgotAt > this.windowMs) {
        this.forgotAt = now;
        void forgetFullBuckets(this.db).catch(() => undefined);
      }
      if ('retryAfterSeconds' in taken) return { ok: false, retryAfterSeconds: taken.retryAfterSeconds };
      this.leases.set(key, { tokens: taken.granted - 1, size: taken.granted, until: this.now() + LEASE_MS });
      return { ok: true };
    } catch {
      this.localUntil = now + 5_000;
      return this.local.take(key);
    }
  }
}

/** 429 with Retry-After once the caller's bucket (by address, or by user once authenticated) is empty. */
export function rateLimit(buckets: Limiter, scope: 'address' | 'user', keyOf: (req: Request) => string | undefined): RequestHandler {
  return async (req, _res, next) => {
    const key = keyOf(req);
    if (key === undefined) return next();
    const taken = await buckets.take(key);
    if (!taken.ok) {
      throw new HttpProblem(429, `too many requests from this ${scope}; retry in ${taken.retryAfterSeconds} s`, 'rate-limited', undefined, {
        'Retry-After': String(taken.retryAfterSeconds),
      });
    }
    next();
  };
}
