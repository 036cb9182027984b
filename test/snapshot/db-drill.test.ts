import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDbDrill, runDbDrill, type DbDrillResult } from '../../src/snapshot/db-drill.js';
import { dbDrillFlow } from '../../src/snapshot/flows.js';
import { actFor } from '../support/host-run.js';
import { FakeRunner } from '../support/fake-runner.js';

test('db drill: the counts are printed; PASS only with 0 lost and 0 present after the snapshot', () => {
  const d: DbDrillResult = {
    volume: 'vg/lv_pg', database: 'postgresql', snapshot: 'vg/lv_pg.snap.drill.x', pass: true, committedBefore: 20, presentBefore: 20, lost: 0,
    writtenAfter: 19, presentAfter: 0, inFlight: 1, presentTotal: 21, hooks: ['postgresql pre: ok'], recovery: ['LOG:  redo done at 0/1'], phases: [{ name: 'start', ms: 5 }], remountedAt: ['/var/lib/postgresql'],
  };
  const t = renderDbDrill(d);
  assert.match(t, /committed before the snapshot 20, present after restore 20, LOST 0; written after the snapshot 19, present 0; in flight 1/);
  assert.match(t, /drill: PASS/);
  assert.match(renderDbDrill({ ...d, cluster: 'initdb on the volume' }), /^  cluster: initdb on the volume$/m);
  assert.match(renderDbDrill({ ...d, pass: false, lost: 2, presentBefore: 18 }), /LOST 2[\s\S]*drill: FAIL/);
});

test('db drill: an unknown database and --dry-run are refused before anything runs', async () => {
  const r = new FakeRunner();
  await assert.rejects(dbDrillFlow('vg/lv', 'mysql', { runner: r, act: actFor(r) }), /not postgresql or redis/);
  await assert.rejects(runDbDrill(r, actFor(r, { dryRun: true }), 'vg/lv', 'redis'), /no --dry-run/);
  await assert.rejects(dbDrillFlow('vg/lv', 'redis', { runner: r, act: actFor(r) }, { pgTemplate: '/x.tar' }), /--pg-template is for --database postgresql only/);
  assert.equal(r.calls.length, 0);
});
