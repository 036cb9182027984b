// ../shared/cases/field/05-lvm-locale (copied to test/fixtures/field/05-lvm-locale): bin/lvs and
// bin/vgs print a captured report with "," as the radix unless the effective LC_NUMERIC is C, as lvm2
// does. `snapshot list` must show the same listing (91.5 % critical, 40.3 % ok) in C and under fi_FI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ExecRunner } from '../../src/core/exec-runner.js';
import { readLvm } from '../../src/snapshot/lvm-report.js';
import { listView, renderList } from '../../src/snapshot/list.js';
import { testPath } from './fixtures.js';

const CASE = testPath('fixtures/field/05-lvm-locale');
const NOW = new Date('2026-11-21T13:00:00Z');

/** Run fn with process.env changed (PATH: the case's bin first), restored afterwards. */
async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

const FI = { LC_ALL: undefined, LANG: 'fi_FI.UTF-8', LC_NUMERIC: 'fi_FI.UTF-8' };
const C = { LC_ALL: 'C', LANG: undefined, LC_NUMERIC: undefined };

async function listing(locale: Record<string, string | undefined>) {
  return withEnv({ ...locale, PATH: `${CASE}/bin:${process.env.PATH}` }, async () => {
    const st = await readLvm(new ExecRunner());
    const rows = listView(st.snapshots, NOW, undefined);
    return { rows, text: renderList(rows) };
  });
}

test('the stand-in really localizes: without LC_ALL=C it prints "91,50" (so the test below is not vacuous)', () => {
  const r = spawnSync(`${CASE}/bin/lvs`, [], { env: { PATH: process.env.PATH, LC_NUMERIC: 'fi_FI.UTF-8' }, encoding: 'utf8' });
  assert.match(r.stdout, /"snap_percent":"91,50"/);
});

test('snapshot list (ExecRunner, the case bin first on PATH): same listing in C and under LC_NUMERIC=fi_FI.UTF-8', async () => {
  const c = await listing(C);
  const fi = await listing(FI);
  assert.equal(fi.text, c.text);
  assert.doesNotMatch(fi.text, /NaN/);
  const pg = fi.rows.find((r) => r.origin === 'lv_pg')!;
  const kafka = fi.rows.find((r) => r.origin === 'lv_kafka')!;
  assert.deepEqual([pg.fillPercent, pg.status], [91.5, 'critical']);
  assert.deepEqual([kafka.fillPercent, kafka.status], [40.25, 'ok']);
  assert.match(fi.text, /lv_pg\.snap\.databases\.20261121T120000Z .* 91\.5% +critical/);
  assert.match(fi.text, /40\.3% +ok/);
});

test('the CLI itself (node bin/jts-storage.js snapshot list --plan): same output in C and fi_FI', () => {
  const cli = testPath('../bin/jts-storage.js');
  const run = (locale: Record<string, string | undefined>) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...locale, PATH: `${CASE}/bin:${process.env.PATH}` })) if (v !== undefined) env[k] = v;
    return spawnSync(process.execPath, [cli, 'snapshot', 'list', '--plan', `${CASE}/plan.yaml`], { env, encoding: 'utf8' });
  };
  const c = run(C);
  const fi = run(FI);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(fi.status, 0, fi.stderr);
  // The AGE column moves with the clock between the two runs: compare the rest.
  const strip = (s: string) => s.replace(/\b\d+d\d+h\b|\b\d+h\d+m\b|\b\d+m\b/g, 'AGE');
  assert.equal(strip(fi.stdout), strip(c.stdout));
  assert.match(fi.stdout, /91\.5% +critical/);
  assert.match(fi.stdout, /40\.3% +ok/);
});

test('a fill that cannot be read is "unknown" with a non-OK status, never NaN/ok', async () => {
  const { snapshotsFrom, parseLvsJson } = await import('../../src/snapshot/lvm-report.js');
  const { readFileSync } = await import('node:fs');
  const localized = readFileSync(`${CASE}/lvs.json`, 'utf8').replace(/"(\d+)\.(\d{2})"/g, '"$1,$2"');
  const rows = listView(snapshotsFrom(parseLvsJson(localized)), NOW, undefined);
  for (const r of rows) {
    assert.equal(r.fillPercent, undefined);
    assert.equal(r.status, 'unknown');
    assert.match(r.fillUnknown!, /snap_percent="\d+,\d+", not a C-locale number/);
  }
  const text = renderList(rows);
  assert.doesNotMatch(text, /NaN| ok /);
  assert.match(text, /fill unknown: LVM printed/);
});
