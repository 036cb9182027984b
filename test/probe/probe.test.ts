import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { fixture } from './fixtures.js';
import { probeHost, ProbeError, LSBLK_ARGV, FINDMNT_ARGV, BLKID_ARGV, UNAME_ARGV } from '../../src/probe/probe.js';
import { FULLREPORT_ARGV } from '../../src/probe/lvm.js';
import { BY_ID_ARGV } from '../../src/probe/by-id.js';
import type { ProbedState } from '../../src/probe/types.js';

function hostRunner(): FakeRunner {
  const r = new FakeRunner({ files: { '/etc/passwd': fixture('host/passwd'), '/etc/group': fixture('host/group'), '/etc/fstab': '# UNCONFIGURED FSTAB FOR BASE SYSTEM\n' } });
  const q = JSON.parse(fixture('host/sysfs-queue.json'))['/sys/block/vda/queue'] as Record<string, string>;
  for (const [k, v] of Object.entries(q)) r.files.set(`/sys/block/vda/queue/${k}`, v);
  r.on(UNAME_ARGV, { stdout: fixture('host/uname-r.txt') });
  r.on(LSBLK_ARGV, { stdout: fixture('host/lsblk-J-b-O.json') });
  r.on(FINDMNT_ARGV, { stdout: fixture('host/findmnt-J-b.json') });
  r.on(BLKID_ARGV, { exitCode: 2, stdout: fixture('host/blkid-o-export.txt') });
  r.on(BY_ID_ARGV, { exitCode: 1, stderr: "find: '/dev/disk/by-id': No such file or directory\n" });
  return r;
}

test('probe of the host capture: one call per tool, sysfs write cache, no LVM (lvm missing) with a warning', async () => {
  const r = hostRunner();
  r.on(['lvm'], { notFound: true, exitCode: 127 });
  r.dirs.add('/var/lib/postgresql');
  const s = (await probeHost(r, { paths: ['/var/lib/postgresql', '/nope'] })) as ProbedState;
  assert.equal(r.calls.length, 7);
  // lvm fullreport, and `pvs --foreign` for the VGs of other hosts the fullreport hides (lvmsystemid(7))
  assert.deepEqual(r.calls.map((c) => c.argv[0]).sort(), ['blkid', 'find', 'findmnt', 'lsblk', 'lvm', 'pvs', 'uname']);
  assert.ok(r.calls.every((c) => c.opts?.mutating === false), 'the probe only reads');
  assert.equal(s.source, 'probe');
  assert.match(s.kernelRelease ?? '', /^\d+\.\d+/);
  assert.equal(s.drives.length, 1);
  assert.equal(s.drives[0]!.volatileWriteCache, true, 'from /sys/block/vda/queue/write_cache');
  assert.deepEqual(s.drives[0]!.schedulers, ['none', 'mq-deadline', 'kyber', 'bfq']);
  assert.equal(s.drives[0]!.rotational, true, 'sysfs rotational=1 wins');
  assert.deepEqual(s.lvs, []);
  assert.ok(s.probeWarnings!.some((w) => /lvm2 is not installed/.test(w)));
  assert.ok(s.probeWarnings!.some((w) => /no stable drive names/.test(w)));
  assert.ok(s.users!.includes('root'));
  assert.deepEqual(Object.keys(s.paths!), ['/var/lib/postgresql']);
  assert.equal(s.fstab, '# UNCONFIGURED FSTAB FOR BASE SYSTEM\n');
  assert.equal(s.toolCalls, 7);
});

test('probe: lvm failing with garbage output is a warning, not a crash', async () => {
  const r = hostRunner();
  r.on(['lvm'], { exitCode: 5, stderr: '/dev/mapper/control: open failed: No such device\n' });
  const s = (await probeHost(r)) as ProbedState;
  assert.deepEqual(s.vgs, []);
  assert.ok(s.probeWarnings!.some((w) => /lvm fullreport.*exited 5.*mapper\/control/.test(w)));
});

test('probe: lsblk missing is a clear ProbeError', async () => {
  const r = hostRunner();
  r.on(['lvm'], { notFound: true });
  r.on(LSBLK_ARGV, { notFound: true, exitCode: 127 });
  await assert.rejects(probeHost(r), (e: unknown) => e instanceof ProbeError && /lsblk is not installed/.test((e as Error).message));
});

test('probe: the lvm call names every field the diff and health read', () => {
  const a = FULLREPORT_ARGV.join(' ');
  for (const f of ['lv_attr', 'origin', 'pool_lv', 'data_percent', 'metadata_percent', 'lv_read_ahead', 'lv_time', 'lv_uuid', 'snap_percent', 'vg_extent_size', 'vg_free_count', 'pe_start']) {
    assert.match(a, new RegExp(`\\b${f}\\b`), f);
  }
  assert.deepEqual(FULLREPORT_ARGV.slice(0, 7), ['lvm', 'fullreport', '--reportformat', 'json', '--units', 'b', '--nosuffix']);
});
