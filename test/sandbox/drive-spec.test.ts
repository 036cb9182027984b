import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriveSpecError, parseDriveSpec, parseSize, resolveDrives, rotationRate } from '../../src/sandbox/drive-spec.js';
import { parseBytes, SizeError } from '../../src/model/units.js';

test('sizes: the one grammar of the plan (core/size.ts); a bare number is bytes, as QEMU reads it', () => {
  assert.equal(parseSize('4000000000000'), 4_000_000_000_000);
  assert.equal(parseSize('4TB'), 4_000_000_000_000);
  assert.equal(parseSize('1.5TB'), 1_500_000_000_000);
  assert.equal(parseSize('512MiB'), 536_870_912);
  assert.equal(parseSize('2 GiB'), 2_147_483_648);
  // LVM's one-letter units are base 2 in the plan, so they are here too (they were refused as ambiguous).
  assert.equal(parseSize('4T'), 4 * 2 ** 40);
  assert.equal(parseSize('4g'), 4 * 2 ** 30);
  // Lower-case "tb"/"kb" read as bits to many people: refused, as in the plan.
  assert.throws(() => parseSize('4tb'), DriveSpecError);
  assert.throws(() => parseSize('4XB'), /unknown unit "XB"/);
  assert.throws(() => parseSize('four'), /not understood/);
  assert.throws(() => parseSize('0.5'), /not a whole number of bytes/);
  assert.throws(() => parseSize('20%'), /absolute size/);
});

