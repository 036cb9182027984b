import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSmartctl, smartctlFatal } from '../../src/host/smartctl.js';
import { queryDrive } from '../../src/health/collect.js';
import { smartTool } from '../../src/health/evaluate.js';
import { driveKind, parseLsblk } from '../../src/health/sources.js';
import { FakeRunner } from '../support/fake-runner.js';

/**
 * smartctl on SATA drives: QEMU's ide-hd on AHCI in the sandbox, captured by test/fixtures/guest/capture-tiers.sh
 * into test/fixtures/guest/sata/ (a SATA SSD JTS-WARM-1 and a 7200 rpm SATA HDD JTS-BULK-2; see its README).
 * The sdX names depend on probe order, so each drive's files are found by its serial in lsblk-health.json.
 */
const DIR = new URL('../../../test/fixtures/guest/sata/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
const blocks = parseLsblk(read('lsblk-health.json'));
function diskOfSerial(serial: string) {
  const b = blocks.find((x) => x.serial === serial);
  assert.ok(b, `no disk with serial ${serial} in lsblk-health.json`);
  return b;
}
const ssd = diskOfSerial('JTS-WARM-1');
const hdd = diskOfSerial('JTS-BULK-2');
const ssdJson = read(`smartctl-j-a-${ssd.name}.json`);

/** The captured JSON with some fields changed: cases QEMU's drive cannot produce (a failing drive, a worn SSD). */
function edited(edit: (j: Record<string, any>) => void): string {
  const j = JSON.parse(ssdJson) as Record<string, any>;
  edit(j);
  return JSON.stringify(j);
}
function attribute(id: number, name: string, value: number, thresh: number, raw: number | string, when_failed = '') {
  return {
    id,
    name,
    value,
    worst: value,
    thresh,
    when_failed,
    flags: { value: 50, string: '-O--CK ', prefailure: false },
    raw: typeof raw === 'number' ? { value: raw, string: String(raw) } : { value: Number.parseInt(raw, 10), string: raw },
  };
}

test('the SATA drives are SATA to the health code: transport, rotation, and smartctl as their SMART tool', () => {
  assert.equal(ssd.tran, 'sata');
  assert.equal(ssd.rota, false, 'rotation=ssd: ATA word 217 = 1, so Linux sees a non-rotational disk');
  assert.equal(hdd.rota, true);
  assert.equal(driveKind(ssd), 'sata-ssd');
  assert.equal(driveKind(hdd), 'hdd');
  assert.equal(smartTool(ssd), 'smartctl');
  assert.equal(smartTool(hdd), 'smartctl');
  assert.ok(read('by-id-find.txt').includes(`ata-JTS_WARM_SSD_JTS-WARM-1\t../../${ssd.name}`), 'by-id ata-<model>_<serial>, spaces as _');
});

test('smartctl -j -a on a SATA SSD (QEMU ide-hd): verdict, temperature, power-on hours, reallocated sectors; the rest unknown with the reason', () => {
  const h = parseSmartctl(ssdJson);
  assert.equal(h.protocol, 'ATA');
  assert.equal(h.model, 'JTS WARM SSD');
  assert.equal(h.serial, 'JTS-WARM-1');
  assert.equal(h.smartPassed, true);
  // Attribute 190 Airflow_Temperature_Cel says "31 (Min/Max 31/31)"; its raw value (522125343) packs min/max too.
  assert.equal(h.temperatureC, 31);
  assert.equal(h.powerOnHours, 1);
  assert.equal(h.reallocatedSectors, 0, 'attribute 5 Reallocated_Sector_Ct');
  assert.equal(h.errorLogEntries, 0, 'the ATA SMART error log summary count');
  assert.equal(h.rotationRate, 0, "smartctl's 0 = Solid State Device");
  assert.deepEqual(h.criticalWarnings, []);
  // What QEMU's drive does not report: absent, not 0, and said why.
  for (const k of ['percentageUsed', 'pendingSectors', 'mediaErrors', 'unsafeShutdowns', 'criticalWarning', 'availableSpare'] as const) {
    assert.ok(!(k in h), `${k} absent`);
  }
  assert.match(h.unknown['percentageUsed'] ?? '', /no wear indicator \(no device statistics page 7, no life-left attribute/);
  assert.match(h.unknown['pendingSectors'] ?? '', /197 Current_Pending_Sector/);
  assert.match(h.unknown['mediaErrors'] ?? '', /187 Reported_Uncorrect or 198 Offline_Uncorrectable/);
  assert.match(h.unknown['unsafeShutdowns'] ?? '', /174 .*192/);
  assert.deepEqual(Object.keys(h.unknown).sort(), ['mediaErrors', 'pendingSectors', 'percentageUsed', 'unsafeShutdowns']);
  assert.ok(!('failingAttributes' in h));
});

test('smartctl -j -x (exit 4: QEMU has no GP logs or device statistics) gives the same health as -a', () => {
  const x = read(`smartctl-j-x-${ssd.name}.json`);
  assert.equal((JSON.parse(x) as { smartctl: { exit_status: number } }).smartctl.exit_status, 4);
  assert.equal(smartctlFatal(4), undefined, 'bit 2 (a SMART command failed) still comes with data');
  assert.deepEqual(parseSmartctl(x), parseSmartctl(ssdJson));
});

test('a SATA HDD (rotation_rate 7200): no wear indicator because it is a rotating disk', () => {
  const h = parseSmartctl(read(`smartctl-j-a-${hdd.name}.json`));
  assert.equal(h.rotationRate, 7200);
  assert.equal(h.smartPassed, true);
  assert.equal(h.temperatureC, 31);
  assert.equal(h.serial, 'JTS-BULK-2');
  assert.match(h.unknown['percentageUsed'] ?? '', /rotating disk \(7200 rpm\) has no endurance indicator/);
});

test('health reads the SATA drive through smartctl, exit 0 → OK value, one call', async () => {
  const runner = new FakeRunner().on(['smartctl', '-j', '-a', ssd.path!], { exitCode: 0, stdout: ssdJson });
  const calls: string[] = [];
  const g = await queryDrive(runner, ssd.path!, 'smartctl', 15_000, calls);
  assert.ok(g.ok, JSON.stringify(g));
  assert.equal(g.value.source, 'smartctl');
  assert.equal(g.value.health.smartPassed, true);
  assert.deepEqual(calls, ['smartctl -a']);
});

// ---- The capture, edited into what real SATA drives say (QEMU's drive cannot fail or wear).

test('a failing drive: verdict FAILED, the attribute at its threshold named, pending/offline/reported counts', () => {
  const h = parseSmartctl(
    edited((j) => {
      j.smart_status = { passed: false };
      const t = j.ata_smart_attributes.table as ReturnType<typeof attribute>[];
      const r5 = t.find((a) => a.id === 5)!;
      Object.assign(r5, { value: 30, worst: 30, when_failed: 'now', raw: { value: 1832, string: '1832' } });
      t.push(attribute(187, 'Reported_Uncorrect', 99, 0, 3));
      t.push(attribute(197, 'Current_Pending_Sector', 100, 0, 8));
      t.push(attribute(198, 'Offline_Uncorrectable', 100, 0, 2));
      t.push(attribute(192, 'Power-Off_Retract_Count', 100, 0, 41));
      j.ata_smart_error_log.summary.count = 5;
    }),
  );
  assert.equal(h.smartPassed, false);
  assert.deepEqual(h.failingAttributes, ['5 Reallocated_Sector_Ct: 30 <= 36 (now)']);
  assert.equal(h.reallocatedSectors, 1832);
  assert.equal(h.pendingSectors, 8);
  assert.equal(h.offlineUncorrectable, 2);
  assert.equal(h.reportedUncorrectable, 3);
  assert.equal(h.mediaErrors, 5, '187 + 198: uncorrectable errors, as NVMe media errors');
  assert.equal(h.unsafeShutdowns, 41);
  assert.equal(h.errorLogEntries, 5);
  assert.ok(!('pendingSectors' in h.unknown) && !('mediaErrors' in h.unknown) && !('unsafeShutdowns' in h.unknown));
});

test('SATA SSD wear: device statistics page 7 first, then the vendor life-left attributes by id and name', () => {
  const devstat = edited((j) => {
    j.ata_device_statistics = {
      pages: [
        {
          number: 7,
          name: 'Solid State Device Statistics',
          revision: 1,
          table: [{ offset: 8, name: 'Percentage Used Endurance Indicator', size: 1, value: 12, flags: { value: 192, string: 'V--- ', valid: true, normalized: true } }],
        },
      ],
    };
    j.ata_smart_attributes.table.push(attribute(177, 'Wear_Leveling_Count', 95, 0, 40));
  });
  const a = parseSmartctl(devstat);
  assert.equal(a.percentageUsed, 12);
  assert.match(a.wearSource ?? '', /device statistics/);
  assert.ok(!('percentageUsed' in a.unknown));

  // Samsung: 177 Wear_Leveling_Count normalised 100 → 0 (the raw value is an erase count, not a percentage).
  const samsung = parseSmartctl(edited((j) => j.ata_smart_attributes.table.push(attribute(177, 'Wear_Leveling_Count', 97, 0, 58))));
  assert.equal(samsung.percentageUsed, 3);
  assert.match(samsung.wearSource ?? '', /177 Wear_Leveling_Count/);
  // Intel: 233 Media_Wearout_Indicator; SandForce/Kingston: 231 SSD_Life_Left; Crucial: 202 Percent_Lifetime_Remain.
  assert.equal(parseSmartctl(edited((j) => j.ata_smart_attributes.table.push(attribute(233, 'Media_Wearout_Indicator', 88, 0, 0)))).percentageUsed, 12);
  assert.equal(parseSmartctl(edited((j) => j.ata_smart_attributes.table.push(attribute(231, 'SSD_Life_Left', 70, 10, 70)))).percentageUsed, 30);
  assert.equal(parseSmartctl(edited((j) => j.ata_smart_attributes.table.push(attribute(202, 'Percent_Lifetime_Remain', 99, 1, 1)))).percentageUsed, 1);
  // A drive whose attribute says "used" in its name gives the percentage raw.
  assert.equal(parseSmartctl(edited((j) => j.ata_smart_attributes.table.push(attribute(202, 'Percentage_Used', 100, 0, 7)))).percentageUsed, 7);
  // Attribute 231 is a temperature on some HDDs: an id alone is not a wear indicator.
  const hddTemp = parseSmartctl(edited((j) => j.ata_smart_attributes.table.push(attribute(231, 'Temperature_Celsius', 60, 0, 40))));
  assert.equal(hddTemp.percentageUsed, undefined);
  assert.match(hddTemp.unknown['percentageUsed'] ?? '', /no wear indicator/);
});

test('SSD power-loss counter 174 preferred over 192; raw counts read as smartctl formats them', () => {
  const h = parseSmartctl(
    edited((j) => {
      j.ata_smart_attributes.table.push(attribute(174, 'Unexpect_Power_Loss_Ct', 100, 0, 17));
      j.ata_smart_attributes.table.push(attribute(192, 'Unsafe_Shutdown_Count', 100, 0, 99));
      // raw16 with extra fields: smartctl prints the count first.
      j.ata_smart_attributes.table.push({ ...attribute(197, 'Current_Pending_Sector', 100, 0, 0), raw: { value: 8589934592, string: '0 (2 0)' } });
    }),
  );
  assert.equal(h.unsafeShutdowns, 17);
  assert.equal(h.pendingSectors, 0);
});

test('SMART disabled or missing: an error saying so (health makes it UNKNOWN with that reason)', () => {
  const disabled = edited((j) => {
    j.smart_support = { available: true, enabled: false };
    delete j.smart_status;
    delete j.ata_smart_attributes;
    delete j.temperature;
    delete j.ata_smart_data;
  });
  assert.throws(() => parseSmartctl(disabled), /SMART is disabled on this device \(`smartctl -s on DEVICE` enables it\)/);
  assert.throws(() => parseSmartctl(edited((j) => (j.smart_support = { available: false }))), /SMART is not available/);
  // No verdict but attributes: the verdict is unknown, the rest is read.
  const noVerdict = parseSmartctl(edited((j) => delete j.smart_status));
  assert.equal(noVerdict.smartPassed, undefined);
  assert.match(noVerdict.unknown['smartPassed'] ?? '', /no overall verdict/);
  assert.equal(noVerdict.temperatureC, 31);
});

// ---- What health makes of it (the drive checks of evaluate.ts).

test('health: pending/reallocated sectors warn; an attribute failing now is critical; the healthy capture is OK', async () => {
  const { runHealth } = await import('../../src/health/index.js');
  const { guestPlan, guestRunner } = await import('./helpers.js');
  const smartOf = async (stdout: string) => {
    const r = await runHealth(guestRunner({ nvme: { notFound: true, exitCode: 127 }, smartctl: { stdout } }), { plan: guestPlan() });
    const c = r.checks.find((k) => k.kind === 'drive_smart');
    assert.ok(c, 'a drive_smart check');
    return c;
  };
  assert.equal((await smartOf(ssdJson)).status, 'ok');
  const pending = await smartOf(edited((j) => (j.ata_smart_attributes.table as unknown[]).push(attribute(197, 'Current_Pending_Sector', 100, 0, 8))));
  assert.equal(pending.status, 'warning');
  assert.match(pending.message, /8 sectors pending reallocation/);
  const failing = await smartOf(
    edited((j) => {
      const r5 = (j.ata_smart_attributes.table as ReturnType<typeof attribute>[]).find((a) => a.id === 5)!;
      Object.assign(r5, { value: 30, worst: 30, when_failed: 'now', raw: { value: 1832, string: '1832' } });
    }),
  );
  assert.equal(failing.status, 'critical');
  assert.match(failing.message, /1832 reallocated sectors/);
  assert.match(failing.message, /SMART attribute 5 Reallocated_Sector_Ct: 30 <= 36 \(now\)/);
});
