import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpioNewc } from '../../src/sandbox/cpio.js';
import { BUSYBOX, INITRD_MODULES, bzImagePayload, cacheRoot, expectedInitrdPath, mergeModuleOrder, parseDeb822, parseShowDepends, pickKernelPackage } from '../../src/sandbox/prepare.js';

test('cache dir: XDG_CACHE_HOME when absolute, else ~/.cache', () => {
  assert.equal(cacheRoot({ XDG_CACHE_HOME: '/c', HOME: '/h' }), '/c/jts-storage');
  assert.equal(cacheRoot({ XDG_CACHE_HOME: 'relative', HOME: '/h' }), '/h/.cache/jts-storage');
  assert.equal(cacheRoot({ HOME: '/h' }), '/h/.cache/jts-storage');
});

test('kernel package: the versioned generic flavour linux-image-amd64 depends on', () => {
  const show = `Package: linux-image-amd64
Source: linux-signed-amd64 (6.1.192+2)
Version: 6.1.192-2
Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)
Description: Linux for 64-bit PCs (meta-package)
 This package depends on the latest Linux kernel

Package: linux-image-amd64
Version: 6.1.100-1
`;
  const f = parseDeb822(show);
  assert.equal(f['Version'], '6.1.192-2');
  assert.equal(pickKernelPackage(f['Depends']!), 'linux-image-6.1.0-56-amd64');
  assert.equal(pickKernelPackage('linux-image-6.1.0-9-cloud-amd64 (= 1), linux-image-6.1.0-9-amd64-unsigned'), 'linux-image-6.1.0-9-amd64-unsigned');
  assert.equal(pickKernelPackage('linux-image-6.1.0-9-rt-amd64'), undefined);
  assert.equal(pickKernelPackage(''), undefined);
});

test('modules: --show-depends order kept, paths relative to the module dir, duplicates dropped', () => {
  const dir = '/c/root/lib/modules/6.1.0-56-amd64';
  const nvme = `insmod ${dir}/kernel/crypto/crct10dif_common.ko \ninsmod ${dir}/kernel/lib/crc64.ko \ninsmod ${dir}/kernel/crypto/crct10dif_common.ko \ninsmod ${dir}/kernel/drivers/nvme/host/nvme-core.ko \ninsmod ${dir}/kernel/drivers/nvme/host/nvme.ko \n`;
  const a = parseShowDepends(nvme, dir);
  assert.deepEqual(a, ['kernel/crypto/crct10dif_common.ko', 'kernel/lib/crc64.ko', 'kernel/drivers/nvme/host/nvme-core.ko', 'kernel/drivers/nvme/host/nvme.ko']);
  const b = parseShowDepends(`builtin crc32c\ninsmod ${dir}/kernel/lib/crc64.ko \ninsmod ${dir}/kernel/fs/ext4/ext4.ko.xz \n`, dir);
  assert.deepEqual(mergeModuleOrder([a, b]), [...a, 'kernel/fs/ext4/ext4.ko.xz']);
});

test('bzImage payload located from the setup header', () => {
  const b = Buffer.alloc(8192);
  b[0x1f1] = 3; // setup sectors: protected-mode code at (3+1)*512 = 2048
  b.write('HdrS', 0x202, 'ascii');
  b.writeUInt16LE(0x20f, 0x206);
  b.writeUInt32LE(100, 0x248);
  b.writeUInt32LE(500, 0x24c);
  Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]).copy(b, 2148);
  assert.deepEqual(bzImagePayload(b), { offset: 2148, length: 500, format: 'xz' });
  b.writeUInt32LE(1e6, 0x24c);
  assert.equal(bzImagePayload(b), undefined, 'payload past the end');
  assert.equal(bzImagePayload(Buffer.alloc(100)), undefined);
});

test('cpio newc archive is read back by cpio/busybox with files, symlinks and device nodes', (t) => {
  const tool = spawnSync('busybox', ['cpio', '--help']).error ? undefined : 'busybox';
  if (!tool) return t.skip('busybox not installed');
  const archive = cpioNewc([
    { type: 'dir', name: 'bin' },
    { type: 'file', name: 'bin/hello', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
    { type: 'symlink', name: 'bin/sh', target: 'busybox' },
    { type: 'file', name: 'odd', data: Buffer.from('abc') },
    { type: 'chardev', name: 'console', major: 5, minor: 1 },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'cpio-test-'));
  try {
    writeFileSync(join(dir, 'a.cpio'), archive);
    const list = spawnSync('busybox', ['cpio', '-t', '-v', '-F', join(dir, 'a.cpio')], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /-rwxr-xr-x .* bin\/hello/);
    assert.match(list.stdout, /lrwxrwxrwx .* bin\/sh -> busybox/);
    assert.match(list.stdout, /crw------- .* console/);
    const x = spawnSync('busybox', ['cpio', '-i', '-d', '-F', join(dir, 'a.cpio'), 'odd'], { cwd: dir, encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    assert.equal(readFileSync(join(dir, 'odd'), 'utf8'), 'abc');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('module signature: the appended PKCS#7 block and its trailer are dropped, unsigned modules untouched', async () => {
  const { stripModuleSignature } = await import('../../src/sandbox/prepare.js');
  const body = Buffer.from('\x7fELF module body');
  const sig = Buffer.alloc(40, 7);
  const info = Buffer.alloc(12);
  info[2] = 2; // id_type PKCS#7
  info.writeUInt32BE(sig.length, 8);
  const signed = Buffer.concat([body, sig, info, Buffer.from('~Module signature appended~\n')]);
  assert.deepEqual(stripModuleSignature(signed), body);
  assert.deepEqual(stripModuleSignature(body), body);
});

test('modules.devname: the on-demand device nodes (loop-control, mapper/control…)', async () => {
  const { parseModulesDevname } = await import('../../src/sandbox/prepare.js');
  const text = '# Device nodes to trigger on-demand module loading.\nloop loop-control c10:237\ndm_mod mapper/control c10:236\nbad ../x c1:1\nsnd_timer snd/timer c116:33\n';
  assert.deepEqual(parseModulesDevname(text), [
    { module: 'loop', name: 'loop-control', type: 'c', major: 10, minor: 237 },
    { module: 'dm_mod', name: 'mapper/control', type: 'c', major: 10, minor: 236 },
    { module: 'snd_timer', name: 'snd/timer', type: 'c', major: 116, minor: 33 },
  ]);
});

test('initramfs: the drive controllers of every drive kind are in it, and its cache key follows the module list', { skip: !existsSync(BUSYBOX) && `${BUSYBOX} missing` }, () => {
  // nvme, virtio-blk, virtio-scsi + sd (scsi), ahci (its deps libahci, libata come with --show-depends) + sd (sata).
  for (const m of ['nvme', 'virtio_blk', 'virtio_scsi', 'ahci', 'sd_mod']) assert.ok(INITRD_MODULES.includes(m), m);
  const k = { kernelVersion: '6.1.0-99-amd64', moduleDir: '/cache/kernels/pkg/root/lib/modules/6.1.0-99-amd64' };
  const before = expectedInitrdPath(k);
  assert.match(before, /^\/cache\/kernels\/pkg\/initrd-[0-9a-f]{12}\.cpio$/);
  // A cache built with another module list (an older jts-storage, a CI machine's cache) is not the one a run picks:
  // the run rebuilds it.
  INITRD_MODULES.push('ahci_extra_for_test');
  try {
    assert.notEqual(expectedInitrdPath(k), before);
  } finally {
    INITRD_MODULES.pop();
  }
  assert.equal(expectedInitrdPath(k), before);
});
