import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderReportHtml, esc, scriptJson } from '../../src/report/html.js';
import { chartJsPath, writeReport } from '../../src/report/report.js';
import { saveResults } from '../../src/bench/results.js';
import { FakeRunner } from '../support/fake-runner.js';
import { fixtureResults } from './fixture-results.js';

test('the report is one self-contained file: chart.js inlined, nothing fetched from the network', async () => {
  const results = await fixtureResults();
  const chartJs = readFileSync(chartJsPath(), 'utf8');
  const html = renderReportHtml({ results, chartJs, generatedAt: '2026-11-21T12:00:00.000Z' });
  assert.ok(html.includes('Chart.js v4'), 'chart.js UMD inlined');
  assert.doesNotMatch(html, /<script[^>]+src=/i, 'no external script');
  assert.doesNotMatch(html, /<link[^>]+href=/i, 'no external stylesheet');
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?https?:/i);
  // The sections the issue asks for.
  for (const id of ['plan', 'profiles', 'ratios', 'first-write', 'comparison', 'health', 'method', 'emulation-note']) assert.match(html, new RegExp(`id="${id}"`), id);
  assert.match(html, /absolute numbers are not the drive's/);
  // A chart pair per profile, and the raw ratio chart.
  for (const p of results.profiles) {
    assert.ok(html.includes(`id="lat-${p.name}"`) && html.includes(`id="tp-${p.name}"`), p.name);
  }
  assert.ok(html.includes('id="ratio-chart"'));
  assert.match(html, /REGRESSION/);
  assert.match(html, /before-upgrade/);
  // Health from the bench time, escaped.
  assert.match(html, /Health at the time of the bench/);
  assert.ok(html.includes('vg_fx/lv_fs &lt;script&gt;'));
  assert.ok(!html.includes('lv_fs <script>'));
});

test('without health data or a baseline, the report says so instead of failing', async () => {
  const results = await fixtureResults();
  delete results.health;
  delete results.comparison;
  results.ratios = [];
  const html = renderReportHtml({ results, chartJs: '', generatedAt: 'x' });
  assert.match(html, /Health: unavailable/);
  assert.match(html, /No baseline compared/);
  assert.match(html, /No raw side in this run/);
  const unavailable = renderReportHtml({ results: { ...results, health: { at: 't', available: false, note: 'the health module is not part of this build' } }, chartJs: '', generatedAt: 'x' });
  assert.match(unavailable, /Health: unavailable — the health module is not part of this build/);
});

test('escaping: text and embedded JSON cannot close the script element', () => {
  assert.equal(esc('<a href="x">&\''), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  assert.ok(!scriptJson({ a: '</script><script>alert(1)</script>' }).includes('</script'));
  assert.deepEqual(JSON.parse(scriptJson({ a: '</script>' })), { a: '</script>' });
});

test('writeReport: newest saved results by default, written atomically to --out', async () => {
  const results = await fixtureResults();
  const r = new FakeRunner();
  r.files.set(chartJsPath(), '/* chart */');
  await saveResults(r, { ...results, createdAt: '2020-01-01T00:00:00.000Z' }, 'old', '/res');
  await saveResults(r, results, 'new', '/res');
  const w = await writeReport(r, { resultsDir: '/res', out: '/tmp/r.html' });
  assert.equal(w.source, '/res/new.json');
  assert.match(r.files.get('/tmp/r.html')!, /after-upgrade/);
  await assert.rejects(writeReport(new FakeRunner(), { resultsDir: '/none', out: '/tmp/r.html' }), /no saved bench results in \/none/);
  // report --compare against saved results.
  const c = await writeReport(r, { results: 'new', compare: 'old', resultsDir: '/res', out: '/tmp/c.html' });
  assert.match(r.files.get('/tmp/c.html')!, /Baseline <code>old<\/code>/);
  assert.equal(c.results.name, 'after-upgrade');
});

test('bench --one-per-path: the plan table says which volume was measured for each', async () => {
  const results = await fixtureResults();
  results.meta.onePerPath = [{ target: 'lv_fs', path: 'ext4 on a linear LV of vg_fx', standsFor: ['lv_gone'] }];
  const html = renderReportHtml({ results, chartJs: '', generatedAt: 'x' });
  assert.match(html, /one per I\/O path/);
  assert.match(html, /<td>lv_gone<\/td>(<td>[^<]*<\/td>)+<td>as lv_fs<\/td><\/tr>/);
  assert.match(html, /<td>lv_fs<\/td>(<td>[^<]*<\/td>)+<td>measured<\/td><\/tr>/);
});
