import type { RequestHandler } from 'express';

/**
 * Headers for an API that serves JSON and one kind of HTML document (fee invoices, with inline style only):
 * nothing may run scripts (but the API reference page, below), frame it, sniff types, cache personal data or leak
 * the URL as a referrer.
 */
const HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set(HEADERS);
  next();
};

/**
 * The one page that runs scripts, the API reference at /docs (Swagger UI): scripts, styles and fetches from this
 * origin only, images from it or inline (the renderer's icons are data: SVGs). Neither 'unsafe-inline' (the page's
 * bootstrap is a served file; Swagger UI sets styles through the DOM, which CSP allows) nor 'unsafe-eval'.
 * Only the page gets this policy: CSP governs documents, not the scripts and styles they load.
 */
export const docsPageHeaders = pageHeaders("'self' data:");

/**
 * The mediation console at /console: its script and style from this origin, calls to this API only; no inline
 * script or style, no framing, no form posted anywhere (its forms are handled by the script).
 */
export const consolePageHeaders = pageHeaders("'self'");

/** The policy of a page that runs scripts: everything from this origin but images from `imgSrc`, nothing inline. */
function pageHeaders(imgSrc: string): RequestHandler {
  const policy =
    `default-src 'none'; script-src 'self'; style-src 'self'; img-src ${imgSrc}; connect-src 'self'; ` +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  return (_req, res, next) => {
    res.set('Content-Security-Policy', policy);
    next();
  };
}
