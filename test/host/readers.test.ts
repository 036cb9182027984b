// The nvme-cli, smartctl, fio and sysfs readers: argv, environment, unknown instead of NaN, a missing
// tool in one line. The parses themselves are tested on captures in test/health/smart*.test.ts and
// test/bench/fio.test.ts; here, what the readers add.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner } from '../support/fake-runner.js';
import { capture } from './fixtures.js';
import { nvmeSmartLogArgv, parseNvmeSmartLog, runNvmeSmartLog, smartNum } from '../../src/host/nvme.js';
import { runSmartctl, smartctlArgv, smartctlMessages } from '../../src/host/smartctl.js';
import { FIO_VERSION_ARGV, readFioVersion } from '../../src/host/fio.js';
import { listBlockDevices, parseScheduler, queuePath, readQueue, readQueueAttr } from '../../src/host/sysfs.js';
import { parseSchedulerFile } from '../../src/facts/drive-classes.js';

test('nvme smart-log and smartctl run with LC_ALL=C, argv in one place', async () => {
  const r = new FakeRunner()
    .on(nvmeSmartLogArgv('/dev/nvme0n1'), { stdout: capture('health/fixtures/nvme-smart-log.json') })
    .on(smartctlArgv('/dev/nvme0n1'), { stdout: capture('health/fixtures/smartctl-nvme.json') });
  const n = await runNvmeSmartLog(r, '/dev/nvme0n1', 1000);
  assert.equal(parseNvmeSmartLog(n.stdout).temperatureC, 50);
  await runSmartctl(r, '/dev/nvme0n1', 1000);
  assert.deepEqual(r.calls.map((c) => c.argv.join(' ')), ['nvme smart-log /dev/nvme0n1 -o json', 'smartctl -j -a /dev/nvme0n1']);
  for (const c of r.calls) assert.equal(c.opts?.env?.LC_ALL, 'C');
});

test('a SMART figure in a decimal-comma or grouped form is unknown, never NaN or a guess', () => {
  assert.equal(smartNum('148'), 148);
  assert.equal(smartNum({ value: 7 }), 7);
  assert.equal(smartNum('31,48'), undefined);
  assert.equal(smartNum('1,234'), undefined);
  assert.equal(smartNum('n/a'), undefined);
  const h = parseNvmeSmartLog('{"critical_warning":0,"temperature":323,"media_errors":"1,5"}');
  assert.equal(h.mediaErrors, undefined);
  assert.ok(!Number.isNaN(h.mediaErrors));
});

test('smartctl messages: from the JSON (the missing-device capture), else stderr', () => {
  assert.match(smartctlMessages(capture('health/fixtures/smartctl-missing.json')), /No such device|open/i);
  assert.equal(smartctlMessages('garbage', 'stderr text\n'), 'stderr text');
});

test('fio --version: the version, or one line naming the Debian package', async () => {
  const r = new FakeRunner().on(FIO_VERSION_ARGV, { stdout: 'fio-3.33\n' });
  assert.equal(await readFioVersion(r), 'fio-3.33');
  assert.equal(r.calls[0]!.opts?.env?.LC_ALL, 'C');
  const missing = new FakeRunner().on(FIO_VERSION_ARGV, { notFound: true, exitCode: 127 });
  await assert.rejects(readFioVersion(missing), /^HostReadError: fio is not installed \(Debian package fio\)$/);
});

test('sysfs queue of the captured NVMe drive and dm device; a missing attribute is unknown', async () => {
  const cap = JSON.parse(capture('fixtures/guest/sysfs-queue.json')) as Record<string, Record<string, string>>;
  const files: Record<string, string> = {};
  for (const [dev, attrs] of Object.entries(cap)) for (const [a, v] of Object.entries(attrs)) files[`/sys/block/${dev}/queue/${a}`] = `${v}\n`;
  const r = new FakeRunner({ files });
  const q = await readQueue(r, 'nvme0n1');
  assert.deepEqual(q.schedulers, ['none', 'mq-deadline']);
  assert.equal(q.scheduler, 'none');
  assert.equal(q.volatileWriteCache, true);
  assert.equal(q.writeCache, 'write back');
  assert.equal(q.rotational, false);
  assert.equal(q.discardMaxBytes, 2147483136);
  assert.equal(q.readAheadKb, 128);
  assert.equal(q.logicalBlockSize, 512);
  assert.equal((await readQueue(r, 'dm-0')).scheduler, 'none', 'a queue without an elevator prints just "none"');
  assert.equal(await readQueueAttr(r, 'nvme9n9', 'rotational'), undefined);
  const absent = await readQueue(r, 'nvme9n9');
  assert.equal(absent.readAheadKb, undefined);
  assert.equal(queuePath('sda', 'scheduler'), '/sys/block/sda/queue/scheduler');
  assert.deepEqual(await listBlockDevices(new FakeRunner()), []);
  assert.deepEqual((await listBlockDevices(r)).slice(0, 3), ['dm-0', 'dm-1', 'dm-10']);
});

test('one scheduler parse: probe and tune read the file alike', () => {
  for (const t of ['[none] mq-deadline kyber bfq\n', 'none [mq-deadline]', 'none', '']) {
    const a = parseScheduler(t);
    assert.deepEqual(parseSchedulerFile(t), { available: a.schedulers, active: a.active });
  }
});
