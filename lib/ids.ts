import { randomBytes } from 'node:crypto';

/** Opaque, URL-safe, prefixed ids: `prj_…`, `ms_…`, `pr_…`, `inv_…`. */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url')}`;