test('sizes: the sandbox and a plan file read every unit-bearing size the same', () => {
  for (const text of ['4TB', '3.84TB', '960GB', '4TiB', '3.5TiB', '512MiB', '4T', '200g', '1.5t', '8s', '4096b', '2 GiB', '7.68TB']) {
    assert.equal(parseSize(text), parseBytes(text), text);
  }
  for (const text of ['4tb', 'four', '4XB', '-1GiB', '0GiB']) {
    assert.throws(() => parseSize(text), DriveSpecError, text);
    assert.throws(() => parseBytes(text), SizeError, text);
  }
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

test('drive spec: sata with model (40 characters, as ATA IDENTIFY holds it) and rotation', () => {
  assert.deepEqual(parseDriveSpec('size=2TB,kind=sata,serial=S1,model=Samsung SSD 870 EVO 2TB'), {
    sizeBytes: 2e12,
    serial: 'S1',
    model: 'Samsung SSD 870 EVO 2TB',
    kind: 'sata',
  });
  assert.deepEqual(parseDriveSpec('1TB,sata,rotation=hdd'), { sizeBytes: 1e12, kind: 'sata', rotation: 'hdd' });
  assert.deepEqual(parseDriveSpec('1TB,sata,rotation=SSD'), { sizeBytes: 1e12, kind: 'sata', rotation: 'ssd' });
  assert.deepEqual(parseDriveSpec('1TB,sata,rotation=5400'), { sizeBytes: 1e12, kind: 'sata', rotation: 5400 });
  assert.deepEqual(parseDriveSpec('1TB,scsi,rotation=ssd'), { sizeBytes: 1e12, kind: 'scsi', rotation: 'ssd' });
  assert.equal(parseDriveSpec('1TB,sata,model=' + 'M'.repeat(40)).model?.length, 40);
  assert.equal(rotationRate('ssd'), 1, 'ATA word 217 / SCSI VPD B1h: 1 = non-rotating medium');
  assert.equal(rotationRate('hdd'), 7200);
  assert.equal(rotationRate(10000), 10000);
});

test('drive spec: each wrong part is named', () => {
  const cases: [string, RegExp][] = [
    ['', /is empty/],
    ['serial=X', /no size/],
    ['4TB,kind=sas', /kind "sas" is not one of nvme, virtio, scsi, sata/],
    ['4TB,colour=red', /unknown key "colour"/],
    ['4TB,size=2TB', /"size" given twice/],
    ['4TB,,kind=nvme', /part 2 is empty/],
    ['4TB,fast', /part "fast" is neither key=value nor a kind/],
    ['4TB,serial=has space', /serial "has space" must be 1-20 characters/],
    ['4TB,serial=ABCDEFGHIJKLMNOPQRSTU', /must be 1-20 characters/],
    ['4TB,model=X', /model= is only supported for kind=scsi and kind=sata/],
    ['4TB,virtio,model=X', /model= is only supported for kind=scsi and kind=sata/],
    ['4TB,scsi,model=ABCDEFGHIJKLMNOPQ', /model "ABCDEFGHIJKLMNOPQ" must be 1-16 characters/],
    ['4TB,sata,model=' + 'M'.repeat(41), /must be 1-40 characters/],
    ['4TB,sata,model=a;b', /must be 1-40 characters/],
    ['4TB,rotation=ssd', /rotation= is only supported for kind=scsi and kind=sata/],
    ['4TB,virtio,rotation=hdd', /rotation= is only supported/],
    ['4TB,sata,rotation=fast', /rotation "fast": expected ssd, hdd, or a rate in rpm/],
    ['4TB,sata,rotation=1', /rotation "1"/],
    ['4TB,sata,rotation=65535', /rotation "65535"/],
    ['1024B', /below 1 MiB/],
    ['1000001B', /not a multiple of the 512-byte sector/],
    ['100TiB', /above the 64 TiB/],
  ];
  for (const [spec, re] of cases) {
    assert.throws(() => parseDriveSpec(spec), (e: unknown) => e instanceof DriveSpecError && re.test(e.message), spec);
  }
  // The spec text itself is in the message, so the user sees which --drive is wrong.
  assert.throws(() => parseDriveSpec('4TB,kind=sas'), /drive spec "4TB,kind=sas"/);
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
  // A sata drive is a SATA SSD unless said otherwise; scsi keeps reporting no rotation rate (Linux: rotational).
  const t = resolveDrives([{ sizeBytes: 1e12, kind: 'sata' }, { sizeBytes: 1e12, kind: 'sata', rotation: 7200 }, { sizeBytes: 1e12, kind: 'scsi' }]);
  assert.deepEqual(
    t.map((d) => [d.kind, d.serial, d.rotation]),
    [
      ['sata', 'JTS-SATA-0', 'ssd'],
      ['sata', 'JTS-SATA-1', 7200],
      ['scsi', 'JTS-SCSI-2', undefined],
    ],
  );
  assert.throws(() => resolveDrives([{ sizeBytes: 1e12, kind: 'nvme', rotation: 'hdd' }]), /drive 1: rotation= is only supported/);
  assert.throws(() => resolveDrives([{ sizeBytes: 1e12, kind: 'sata', model: ' PADDED' }]), /drive 1: model " PADDED" .*no leading or trailing space/);
  assert.throws(() => resolveDrives([{ sizeBytes: 1e12, kind: 'sata', rotation: 100 }]), /drive 1: rotation 100: expected ssd, hdd/);
  assert.throws(() => resolveDrives([{ sizeBytes: -1 }]), /drive 1: size must be a positive/);
});

test('nsof=N: a second namespace of drive N\'s NVMe controller (same serial, nvme + nvme-ns devices)', async () => {
  const { buildQemuArgs } = await import('../../src/sandbox/qemu-args.js');
  const ns = parseDriveSpec('1GiB,nsof=1');
  assert.equal(ns.namespaceOf, 1);
  const r = resolveDrives([{ sizeBytes: 2 ** 30, serial: 'JTS-NS-0' }, ns, { sizeBytes: 2 ** 30 }]);
  assert.deepEqual(r.map((d) => [d.serial, d.nsid, d.controllerOf]), [['JTS-NS-0', 1, undefined], ['JTS-NS-0', 2, 0], ['JTS-NVME-2', undefined, undefined]]);
  const a = buildQemuArgs({ kernelPath: 'k', initrdPath: 'i', memoryMiB: 512, smp: 1, accel: 'tcg', drives: r.map((drive, i) => ({ drive, imagePath: `/img${i}` })), ctlDir: '/c', consoleLog: '/l' });
  const dev = a.filter((_, i) => a[i - 1] === '-device' && /^nvme/.test(a[i]!));
  assert.deepEqual(dev, ['nvme,id=nvmectl0,serial=JTS-NS-0', 'nvme-ns,drive=d0,bus=nvmectl0,nsid=1', 'nvme-ns,drive=d1,bus=nvmectl0,nsid=2', 'nvme,serial=JTS-NVME-2,drive=d2']);
  assert.throws(() => resolveDrives([{ sizeBytes: 2 ** 30, kind: 'scsi' }, { sizeBytes: 2 ** 30, namespaceOf: 1 }]), DriveSpecError);
  assert.throws(() => resolveDrives([{ sizeBytes: 2 ** 30, serial: 'A' }, { sizeBytes: 2 ** 30, namespaceOf: 1, serial: 'B' }]), DriveSpecError);
});
