import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderJson, renderPrometheus, renderTable, runHealth, summarizeReport, writeTextfile } from '../../src/health/index.js';
import { escapeLabel } from '../../src/health/render.js';
import { ExecRunner } from '../../src/core/exec-runner.js';
import { guestPlan, guestRunner, promtoolCheck, scrapeTextfileDir, statfsAt } from './helpers.js';

async function report() {
  const fr = guestRunner();
  fr.statfsTable.set('/mnt/data', statfsAt(85));
  return runHealth(fr, { plan: guestPlan() });
}

test('prometheus: HELP and TYPE for every family, base units, labels vg/lv/mount/drive', async () => {
  const text = renderPrometheus(await report());
  for (const name of [
    'jts_storage_status',
    'jts_storage_check_status',
    'jts_storage_vg_free_bytes',
    'jts_storage_volume_used_bytes',
    'jts_storage_volume_used_ratio',
    'jts_storage_volume_size_bytes',
    'jts_storage_volume_inodes_used_ratio',
    'jts_storage_snapshot_fill_ratio',
    'jts_storage_thinpool_metadata_ratio',
    'jts_storage_drive_temperature_celsius',
    'jts_storage_drive_percentage_used_ratio',
    'jts_storage_drive_media_errors_total',
  ]) {
    assert.match(text, new RegExp(`^# HELP ${name} `, 'm'), name);
    assert.match(text, new RegExp(`^# TYPE ${name} (gauge|counter)$`, 'm'), name);
  }
  assert.match(text, /^jts_storage_volume_used_ratio\{vg="vg_h",lv="lv_data",mount="\/mnt\/data"\} 0\.85$/m);
  assert.match(text, /^jts_storage_drive_temperature_celsius\{drive="nvme0n1"\} 50$/m);
  assert.match(text, /^jts_storage_snapshot_fill_ratio\{vg="vg_h",lv="lv_logs_snap",origin="lv_logs",type="classic"\} 1$/m);
  assert.match(text, /^jts_storage_status 2$/m);
  assert.match(text, /^jts_storage_check_status\{check="volume_used",subject="vg_h\/lv_data",vg="vg_h",lv="lv_data",mount="\/mnt\/data"\} 1$/m);
});

test('label values are escaped', () => {
  assert.equal(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
});

test('promtool check metrics accepts the output', async (t) => {
  const r = promtoolCheck(renderPrometheus(await report()));
  if (r === undefined) return t.skip('promtool not installed (Debian package prometheus; scripts/setup.sh installs it)');
  assert.equal(r.status, 0, `promtool: ${r.output}`);
  assert.equal(r.output.trim(), '', 'no lint remarks');
});

test('textfile written atomically (temp + rename in the same dir), nothing else left behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jts-health-'));
  try {
    const rep = await report();
    const p = await writeTextfile(new ExecRunner(), dir, rep);
    assert.equal(p, join(dir, 'jts_storage.prom'));
    assert.deepEqual(readdirSync(dir), ['jts_storage.prom']);
    assert.equal(readFileSync(p, 'utf8'), renderPrometheus(rep));
    // Through runHealth's option too (FakeRunner records the atomic write).
    const fr = guestRunner();
    await runHealth(fr, { plan: guestPlan(), textfileDir: '/var/lib/prometheus/node-exporter/' });
    assert.match(fr.files.get('/var/lib/prometheus/node-exporter/jts_storage.prom') ?? '', /^# HELP jts_storage_status/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('node_exporter textfile collector serves our series on /metrics', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jts-health-nx-'));
  try {
    await writeTextfile(new ExecRunner(), dir, await report());
    const body = await scrapeTextfileDir(dir);
    if (body === undefined) return t.skip('node_exporter not installed (Debian package prometheus-node-exporter)');
    assert.match(body, /^jts_storage_volume_used_ratio\{lv="lv_data",mount="\/mnt\/data",vg="vg_h"\} 0\.85$/m);
    assert.match(body, /^jts_storage_drive_temperature_celsius\{drive="nvme0n1"\} 50$/m);
    assert.match(body, /^jts_storage_status 2$/m);
    // The collector reports a parse problem of our file as node_textfile_scrape_error 1.
    assert.match(body, /^node_textfile_scrape_error 0$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('table: Nagios first line, plan names, problems most severe first', async () => {
  const text = renderTable(await report());
  const lines = text.split('\n');
  assert.match(lines[0]!, /^JTS-STORAGE CRITICAL - 1 critical, 2 warning, 0 unknown, \d+ ok \| vg_h\/lv_logs_snap: snapshot of lv_logs lost/);
  assert.match(text, /vg_h\/lv_data\s+\/mnt\/data\s+1\.0 GiB\s+953\.7 MiB\s+85\.0 %/);
  const p = lines.indexOf('Problems:');
  assert.match(lines[p + 1]!, /^ {2}CRITICAL/);
  assert.match(lines[p + 2]!, /^ {2}WARNING/);
});

test('JSON and the rehearse summary', async () => {
  const rep = await report();
  const j = JSON.parse(renderJson(rep));
  assert.equal(j.exitCode, 2);
  assert.equal(j.checks.length, rep.checks.length);
  const s = summarizeReport(j);
  assert.equal(s.status, 'critical');
  assert.deepEqual(s.counts, { ok: rep.checks.length - 3, warning: 2, critical: 1, unknown: 0 });
  assert.match(s.problems[0]!, /^CRITICAL snapshot_fill vg_h\/lv_logs_snap/);
});
