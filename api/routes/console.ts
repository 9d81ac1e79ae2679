import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import { consolePageHeaders } from '../middleware/security-headers';
import { problemResponses, responseConfig } from '../openapi';

const CONSOLE_DIR = path.join(__dirname, '..', 'console');
/** The files the page loads, and only those. */
const ASSETS = new Set(['console.js', 'console.css', 'icon.svg']);

/**
 * The SMA's mediation console at /console/: a static page that signs in with a mediator's token and calls the public
 * REST API from the browser, like any other client of it. Served from this origin so that no CORS is needed.
 */
export function consoleRouter({ registry }: { registry: OpenAPIRegistry }) {
  registry.registerPath({
    method: 'get',
    path: '/console',
    summary: "The mediation console for the SMA's staff (a page; it signs in with a mediator's token and uses this API)",
    responses: { 200: responseConfig({ description: 'the console page', contentType: 'text/html' }), ...problemResponses([400, 429]) },
  });
  const page = readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8');
  const router = express.Router();
  // (Express's routing is not strict: /console/ gets the page too, and its links are absolute)
  router.get('/console', consolePageHeaders, (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/console/assets/:file', (req, res, next) => {
    if (ASSETS.has(req.params.file)) res.sendFile(req.params.file, { root: CONSOLE_DIR });
    else next();
  });
  return router;
}
