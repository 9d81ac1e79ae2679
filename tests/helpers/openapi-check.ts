import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const pointer = (...tokens: string[]) => tokens.map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks answers against the OpenAPI document the API serves: the route and status must be documented, the content
 * type one the status documents, and a JSON body valid against its schema (strict objects: an undocumented field
 * fails). Answers to paths that match no documented route are not checked (they are 404s of the router).
 */
export function openApiChecker(doc: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(doc, 'api');
  const validators = new Map<string, ValidateFunction>();
  const segment = (s: string) => (/^\{\w+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const templates = Object.keys(doc.paths).map((template) => ({ template, pattern: new RegExp(`^${template.split('/').map(segment).join('/')}$`) }));

  return function check(method: string, url: string, status: number, contentType: string, body: string): string | undefined {
    const path = url.split('?')[0];
    const route = templates.find((t) => t.pattern.test(path));
    const operation = route && doc.paths[route.template][method.toLowerCase()];
    if (!route || !operation) return undefined;
    const where = `${method} ${route.template} → ${status}`;
    const documented = operation.responses?.[String(status)];
    if (!documented) return `${where}: status not documented`;
    const media = contentType.split(';')[0].trim();
    if (!documented.content) return body === '' ? undefined : `${where}: a body where none is documented`;
    if (!documented.content[media]) return `${where}: ${media || 'no content type'} is not documented (${Object.keys(documented.content).join(', ')})`;
    if (!media.endsWith('json')) return undefined;
    const ref = `api#/${pointer('paths', route.template, method.toLowerCase(), 'responses', String(status), 'content', media, 'schema')}`;
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.getSchema(ref);
      if (!validate) return `${where}: no schema at ${ref}`;
      validators.set(ref, validate);
    }
    if (validate(JSON.parse(body))) return undefined;
    return `${where}: ${ajv.errorsText(validate.errors, { separator: '; ' })}`;
  };
}

/**
 * The app behind a listener that checks every answer it sends against the document, and keeps what it finds:
 * whoever sends the request (a helper, supertest, a raw socket), a wrong answer is noticed.
 */
export function checkedListener(app: RequestListener, check: ReturnType<typeof openApiChecker>, violations: string[]): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown) => {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') keep(chunk);
      if (req.method !== 'HEAD') {
        const found = check(req.method ?? 'GET', req.url ?? '/', res.statusCode, String(res.getHeader('content-type') ?? ''), Buffer.concat(chunks).toString('utf8'));
        if (found) violations.push(found);
      }
      return end(chunk, ...rest);
    }) as typeof res.end;
    app(req, res);
  };
}
