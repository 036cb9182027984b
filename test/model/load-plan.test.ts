import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { loadPlanText, loadPlanFile, DEFAULT_PLAN_PATH, PlanError, checkMountPath, suggest } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';

const TEXT = `version: 1
drives:
  - id: nvme0
    serial: JTS-NVME-0
volumeGroups:
  - name: vg_jts
    drives: [nvme0]
volumes:
  - name: lv_a
    vg: vg_jts
    size: 10GiB
    mount:
      path: /var/lib/a
      options: [defaults, nofail]
`;

test('locate maps plan paths to line:col', () => {
  const l = loadPlanText(TEXT, 'p.yaml');
  assert.deepEqual(l.locate(['drives', 0, 'serial']), { line: 4, col: 13 });
  assert.deepEqual(l.locate(['volumeGroups', 0, 'drives', 0]), { line: 7, col: 14 });
  assert.deepEqual(l.locate(['volumes', 0, 'mount', 'options', 1]), { line: 14, col: 27 });
  assert.deepEqual(l.locate(['volumes', 0]), { line: 9, col: 5 });
  // a path that does not exist points at its deepest existing parent
  assert.deepEqual(l.locate(['volumes', 0, 'filesystem', 'label']), { line: 9, col: 5 });
  // defaults are applied
  assert.equal(l.plan.volumes[0]!.filesystem.type, 'ext4');
  assert.equal(l.plan.volumeGroups[0]!.extentSize, '4MiB');
});

test('all errors are reported at once, sorted by line', () => {
  const bad = TEXT.replace('size: 10GiB', 'size: 0').replace('path: /var/lib/a', 'path: relative').replace('vg: vg_jts', 'vg: vg_x');
  try {
    loadPlanText(bad, 'p.yaml');
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof PlanError);
    assert.deepEqual(e.findings.map((f) => f.field), ['volumes[0].vg', 'volumes[0].size', 'volumes[0].mount.path']);
    assert.deepEqual(e.findings.map((f) => f.line), [10, 11, 13]);
    assert.match(e.message, /^p\.yaml:10:9: volumes\[0\]\.vg: unknown volume group "vg_x"/);
    assert.equal(e.details.code, 'PLAN_INVALID');
  }
});

test('mount path rules', () => {
  assert.equal(checkMountPath('/var/lib/postgresql'), undefined);
  assert.equal(checkMountPath('/backup'), undefined);
  for (const p of ['/', '/proc', '/sys', '/dev', '/boot', '/run', '/etc', '/usr', '/var']) assert.match(checkMountPath(p)!, /system directory/, p);
  assert.match(checkMountPath('/proc/x')!, /under \/proc/);
  assert.match(checkMountPath('/boot/efi')!, /under \/boot/);
  assert.match(checkMountPath('data')!, /relative/);
  assert.match(checkMountPath('/data/')!, /normal form/);
  assert.match(checkMountPath('/da ta')!, /space|metacharacter/);
  assert.match(checkMountPath('/data;reboot')!, /metacharacter/);
});

test('suggestions are typos only', () => {
  assert.equal(suggest('volums', ['volumes', 'drives']), 'volumes');
  assert.equal(suggest('zzz', ['volumes', 'drives']), undefined);
});

test('the embedded default plan is found from dist/ and loads', async () => {
  assert.ok(existsSync(DEFAULT_PLAN_PATH), DEFAULT_PLAN_PATH);
  assert.match(DEFAULT_PLAN_PATH, /plans\/jts\.yaml$/);
  const l = await loadPlanFile(DEFAULT_PLAN_PATH);
  assert.deepEqual(
    l.plan.volumes.map((v) => v.name),
    ['lv_system', 'lv_postgres', 'lv_clickhouse', 'lv_kafka', 'lv_mongodb', 'lv_redis', 'lv_backup'],
  );
  assert.equal(l.plan.drives[0]!.serial, 'JTS-NVME-0');
});

test('drives files: examples parse to described host states', () => {
  const root = new URL('../../../examples/drives/', import.meta.url);
  const s4 = parseDrivesFile(readFileSync(new URL('4tb-nvme.yaml', root), 'utf8'), '4tb-nvme.yaml');
  assert.equal(s4.source, 'described');
  assert.equal(s4.drives[0]!.sizeBytes, 4e12);
  assert.equal(s4.drives[0]!.volatileWriteCache, true);
  assert.equal(s4.drives[0]!.kind, 'nvme');
  assert.deepEqual(s4.drives[0]!.byIds, ['/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0']);
  assert.deepEqual([s4.pvs, s4.vgs, s4.lvs, s4.mounts], [[], [], [], []]);
  const s2 = parseDrivesFile(readFileSync(new URL('2tb-nvme.yaml', root), 'utf8'), '2tb-nvme.yaml');
  assert.equal(s2.drives[0]!.sizeBytes, 2000398934016);
  const s3 = parseDrivesFile(readFileSync(new URL('three-tier.yaml', root), 'utf8'), 'three-tier.yaml');
  assert.deepEqual(s3.drives.map((d) => d.kind), ['nvme', 'nvme', 'sata-ssd']);
  assert.equal(s3.drives[2]!.volatileWriteCache, false);
  // size strings are accepted too; a size that is not whole sectors is refused
  assert.equal(parseDrivesFile(`drives:\n  - { path: /dev/vda, sizeBytes: 10GiB, volatileWriteCache: false }\n`, 'd').drives[0]!.kind, 'virtio');
  assert.throws(() => parseDrivesFile(`drives:\n  - { path: /dev/vda, sizeBytes: 1000, volatileWriteCache: false }\n`, 'd'), /whole number of 512-byte/);
  assert.throws(() => parseDrivesFile(`drives:\n  - { path: /dev/vda, sizeBytes: 10GiB }\n`, 'd'), /d:2:\d+: drives\[0\]\.volatileWriteCache/);
});
