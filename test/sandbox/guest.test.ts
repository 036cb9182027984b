import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolveDrives, type SandboxDrive } from '../../src/sandbox/drive-spec.js';
import { bootEnv, guestEnv, initScript, runScript, shQuote, stage2Script, TAG_CTL, TAG_OUT, TAG_ROOT } from '../../src/sandbox/guest-scripts.js';
import { OutputDemux } from '../../src/sandbox/output.js';
import { buildQemuArgs, kernelCmdline } from '../../src/sandbox/qemu-args.js';
import { checkFreeDisk } from '../../src/sandbox/host-checks.js';

test('shQuote: sh gives back exactly the words, whatever they contain', () => {
  const words = ['plain', 'with space', "it's", '$(rm -rf /)', '`x`', 'a"b', '*', '', '\n', 'x=y', '-c', "'''"];
  const script = `for w in ${words.map(shQuote).join(' ')}; do printf '%s\\0' "$w"; done`;
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), words);
  assert.throws(() => shQuote('a\0b'), /NUL/);
});

test('runScript: cd to the cwd, clean env, exact argv (run on the host sh)', () => {
  const script = runScript(['sh', '-c', 'printf "%s|%s|%s" "$PWD" "$JTS_X" "$1"; exit 3', 'arg0', "it's $HOME"], '/tmp', guestEnv({ JTS_X: 'a b' }));
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, LEAK: 'no' } });
  assert.equal(r.status, 3);
  assert.equal(r.stdout, "/tmp|a b|it's $HOME");
  const missing = spawnSync('sh', ['-c', runScript(['true'], '/nonexistent/dir', guestEnv())], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /working directory \/nonexistent\/dir does not exist in the guest/);
  assert.throws(() => runScript(['true'], '/', { 'BAD-NAME': 'x' }), /environment variable name "BAD-NAME"/);
  assert.throws(() => runScript([], '/', {}), /no command/);
});

test('guest environment: root, PATH with the sbin directories, caller variables on top', () => {
  const env = guestEnv({ FOO: '1' });
  assert.match(env.PATH!, /(^|:)\/usr\/sbin(:|$)/);
  assert.match(env.PATH!, /(^|:)\/sbin(:|$)/);
  assert.equal(env.HOME, '/root');
  assert.equal(env.FOO, '1');
  assert.equal(env.JTS_SANDBOX, '1');
});

