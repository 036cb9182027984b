import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanSchema, PlanShapeSchema } from '../../src/model/plan-schema.js';
import {
  desiredFstabEntries,
  mergeManagedBlock,
  managedEntries,
  fstabConflicts,
  findManagedBlocks,
  backupPath,
  BEGIN_MARKER,
  END_MARKER,
} from '../../src/render/fstab-format.js';

const plan = PlanSchema.parse({
  version: 1,
  drives: [{ id: 'd0', byId: '/dev/disk/by-id/nvme-X' }],
  volumeGroups: [{ name: 'vg_jts', drives: ['d0'] }],
  volumes: [
    { name: 'lv_system', vg: 'vg_jts', size: '10GiB', workload: 'system', mount: { path: '/var/lib/docker', options: ['defaults', 'noatime'] }, overrides: [{ rule: 'JTS-NOFAIL', reason: 'the host needs Docker to boot' }] },
    { name: 'lv_postgres', vg: 'vg_jts', size: '10GiB', workload: 'postgresql', mount: { path: '/var/lib/postgresql', options: ['noatime', 'commit=30'] } },
    { name: 'lv_kafka', vg: 'vg_jts', size: '10GiB', workload: 'kafka', filesystem: { type: 'xfs' }, mount: { path: '/var/lib/kafka', options: ['noatime', 'nofail'] } },
    { name: 'lv_raw', vg: 'vg_jts', size: '1GiB', filesystem: { type: 'none' } },
    { name: 'lv_nomount', vg: 'vg_jts', size: '1GiB' },
  ],
  networkMounts: [
    { source: 'nas:/export/jts', path: '/mnt/nas', type: 'nfs4', options: ['rw', 'hard'] },
    { source: '//nas/share', path: '/mnt/smb', type: 'cifs', credentials: '/etc/jts-cifs.cred' },
  ],
});

test('desired entries: data volumes get nofail and a device timeout, a volume with a JTS-NOFAIL override as planned', () => {
  const e = desiredFstabEntries(plan, new Map());
  assert.deepEqual(e.map((x) => x.file), ['/var/lib/docker', '/var/lib/postgresql', '/var/lib/kafka', '/mnt/nas', '/mnt/smb']);
  assert.deepEqual(e[0]!.mntops, ['noatime']);
  assert.equal(e[0]!.spec, '/dev/vg_jts/lv_system');
  assert.deepEqual(e[1]!.mntops, ['noatime', 'commit=30', 'nofail', 'x-systemd.device-timeout=30s']);
  assert.equal(e[1]!.passno, 2);
  // nofail not duplicated; xfs pass 0
  assert.deepEqual(e[2]!.mntops, ['noatime', 'nofail', 'x-systemd.device-timeout=30s']);
  assert.equal(e[2]!.passno, 0);
  assert.deepEqual(e[3]!.mntops, ['rw', 'hard', '_netdev', 'nofail']);
  assert.deepEqual(e[4]!.mntops, ['_netdev', 'nofail', 'credentials=/etc/jts-cifs.cred']);
});

test('uuid naming only when asked and known', () => {
  const u = new Map([['vg_jts/lv_postgres', 'abcd-1234']]);
  assert.equal(desiredFstabEntries(plan, u)[1]!.spec, '/dev/vg_jts/lv_postgres');
  const e = desiredFstabEntries(plan, u, { naming: 'uuid' });
  assert.equal(e[1]!.spec, 'UUID=abcd-1234');
  assert.equal(e[0]!.spec, '/dev/vg_jts/lv_system');
});

const OLD = `# /etc/fstab: static file system information.
UUID=1111-2222 / ext4 errors=remount-ro 0 1
UUID=3333 none swap sw 0 0
`;

test('merge: appends one block, leaves the rest byte for byte, and is idempotent', () => {
  const entries = desiredFstabEntries(plan, new Map());
  const a = mergeManagedBlock(OLD, entries);
  assert.ok(a.startsWith(OLD));
  assert.equal(findManagedBlocks(a).length, 1);
  assert.equal(mergeManagedBlock(a, entries), a);
  const m = managedEntries(a);
  assert.equal(m.length, 5);
  assert.equal(m[1]!.file, '/var/lib/postgresql');
  // Replacing the block with fewer entries keeps the outside intact and the block in place.
  const b = mergeManagedBlock(a + 'tmpfs /tmp tmpfs defaults 0 0\n', entries.slice(0, 1));
  assert.ok(b.startsWith(OLD));
  assert.ok(b.endsWith('tmpfs /tmp tmpfs defaults 0 0\n'));
  assert.equal(managedEntries(b).length, 1);
  // Removing the block content: empty block remains, rest restored.
  const c = mergeManagedBlock(a, []);
  assert.equal(c, OLD + '\n' + BEGIN_MARKER + '\n' + END_MARKER + '\n');
});

test('merge: empty or newline-less fstab', () => {
  const entries = desiredFstabEntries(plan, new Map()).slice(0, 1);
  const a = mergeManagedBlock('', entries);
  assert.ok(a.startsWith(BEGIN_MARKER));
  const b = mergeManagedBlock('UUID=1 / ext4 defaults 0 1', entries);
  assert.ok(b.startsWith('UUID=1 / ext4 defaults 0 1\n\n' + BEGIN_MARKER));
});

test('merge: unbalanced markers are refused, duplicate blocks collapse', () => {
  assert.throws(() => mergeManagedBlock(OLD + BEGIN_MARKER + '\n', []), /no END marker/);
  assert.throws(() => mergeManagedBlock(OLD + END_MARKER + '\n', []), /END marker without BEGIN/);
  const dup = OLD + BEGIN_MARKER + '\nx y z\n' + END_MARKER + '\nkeep me\n' + BEGIN_MARKER + '\n' + END_MARKER + '\n';
  const out = mergeManagedBlock(dup, []);
  assert.equal(findManagedBlocks(out).length, 1);
  assert.match(out, /keep me/);
  assert.doesNotMatch(out, /x y z/);
});

test('paths with spaces are escaped and parsed back', () => {
  // the plan grammar refuses spaces in mount paths; the serializer still escapes them (fstab(5) \040)
  const p = PlanShapeSchema.parse({ ...plan, volumes: [{ name: 'lv_a', vg: 'vg_jts', size: '1GiB', mount: { path: '/srv/my data' } }], networkMounts: [] });
  const a = mergeManagedBlock('', desiredFstabEntries(p, new Map()));
  assert.match(a, /\/srv\/my\\040data/);
  assert.equal(managedEntries(a)[0]!.file, '/srv/my data');
});

test('conflicts outside the block are reported', () => {
  const entries = desiredFstabEntries(plan, new Map());
  const c = fstabConflicts(OLD + '/dev/sdb1 /var/lib/postgresql ext4 defaults 0 2\n', entries);
  assert.equal(c.length, 1);
  assert.equal(c[0]!.line, 4);
  assert.equal(fstabConflicts(mergeManagedBlock(OLD, entries), entries).length, 0);
});

test('backup path is a UTC stamp', () => {
  assert.equal(backupPath('/etc/fstab', new Date('2026-11-21T12:00:00.123Z')), '/etc/fstab.jts-storage.20261121T120000Z');
});
