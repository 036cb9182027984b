import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEGACY_UDEV_RULE_PATHS, renderUdevRules, UDEV_RULE_PATH, udevLiteralError, type UdevDriveMatch } from '../../src/render/udev.js';
import { parseUdevRules, RenderError } from '../../src/render/parse-back.js';
import { classOfDisk, globToRegExp, parseSchedulerFile } from '../../src/facts/drive-classes.js';
import { parseUdevDb } from '../../src/host/udev.js';
import { scopeFromUdev, uniqueUdevIdentity, udevWholeDisks } from '../../src/tune/drive-scope.js';
import type { Plan } from '../../src/model/plan-schema.js';
import { NVME0N1_BY_ID, smallPlan, UDEV_DB } from '../tune/helpers.js';

const db = parseUdevDb(UDEV_DB);
/** The rule's input for a plan on the captured host (tune's path: udev database → scope → facts). */
function rule(plan: Plan, rotational: Record<string, boolean> = {}) {
  const scoped = scopeFromUdev(plan, db);
  const matches: UdevDriveMatch[] = scoped
    .filter((d) => d.udev && d.name)
    .map((d) => ({ driveId: d.id, cls: classOfDisk(d.name!, rotational[d.name!] ?? !d.name!.startsWith('nvme'))!, key: d.udev!.key, value: d.udev!.value }));
  return { scoped, r: renderUdevRules(plan, matches, '/p.yaml', scoped.filter((d) => !d.udev).map((d) => d.id)) };
}
const FOUR = smallPlan({
  drives: [
    `  - { id: d0, byId: ${NVME0N1_BY_ID}, kind: nvme }`,
    '  - { id: d1, serial: JTS-SCSI-0 }',
    '  - { id: d2, serial: VIRT1 }',
    '  - { id: d3, serial: JTS-SATA-0 }',
  ],
  vgDrives: 'd0, d1, d2, d3',
  tuning: 'tuning:\n  schedulers: { nvme: none, sata-ssd: mq-deadline, hdd: bfq, virtio: none }',
}).plan;

