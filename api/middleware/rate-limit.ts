import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '../problem';

/**
 * Token buckets in this process's memory, one per key: `capacity` requests at once, refilled evenly over `windowMs`.
 * Each API instance limits on its own; behind N instances a caller gets up to N times the limit.
 */
export class TokenBuckets {
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

/** 429 with Retry-After once the caller's bucket (by address, or by user once authenticated) is empty. */
export function rateLimit(buckets: TokenBuckets, scope: 'address' | 'user', keyOf: (req: Request) => string | undefined): RequestHandler {
  return (req, _res, next) => {
    const key = keyOf(req);
    if (key === undefined) return next();
    const taken = buckets.take(key);
    if (!taken.ok) {
      throw new HttpProblem(429, `too many requests from this ${scope}; retry in ${taken.retryAfterSeconds} s`, 'rate-limited', undefined, {
        'Retry-After': String(taken.retryAfterSeconds),
      });
    }
    next();
  };
}
