import type { Server } from 'node:http';
import { listen } from '../../api/server';
import { startApiSystem, type ApiSystem } from './api-system';
import { startBrowser, type TestBrowser } from './browser';

export interface BrowserSuite {
  sys: ApiSystem;
  browser: TestBrowser;
  /** where the app listens, for the browser */
  origin: string;
  close(): Promise<void>;
}

/** What a browser test file sets up: the real app over real services, listening on a port, and headless Chromium. */
export async function startBrowserSuite(settings: Record<string, string> = {}): Promise<BrowserSuite> {
  const [sys, browser] = await Promise.all([startApiSystem(settings), startBrowser()]);
  const server: Server = await listen(sys.app, 0, '127.0.0.1');
  return {
    sys,
    browser,
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      await browser.close();
      server.close();
      await sys.close();
    },
  };
}
