import type { RequestHandler } from 'express';
import { HttpProblem } from '../problem';

/** NUL, DEL and the C0 controls but tab, line feed and carriage return: no text of the API holds one. */
const isForbidden = (code: number) => (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;
const hasForbidden = (text: string) => [...text].some((c) => isForbidden(c.charCodeAt(0)));

/** The path of the first key or string value holding a forbidden control character, if any. */
export function controlCharacterAt(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return hasForbidden(value) ? path.join('.') || '(root)' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (hasForbidden(key)) return [...path, key].join('.');
    const found = controlCharacterAt(inner, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Refuses a body (JSON or form fields) with a control character in a key or a value. PostgreSQL refuses NUL in text
 * and JSON: a statement carrying one would reach a workflow and make the activity that records it fail forever.
 */
export const bodyTextGuard: RequestHandler = (req, _res, next) => {
  const at = controlCharacterAt(req.body);
  if (at !== undefined) {
    throw new HttpProblem(400, `a control character in ${at}`, 'invalid-input', [{ path: at, message: 'control characters are not allowed' }]);
  }
  next();
};
