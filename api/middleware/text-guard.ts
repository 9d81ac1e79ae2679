import type { RequestHandler } from 'express';
import { hasForbiddenCharacter } from '../../lib/text';
import { HttpProblem } from '../problem';

/** The path of the first key or string value that is not text the API takes (lib/text.ts), if any. */
function forbiddenCharacterAt(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return hasForbiddenCharacter(value, { lineBreaks: true }) ? path.join('.') || '(root)' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (hasForbiddenCharacter(key)) return [...path, key].join('.');
    const found = forbiddenCharacterAt(inner, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Refuses a body (JSON, form fields, a webhook event) with a control character or a lone surrogate in a key or a
 * value. PostgreSQL refuses both in text and JSON: a statement carrying one would reach a workflow and make the
 * activity that records it fail forever.
 */
export function assertText(body: unknown): void {
  const at = forbiddenCharacterAt(body);
  if (at !== undefined) {
    throw new HttpProblem(400, `a control character or a lone surrogate in ${at}`, 'invalid-input', [{ path: at, message: 'not text: control characters and lone surrogates are refused' }]);
  }
}

export const bodyTextGuard: RequestHandler = (req, _res, next) => {
  assertText(req.body);
  next();
};
