/**
 * A decimal-comma locale on a real kernel (one boot; the guest driver is test/host/vm-locale-driver.ts):
 * with LC_ALL unset and LANG/LC_NUMERIC=fi_FI.UTF-8 (the locale is generated on the host by
 * scripts/setup.sh; the guest shares its root), lvm2 prints "31,48"; `snapshot create`, `snapshot list`
 * and `health` still read the snapshot's fill right, because every host tool runs with LC_ALL=C
 * (src/host/env.ts). ../shared/cases/field/05-lvm-locale on the real lvm2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';

const driver = fileURLToPath(new URL('../host/vm-locale-driver.js', import.meta.url));

test('decimal-comma locale: snapshot create/list and health read LVM figures right (not NaN, not unknown)', { timeout: 900_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'jts-locale-vm-'));
  try {
    const res = await runInSandbox([process.execPath, driver, out], {
      drives: [{ sizeBytes: 2 * 1024 ** 3, serial: 'JTS-LOCALE-0', kind: 'nvme' }],
      outDir: out,
      env: { LANG: 'fi_FI.UTF-8', LC_NUMERIC: 'fi_FI.UTF-8' },
      timeoutS: 840,
      expectWriteBytes: 256 * 1024 ** 2,
    });
    const f = (n: string) => readFileSync(join(out, n), 'utf8');
    const why = (n: string) => `${n}: rc ${existsSync(join(out, `${n}.rc`)) ? f(`${n}.rc`).trim() : '?'}\n${existsSync(join(out, `${n}.out`)) ? f(`${n}.out`).slice(-2000) : ''}\n${existsSync(join(out, 'driver.log')) ? f('driver.log') : res.output.slice(-3000)}`;
    assert.ok(existsSync(join(out, 'done')), `driver did not finish (exit ${res.exitCode}):\n${res.output.slice(-3000)}\n${res.consoleTail}`);
    assert.match(f('driver.log'), /^LC_ALL=\(unset\) LANG=fi_FI\.UTF-8 LC_NUMERIC=fi_FI\.UTF-8/);

    // The fault is real here: lvm2 in the user's locale prints the fill with a decimal comma.
    type Lvs = { report: { lv: { lv_name: string; snap_percent: string }[] }[] };
    const snapRow = (n: string) => (JSON.parse(f(n)) as Lvs).report[0]!.lv.find((l) => l.snap_percent !== '')!;
    assert.match(snapRow('lvs-user-locale.json').snap_percent, /^\d+,\d+$/, f('lvs-user-locale.json'));
    const c = snapRow('lvs-c.json');
    assert.match(c.snap_percent, /^\d+\.\d+$/);
    const truth = Number(c.snap_percent);
    const after = Number(snapRow('lvs-c-after.json').snap_percent);
    assert.ok(truth > 1 && truth < 99, `fill ${truth}`);

    assert.equal(f('create.rc').trim(), '0', why('create'));

    const list = JSON.parse(f('list.out')) as { snapshots: { name: string; fillPercent?: number; status: string }[] };
    const s = list.snapshots.find((x) => x.name === c.lv_name);
    assert.ok(s, why('list'));
    assert.ok(s.fillPercent !== undefined && s.fillPercent >= truth && s.fillPercent <= after, `list fill ${s.fillPercent}, lvs (C) ${truth}..${after}`);
    assert.notEqual(s.status, 'unknown');
    const text = f('list-text.out');
    assert.doesNotMatch(text, /NaN|unknown/, text);
    assert.match(text, new RegExp(`${s.fillPercent.toFixed(1).replace('.', '\\.')}%`), text);

    const health = JSON.parse(f('health.out')) as { checks: { kind: string; subject: string; status: string; value?: number; message: string }[] };
    const hc = health.checks.find((k) => k.kind === 'snapshot_fill' && k.subject === `vg_t/${c.lv_name}`);
    assert.ok(hc, why('health'));
    assert.notEqual(hc.status, 'unknown', hc.message);
    assert.ok(hc.value !== undefined && hc.value >= truth && hc.value <= after, `health fill ${hc.value}, lvs (C) ${truth}..${after}`);
    assert.ok(!health.checks.some((k) => k.kind === 'collect' && k.status === 'unknown'), JSON.stringify(health.checks.filter((k) => k.kind === 'collect')));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