test('scripts: init mounts the shares by tag and switches root to stage 2; they parse as sh', () => {
  const init = initScript();
  for (const tag of [TAG_ROOT, TAG_CTL, TAG_OUT]) assert.ok(init.includes(tag), tag);
  assert.match(init, /lowerdir=\/lower,upperdir=\/rw\/upper/);
  assert.match(init, /exec switch_root \/newroot \/bin\/sh \/run\/jts\/stage2\.sh/);
  const s2 = stage2Script('abc123');
  assert.match(s2, /udevadm settle/);
  assert.match(s2, /mkdir -p .*\/run\/lvm \/run\/lock/);
  assert.match(s2, /@@JTS-START:abc123@@/);
  for (const text of [init, s2, bootEnv({ outDir: "/tmp/o u't", modDir: '/m', kernelVersion: '6.1.0-56-amd64' })]) {
    const r = spawnSync('sh', ['-n'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  const env = spawnSync('sh', ['-c', `${bootEnv({ outDir: "/tmp/o u't", modDir: '/m', kernelVersion: 'v' })}\nprintf %s "$JTS_OUT_DIR"`], { encoding: 'utf8' });
  assert.equal(env.stdout, "/tmp/o u't");
});

test('qemu argv: TCG by default, one device per drive kind, shares, serial ports, no shell', () => {
  const drives = resolveDrives([{ sizeBytes: 4e12 }, { sizeBytes: 1e12, kind: 'virtio', serial: 'V1' }, { sizeBytes: 2e12, kind: 'scsi', model: 'WARM' }, { sizeBytes: 2e12, kind: 'scsi' }]);
  const a = buildQemuArgs({
    kernelPath: '/k/vmlinux',
    initrdPath: '/k/initrd.cpio',
    memoryMiB: 2048,
    smp: 2,
    accel: 'tcg',
    drives: drives.map((drive, i) => ({ drive, imagePath: `/img/d,${i}.img` })),
    ctlDir: '/run/ctl',
    outDir: '/out',
    consoleLog: '/run/console.log',
  });
  const joined = a.join(' ');
  assert.match(joined, /-accel tcg,thread=multi -cpu max/);
  assert.match(joined, /-m 2048 -smp 2/);
  assert.match(joined, /-kernel \/k\/vmlinux -initrd \/k\/initrd\.cpio/);
  assert.ok(a.includes('nvme,serial=JTS-NVME-0,drive=d0'));
  assert.ok(a.includes('virtio-blk-pci,drive=d1,serial=V1'));
  assert.equal(a.filter((x) => x === 'virtio-scsi-pci,id=scsi0').length, 1, 'one SCSI controller for all SCSI disks');
  assert.ok(a.includes('scsi-hd,bus=scsi0.0,drive=d2,serial=JTS-SCSI-2,vendor=JTS,product=WARM'));
  assert.ok(a.some((x) => x.startsWith('file=/img/d,,0.img,if=none,id=d0,format=raw,discard=unmap')), 'commas in paths doubled');
  assert.ok(a.includes(`local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap`));
  assert.ok(a.some((x) => x.includes(`mount_tag=${TAG_OUT}`)));
  assert.deepEqual(a.filter((x) => x.startsWith('chardev:')), ['chardev:con0', 'chardev:out0']);
  assert.ok(a.includes('-no-reboot'));
  const kvm = buildQemuArgs({ kernelPath: 'k', initrdPath: 'i', memoryMiB: 512, smp: 1, accel: 'kvm', drives: [], ctlDir: '/c', consoleLog: '/l' });
  assert.match(kvm.join(' '), /-accel kvm -cpu host/);
  assert.ok(!kvm.some((x) => x.includes(TAG_OUT)), 'no output share when none asked');
  assert.match(kernelCmdline({}), /console=ttyS0 .*panic=-1/);
});

test('qemu argv: sata drives are ide-hd disks on AHCI controllers of 6 ports, with serial, model and rotation rate', () => {
  const specs: SandboxDrive[] = [{ sizeBytes: 4e12 }];
  for (let i = 0; i < 7; i++) specs.push({ sizeBytes: 1e12, kind: 'sata', serial: `S${i}` });
  specs[1]!.model = 'Samsung SSD 870 EVO 2TB';
  specs[2]!.rotation = 'hdd';
  specs[3]!.rotation = 5400;
  specs.push({ sizeBytes: 1e12, kind: 'scsi', rotation: 'ssd' });
  const drives = resolveDrives(specs);
  const a = buildQemuArgs({
    kernelPath: 'k',
    initrdPath: 'i',
    memoryMiB: 512,
    smp: 1,
    accel: 'tcg',
    drives: drives.map((drive, i) => ({ drive, imagePath: `/img/${i}.img` })),
    ctlDir: '/c',
    consoleLog: '/l',
  });
  const devices = a.filter((x, i) => a[i - 1] === '-device' && /^(ahci|ide-hd|scsi-hd|virtio-scsi)/.test(x));
  assert.deepEqual(devices, [
    'ahci,id=ahci0',
    // Default rotation of a sata drive: solid state (rate 1).
    'ide-hd,bus=ahci0.0,drive=d1,serial=S0,model=Samsung SSD 870 EVO 2TB,rotation_rate=1',
    'ide-hd,bus=ahci0.1,drive=d2,serial=S1,rotation_rate=7200',
    'ide-hd,bus=ahci0.2,drive=d3,serial=S2,rotation_rate=5400',
    'ide-hd,bus=ahci0.3,drive=d4,serial=S3,rotation_rate=1',
    'ide-hd,bus=ahci0.4,drive=d5,serial=S4,rotation_rate=1',
    'ide-hd,bus=ahci0.5,drive=d6,serial=S5,rotation_rate=1',
    'ahci,id=ahci1',
    'ide-hd,bus=ahci1.0,drive=d7,serial=S6,rotation_rate=1',
    'virtio-scsi-pci,id=scsi0',
    'scsi-hd,bus=scsi0.0,drive=d8,serial=JTS-SCSI-8,vendor=JTS,product=SANDBOX DISK,rotation_rate=1',
  ]);
  // The image attaches with discard passed through (QEMU's IDE answers TRIM) and the same cache mode as the others.
  assert.ok(a.includes('file=/img/1.img,if=none,id=d1,format=raw,discard=unmap,cache=writeback,aio=threads'));
});

test('output demux: drops boot noise, streams the command output, holds back a partial exit marker', () => {
  const seen: string[] = [];
  let started = 0;
  const d = new OutputDemux('n1', () => started++, (c) => seen.push(c));
  d.push('udev noise\n@@JTS-ST');
  assert.equal(d.state, 'boot');
  d.push('ART:n1@@\nhello ');
  assert.equal(started, 1);
  d.push('world\n');
  d.push('@@JTS-EXIT:n9:1@@ is just output\n');
  d.push('last line\n@@JTS-EX');
  assert.equal(seen.join(''), 'hello world\n@@JTS-EXIT:n9:1@@ is just output\nlast line', 'the possible marker start is held back');
  d.push('IT:n1:3');
  d.push('7@@\n');
  assert.equal(d.state, 'done');
  assert.equal(d.exitCode, 37);
  assert.equal(d.output, 'hello world\n@@JTS-EXIT:n9:1@@ is just output\nlast line');
});

test('output demux: a stream cut mid-run (power cut) keeps everything that arrived', () => {
  const d = new OutputDemux('n2');
  d.push('@@JTS-START:n2@@\npartial output\n');
  d.push('more\n@@JTS');
  d.end();
  assert.equal(d.exitCode, undefined);
  assert.equal(d.output, 'partial output\nmore\n@@JTS');
});

test('free disk: refused before booting with the numbers', () => {
  assert.doesNotThrow(() => checkFreeDisk('/tmp', 10e9, 1e9));
  assert.throws(() => checkFreeDisk('/var/tmp', 300e6, 768 * 2 ** 20), /not enough free disk for the drive images in \/var\/tmp: 300 MB free, the run may write about 805 MB/);
});

test('stale run dirs: removed when their process is gone, kept when alive, kept or unmarked', async () => {
  const { mkdtempSync, writeFileSync, existsSync, mkdirSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { removeStaleRunDirs } = await import('../../src/sandbox/run-dirs.js');
  const tmp = mkdtempSync(join(tmpdir(), 'stale-test-'));
  try {
    const mk = (name: string, owner?: object) => {
      mkdirSync(join(tmp, name));
      if (owner) writeFileSync(join(tmp, name, '.jts-sandbox-owner'), JSON.stringify(owner));
      return join(tmp, name);
    };
    const dead = mk('jts-sandbox-dead', { pid: 2 ** 22 + 12345, keep: false });
    const live = mk('jts-sandbox-live', { pid: process.ppid, keep: false });
    const kept = mk('jts-sandbox-kept', { pid: 2 ** 22 + 12345, keep: true });
    const unmarked = mk('jts-sandbox-images-x');
    const other = mk('other-dir', { pid: 2 ** 22 + 12345 });
    assert.deepEqual(await removeStaleRunDirs(tmp), [dead]);
    for (const d of [live, kept, unmarked, other]) assert.ok(existsSync(d), d);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
