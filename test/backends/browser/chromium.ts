/**
 * Headless Chromium for the gpu.js shader tests (gpujs-browser.test.ts, resident-browser.test.ts): Debian's chromium
 * driven by playwright-core, a page served from 127.0.0.1 (a secure context, so WebGPU may answer) that loads gpu.js's
 * browser bundle, harness.js and an optional /resident.js. Flags found to give WebGL2 (SwiftShader) and a WebGPU
 * SwiftShader adapter in Debian's headless Chromium 156.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((p) => p && existsSync(p));
export const CHROMIUM_FLAGS = ['--no-sandbox', '--headless=new', '--enable-unsafe-webgpu', '--enable-features=Vulkan'];

export interface Probe {
  readonly secureContext: boolean;
  readonly webgl2: boolean;
  readonly colorBufferFloat: boolean;
  readonly webgpu: boolean;
}

export interface TestPage {
  readonly page: Page;
  readonly probe: Probe;
  /** gpu.js modes that answer: 'webgl2' and/or 'webgpu'. */
  readonly modes: string[];
  /** The page's console and errors. */
  readonly log: string[];
  readonly version: string;
  close(): Promise<void>;
}

/** Starts the server and the browser and opens the page; `resident` is the text served as /resident.js. */
export async function openTestPage(resident = ''): Promise<TestPage> {
  const here = fileURLToPath(new URL('./', import.meta.url));
  const files: Record<string, [string, Buffer | string]> = {
    '/': ['text/html', readFileSync(`${here}page.html`)],
    '/harness.js': ['text/javascript', readFileSync(`${here}harness.js`)],
    '/resident.js': ['text/javascript', resident],
    '/gpu-browser.min.js': ['text/javascript', readFileSync(fileURLToPath(new URL('../../../node_modules/gpu.js/dist/gpu-browser.min.js', import.meta.url)))],
  };
  const server: Server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    if (!f) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', f[0]);
    res.end(f[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: CHROMIUM_FLAGS });
    const page = await browser.newPage();
    const log: string[] = [];
    page.on('console', (m) => log.push(m.text()));
    page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
    await page.goto(`http://127.0.0.1:${port}/`);
    const probe = await page.evaluate(() => (globalThis as unknown as { purkinje: { probe(): Promise<Probe> } }).purkinje.probe());
    const modes = [...(probe.webgl2 ? ['webgl2'] : []), ...(probe.webgpu ? ['webgpu'] : [])];
    return { page, probe, modes, log, version: browser.version(), close };
  } catch (e) {
    await close();
    throw e;
  }
}
