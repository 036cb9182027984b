import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { renderReportHtml } from '../../src/report/html.js';
import { chartJsPath } from '../../src/report/report.js';
import { fixtureResults } from './fixture-results.js';
import { rehearsalResults, twoRehearsalsAsRepeats } from './rehearse-results.js';
import { compareResults } from '../../src/bench/compare.js';
import { volumeVerdicts } from '../../src/bench/volume-verdicts.js';

/**
 * BROWSER TEST (headless Chromium). The report in a real browser: Debian's Chromium (scripts/setup.sh
 * installs it; CI has it), driven by playwright-core (no browser download), with the network blocked.
 * Checks that every chart was created and drew something, reads the verdict table back from the DOM,
 * and saves screenshots (paths printed; JTS_REPORT_SCREENSHOT=FILE to choose the first one's, e.g.
 * docs/report-screenshot.png). Skipped, saying why, only when the chromium binary is absent.
 */
const CHROMIUM = process.env.JTS_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The report and its screenshot are removed after the test unless JTS_KEEP_SCREENSHOTS=1 (then the path is printed). */
function keepOrRemove(dir: string): void {
  if (process.env.JTS_KEEP_SCREENSHOTS === '1') console.log(`report and screenshot kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `browser test skipped: ${CHROMIUM} is absent (install Debian's chromium: bash scripts/setup.sh, or set JTS_CHROMIUM)`;

test('the HTML report renders its charts in headless Chromium, offline', { skip: NO_CHROMIUM }, async (t) => {
  const results = await fixtureResults();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jts-report-'));
  t.after(() => keepOrRemove(dir));
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

test('browser: the verdict table answers per volume, colours only the conclusive cells; baseline-vs-now bars', { skip: NO_CHROMIUM }, async (t) => {
  // Real runs: the two rehearsals' bench runs as two repeats, compared with the first rehearsal alone.
  const results = twoRehearsalsAsRepeats();
  const comparison = compareResults(results, rehearsalResults('1900'), { baselineName: 'rehearse-1900' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jts-report-'));
  t.after(() => keepOrRemove(dir));
  const file = path.join(dir, 'verdicts.html');
  writeFileSync(file, renderReportHtml({ results, comparison, chartJs: readFileSync(chartJsPath(), 'utf8'), generatedAt: new Date().toISOString(), source: 'test/fixtures/report' }));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
    await page.goto('file://' + file);
    await page.waitForFunction(() => (window as unknown as { __jtsCharts?: number }).__jtsCharts !== undefined, null, { timeout: 30_000 });
    const cells = await page.$$eval('#verdict-table td.verdict', (tds) =>
      tds.map((td) => ({
        target: td.getAttribute('data-target'),
        profile: td.getAttribute('data-profile'),
        kind: td.getAttribute('data-verdict'),
        text: td.querySelector('.vtext')?.textContent ?? '',
        cls: [...td.classList],
        background: getComputedStyle(td).backgroundColor,
        visible: (td as HTMLElement).offsetWidth > 0 && (td as HTMLElement).offsetHeight > 0,
      })),
    );
    const rows = await page.$$eval('#verdict-table tbody th.volume', (ths) => ths.map((th) => th.textContent ?? ''));
    // One row per volume of the plan (the raw side is the reference, not a row), one cell per workload.
    assert.deepEqual(
      rows.map((x) => x.split(' ')[0]),
      ['lv_system', 'lv_postgres', 'lv_clickhouse', 'lv_kafka', 'lv_mongodb', 'lv_redis', 'lv_backup'],
    );
    assert.equal(cells.length, 14);
    const expected = volumeVerdicts(results);
    for (const c of cells) {
      const v = expected.find((x) => x.target === c.target && x.profile === c.profile)!;
      assert.ok(c.visible, `${c.target} ${c.profile}: shown`);
      assert.equal(c.kind, v.kind);
      assert.equal(c.text, v.text);
      assert.match(c.text, /^(as fast as the drive|slower by \d+ %|not conclusive \((noise|1 run)\))$/);
      // Colour only outside the noise: red for a conclusive "slower", neutral for not conclusive.
      assert.equal(c.cls.includes('bad'), c.kind === 'slower', `${c.target} ${c.profile}`);
      assert.equal(c.cls.includes('ok'), c.kind === 'as-fast', `${c.target} ${c.profile}`);
      if (c.kind === 'slower') assert.equal(c.background, 'rgb(255, 235, 233)');
      if (c.kind === 'not-conclusive') assert.equal(c.background, 'rgb(246, 248, 250)');
    }
    assert.ok(cells.some((c) => c.kind === 'slower') && cells.some((c) => c.kind === 'not-conclusive'));
    // lv_kafka's single-run 0.561 write p99 is inside the noise once repeated.
    assert.equal(cells.find((c) => c.target === 'lv_kafka' && c.profile === 'rand4k-qd1-write')!.text, 'not conclusive (noise)');
    // Baseline vs now: two bars per headline figure; the baseline is a single run, so no REGRESSION.
    const bars = await page.$$eval('#comparison-bars tbody tr', (trs) =>
      trs.map((tr) => ({ verdict: tr.getAttribute('data-verdict'), bars: [...tr.querySelectorAll('.bar .fill')].map((b) => (b as HTMLElement).offsetWidth), text: tr.lastElementChild?.textContent ?? '' })),
    );
    assert.equal(bars.length, 32);
    for (const b of bars) {
      assert.equal(b.bars.length, 2);
      assert.ok(Math.max(...b.bars) > 50, 'the larger bar is drawn');
      assert.doesNotMatch(b.text, /REGRESSION/);
    }
    const shot = path.join(dir, 'verdicts.png');
    await (await page.$('#verdicts'))!.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 20_000);
    console.log(`verdict table screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
});
