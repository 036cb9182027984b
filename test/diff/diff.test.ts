import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffPlanDetailed, diffPlan, lvmSizeArg, mkfsArgv } from '../../src/diff/diff.js';
import type { Action } from '../../src/model/actions.js';
import { VolumeSchema } from '../../src/model/plan-schema.js';
import { appliedState, described, layoutOf, loadPlan } from './helpers.js';

function argvs(a: Action): string[] {
  return a.steps.map((s) => (s.type === 'exec' ? s.argv.join(' ') : s.type === 'write-file' ? `write ${s.path}` : s.type === 'mkdir' ? `mkdir ${s.path}` : `sysfs ${s.path}`));
}
function byId(actions: Action[], id: string): Action {
  const a = actions.find((x) => x.id === id);
  assert.ok(a, `action ${id} in ${actions.map((x) => x.id).join(', ')}`);
  return a;
}

test('fresh 4 TB drive: every volume gets lv + mkfs + mount + perm, with exact commands', () => {
  const loaded = loadPlan();
  const state = described();
  const layout = layoutOf(loaded, state);
  const { actions, findings } = diffPlanDetailed(loaded, state, layout);
  assert.deepEqual(findings, []);
  const pv = byId(actions, 'pv:nvme0:create');
  assert.deepEqual(argvs(pv), ['pvcreate --dataalignment 4m /dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0']);
  assert.deepEqual(argvs(byId(actions, 'vg:vg_jts:create')), ['vgcreate -s 4m vg_jts /dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0']);
  const vgl = layout.vgs[0]!;
  for (const v of loaded.plan.volumes) {
    const vl = vgl.volumes.find((x) => x.name === v.name)!;
    const lv = byId(actions, `lv:vg_jts/${v.name}:create`);
    const s0 = lv.steps[0]!;
    const size = v.thinPool ? ['--type', 'thin', '-V', lvmSizeArg(vl.virtualSizeBytes!), '--thinpool', v.thinPool] : ['-l', String(vl.extents)];
    assert.deepEqual(s0.type === 'exec' && s0.argv, ['lvcreate', ...size, '-n', v.name, '-r', String(v.readAhead), '--wipesignatures', 'y', '--yes', 'vg_jts']);
    if (v.thinPool) assert.deepEqual(lv.dependsOn, ['pool:vg_jts/pool_db:create']);
    assert.equal(byId(actions, `fs:vg_jts/${v.name}:create`).steps[0]!.type, 'exec');
    // mounted with its explicit type and its fstab line's options BEFORE fstab is written (issue 12)
    const [mountLine] = argvs(byId(actions, `mount:${v.mount!.path}:create`));
    assert.equal(mountLine, `mount -t ${v.filesystem.type} -o ${[...v.mount!.options.filter((o) => o !== 'defaults'), ...(v.mount!.options.includes('nofail') ? [] : ['nofail']), ...(v.mount!.options.some((o) => o.startsWith('x-systemd.device-timeout')) ? [] : ['x-systemd.device-timeout=30s'])].join(',')} /dev/${v.vg}/${v.name} ${v.mount!.path}`);
    assert.deepEqual(argvs(byId(actions, `perm:${v.mount!.path}:set`)), [`chown ${v.mount!.owner}:${v.mount!.group} ${v.mount!.path}`, `chmod ${v.mount!.mode} ${v.mount!.path}`]);
  }
  // 600 GB = 143052 extents of 4 MiB, rounded up (600e9 / 4194304 = 143051.15).
  assert.deepEqual(byId(actions, 'lv:vg_jts/lv_kafka:create').steps[0]!.type === 'exec' && (byId(actions, 'lv:vg_jts/lv_kafka:create').steps[0] as { argv: string[] }).argv.slice(0, 3), ['lvcreate', '-l', '143052']);
  assert.deepEqual(argvs(byId(actions, 'fs:vg_jts/lv_kafka:create')), ['mkfs.xfs -L jts_kafka /dev/vg_jts/lv_kafka']);
  assert.deepEqual(argvs(byId(actions, 'fs:vg_jts/lv_postgres:create')), ['mkfs.ext4 -L jts_postgres /dev/vg_jts/lv_postgres']);
  assert.deepEqual(argvs(byId(actions, 'user:postgres:create')), ['useradd --system --no-create-home --shell /usr/sbin/nologin --home-dir /var/lib/postgresql --gid postgres postgres']);
  assert.deepEqual(argvs(byId(actions, 'group:postgres:create')), ['groupadd --system postgres']);
  const fstab = byId(actions, 'fstab:/etc/fstab:write');
  const step = fstab.steps[0]!;
  assert.ok(step.type === 'write-file');
  assert.deepEqual(step.verifyArgv, ['findmnt', '--verify', '--tab-file', '{file}']);
  assert.match(step.content, /^\/dev\/vg_jts\/lv_kafka +\/var\/lib\/kafka +xfs +noatime,logbufs=8,logbsize=256k,nofail,x-systemd.device-timeout=30s +0 0$/m);
  assert.equal(actions.every((a) => a.kind === 'create'), true);
  // The snapshotted databases are thin in pool_db: the pool first, its autoextend profile written before it.
  const pool = byId(actions, 'pool:vg_jts/pool_db:create');
  assert.equal(pool.steps[0]!.type === 'write-file' && pool.steps[0]!.path, '/etc/lvm/profile/jts-vg_jts-pool_db.profile');
  assert.deepEqual(argvs(pool), ['write /etc/lvm/profile/jts-vg_jts-pool_db.profile', `lvcreate --type thin-pool -l ${vgl.thinPools[0]!.extents} --poolmetadatasize 1g --chunksize 256k --metadataprofile jts-vg_jts-pool_db -n pool_db --yes vg_jts`]);
  assert.deepEqual(loaded.plan.volumes.filter((v) => v.thinPool).map((v) => v.name), ['lv_postgres', 'lv_clickhouse', 'lv_mongodb']);
});

