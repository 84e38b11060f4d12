/// <reference lib="dom" />
/**
 * End to end: `serve` runs CUBA and a headless Chromium (Debian's, through playwright-core) opens the page, sees
 * spikes arrive and drawn, pauses the run (simulated time stops advancing) and resumes it. Skipped, with the reason
 * printed, where Chromium is not installed (apt-get install chromium).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { loadScenario } from '../../src/scenarios/loader.ts';
import { serveScenario } from '../../src/cli/serve.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find((p) => p && existsSync(p));
if (!CHROMIUM) console.warn('[e2e] skipped: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)');

describe.skipIf(!CHROMIUM)('live view in a real browser', () => {
  it('draws streamed spikes, pauses and resumes', async () => {
    const live = await serveScenario(loadScenario('cuba'), { durationMs: 60_000, speed: 0.5 });
    const browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--headless=new'] });
    try {
      const page = await browser.newPage();
      await page.goto(live.url);
      await page.waitForFunction(() => Number(document.getElementById('drawn')!.textContent) > 50, undefined, { timeout: 20_000 });
      // The raster canvas has coloured pixels.
      const painted = await page.evaluate(() => {
        const c = document.getElementById('raster') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      });
      expect(painted).toBeGreaterThan(50);
      await page.click('#pause');
      await page.waitForFunction(() => document.getElementById('status')!.textContent === 'paused');
      await page.waitForTimeout(300);
      const t1 = Number(await page.textContent('#simms'));
      await page.waitForTimeout(600);
      const t2 = Number(await page.textContent('#simms'));
      expect(t2).toBe(t1);
      await page.click('#resume');
      await page.waitForFunction((t) => Number(document.getElementById('simms')!.textContent) > t, t2, { timeout: 10_000 });
    } finally {
      await browser.close();
      await live.close();
    }
  });
});
