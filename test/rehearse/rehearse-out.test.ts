import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultRehearseOut, formatRehearseReport, type RehearseReport } from '../../src/rehearse/rehearse.js';

/** issue 17: rehearse keeps its report and results in a folder it names, and prints their paths. */
test('default rehearse --out: /var/lib/jts-storage/rehearse/STAMP as root, ./jts-storage-rehearse/STAMP otherwise', () => {
  const now = new Date('2026-11-30T17:55:01.123Z');
  assert.equal(defaultRehearseOut(now, 0, '/home/op'), '/var/lib/jts-storage/rehearse/2026-11-30T17-55-01Z');
  assert.equal(defaultRehearseOut(now, 1000, '/home/op'), '/home/op/jts-storage-rehearse/2026-11-30T17-55-01Z');
});

test('the summary prints where the results and the report are', async () => {
  const r: RehearseReport = {
    ok: true,
    planFile: 'plans/jts.yaml',
    drivesFile: 'examples/drives/4tb-nvme.yaml',
    changes: [],
    steps: [],
    bootMs: 1000,
    wallMs: 2000,
    imageBytes: 1e6,
    withinBudget: { time: true, disk: true },
    keptIn: '/var/lib/jts-storage/rehearse/2026-11-30T17-55-01Z',
    reportHtml: '/var/lib/jts-storage/rehearse/2026-11-30T17-55-01Z/report.html',
    guestExitCode: 0,
  };
  const text = await formatRehearseReport(r);
  assert.match(text, /^results: \/var\/lib\/jts-storage\/rehearse\/2026-11-30T17-55-01Z\/ /m);
  assert.match(text, /^report: \/var\/lib\/jts-storage\/rehearse\/2026-11-30T17-55-01Z\/report\.html$/m);
});

/** issue 17: the summary of a real rehearsal (its rehearsal.json, each step's JSON left out) fits 80 columns. */
test('the summary of a captured rehearsal fits 80 columns: the table wraps inside its columns', async () => {
  const file = path.resolve('test/fixtures/rehearse/rehearsal-1900.json');
  const r = JSON.parse(readFileSync(file, 'utf8')) as RehearseReport;
  for (const width of [80, 100]) {
    const text = await formatRehearseReport(r, width);
    const long = text.split('\n').filter((l) => l.length > width);
    assert.deepEqual(long, [], `lines over ${width} columns`);
    // Every table line has both borders, and all have the same length: wrapped by column, borders whole.
    const rows = text.split('\n').filter((l) => /^[|+]/.test(l));
    assert.ok(rows.length > 10);
    assert.equal(new Set(rows.map((l) => l.length)).size, 1);
    assert.ok(rows.every((l) => /[|+]$/.test(l)));
  }
  const text = await formatRehearseReport(r, 80);
  // The bench step's key figures are all there, wrapped at spaces within their column.
  const figures = text
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) => l.split('|').at(-2)!.trim())
    .join(' ');
  assert.ok(figures.includes('8 targets × 2 profiles, checks 0 pass / 0 fail / 16 not judged (emulated drives), lowest ratio to raw 0.561 (lv_kafka rand4k-qd1-write)'));
  assert.match(text, /^rehearsal: OK$/m);
  assert.match(text, /^report: \/var\/lib\/jts-storage\/rehearse\/2026-11-30T19-00-19Z\/report\.html$/m);
  // A failed step's reason and output wrap too.
  const failed = structuredClone(r);
  failed.ok = false;
  Object.assign(failed.steps[8]!, { ok: false, reason: 'failed checks: lv_postgres pg-wal sync p99 1.2 ms (max 1 ms), lv_kafka kafka-append write p99 3 ms (max 1 ms)', stderrTail: 'x'.repeat(200) });
  const ftext = await formatRehearseReport(failed, 80);
  assert.deepEqual(ftext.split('\n').filter((l) => l.length > 80), []);
  assert.match(ftext, /rehearsal: FAILED$/);
});