test('ordering: pv → vg → lv → mkfs → users → mkdir → mount → fstab → network mounts → chown/chmod; deps point backwards', () => {
  const loaded = loadPlan();
  const state = described();
  const actions = diffPlan(loaded, state, layoutOf(loaded, state));
  const order = ['pv', 'vg', 'pool', 'lv', 'fs', 'group', 'user', 'dir', 'mount', 'fstab', 'netmount', 'perm'];
  const isNet = (a: Action) => a.id.startsWith('mount:') && loaded.plan.networkMounts.some((n) => a.id === `mount:${n.path}:create`);
  const phase = (a: Action) => order.indexOf(isNet(a) ? 'netmount' : a.id.split(':')[0]!);
  for (let i = 1; i < actions.length; i++) assert.ok(phase(actions[i - 1]!) <= phase(actions[i]!), `${actions[i - 1]!.id} before ${actions[i]!.id}`);
  const pos = new Map(actions.map((a, i) => [a.id, i]));
  for (const a of actions) for (const d of a.dependsOn) assert.ok((pos.get(d) ?? Infinity) < pos.get(a.id)!, `${a.id} depends on ${d}, which must come first`);
  const perm = byId(actions, 'perm:/var/lib/postgresql:set');
  assert.ok(perm.dependsOn.includes('mount:/var/lib/postgresql:create'));
  assert.ok(perm.dependsOn.includes('user:postgres:create'));
  const fstab = byId(actions, 'fstab:/etc/fstab:write');
  assert.ok(fstab.dependsOn.includes('fs:vg_jts/lv_kafka:create'));
  assert.ok(fstab.dependsOn.includes('dir:/var/lib/kafka:create'));
  // fstab is committed only after every new volume mounted (a refused mount leaves /etc/fstab unchanged)
  for (const v of loaded.plan.volumes) if (v.mount) assert.ok(fstab.dependsOn.includes(`mount:${v.mount.path}:create`), `fstab after mount ${v.mount.path}`);
});

test('fully applied host plans to zero actions (kernel option spellings tolerated)', () => {
  const loaded = loadPlan();
  const base = described();
  const layout = layoutOf(loaded, base);
  const st = appliedState(loaded, base, layout);
  const r = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  assert.deepEqual(r.actions.map((a) => a.id), []);
  assert.deepEqual(r.findings, []);
});

