import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { renderReportHtml } from '../../src/report/html.js';
import { chartJsPath } from '../../src/report/report.js';
import { fixtureResults } from './fixture-results.js';

/**
 * The report in a real browser: Debian's Chromium, driven by playwright-core (no browser download),
 * with the network blocked. Checks that every chart was created and drew something, and saves a
 * screenshot (path printed; JTS_REPORT_SCREENSHOT=FILE to choose it).
 */
const CHROMIUM = process.env.JTS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

test('the HTML report renders its charts in headless Chromium, offline', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: install Debian's chromium (bash scripts/setup.sh)`);
  const results = await fixtureResults();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jts-report-'));
  const file = path.join(dir, 'report.html');
  writeFileSync(file, renderReportHtml({ results, chartJs: readFileSync(chartJsPath(), 'utf8'), generatedAt: new Date().toISOString(), source: 'fixtures' }));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const offsite: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      offsite.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('file://' + file);
    await page.waitForFunction(() => (window as unknown as { __jtsCharts?: number }).__jtsCharts !== undefined, null, { timeout: 30_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(offsite, [], 'the report fetched nothing from the network');
    const state = await page.evaluate(() => {
      const w = window as unknown as { __jtsCharts: number; Chart: { getChart(c: HTMLCanvasElement): unknown } };
      const canvases = [...document.querySelectorAll('canvas')];
      return {
        count: w.__jtsCharts,
        canvases: canvases.map((c) => {
          const ctx = c.getContext('2d')!;
          const d = ctx.getImageData(0, 0, c.width, c.height).data;
          let painted = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) painted++;
          return { id: c.id, hasChart: !!w.Chart.getChart(c), width: c.width, height: c.height, painted };
        }),
      };
    });
    // Two charts per profile plus the ratio chart.
    assert.equal(state.count, results.profiles.length * 2 + 1);
    assert.equal(state.canvases.length, state.count);
    for (const c of state.canvases) {
      assert.ok(c.hasChart, `${c.id}: a Chart instance`);
      assert.ok(c.width > 100 && c.height > 100, `${c.id}: sized`);
      // Axes, bars and labels: far more than a few stray pixels on a blank canvas.
      assert.ok(c.painted > 2000, `${c.id}: canvas painted (${c.painted} pixels)`);
    }
    const shot = process.env.JTS_REPORT_SCREENSHOT ?? path.join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 20_000);
    console.log(`report screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
});