test('udev rule (61-, after 60-persistent-storage.rules): one line per plan drive, by its stable udev property, never every disk of a class, no RUN', () => {
  const { r } = rule(FOUR);
  assert.equal(r.path, UDEV_RULE_PATH);
  assert.equal(UDEV_RULE_PATH, '/etc/udev/rules.d/61-jts-storage-scheduler.rules');
  assert.ok('/etc/udev/rules.d/60-persistent-storage.rules' < UDEV_RULE_PATH, 'udev reads rule files in lexical order');
  assert.deepEqual(LEGACY_UDEV_RULE_PATHS, ['/etc/udev/rules.d/60-jts-storage-scheduler.rules']);
  assert.match(r.content, /^# Managed by jts-storage/);
  assert.match(r.content, /^ENV\{DEVTYPE\}!="disk", GOTO="jts_storage_scheduler_end"$/m);
  // nvme0n1: its namespace wwid (the controller serial JTS-NVME-0 is nvme0n2's too)
  assert.match(r.content, /^KERNEL=="nvme\[0-9\]\*n\[0-9\]\*", ENV\{ID_WWN\}=="nvme\.1b36-4a54532d4e564d452d30-51454d55204e564d65204374726c-00000001", ATTR\{queue\/scheduler\}="none"$/m);
  assert.match(r.content, /^KERNEL=="sd\*", ATTR\{queue\/rotational\}=="1", ENV\{ID_SERIAL_SHORT\}=="JTS-SCSI-0", ATTR\{queue\/scheduler\}="bfq"$/m);
  assert.match(r.content, /^KERNEL=="sd\*", ATTR\{queue\/rotational\}=="1", ENV\{ID_SERIAL_SHORT\}=="JTS-SATA-0", ATTR\{queue\/scheduler\}="bfq"$/m);
  assert.match(r.content, /^KERNEL=="vd\*", ENV\{ID_SERIAL\}=="VIRT1", ATTR\{queue\/scheduler\}="none"$/m);
  const rules = parseUdevRules(r.content);
  const setters = rules.filter((x) => x.some((p) => p.key === 'ATTR{queue/scheduler}'));
  assert.equal(setters.length, 4);
  // every line that sets a scheduler names one drive; none is a catch-all of a class
  for (const x of setters) assert.ok(x.some((p) => /^ENV\{ID_(WWN|SERIAL_SHORT|SERIAL)\}$/.test(p.key) && p.op === '=='), JSON.stringify(x));
  for (const l of r.content.split('\n').filter((l) => l && !l.startsWith('#'))) assert.doesNotMatch(l, /nvme0n1"|RUN\+=|fstrim/, l);
  assert.match(r.content, /^LABEL="jts_storage_scheduler_end"$/m);
});

test('udev rule: the one-drive plan writes one line; nvme0n2, nvme1n1, sda, sdb, vda of the same host get none', () => {
  const { r, scoped } = rule(smallPlan().plan);
  assert.deepEqual(scoped, [{ id: 'd0', name: 'nvme0n1', udev: { key: 'ID_WWN', value: 'nvme.1b36-4a54532d4e564d452d30-51454d55204e564d65204374726c-00000001' } }]);
  assert.equal((r.content.match(/ATTR\{queue\/scheduler\}=/g) ?? []).length, 1);
  for (const other of ['00000002', 'JTS-NVME-1', 'JTS-SCSI-0', 'JTS-SATA-0', 'VIRT1']) assert.ok(!r.content.includes(other), other);
});

test('udev rule: "keep" leaves a drive\'s class out; a plan drive not on the host is a comment only', () => {
  const p = smallPlan({
    drives: [`  - { id: d0, byId: ${NVME0N1_BY_ID}, kind: nvme }`, '  - { id: d1, serial: JTS-SCSI-0 }', '  - { id: gone, serial: NOT-HERE }'],
    vgDrives: 'd0, d1, gone',
    tuning: 'tuning:\n  schedulers: { nvme: none, sata-ssd: keep, hdd: keep, virtio: keep }',
  });
  const { r } = rule(p.plan);
  assert.equal((r.content.match(/ATTR\{queue\/scheduler\}=/g) ?? []).length, 1);
  assert.match(r.content, /^# drive d1 \(hdd\): not managed by this plan \(scheduler "keep"\)$/m);
  assert.match(r.content, /^# drive gone: not found on this host/m);
});

test('udev rule: every identity value goes through the serializer and is read back; a value udev would read as a pattern or that could end the line is refused', () => {
  const plan = smallPlan().plan;
  for (const value of ['JTS"', 'A\\B', 'A\nB', 'A\rB', 'A\u0000B', 'A\u202eB', 'JTS*', 'A?B', 'A[12]', 'A|B', '', ' A', 'A ']) {
    assert.throws(() => renderUdevRules(plan, [{ driveId: 'd0', cls: 'nvme', key: 'ID_SERIAL_SHORT', value }]), RenderError, JSON.stringify(value));
    assert.ok(udevLiteralError(value), JSON.stringify(value));
  }
  assert.throws(() => renderUdevRules(plan, [{ driveId: 'd0', cls: 'nvme', key: 'DEVNAME' as never, value: 'x' }]), RenderError);
  // a space inside a serial is carried inside the quotes and read back unchanged
  const ok = renderUdevRules(plan, [{ driveId: 'd0', cls: 'nvme', key: 'ID_SERIAL_SHORT', value: 'S N 1' }]);
  assert.ok(parseUdevRules(ok.content).some((x) => x.some((p) => p.key === 'ENV{ID_SERIAL_SHORT}' && p.value === 'S N 1')));
});

test('scope: a property another whole disk carries is never the match; an identity several disks carry is ambiguous, with the candidates', () => {
  const nvme0n2 = db.find((d) => d.sysname === 'nvme0n2')!;
  // the controller serial is nvme0n1's too: the namespace's wwid is chosen
  assert.deepEqual(uniqueUdevIdentity(nvme0n2, udevWholeDisks(db)), { key: 'ID_WWN', value: nvme0n2.env.ID_WWN });
  const noWwn = { ...nvme0n2, env: { ...nvme0n2.env, ID_WWN: undefined as unknown as string } };
  delete (noWwn.env as Record<string, string>).ID_WWN;
  const disks = udevWholeDisks(db).map((d) => (d === nvme0n2 ? noWwn : d));
  assert.deepEqual(uniqueUdevIdentity(noWwn, disks), { key: 'ID_SERIAL', value: 'QEMU_NVMe_Ctrl_JTS-NVME-0_2' });
  const amb = scopeFromUdev(smallPlan({ drives: ['  - { id: d0, serial: JTS-NVME-0, kind: nvme }'] }).plan, db);
  assert.deepEqual(amb[0]!.candidates, ['/dev/nvme0n1', '/dev/nvme0n2']);
  assert.match(amb[0]!.problem!, /serial JTS-NVME-0 matches 2 devices/);
  assert.equal(amb[0]!.udev, undefined);
});

test('udev glob semantics mirror fnmatch', () => {
  const nv = globToRegExp('nvme[0-9]*n[0-9]*');
  for (const n of ['nvme0n1', 'nvme12n3', 'nvme0n10']) assert.ok(nv.test(n), n);
  for (const n of ['nvme0', 'nvme-fabrics', 'sda', 'nvmen1']) assert.ok(!nv.test(n), n);
  assert.ok(globToRegExp('sd*').test('sdaa'));
  assert.ok(!globToRegExp('vd*').test('xvda'));
});

test('classOfDisk: the same table as the rule', () => {
  assert.equal(classOfDisk('nvme0n1', false), 'nvme');
  assert.equal(classOfDisk('nvme3n2', undefined), 'nvme');
  assert.equal(classOfDisk('sda', false), 'sata-ssd');
  assert.equal(classOfDisk('sdb', true), 'hdd');
  assert.equal(classOfDisk('sdc', undefined), undefined);
  assert.equal(classOfDisk('vda', true), 'virtio');
  for (const n of ['loop0', 'dm-0', 'zram0', 'md0', 'sr0', 'xvda', 'mmcblk0']) assert.equal(classOfDisk(n, false), undefined, n);
});

test('scheduler file parsing', () => {
  assert.deepEqual(parseSchedulerFile('[none] mq-deadline kyber bfq\n'), { available: ['none', 'mq-deadline', 'kyber', 'bfq'], active: 'none' });
  assert.deepEqual(parseSchedulerFile('none [mq-deadline]'), { available: ['none', 'mq-deadline'], active: 'mq-deadline' });
  assert.deepEqual(parseSchedulerFile('none'), { available: ['none'], active: 'none' });
  assert.deepEqual(parseSchedulerFile(''), { available: [], active: undefined });
});
