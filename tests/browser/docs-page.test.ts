import type { TestBrowser } from '../helpers/browser';
import { startBrowserSuite, type BrowserSuite } from '../helpers/browser-suite';

let suite: BrowserSuite;
let browser: TestBrowser;
let origin: string;

beforeAll(async () => {
  suite = await startBrowserSuite();
  ({ browser, origin } = suite);
}, 120000);
afterAll(() => suite?.close());

type Spec = { paths: Record<string, Record<string, { summary?: string }>> };

test('/docs renders every operation of /openapi.json, from this origin only, without an error', async () => {
  const spec = (await (await fetch(`${origin}/openapi.json`)).json()) as Spec;
  const operations = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));

  const docs = await browser.openPage(`${origin}/docs`);
  const { page } = docs;
  await page.waitForFunction((n) => document.querySelectorAll('.opblock').length >= n, operations.length, { timeout: 30000 });
  const rendered = await page.$$eval('.opblock', (blocks) =>
    blocks.map((b) => `${b.querySelector('.opblock-summary-method')?.textContent} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
  );
  expect(rendered.sort()).toEqual(operations.sort());
  const text = await page.textContent('#reference');
  for (const [method, path] of [['post', '/v1/projects'], ['post', '/v1/disputes/{disputeId}/decision'], ['get', '/v1/me/notifications'], ['get', '/docs']]) {
    expect(text).toContain(spec.paths[path][method].summary);
  }

  // Opened and ready to try, an operation shows its schemas, examples and icons: still nothing the policy refuses.
  const createProject = page.locator('.opblock-post:has(.opblock-summary-path[data-path="/v1/projects"])');
  await createProject.locator('.opblock-summary').click();
  await createProject.locator('.try-out__btn').click();
  await createProject.locator('.execute').waitFor({ timeout: 10000 });
  await docs.screenshot('docs-page');
  expect({ consoleErrors: docs.consoleErrors, pageErrors: docs.pageErrors, failedRequests: docs.failedRequests }).toEqual({ consoleErrors: [], pageErrors: [], failedRequests: [] });
  expect(docs.requests).toContain(`${origin}/openapi.json`);
  expect(docs.requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
});

test('only the page may run scripts, and only its own files: nothing inline, no eval', async () => {
  const page = await fetch(`${origin}/docs`);
  const policy = page.headers.get('content-security-policy') ?? '';
  expect(policy).toContain("script-src 'self';");
  expect(policy).not.toContain('unsafe-');
  expect((await fetch(`${origin}/docs/assets/swagger-ui-bundle.js`)).headers.get('content-security-policy')).toContain("default-src 'none'");
  expect((await fetch(`${origin}/health`)).headers.get('content-security-policy')).not.toContain('script-src');
  // the renderer's package holds more than the page needs (a demo page pointing elsewhere): none of it is served
  expect((await fetch(`${origin}/docs/assets/index.html`)).status).toBe(404);
});