test('partially applied: PV+VG+some LVs exist, nothing formatted → only the rest', () => {
  const loaded = loadPlan();
  const base = described();
  const layout = layoutOf(loaded, base);
  const st = appliedState(loaded, base, layout);
  // A run killed after lv_kafka's lvcreate: later LVs missing, no filesystem anywhere, nothing mounted.
  st.lvs = st.lvs.filter((l) => ['lv_system', 'lv_postgres', 'lv_clickhouse', 'lv_kafka'].includes(l.name));
  st.filesystems = [];
  st.mounts = [];
  st.fstab = '# /etc/fstab\n';
  st.paths = {};
  st.passwd = st.passwd!.filter((u) => u.name === 'root');
  st.users = ['root'];
  const r = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  const ids = r.actions.map((a) => a.id);
  assert.ok(!ids.some((i) => i.startsWith('pv:') || i.startsWith('vg:')));
  assert.ok(!ids.includes('lv:vg_jts/lv_kafka:create'));
  assert.ok(ids.includes('lv:vg_jts/lv_mongodb:create'));
  assert.ok(ids.includes('fs:vg_jts/lv_kafka:create'), 'an LV without a filesystem gets mkfs');
  assert.ok(ids.includes('user:postgres:create'));
  assert.ok(!ids.some((i) => i.startsWith('group:postgres')), 'groups exist already');
  assert.equal(byId(r.actions, 'fstab:/etc/fstab:write').kind, 'create');
});

test('drift: grow, shrink refused, read-ahead, remount, owner/mode, replaced filesystem, unmanaged LV and snapshot', () => {
  const loaded = loadPlan();
  const base = described();
  const layout = layoutOf(loaded, base);
  const st = appliedState(loaded, base, layout);
  const lv = (n: string) => st.lvs.find((l) => l.name === n)!;
  lv('lv_redis').sizeBytes -= 10 * 4 * 1024 ** 2; // smaller on the host → grow
  lv('lv_kafka').sizeBytes += 4 * 1024 ** 2; // bigger on the host → shrink refused
  lv('lv_postgres').readAheadSectors = 256;
  st.mounts.find((m) => m.target === '/var/lib/clickhouse')!.options.push('discard');
  st.mounts.find((m) => m.target === '/var/lib/mongodb')!.options.push('largeio');
  st.paths!['/var/lib/postgresql']!.mode = 0o755;
  st.filesystems.find((f) => f.device.endsWith('lv_backup'))!.type = 'xfs';
  (st.filesystems.find((f) => f.device.endsWith('lv_backup')) as { usedBytes?: number }).usedBytes = 5 * 1024 ** 3;
  st.lvs.push({ vgName: 'vg_jts', name: 'lv_old', sizeBytes: 1024 ** 3, attr: '-wi-a-----', path: '/dev/vg_jts/lv_old' });
  st.lvs.push({ vgName: 'vg_jts', name: 'lv_postgres_snap_1', sizeBytes: 1024 ** 3, attr: 'swi-a-s---', origin: 'lv_postgres', path: '/dev/vg_jts/lv_postgres_snap_1' });
  const r = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  const grow = byId(r.actions, 'lv:vg_jts/lv_redis:extend');
  assert.equal(grow.kind, 'change');
  const want = layout.vgs[0]!.volumes.find((v) => v.name === 'lv_redis')!.extents;
  assert.deepEqual(argvs(grow), [`lvextend -l ${want} -r /dev/vg_jts/lv_redis`]);
  assert.ok(!r.actions.some((a) => a.id.startsWith('lv:vg_jts/lv_kafka')), 'shrink is never an action');
  const shrink = r.findings.find((f) => f.rule === 'DIFF-SHRINK-REFUSED')!;
  assert.equal(shrink.severity, 'error');
  assert.equal(shrink.field, 'volumes[3].size');
  assert.ok(shrink.line && shrink.line > 1, 'located in the plan file');
  assert.deepEqual(argvs(byId(r.actions, 'lv:vg_jts/lv_postgres:readahead')), ['lvchange -r auto /dev/vg_jts/lv_postgres']);
  assert.deepEqual(argvs(byId(r.actions, 'mount:/var/lib/clickhouse:remount')), ['mount -o remount,nodiscard /var/lib/clickhouse']);
  assert.ok(!r.actions.some((a) => a.id === 'mount:/var/lib/mongodb:remount'), 'XFS largeio cannot change on remount');
  assert.ok(r.findings.some((f) => f.rule === 'DIFF-REMOUNT-INSUFFICIENT' && /largeio/.test(f.message)));
  assert.deepEqual(argvs(byId(r.actions, 'perm:/var/lib/postgresql:set')), ['chmod 0750 /var/lib/postgresql']);
  const rep = byId(r.actions, 'fs:vg_jts/lv_backup:replace');
  assert.equal(rep.kind, 'replace');
  assert.deepEqual(rep.destructive, { forcedBy: 'filesystem.type xfs → ext4', loses: 'all data on /dev/vg_jts/lv_backup (5 GiB used)' });
  assert.deepEqual(argvs(rep), ['umount /backup', 'wipefs --all /dev/vg_jts/lv_backup', 'mkfs.ext4 -L jts_backup /dev/vg_jts/lv_backup']);
  assert.ok(r.actions.some((a) => a.id === 'mount:/backup:create'), 'mounted again after the reformat');
  assert.ok(r.findings.some((f) => f.rule === 'DIFF-UNMANAGED-LV' && f.severity === 'warning' && /lv_old/.test(f.message)));
  assert.ok(!r.findings.some((f) => f.rule === 'DIFF-UNMANAGED-LV' && /snap_1/.test(f.message)), 'snapshots are not the plan\'s business');
  assert.ok(r.findings.some((f) => f.rule === 'DIFF-VG-RESERVE-SHORT'), 'growing into the reserve is said');
  assert.ok(!r.actions.some((a) => a.kind === 'destroy'));
});

