import type { RequestHandler } from 'express';
import { hasForbiddenCharacter } from '../../lib/text';
import { HttpProblem } from '../problem';

/** A URL component percent-decoded as UTF-8, or undefined when it is not valid UTF-8 (a lone %C3, %FF…). */
function decodeStrictly(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}

/** True when every path segment and query pair decodes as UTF-8 to text without control characters. */
export function isReadableUrl(url: string): boolean {
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  const query = at === -1 ? '' : url.slice(at + 1);
  const components = [...path.split('/'), ...query.split('&').map((pair) => pair.replace(/\+/g, ' '))];
  return components.every((component) => {
    const text = decodeStrictly(component);
    return text !== undefined && !hasForbiddenCharacter(text);
  });
}

/**
 * Refuses, on every route and before anything reads a parameter, a URL whose path or query carries a control
 * character or bytes that are not UTF-8: 400 problem+json instead of a database error.
 */
export const urlGuard: RequestHandler = (req, _res, next) => {
  if (!isReadableUrl(req.originalUrl)) {
    throw new HttpProblem(400, 'the URL contains a control character or percent-encoded bytes that are not UTF-8', 'invalid-url');
  }
  next();
};
