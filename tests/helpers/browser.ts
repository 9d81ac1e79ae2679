import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where `screenshot(name)` writes: a test artefact, git-ignored. */
export const SCREENSHOTS_DIR = path.resolve(__dirname, '..', 'browser', 'screenshots');

/** The machine's Chromium (Debian's package, scripts/install-chromium.sh); Playwright's own browser download is never used. */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface OpenedPage {
  page: Page;
  /** console messages of type error, with where they come from */
  consoleErrors: string[];
  /** uncaught exceptions in the page */
  pageErrors: string[];
  /** the URL of every request the page made, in order */
  requests: string[];
  /** requests that got no answer (refused, blocked, aborted), with the reason */
  failedRequests: string[];
  /** a PNG of the whole page in SCREENSHOTS_DIR; returns its path */
  screenshot(name: string): Promise<string>;
}

export interface TestBrowser {
  /** a fresh context (no shared cookies or storage) on one page, listened to from before it loads `url` */
  openPage(url: string): Promise<OpenedPage>;
  close(): Promise<void>;
}

/** Headless Chromium, started once per test file: open pages and read what went wrong in them. */
export async function startBrowser(): Promise<TestBrowser> {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: run scripts/install-chromium.sh or set CHROMIUM_PATH`);
  // --no-sandbox: the tests run as root on CI, where Chromium's sandbox refuses to start.
  const browser: Browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  return {
    async openPage(url) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const opened: OpenedPage = {
        page,
        consoleErrors: [],
        pageErrors: [],
        requests: [],
        failedRequests: [],
        async screenshot(name) {
          mkdirSync(SCREENSHOTS_DIR, { recursive: true });
          const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
          await page.screenshot({ path: file, fullPage: true });
          return file;
        },
      };
      page.on('console', (message) => {
        if (message.type() === 'error') opened.consoleErrors.push(`${message.text()} (${message.location().url})`);
      });
      page.on('pageerror', (error) => opened.pageErrors.push(error.stack ?? error.message));
      page.on('request', (request) => opened.requests.push(request.url()));
      page.on('requestfailed', (request) => opened.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
      await page.goto(url);
      return opened;
    },
    close: () => browser.close(),
  };
}