test('a path mounted from another device, and a non-blank drive, are findings', () => {
  const loaded = loadPlan();
  const st = described();
  st.drives[0]!.partitions = ['/dev/nvme0n1p1'];
  st.drives[0]!.signatures = ['partition table gpt'];
  st.mounts.push({ target: '/var/lib/redis', source: '/dev/sda3', fstype: 'ext4', options: ['rw'] });
  const r = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  const pv = byId(r.actions, 'pv:nvme0:create');
  assert.equal(pv.kind, 'replace');
  assert.match(pv.destructive!.loses, /partition \/dev\/nvme0n1p1; signature partition table gpt/);
  assert.ok(r.findings.some((f) => f.rule === 'DIFF-DRIVE-NOT-BLANK' && /--allow-destroy nvme0/.test(f.message)));
  assert.ok(r.findings.some((f) => f.rule === 'DIFF-MOUNT-TAKEN' && f.severity === 'error'));
});

test('thin pool and thin volume commands', () => {
  const loaded = loadPlan('plans/jts.yaml', (t) =>
    t
      .replace(/thinPools:\n/, 'thinPools:\n      - { name: tp_scratch, size: 20GiB }\n')
      .replace(/^users:/m, '  - name: lv_scratch\n    vg: vg_jts\n    size: 100GiB\n    thinPool: tp_scratch\n    filesystem: { type: ext4 }\n\nusers:'),
  );
  const st = described();
  const r = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  const pool = byId(r.actions, 'pool:vg_jts/tp_scratch:create');
  assert.match(argvs(pool)[0]!, /^lvcreate --type thin-pool -l 5120 (--poolmetadatasize \S+ )?-n tp_scratch --yes vg_jts$/);
  const thin = byId(r.actions, 'lv:vg_jts/lv_scratch:create');
  assert.deepEqual(argvs(thin), ['lvcreate --type thin -V 100g --thinpool tp_scratch -n lv_scratch -r auto --wipesignatures y --yes vg_jts']);
  assert.deepEqual(thin.dependsOn, [pool.id]);
});

