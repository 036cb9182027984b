import { test } from 'node:test';
import assert from 'node:assert/strict';
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
