/**
 * A SATA drive in the sandbox (one boot, small drives): an NVMe drive and a SATA SSD (kind=sata: ide-hd on AHCI).
 * The SATA drive shows up with its serial, model and by-id link `ata-<model>_<serial>`, non-rotational, with
 * TRIM; then a VG on both drives and `jts-storage health --json` (no plan: every VG, and the drives under its
 * PVs) reports the SATA drive's ATA SMART through smartctl, with the fields QEMU's drive answers (verdict,
 * temperature, power-on hours, reallocated sectors, error log) read and not unknown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInSandbox } from '../../src/sandbox/index.js';
import type { HealthReport } from '../../src/health/types.js';
import type { SmartctlHealth } from '../../src/host/smartctl.js';

const ROOT = resolve(new URL('../../..', import.meta.url).pathname);
const SERIAL = 'JTS-SATA-T1';
const MODEL = 'JTS TEST SSD';
const BY_ID = `/dev/disk/by-id/ata-${MODEL.replace(/ /g, '_')}_${SERIAL}`;

test('sata drive: serial, model, by-id link, TRIM, and ATA SMART in health --json', { timeout: 900_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'jts-sata-vm-'));
  try {
    const script = [
      'set -u',
      `O=${out}`,
      `dev=$(readlink -f ${BY_ID}) || { echo "no ${BY_ID}"; ls -l /dev/disk/by-id; exit 3; }`,
      'echo "$dev" > $O/dev',
      'ls /dev/disk/by-id > $O/by-id',
      'lsblk -J -b -d -o NAME,PATH,TYPE,TRAN,ROTA,SERIAL,MODEL,DISC-GRAN,SIZE "$dev" > $O/lsblk.json',
      'smartctl -j -a "$dev" > $O/smartctl.json; echo $? > $O/smartctl.rc',
      'pvcreate -q /dev/nvme0n1 "$dev" && vgcreate -q vg_sata /dev/nvme0n1 "$dev" || exit 4',
      'node bin/jts-storage.js health --json > $O/health.json 2> $O/health.err; echo $? > $O/health.rc',
      'echo sata-done',
    ].join('\n');
    const res = await runInSandbox(['bash', '-c', script], {
      drives: [
        { sizeBytes: 2 * 1024 ** 3, serial: 'JTS-SATA-NV', kind: 'nvme' },
        { sizeBytes: 2 * 1024 ** 3, serial: SERIAL, model: MODEL, kind: 'sata' },
      ],
      outDir: out,
      cwd: ROOT,
      timeoutS: 840,
    });
    assert.equal(res.exitCode, 0, `${res.output.slice(-3000)}\n${res.consoleTail}`);
    assert.match(res.output, /sata-done/);
    const f = (name: string) => readFileSync(join(out, name), 'utf8');
    const dev = f('dev').trim();
    assert.match(dev, /^\/dev\/sd[a-z]+$/, 'the SATA drive is a SCSI-disk node (libata)');
    const name = dev.slice('/dev/'.length);

    // What the guest sees of the drive.
    const disk = (JSON.parse(f('lsblk.json')) as { blockdevices: Record<string, unknown>[] }).blockdevices[0]!;
    assert.equal(disk['tran'], 'sata');
    assert.equal(disk['serial'], SERIAL);
    assert.equal(disk['model'], MODEL);
    assert.equal(disk['rota'], false, 'a sata drive is an SSD unless rotation= says otherwise');
    assert.equal(disk['disc-gran'], 512, 'TRIM passed through');
    assert.equal(disk['size'], 2 * 1024 ** 3);
    assert.ok(f('by-id').split('\n').includes(`ata-${MODEL.replace(/ /g, '_')}_${SERIAL}`));

    // smartctl answers ATA SMART (exit 0), as the fixture capture says.
    assert.equal(f('smartctl.rc').trim(), '0', f('smartctl.json').slice(0, 2000));

    // health: the VG on both drives puts both in scope; the SATA one is read with smartctl.
    const report = JSON.parse(f('health.json')) as HealthReport;
    const rc = Number(f('health.rc').trim());
    assert.ok(rc === 0 || rc === 1, `health exit ${rc}: ${f('health.err')}\n${f('health.json').slice(0, 3000)}`);
    assert.ok(report.toolCalls.includes('smartctl -a'), report.toolCalls.join(', '));
    const drive = report.drives.find((d) => d.drive === name);
    assert.ok(drive, `no drive ${name} in ${report.drives.map((d) => d.drive).join(', ')}`);
    assert.equal(drive.serial, SERIAL);
    assert.equal(drive.source, 'smartctl');
    const h = drive.health as SmartctlHealth | undefined;
    assert.ok(h, 'health read');
    assert.equal(h.smartPassed, true);
    assert.equal(typeof h.temperatureC, 'number');
    assert.equal(typeof h.powerOnHours, 'number');
    assert.equal(h.reallocatedSectors, 0);
    assert.equal(h.errorLogEntries, 0);
    for (const k of ['smartPassed', 'temperatureC', 'powerOnHours', 'reallocatedSectors']) assert.ok(!(k in (h.unknown ?? {})), `${k} is not unknown`);
    // What QEMU's drive does not report is unknown with the reason, not 0.
    assert.match(h.unknown?.['percentageUsed'] ?? '', /no wear indicator/);
    const checks = report.checks.filter((c) => c.subject === name);
    assert.equal(checks.find((c) => c.kind === 'drive_smart')?.status, 'ok', JSON.stringify(checks));
    assert.equal(checks.find((c) => c.kind === 'drive_temperature')?.status, 'ok', JSON.stringify(checks));
    assert.deepEqual(checks.filter((c) => c.status === 'unknown'), [], 'no UNKNOWN check for the SATA drive');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
