/**
 * docs/dr-runbook.md executed: ONE sandbox boot with four small NVMe drives (RB-A 512 MiB, RB-B 512 MiB,
 * RB-C 1 GiB, RB-D 512 MiB) runs every ```bash runbook:<id> block in order, as bash with set -euo pipefail,
 * with the scenario's hooks around them (test/support/dr-runbook-scenario.ts; guest side
 * test/support/dr-runbook-guest.ts), and this side checks each block's effect: restored files equal to the
 * snapshot's, sizes after the grow, the PV list after adding a drive and after pvmove, a failed drive seen
 * CRITICAL by health and its volume rebuilt from the export with the same sha256, a killed apply resumed,
 * and every file's sha256 surviving to the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';
import { DRIVES, parseRunbook } from '../support/dr-runbook-scenario.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const driver = fileURLToPath(new URL('../support/dr-runbook-guest.js', import.meta.url));
const MiB = 1024 ** 2;

test('the DR runbook: every block of docs/dr-runbook.md runs in order on a real kernel and does what it says', { timeout: 1_800_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-dr-runbook-vm-'));
  try {
    const t0 = Date.now();
    const res = await runInSandbox([process.execPath, driver, out], {
      drives: Object.entries(DRIVES).map(([serial, mib]) => ({ sizeBytes: mib * MiB, serial, kind: 'nvme' as const })),
      outDir: out,
      cwd: ROOT,
      timeoutS: 1500,
      expectWriteBytes: 1024 * MiB,
    });
    const f = (n: string) => (existsSync(join(out, n)) ? readFileSync(join(out, n), 'utf8') : '');
    const rc = (n: string) => Number(f(`${n}.rc`).trim() || NaN);
    const why = (n: string) => `${n}: rc ${f(`${n}.rc`).trim()}\n--- script\n${f(`${n}.sh`).split('\n').slice(-30).join('\n')}\n--- stdout\n${f(`${n}.out`).slice(-3000)}\n--- stderr\n${f(`${n}.err`).slice(-3000)}`;
    const blocks = parseRunbook(readFileSync(join(ROOT, 'docs/dr-runbook.md'), 'utf8'));
    const ran = blocks.filter((b) => existsSync(join(out, `${b.id}.rc`)));
    const last = ran.at(-1)?.id ?? 'setup';
    t.diagnostic(`wall ${((Date.now() - t0) / 1000).toFixed(0)} s; blocks ${(Number(f('blocks-ms')) / 1000).toFixed(0)} s; per block ms: ${blocks.map((b) => `${b.id} ${f(`${b.id}.ms`).trim()}`).join(', ')}`);
    assert.equal(rc('setup'), 0, `${why('setup')}\n--- driver\n${f('driver.log').slice(-3000)}\n--- guest output\n${res.output.slice(-3000)}\n--- console\n${res.consoleTail.slice(-1500)}`);
    assert.equal(f('done').trim(), 'done', `the runbook did not run to its end (last: ${last}; exit ${res.exitCode})\n${why(last)}\n${[`${last}.before`, `${last}.after`].filter((n) => existsSync(join(out, `${n}.rc`))).map(why).join('\n')}\n--- driver\n${f('driver.log').slice(-3000)}\n--- console\n${res.consoleTail.slice(-1500)}`);
    for (const b of blocks) assert.equal(rc(b.id), 0, why(b.id));

    const sums = (n: string) => new Map(f(`${n}.sums`).trim().split('\n').filter(Boolean).map((l) => { const [h, p] = l.split(/\s+/); return [p!, h!] as [string, string]; }));
    const under = (m: Map<string, string>, dir: string) => new Map([...m].filter(([p]) => p.startsWith(dir + '/')));
    const lvs = (n: string) => (JSON.parse(f(`${n}.lvs.json`)).report[0].lv as { lv_name: string; lv_size: string; lv_attr: string; origin: string; devices: string }[]);
    const pvs = (n: string) => (JSON.parse(f(`${n}.pvs.json`)).report[0].pv as { pv_name: string; vg_name: string }[]).filter((p) => p.vg_name === 'vg_jts').map((p) => p.pv_name).sort();
    const lvSize = (n: string, lv: string) => Number(lvs(n).find((l) => l.lv_name === lv)?.lv_size);
    const fsSize = (n: string, path: string) => Number(f(`${n}.df`).split('\n').find((l) => l.startsWith(path + ' '))?.split(' ')[1]);
    const dev = JSON.parse(f('placeholders.json')) as { OLD_DRIVE: string; BIG_DRIVE: string };
    const PG = '/var/lib/postgresql', RD = '/var/lib/redis', KF = '/var/lib/kafka';

    await t.test('first-look: health OK, verify clean', () => {
      assert.match(f('first-look.out') + f('first-look.err'), /OK/);
    });
    await t.test('restore-volume: the files are those of the snapshot time again', () => {
      assert.notDeepEqual(under(sums('restore-volume-damaged'), PG), under(sums('restore-volume-snap'), PG));
      assert.deepEqual(under(sums('restore-volume'), PG), under(sums('restore-volume-snap'), PG));
    });
    await t.test('restore-set: both volumes of the set as at set time, no snapshot of the set left', () => {
      assert.notDeepEqual(sums('restore-set-damaged'), sums('restore-set-snap'));
      assert.deepEqual(sums('restore-set'), sums('restore-set-snap'));
      assert.deepEqual(lvs('restore-set').filter((l) => l.origin), []);
    });
    await t.test('grow-volume: lv_postgres 192 MiB, its ext4 grown with it, data unchanged', () => {
      assert.equal(lvSize('grow-volume', 'lv_postgres'), 192 * MiB);
      assert.ok(fsSize('grow-volume', PG) > 170 * MiB, f('grow-volume.df'));
      assert.deepEqual(sums('grow-volume'), sums('restore-set'));
    });
    await t.test('add-drive: vg_jts on a and b, lv_kafka on PVs of the VG', () => {
      assert.equal(pvs('add-drive').length, 2, f('add-drive.pvs.json'));
      assert.ok(pvs('add-drive').includes(dev.OLD_DRIVE));
      // Which PVs LVM's normal allocation picks is its choice (seen: all 96 extents on the new drive, which
      // had room for them; a had 63 free): only that they are PVs of vg_jts is checked.
      const kafka = lvs('add-drive-use').find((l) => l.lv_name === 'lv_kafka')!.devices;
      const on = [...new Set(kafka.split(',').map((d) => d.replace(/\(.*$/, '')))];
      assert.ok(on.length >= 1 && on.every((d) => pvs('add-drive').includes(d)), kafka);
    });
    await t.test('move: pvmove to the bigger drive, the old drive out of the VG, plan agrees, data unchanged', () => {
      assert.equal(pvs('move-attach').length, 3);
      assert.ok(pvs('move-check').includes(dev.BIG_DRIVE));
      assert.ok(!pvs('move-pvmove').includes(dev.OLD_DRIVE));
      assert.equal(pvs('move-check').length, 2);
      assert.deepEqual(sums('move-check'), sums('add-drive-use'));
    });
    await t.test('replace: export written; health CRITICAL naming the partial VG, lv_kafka and drive b; rebuilt from the export', () => {
      assert.match(f('replace-backup.ls'), /lv_kafka\.snap\..*\.tar/);
      const h = f('replace-assess.out');
      assert.match(h, /CRITICAL/i, why('replace-assess'));
      assert.match(h, /vg_jts/);
      assert.match(h, /lv_kafka/);
      assert.equal(lvs('replace-remove').find((l) => l.lv_name === 'lv_kafka'), undefined);
      assert.equal(lvSize('replace-rebuild', 'lv_kafka'), 384 * MiB);
      assert.deepEqual(under(sums('replace-rebuild'), KF), under(sums('add-drive-use'), KF));
      assert.deepEqual(sums('replace-rebuild'), sums('add-drive-use'));
    });
    await t.test('power cut: the killed apply left drift; apply resumed it; every size and sha256 right; health not critical', () => {
      assert.equal(f('powercut-crash.rc').trim(), '137', f('powercut-crash.out').slice(-2000));
      assert.match(f('powercut-assess.out'), /verify exit 2/);
      assert.equal(lvSize('powercut-resume', 'lv_postgres'), 256 * MiB);
      assert.equal(lvSize('powercut-resume', 'lv_redis'), 96 * MiB);
      assert.ok(fsSize('powercut-resume', RD) > 80 * MiB, f('powercut-resume.df')); // ext4 on 96 MiB: 84.5 MiB (was 64 MiB: ~56)
      assert.deepEqual(sums('powercut-resume'), sums('add-drive-use'));
      // health's summary line (Nagios form): "JTS-STORAGE OK - 0 critical, …"; "0 critical" is not a critical.
      assert.match(f('powercut-resume.out'), /^JTS-STORAGE (OK|WARNING) - 0 critical/m);
    });
  } finally {
    if (!process.env.JTS_VM_KEEP_OUT) rmSync(out, { recursive: true, force: true });
  }
});
