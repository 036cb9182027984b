import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportHtml } from '../../src/report/html.js';
import { compareResults } from '../../src/bench/compare.js';
import { rehearsalResults, twoRehearsalsAsRepeats } from './rehearse-results.js';
import { fixtureResults } from './fixture-results.js';

const verdictTds = (html: string) => [...html.matchAll(/<td class="(verdict [^"]*)"[^>]*data-verdict="([^"]+)"/g)].map((m) => ({ cls: m[1]!.split(' '), kind: m[2]! }));

test('report of a single-run bench compared with another: verdicts and changes not conclusive, nothing coloured', () => {
  const now = rehearsalResults('1947');
  const comparison = compareResults(now, rehearsalResults('1900'), { baselineName: 'rehearse-1900' });
  const html = renderReportHtml({ results: now, chartJs: '', generatedAt: 'x', comparison });
  const tds = verdictTds(html);
  assert.equal(tds.length, 14);
  assert.ok(tds.every((t) => t.kind === 'not-conclusive' && !t.cls.includes('ok') && !t.cls.includes('bad')));
  assert.match(html, /not conclusive \(1 run\)/);
  assert.doesNotMatch(html, /REGRESSION/);
  // The lowest single-run ratio (0.774) is shown, not coloured.
  assert.match(html, /lowest ratio to raw<b class="">0\.774/);
  // Baseline-vs-now bars for every headline figure, each with its not-conclusive verdict.
  const bars = [...html.matchAll(/<tr data-verdict="([^"]+)"><td>/g)].map((m) => m[1]);
  assert.equal(bars.length, 32); // 8 targets (raw included) × 2 workloads × 2 headline figures
  assert.ok(bars.every((k) => k === 'not-conclusive' || k === 'within-band'));
  assert.match(html, /class="bar base"/);
  // Nothing judged, nothing conclusive: the cards are not green either.
  assert.match(html, /<b class="" id="regressions-count">0 · \d+ not conclusive<\/b>/);
  assert.match(html, /checks<b class="">0 pass \/ 0 fail/);
});

test('report with repeated runs: the verdict table colours exactly the conclusive cells', async () => {
  const html = renderReportHtml({ results: twoRehearsalsAsRepeats(), chartJs: '', generatedAt: 'x' });
  const tds = verdictTds(html);
  assert.ok(tds.some((t) => t.kind === 'slower') && tds.some((t) => t.kind === 'not-conclusive'));
  for (const t of tds) assert.equal(t.cls.includes('bad'), t.kind === 'slower', t.kind);
  assert.match(html, /data-target="lv_backup" data-volume="lv_backup \(\/backup\)" data-profile="rand4k-qd1-write" data-verdict="slower"/);
  assert.match(html, /id="verdict-counts">0 as fast as the drive · \d+ slower · \d+ not conclusive/);
  const fx = renderReportHtml({ results: await fixtureResults(), chartJs: '', generatedAt: 'x' });
  assert.ok(verdictTds(fx).some((t) => t.kind === 'as-fast' && t.cls.includes('ok')));
  assert.match(fx, /<td class="cmp-verdict bad">REGRESSION<\/td>/);
});
