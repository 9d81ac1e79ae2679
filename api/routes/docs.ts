import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express from 'express';
import { docsPageHeaders } from '../middleware/security-headers';
import { problemResponses, responseConfig } from '../openapi';

const PAGE_DIR = path.join(__dirname, '..', 'docs');
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** The files the page loads, and only those: the renderer's package also ships a demo page pointing elsewhere. */
const ASSETS: Record<string, string> = {
  'swagger-ui-bundle.js': SWAGGER_UI_DIR,
  'swagger-ui.css': SWAGGER_UI_DIR,
  'favicon-32x32.png': SWAGGER_UI_DIR,
  'reference.js': PAGE_DIR,
};

/** The API reference for people: /openapi.json rendered by Swagger UI, every file served from this origin. */
export function docsRouter({ registry }: { registry: OpenAPIRegistry }) {
  registry.registerPath({
    method: 'get',
    path: '/docs',
    summary: 'This document, rendered for people (Swagger UI)',
    responses: { 200: responseConfig({ description: 'the API reference page', contentType: 'text/html' }), ...problemResponses([400, 429]) },
  });
  // Sent as a string rather than a file, so that a range request still gets the documented 200.
  const page = readFileSync(path.join(PAGE_DIR, 'index.html'), 'utf8');

  const router = express.Router();
  router.get('/docs', docsPageHeaders, (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/docs/assets/:file', (req, res, next) => {
    const root = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (root) res.sendFile(req.params.file, { root });
    else next();
  });
  return router;
}
