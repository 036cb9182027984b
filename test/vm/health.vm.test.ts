/**
 * health on a real kernel (one sandbox boot): apply a small plan, then fill a volume to 85 % and
 * 95 %, grow a classic snapshot's COW fill past its policy's thresholds, then past its size (LVM
 * invalidates it). Guest side: test/health/vm/scenario.sh. The textfile the last run writes is checked
 * here with promtool and served by node_exporter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInSandbox } from '../../src/sandbox/index.js';
import type { Check, HealthReport } from '../../src/health/types.js';
import { renderTable } from '../../src/health/render.js';
import { promtoolCheck, scrapeTextfileDir } from '../health/helpers.js';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);

function check(r: HealthReport, kind: Check['kind'], subject: string): Check {
  const c = r.checks.find((k) => k.kind === kind && k.subject === subject);
  assert.ok(c, `no ${kind} ${subject}: ${r.checks.map((k) => `${k.kind}:${k.subject}=${k.status}`).join(', ')}`);
  return c;
}

test('health on the test bed: 85 % → warning (1), 95 % → critical (2), snapshot fill → warning/critical, overflow → lost', { timeout: 900_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'jts-health-vm-'));
  try {
    const res = await runInSandbox(['bash', join(ROOT, 'test/health/vm/scenario.sh'), out, join(ROOT, 'test/health/vm/plan.yaml')], {
      drives: [{ sizeBytes: 8 * 1024 ** 3, serial: 'JTS-HEALTH-0', kind: 'nvme' }],
      outDir: out,
      cwd: ROOT,
      timeoutS: 840,
      expectWriteBytes: 2 * 1024 ** 3,
    });
    const f = (name: string) => readFileSync(join(out, name), 'utf8');
    const rc = (name: string) => Number(f(`${name}.rc`).trim());
    const rep = (name: string) => JSON.parse(f(`${name}.out`)) as HealthReport;
    assert.ok(existsSync(join(out, 'done')), `scenario did not finish (exit ${res.exitCode}):\n${res.output.slice(-3000)}\n${res.consoleTail}`);
    assert.equal(rc('apply'), 0, `apply failed:\n${f('apply.err').slice(-3000)}`);

    // Right after apply: everything OK.
    const base = rep('h-base');
    assert.equal(rc('h-base'), 0, renderTable(base));
    assert.equal(base.status, 'ok');
    assert.deepEqual(base.toolCalls, ['lvm fullreport', 'findmnt', 'lsblk', 'nvme smart-log']);
    assert.equal(check(base, 'mount_options', 'vg_h/lv_data').status, 'ok');
    assert.equal(check(base, 'scheduler', 'nvme0n1').status, 'ok');
    assert.equal(check(base, 'vg_free', 'vg_h').status, 'ok');
    assert.equal(check(base, 'drive_temperature', 'nvme0n1').value, 50); // QEMU: 323 K

    const h85 = rep('h-85');
    assert.equal(rc('h-85'), 1, renderTable(h85));
    const v85 = check(h85, 'volume_used', 'vg_h/lv_data');
    assert.equal(v85.status, 'warning');
    assert.ok(v85.value! >= 84.5 && v85.value! < 86, `fill ${v85.value}`);

    const h95 = rep('h-95');
    assert.equal(rc('h-95'), 2, renderTable(h95));
    assert.equal(check(h95, 'volume_used', 'vg_h/lv_data').status, 'critical');
    assert.equal(check(h95, 'volume_used', 'vg_h/lv_logs').status, 'ok');

    // Classic snapshot, policy 40 / 60 %.
    const sw = rep('s-warn');
    const cw = check(sw, 'snapshot_fill', 'vg_h/lv_data_snap');
    assert.equal(cw.status, 'warning', cw.message);
    assert.equal(rc('s-warn'), 1);
    const sc = rep('s-crit');
    assert.equal(check(sc, 'snapshot_fill', 'vg_h/lv_data_snap').status, 'critical');
    assert.equal(rc('s-crit'), 2);
    const sl = rep('s-lost');
    const lost = check(sl, 'snapshot_fill', 'vg_h/lv_data_snap');
    assert.equal(lost.status, 'critical');
    assert.match(lost.message, /lost/);
    assert.equal(sl.snapshots[0]!.invalid, true);
    assert.equal(rc('s-lost'), 2);

    // The textfile that run wrote: promtool accepts it, node_exporter serves it.
    const prom = f('textfile/jts_storage.prom');
    const pc = promtoolCheck(prom);
    if (pc) assert.equal(pc.status, 0, pc.output);
    const body = await scrapeTextfileDir(join(out, 'textfile'));
    if (body !== undefined) {
      assert.match(body, /^jts_storage_snapshot_invalid\{lv="lv_data_snap",origin="lv_data",type="classic",vg="vg_h"\} 1$/m);
      assert.match(body, /^jts_storage_volume_used_ratio\{lv="lv_data",mount="\/srv\/health\/data",vg="vg_h"\} /m);
      assert.match(body, /^node_textfile_scrape_error 0$/m);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
