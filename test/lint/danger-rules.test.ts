/**
 * Dangerous-but-legal warnings (issue 13 kind 8) and the target-tool rules that need the host (extent limits,
 * useradd shell, existing user, CIFS credentials file mode read through the probe's stat): one test per rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPlanText } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';
import { resolveLayout } from '../../src/model/capacity.js';
import { lintPlan } from '../../src/lint/lint.js';
import type { Finding } from '../../src/model/actions.js';
import type { HostState } from '../../src/model/host-state.js';
import { FakeRunner } from '../support/fake-runner.js';
import { planCommand } from '../../src/commands/plan.js';

const root = new URL('../../../', import.meta.url);
const DRIVES = () => parseDrivesFile(readFileSync(new URL('examples/drives/4tb-nvme.yaml', root), 'utf8'), '4tb-nvme.yaml');

function lint(yaml: string, over: Partial<HostState> = {}): Finding[] {
  const loaded = loadPlanText(yaml, 'p.yaml');
  const state = { ...DRIVES(), ...over };
  return lintPlan(loaded, state, resolveLayout(loaded.plan, state, loaded));
}
const HEAD = `version: 1
drives: [{ id: nvme0, serial: JTS-NVME-0 }]
volumeGroups: [{ name: vg_jts, drives: [nvme0], reserve: 10% }]
`;
const vol = (extra: string, mount = '') =>
  `${HEAD}users: [{ name: postgres }]\nvolumes:\n  - name: lv_pg\n    vg: vg_jts\n    size: 10GiB\n    workload: postgresql\n    mount: { path: /var/lib/postgresql, options: [defaults, noatime, nofail, x-systemd.device-timeout=30s], owner: postgres, group: postgres, mode: "0700"${mount} }\n${extra}`;
const at = (fs: Finding[], id: string) => fs.filter((f) => f.rule === id);

test('control: a database volume owned by its service account, mode 0700, 7 daily snapshots: no danger warning', () => {
  const fs = lint(vol('    snapshot: { retention: { keepLast: 1, daily: 7 } }\n'));
  assert.deepEqual(fs.filter((f) => f.rule.startsWith('JTS-DANGER')), []);
});

for (const [mode, word] of [['0777', 'world-writable'], ['4750', 'setuid'], ['2770', 'setgid'], ['1770', 'sticky'], ['0703', 'world-writable']] as const) {
  test(`JTS-DANGER-MODE: mode ${mode} is a warning naming ${word} at mount.mode`, () => {
    const fs = lint(vol('').replace('mode: "0700"', `mode: "${mode}"`));
    const f = at(fs, 'JTS-DANGER-MODE');
    assert.equal(f.length, 1, JSON.stringify(fs));
    assert.equal(f[0]!.severity, 'warning');
    assert.equal(f[0]!.field, 'volumes[0].mount.mode');
    assert.match(f[0]!.message, new RegExp(word));
    assert.ok(f[0]!.line);
  });
}

test('JTS-DANGER-DB-ROOT: a PostgreSQL directory owned by root (or uid 0) is a warning at mount.owner', () => {
  for (const owner of ['root', '"0"']) {
    const f = at(lint(vol('').replace('owner: postgres', `owner: ${owner}`)), 'JTS-DANGER-DB-ROOT');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.field, 'volumes[0].mount.owner');
    assert.equal(f[0]!.severity, 'warning');
  }
  // a generic volume owned by root is normal
  assert.deepEqual(at(lint(vol('').replace('workload: postgresql', 'workload: generic').replace('owner: postgres', 'owner: root')), 'JTS-DANGER-DB-ROOT'), []);
});

test('JTS-DANGER-BASE-ACCOUNT: users: daemon, a DB dir owned by nobody or by a host account with uid < 1000; not postgres', () => {
  const fs = lint(`${HEAD}users: [{ name: daemon }, { name: postgres }]\n`);
  const f = at(fs, 'JTS-DANGER-BASE-ACCOUNT');
  assert.deepEqual(f.map((x) => x.field), ['users[0].name']);
  const owned = lint(vol('').replace('owner: postgres', 'owner: nobody'));
  assert.deepEqual(at(owned, 'JTS-DANGER-BASE-ACCOUNT').map((x) => x.field), ['volumes[0].mount.owner']);
  const hostSys = lint(vol('').replace('owner: postgres', 'owner: backupd'), { users: ['root', 'backupd'], passwd: [{ name: 'root', id: 0 }, { name: 'backupd', id: 998 }] });
  assert.deepEqual(at(hostSys, 'JTS-DANGER-BASE-ACCOUNT').map((x) => x.field), ['volumes[0].mount.owner']);
  const hostDb = lint(vol(''), { users: ['root', 'postgres'], passwd: [{ name: 'root', id: 0 }, { name: 'postgres', id: 105 }] });
  assert.deepEqual(at(hostDb, 'JTS-DANGER-BASE-ACCOUNT'), [], 'the package-made service account is the intended owner');
});

test('JTS-DANGER-RETENTION: thousands of hourly classic snapshots is a warning at snapshot.retention', () => {
  const fs = lint(vol('    snapshot: { size: 1%, retention: { keepLast: 1, hourly: 2000 } }\n').replace('reserve: 10%', 'reserve: 50%'));
  const f = at(fs, 'JTS-DANGER-RETENTION');
  assert.equal(f.length, 1, JSON.stringify(fs.map((x) => x.rule)));
  assert.equal(f[0]!.field, 'volumes[0].snapshot.retention');
  assert.match(f[0]!.message, /2008 classic snapshots/);
});

test('JTS-LVM-EXTENT-LIMIT: 1 KiB extents on an 8 TB drive are more extents than lvm2 counts (2^32-1)', () => {
  const big = DRIVES().drives.map((d) => ({ ...d, sizeBytes: 8_000_000_000_000 }));
  const fs = lint(HEAD.replace('reserve: 10%', 'reserve: 10%, extentSize: 1KiB, dataAlignment: 1MiB'), { drives: big });
  const f = at(fs, 'JTS-LVM-EXTENT-LIMIT');
  assert.equal(f.length, 1, JSON.stringify(fs.map((x) => x.rule)));
  assert.equal(f[0]!.field, 'volumeGroups[0].extentSize');
  assert.equal(f[0]!.severity, 'error');
  assert.deepEqual(at(lint(HEAD), 'JTS-LVM-EXTENT-LIMIT'), []);
});

test('JTS-USER-SHELL / JTS-USER-EXISTS: a shell missing or not executable on the probed host; an existing user with another shell', () => {
  const plan = `${HEAD}users: [{ name: svc, shell: /bin/zsh }, { name: svc2, shell: /usr/bin/false }, { name: svc3, shell: /etc }, { name: old, shell: /usr/sbin/nologin }]\n`;
  const fs = lint(plan, {
    users: ['root', 'old'],
    passwd: [{ name: 'root', id: 0, shell: '/bin/bash' }, { name: 'old', id: 1001, shell: '/bin/bash' }],
    paths: { '/usr/bin/false': { uid: 0, gid: 0, mode: 0o644, isDirectory: false }, '/etc': { uid: 0, gid: 0, mode: 0o755, isDirectory: true }, '/usr/sbin/nologin': { uid: 0, gid: 0, mode: 0o755, isDirectory: false } },
  });
  assert.deepEqual(at(fs, 'JTS-USER-SHELL').map((f) => f.field), ['users[0].shell', 'users[1].shell', 'users[2].shell']);
  assert.match(at(fs, 'JTS-USER-SHELL')[1]!.message, /not executable \(mode 0644\)/);
  assert.deepEqual(at(fs, 'JTS-USER-EXISTS').map((f) => f.field), ['users[3].shell']);
  // described drives (no probe): nothing known, nothing claimed
  assert.deepEqual(at(lint(plan), 'JTS-USER-SHELL'), []);
});

const CIFS = `${HEAD}networkMounts:
  - source: //nas.lan/jts
    path: /mnt/nas
    type: cifs
    options: [_netdev, nofail, vers=3.1.1]
    credentials: /etc/jts/nas.cred
`;
test('JTS-NETMOUNT-CREDENTIALS-MODE: world-readable or not root-owned is an error, group-readable a warning, 0600 root clean', () => {
  const st = (mode: number, uid = 0) => ({ paths: { '/etc/jts/nas.cred': { uid, gid: 0, mode, isDirectory: false } } });
  const f644 = at(lint(CIFS, st(0o644)), 'JTS-NETMOUNT-CREDENTIALS-MODE');
  assert.equal(f644.length, 1);
  assert.equal(f644[0]!.severity, 'error');
  assert.equal(f644[0]!.field, 'networkMounts[0].credentials');
  assert.match(f644[0]!.message, /mode 0644: every local user can read the password/);
  assert.equal(at(lint(CIFS, st(0o600, 1000)), 'JTS-NETMOUNT-CREDENTIALS-MODE')[0]!.severity, 'error');
  assert.equal(at(lint(CIFS, st(0o640)), 'JTS-NETMOUNT-CREDENTIALS-MODE')[0]!.severity, 'warning');
  assert.deepEqual(at(lint(CIFS, st(0o600)), 'JTS-NETMOUNT-CREDENTIALS-MODE'), []);
  assert.deepEqual(at(lint(CIFS, st(0o400)), 'JTS-NETMOUNT-CREDENTIALS-MODE'), []);
});

test('credentials file mode read through the injected runner (probe stat), never directly: plan exits 1', async () => {
  const { LSBLK_ARGV, FINDMNT_ARGV, BLKID_ARGV, UNAME_ARGV } = await import('../../src/probe/probe.js');
  const { FULLREPORT_ARGV } = await import('../../src/probe/lvm.js');
  const { BY_ID_ARGV } = await import('../../src/probe/by-id.js');
  const cap = (f: string) => readFileSync(new URL(`test/fixtures/identity/${f}`, root), 'utf8');
  const r = new FakeRunner({ files: { '/etc/fstab': '', 'p.yaml': CIFS.replace('serial: JTS-NVME-0', 'byId: /dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NS-0_1'), '/etc/jts/nas.cred': 'username=jts\npassword=x\n' } });
  r.on(UNAME_ARGV, { stdout: cap('uname.txt') });
  r.on(LSBLK_ARGV, { stdout: cap('lsblk.json') });
  r.on(FINDMNT_ARGV, { stdout: cap('findmnt.json') });
  r.on(BLKID_ARGV, { stdout: cap('blkid.txt') });
  r.on(FULLREPORT_ARGV, { stdout: cap('fullreport.json') });
  r.on(BY_ID_ARGV, { stdout: cap('by-id.txt') });
  let out = '';
  const code = await planCommand({ plan: 'p.yaml', json: true }, { runner: r, stdout: (s) => (out += s), stderr: () => {} });
  const j = JSON.parse(out) as { errors: Finding[] };
  const f = j.errors.find((e) => e.rule === 'JTS-NETMOUNT-CREDENTIALS-MODE');
  assert.ok(f, JSON.stringify(j.errors.map((e) => e.message)));
  assert.equal(code, 1);
});