test('helpers: LVM size args and mkfs argv keep exactly the plan options', () => {
  assert.equal(lvmSizeArg(4 * 1024 ** 2), '4m');
  assert.equal(lvmSizeArg(1024 ** 3 * 3), '3g');
  assert.equal(lvmSizeArg(1000), '1000b');
  // The spec's PostgreSQL and Kafka options, passed through unchanged (lint judges them, not the diff).
  const pg = VolumeSchema.parse({
    name: 'lv_postgres', vg: 'vg_jts', size: '800G',
    filesystem: { type: 'ext4', features: ['^has_journal', 'extent', 'flex_bg', 'sparse_super2'], extended: ['lazy_itable_init=0', 'lazy_journal_init=0', 'discard'], reservedPercent: 1, inodeRatio: 65536 },
  });
  assert.deepEqual(mkfsArgv(pg, '/dev/vg_jts/lv_postgres'), ['mkfs.ext4', '-O', '^has_journal,extent,flex_bg,sparse_super2', '-E', 'lazy_itable_init=0,lazy_journal_init=0,discard', '-m', '1', '-i', '65536', '/dev/vg_jts/lv_postgres']);
  const kafka = VolumeSchema.parse({ name: 'lv_kafka', vg: 'vg_jts', size: '600G', filesystem: { type: 'xfs', label: 'k', data: ['agcount=32', 'su=64k', 'sw=1'], log: ['size=128m', 'su=64k'] } });
  assert.deepEqual(mkfsArgv(kafka, '/dev/vg_jts/lv_kafka'), ['mkfs.xfs', '-L', 'k', '-d', 'agcount=32,su=64k,sw=1', '-l', 'size=128m,su=64k', '/dev/vg_jts/lv_kafka']);
});

test('plan vs the probe of the sandbox guest (captured): only what is missing, real kernel options accepted', async () => {
  const { guestRunner } = await import('../probe/guest-runner.js');
  const { probeHost } = await import('../../src/probe/probe.js');
  const loaded = loadPlan('test/fixtures/guest/jts-classic-plan.yaml');
  const st = await probeHost(guestRunner(), { paths: [] });
  const r = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  const ids = r.actions.map((a) => a.id);
  assert.ok(!ids.some((i) => i.startsWith('pv:') || i.startsWith('vg:')), 'PV and VG exist');
  assert.ok(!ids.some((i) => /lv:vg_jts\/lv_(system|postgres|kafka|redis|backup):/.test(i)), 'LVs at the plan sizes need nothing');
  assert.ok(ids.includes('fs:vg_jts/lv_postgres:create'));
  assert.ok(!ids.includes('fs:vg_jts/lv_redis:create'), 'formatted already');
  for (const p of ['/var/lib/redis', '/var/lib/mongodb', '/var/lib/docker-jts']) {
    assert.ok(!ids.some((i) => i.startsWith(`mount:${p}:`)), `${p} mounted with the kernel's spelling of noatime: no remount`);
  }
  assert.deepEqual(argvs(byId(r.actions, 'lv:vg_jts/lv_mongodb:readahead')), ['lvchange -r 32 /dev/vg_jts/lv_mongodb']);
  // "rest" counts what the thin pool, its metadata and the snapshot outside the plan hold: no growth into them.
  assert.ok(!ids.includes('lv:vg_jts/lv_clickhouse:extend'));
  assert.ok(r.findings.some((f) => f.rule === 'DIFF-UNMANAGED-LV' && /lv_scratch/.test(f.message)));
  assert.ok(!r.findings.some((f) => /lv_redis_snap/.test(f.message) && f.rule === 'DIFF-UNMANAGED-LV'), 'snapshots ignored');
  const short = layoutOf(loaded, st).findings.find((f) => f.rule === 'JTS-RESERVE-HELD');
  assert.ok(short, 'the thin pool and the snapshot outside the plan eat into the reserve');
  assert.match(short.message, /tp_snap 5120/);
  assert.equal(byId(r.actions, 'fstab:/etc/fstab:write').kind, 'change', 'the block exists (UUID entries): rewritten');
});
