import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { renderCommand } from '../../src/commands/render.js';
import { readRepo } from '../diff/helpers.js';

/** issue 17: `render` runs the same validation and lint as `plan` and refuses on errors (no file printed). */
function runner(extra: Record<string, string> = {}): FakeRunner {
  const r = new FakeRunner();
  for (const f of ['plans/jts.yaml', 'examples/seed-literal.yaml', 'examples/drives/4tb-nvme.yaml']) r.files.set(f, readRepo(f));
  for (const [k, v] of Object.entries(extra)) r.files.set(k, v);
  return r;
}

async function render(what: string, o: Parameters<typeof renderCommand>[1], r = runner()) {
  let out = '';
  let err = '';
  const code = await renderCommand(what, { color: false, ...o }, { runner: r, stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err, calls: r.calls };
}

const DRIVES = 'examples/drives/4tb-nvme.yaml';

test('render fstab of the specs\' literal plan: refused like plan (barrier=0, nobarrier), nothing printed on stdout', async () => {
  const r = await render('fstab', { plan: 'examples/seed-literal.yaml', drives: DRIVES });
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.match(r.err, /│ Error: JTS-BARRIER-VWC/);
  assert.match(r.err, /│ Error: JTS-MOUNTOPT-REMOVED/);
  assert.match(r.err, /12 errors/);
  assert.deepEqual(r.calls, [], 'offline: no process run');
});

test('render fstab with a mistyped mount option (noatim): refused at its file:line:col', async () => {
  const typo = readRepo('plans/jts.yaml').replace('options: [defaults, noatime,', 'options: [defaults, noatim,');
  const r = await render('fstab', { plan: 'typo.yaml', drives: DRIVES }, runner({ 'typo.yaml': typo }));
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.match(r.err, /Error: JTS-MOUNTOPT-UNKNOWN/);
  assert.match(r.err, /on typo\.yaml:\d+:\d+, in volumes\[\d+\]\.mount\.options\[\d+\]/);
});

test('render of the default plan against its drives prints the files, exit 0', async () => {
  for (const what of ['fstab', 'udev']) {
    const r = await render(what, { plan: 'plans/jts.yaml', drives: DRIVES });
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.length > 100);
  }
  const f = await render('fstab', { plan: 'plans/jts.yaml', drives: DRIVES });
  assert.match(f.out, /^\/dev\/vg_jts\/lv_kafka +\/var\/lib\/kafka +xfs /m);
});
