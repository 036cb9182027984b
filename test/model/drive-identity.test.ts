/**
 * Drive identity (issue 13 kind 7, issue 14 "Identity"): an identity several devices carry is an error listing
 * them and asking for a namespace-specific id; identities with '/', '..', glob characters or whitespace are
 * refused at the field; the system disk is an error with no --allow-destroy hint, and no action is planned on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { planCommand } from '../../src/commands/plan.js';
import { matchDrive } from '../../src/model/drive-match.js';
import type { DriveInfo } from '../../src/model/host-state.js';
import { readFileSync } from 'node:fs';
import { probeHost, LSBLK_ARGV, FINDMNT_ARGV, BLKID_ARGV, UNAME_ARGV } from '../../src/probe/probe.js';
import { FULLREPORT_ARGV } from '../../src/probe/lvm.js';
import { BY_ID_ARGV } from '../../src/probe/by-id.js';

function drive(over: Partial<DriveInfo>): DriveInfo {
  return {
    path: '/dev/nvme0n1', byIds: [], serial: 'JTS-NS-0', sizeBytes: 1073741824, logicalSectorSize: 512, physicalSectorSize: 512, rotational: false,
    discard: true, volatileWriteCache: true, kind: 'nvme', partitions: [], signatures: [], mountpoints: [], ...over,
  };
}
// Two namespaces of one controller: same serial; udev gives each its own nvme-eui.* and _<nsid> links.
const ns1 = drive({ byIds: ['/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NS-0_1', '/dev/disk/by-id/nvme-eui.0000000000000001'] });
const ns2 = drive({ path: '/dev/nvme0n2', byIds: ['/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NS-0', '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NS-0_2', '/dev/disk/by-id/nvme-eui.0000000000000002'] });

test('a serial shared by two namespaces: no match, both candidates listed with their namespace ids', () => {
  const m = matchDrive({ id: 'd0', serial: 'JTS-NS-0', tier: 'hot' }, [ns1, ns2]);
  assert.equal(m.drive, undefined);
  assert.deepEqual(m.candidates?.map((d) => d.path), ['/dev/nvme0n1', '/dev/nvme0n2']);
  assert.match(m.problem!, /serial JTS-NS-0 matches 2 devices/);
  assert.match(m.problem!, /nvme0n1.*nvme-eui\.0000000000000001.*nvme0n2.*nvme-eui\.0000000000000002/);
  assert.match(m.problem!, /namespace-specific id/);
  // a namespace link names one; a serial plus a namespace link narrows to it
  assert.equal(matchDrive({ id: 'd0', byId: '/dev/disk/by-id/nvme-eui.0000000000000002', tier: 'hot' }, [ns1, ns2]).drive?.path, '/dev/nvme0n2');
  const both = matchDrive({ id: 'd0', serial: 'JTS-NS-0', byId: '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NS-0_1', tier: 'hot' }, [ns1, ns2]);
  assert.equal(both.drive?.path, '/dev/nvme0n1');
  assert.equal(both.problem, undefined);
});

const DRIVES = `kernelRelease: 6.1.0-31-amd64
drives:
  - { path: /dev/nvme0n1, serial: JTS-NS-0, byId: [/dev/disk/by-id/nvme-eui.0000000000000001], sizeBytes: 1073741824, kind: nvme, volatileWriteCache: true, schedulers: [none, mq-deadline], scheduler: none }
  - { path: /dev/nvme0n2, serial: JTS-NS-0, byId: [/dev/disk/by-id/nvme-eui.0000000000000002], sizeBytes: 1073741824, kind: nvme, volatileWriteCache: true, schedulers: [none, mq-deadline], scheduler: none }
  - { path: /dev/nvme1n1, serial: JTS-SYS-0, sizeBytes: 1073741824, kind: nvme, volatileWriteCache: true, schedulers: [none, mq-deadline], scheduler: none, mountpoints: ["/", /boot], signatures: [LVM2_member], isRootDisk: true }
`;
const plan = (drive: string) => `version: 1
drives:
  - id: d0
    ${drive}
volumeGroups:
  - name: vg_t
    drives: [d0]
volumes:
  - name: lv_a
    vg: vg_t
    size: 100MiB
    mount: { path: /srv/a, options: [defaults, nofail, x-systemd.device-timeout=30s] }
`;

async function runPlan(text: string) {
  const runner = new FakeRunner();
  runner.files.set('p.yaml', text);
  runner.files.set('d.yaml', DRIVES);
  let out = '';
  const code = await planCommand({ plan: 'p.yaml', drives: 'd.yaml', json: true }, { runner, stdout: (s) => (out += s), stderr: () => {} });
  const j = JSON.parse(out) as { errors: { rule: string; field?: string; line?: number; message: string }[]; warnings: { rule: string; message: string }[]; actions: unknown[] };
  return { code, j, runner, all: out };
}

test('plan: ambiguous serial is JTS-DRIVE-AMBIGUOUS at drives[0], exit 1, no action, nothing run', async () => {
  const { code, j, runner } = await runPlan(plan('serial: JTS-NS-0'));
  assert.equal(code, 1);
  assert.deepEqual(runner.calls, []);
  const e = j.errors.find((x) => x.rule === 'JTS-DRIVE-AMBIGUOUS');
  assert.ok(e, JSON.stringify(j.errors));
  assert.equal(e.field, 'drives[0]');
  assert.equal(e.line, 3);
  assert.match(e.message, /\/dev\/nvme0n1.*\/dev\/nvme0n2/);
  assert.ok(!JSON.stringify(j.actions).includes('/dev/nvme0n'), 'no action on either namespace');
  // the namespace's own link is accepted
  const ok = await runPlan(plan('byId: /dev/disk/by-id/nvme-eui.0000000000000002'));
  assert.ok(!ok.j.errors.some((x) => x.rule.startsWith('JTS-DRIVE')), JSON.stringify(ok.j.errors));
});

test('plan: the root disk is an error with no --allow-destroy hint and no action on it', async () => {
  const { code, j, all } = await runPlan(plan('serial: JTS-SYS-0'));
  assert.equal(code, 1);
  const e = j.errors.find((x) => x.rule === 'JTS-DRIVE-ROOT');
  assert.ok(e, JSON.stringify(j.errors));
  assert.match(e.message, /\/dev\/nvme1n1.*holds the running system \(\/, \/boot\)/);
  assert.doesNotMatch(all, /allow-destroy/);
  assert.ok(!JSON.stringify(j.actions).includes('/dev/nvme1n1'), 'no action on the system disk');
});

for (const [what, field] of [
  ['serial: "JTS-NS-0/../x"', 'drives[0].serial'],
  ['serial: "JTS-*"', 'drives[0].serial'],
  ['serial: "JTS-NS-[01]"', 'drives[0].serial'],
  ['serial: "JTS NS 0"', 'drives[0].serial'],
  ['wwn: "eui.0000?"', 'drives[0].wwn'],
  ['byId: /dev/disk/by-id/../../sda', 'drives[0].byId'],
  ['byId: "/dev/disk/by-id/nvme-*"', 'drives[0].byId'],
  ['path: /dev/../dev/sda', 'drives[0].path'],
  ['path: "/dev/nvme0n*"', 'drives[0].path'],
] as const) {
  test(`identity refused at the field: ${what}`, async () => {
    const { code, j, runner } = await runPlan(plan(what));
    assert.equal(code, 1);
    assert.deepEqual(runner.calls, []);
    assert.ok(j.errors.some((e) => e.field === field && e.line === 4), JSON.stringify(j.errors));
  });
}

// ---- the same on a real kernel's output: captured in the sandbox by test/fixtures/identity/capture.sh

const cap = (f: string) => readFileSync(new URL(`../../../test/fixtures/identity/${f}`, import.meta.url), 'utf8');
async function probed() {
  const r = new FakeRunner({ files: { '/etc/fstab': '' } });
  r.on(UNAME_ARGV, { stdout: cap('uname.txt') });
  r.on(LSBLK_ARGV, { stdout: cap('lsblk.json') });
  r.on(FINDMNT_ARGV, { stdout: cap('findmnt.json') });
  r.on(BLKID_ARGV, { stdout: cap('blkid.txt') });
  r.on(FULLREPORT_ARGV, { stdout: cap('fullreport.json') });
  r.on(BY_ID_ARGV, { stdout: cap('by-id.txt') });
  return probeHost(r);
}

test('captured: two namespaces of one controller share serial JTS-NS-0; the legacy link names one of them; both are refused', async () => {
  const s = await probed();
  const nvme0 = s.drives.filter((d) => d.serial === 'JTS-NS-0').map((d) => d.path);
  assert.deepEqual(nvme0, ['/dev/nvme0n1', '/dev/nvme0n2']);
  const bySerial = matchDrive({ id: 'd0', serial: 'JTS-NS-0', tier: 'hot' }, s.drives);
  assert.deepEqual(bySerial.candidates?.map((d) => d.path), nvme0);
  assert.match(bySerial.problem!, /nvme-QEMU_NVMe_Ctrl_JTS-NS-0_1.*nvme-QEMU_NVMe_Ctrl_JTS-NS-0_2/);
  // udev's controller-wide link points at nvme0n2 only: still ambiguous (it would have silently picked ns 2)
  const legacy = matchDrive({ id: 'd0', byId: '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NS-0', tier: 'hot' }, s.drives);
  assert.equal(legacy.drive, undefined);
  assert.deepEqual(legacy.candidates?.map((d) => d.path), nvme0);
  // the namespace's links name exactly one
  assert.equal(matchDrive({ id: 'd0', byId: '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NS-0_1', tier: 'hot' }, s.drives).drive?.path, '/dev/nvme0n1');
  const ngu = s.drives.find((d) => d.path === '/dev/nvme0n2')!.byIds.find((b) => b.includes('nvme-nvme.'))!;
  assert.equal(matchDrive({ id: 'd0', byId: ngu, tier: 'hot' }, s.drives).drive?.path, '/dev/nvme0n2');
  // a drive with one namespace: its controller-wide link is fine
  assert.equal(matchDrive({ id: 'd0', byId: '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-SYS-0', tier: 'hot' }, s.drives).drive?.path, '/dev/nvme1n1');
});

test('captured: the system VG (lv_boot on JTS-SYS-0 mounted on /boot) makes both of its PVs system disks', async () => {
  const s = await probed();
  const sys0 = s.drives.find((d) => d.serial === 'JTS-SYS-0')!;
  const sys1 = s.drives.find((d) => d.serial === 'JTS-SYS-1')!;
  assert.ok(sys0.mountpoints.includes('/boot'));
  assert.equal(sys0.isRootDisk, true);
  assert.deepEqual(sys1.mountpoints, [], 'lsblk shows no mount on the second PV');
  assert.equal(sys1.isRootDisk, true, 'a PV of the system VG');
  assert.ok(!s.drives.find((d) => d.path === '/dev/nvme0n1')!.isRootDisk);
});
