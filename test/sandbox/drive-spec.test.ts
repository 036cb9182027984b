import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriveSpecError, parseDriveSpec, parseSize, resolveDrives } from '../../src/sandbox/drive-spec.js';

test('sizes: bytes, decimal and binary units; bare K/M/G/T refused as ambiguous', () => {
  assert.equal(parseSize('4000000000000'), 4_000_000_000_000);
  assert.equal(parseSize('4TB'), 4_000_000_000_000);
  assert.equal(parseSize('4tb'), 4_000_000_000_000);
  assert.equal(parseSize('1.5TB'), 1_500_000_000_000);
  assert.equal(parseSize('512MiB'), 536_870_912);
  assert.equal(parseSize('2 GiB'), 2_147_483_648);
  assert.throws(() => parseSize('4T'), /ambiguous: write TB \(10\^12\) or TiB \(2\^40\)/);
  assert.throws(() => parseSize('4G'), /GB \(10\^9\) or GiB \(2\^30\)/);
  assert.throws(() => parseSize('4XB'), /unknown unit "XB"/);
  assert.throws(() => parseSize('four'), /expected a number/);
  assert.throws(() => parseSize('0.1B'), /not a whole number/);
});

test('drive spec: bare size, key=value parts, bare kind', () => {
  assert.deepEqual(parseDriveSpec('4TB'), { sizeBytes: 4_000_000_000_000 });
  assert.deepEqual(parseDriveSpec('size=4000000000000,serial=X1,model=WARM DISK,kind=scsi'), {
    sizeBytes: 4_000_000_000_000,
    serial: 'X1',
    model: 'WARM DISK',
    kind: 'scsi',
  });
  assert.deepEqual(parseDriveSpec('1TB,virtio'), { sizeBytes: 1e12, kind: 'virtio' });
  assert.deepEqual(parseDriveSpec('nvme,size=2TB'), { sizeBytes: 2e12, kind: 'nvme' });
});

test('drive spec: each wrong part is named', () => {
  const cases: [string, RegExp][] = [
    ['', /is empty/],
    ['serial=X', /no size/],
    ['4TB,kind=sata', /kind "sata" is not one of nvme, virtio, scsi/],
    ['4TB,colour=red', /unknown key "colour"/],
    ['4TB,size=2TB', /"size" given twice/],
    ['4TB,,kind=nvme', /part 2 is empty/],
    ['4TB,fast', /part "fast" is neither key=value nor a kind/],
    ['4TB,serial=has space', /serial "has space" must be 1-20 characters/],
    ['4TB,serial=ABCDEFGHIJKLMNOPQRSTU', /must be 1-20 characters/],
    ['4TB,model=X', /model= is only supported for kind=scsi/],
    ['1024B', /below 1 MiB/],
    ['1000001B', /not a multiple of the 512-byte sector/],
    ['100TiB', /above the 64 TiB/],
  ];
  for (const [spec, re] of cases) {
    assert.throws(() => parseDriveSpec(spec), (e: unknown) => e instanceof DriveSpecError && re.test(e.message), spec);
  }
  // The spec text itself is in the message, so the user sees which --drive is wrong.
  assert.throws(() => parseDriveSpec('4TB,kind=sata'), /drive spec "4TB,kind=sata"/);
});

test('resolveDrives: the default is one 4 TB NVMe JTS-NVME-0; serials default per kind and index, duplicates refused', () => {
  assert.deepEqual(resolveDrives(undefined), [{ sizeBytes: 4_000_000_000_000, serial: 'JTS-NVME-0', kind: 'nvme', index: 0 }]);
  assert.deepEqual(resolveDrives([]).length, 1);
  const r = resolveDrives([{ sizeBytes: 2e12 }, { sizeBytes: 1e12, kind: 'virtio' }, { sizeBytes: 1e12, kind: 'scsi', model: 'COLD' }]);
  assert.deepEqual(
    r.map((d) => [d.kind, d.serial, d.index]),
    [
      ['nvme', 'JTS-NVME-0', 0],
      ['virtio', 'JTS-VIRTIO-1', 1],
      ['scsi', 'JTS-SCSI-2', 2],
    ],
  );
  assert.throws(() => resolveDrives([{ sizeBytes: 1e12, serial: 'A' }, { sizeBytes: 1e12, serial: 'A' }]), /drive 2: serial "A" is used by another drive/);
  assert.throws(() => resolveDrives([{ sizeBytes: -1 }]), /drive 1: size must be a positive/);
});
