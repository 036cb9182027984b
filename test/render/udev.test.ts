import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderUdevRules, UDEV_RULE_PATH } from '../../src/render/udev.js';
import { classOfDisk, globToRegExp, parseSchedulerFile } from '../../src/facts/drive-classes.js';
import { defaultPlan, smallPlan } from '../tune/helpers.js';

test('udev rule: whole disks by kind, never one kernel name, no RUN', () => {
  const r = renderUdevRules(defaultPlan().plan, '/p.yaml');
  assert.equal(r.path, UDEV_RULE_PATH);
  assert.match(r.content, /^# Managed by jts-storage/);
  assert.match(r.content, /^ENV\{DEVTYPE\}!="disk", GOTO="jts_storage_scheduler_end"$/m);
  assert.match(r.content, /^KERNEL=="nvme\[0-9\]\*n\[0-9\]\*", ATTR\{queue\/scheduler\}="none"$/m);
  assert.match(r.content, /^KERNEL=="sd\*", ATTR\{queue\/rotational\}=="0", ATTR\{queue\/scheduler\}="mq-deadline"$/m);
  assert.match(r.content, /^KERNEL=="sd\*", ATTR\{queue\/rotational\}=="1", ATTR\{queue\/scheduler\}="bfq"$/m);
  assert.match(r.content, /^KERNEL=="vd\*", ATTR\{queue\/scheduler\}="none"$/m);
  const rules = r.content.split('\n').filter((l) => l && !l.startsWith('#'));
  for (const l of rules) assert.doesNotMatch(l, /nvme0n1"|RUN\+=|fstrim/, l);
  // every GOTO has its LABEL
  assert.match(r.content, /^LABEL="jts_storage_scheduler_end"$/m);
});

test('udev rule: "keep" leaves a class out', () => {
  const p = smallPlan({ tuning: 'tuning:\n  schedulers: { nvme: none, sata-ssd: keep, hdd: keep, virtio: keep }' });
  const r = renderUdevRules(p.plan);
  assert.equal((r.content.match(/ATTR\{queue\/scheduler\}=/g) ?? []).length, 1);
  assert.match(r.content, /# hdd: not managed/);
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
