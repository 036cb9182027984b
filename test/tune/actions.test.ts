import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readTuneFacts } from '../../src/tune/facts.js';
import { planTune, tuneActions } from '../../src/tune/actions.js';
import { TuneError } from '../../src/tune/validate.js';
import { PlanError } from '../../src/model/load-plan.js';
import { emptyHostState } from '../../src/model/host-state.js';
import { Executor } from '../../src/exec/executor.js';
import { AuditLog } from '../../src/exec/audit.js';
import { UDEV_RULE_PATH } from '../../src/render/udev.js';
import { SYSCTL_PATH } from '../../src/render/sysctl.js';
import { fakeHost, lvsJson, smallPlan, defaultPlan, NVME0N1_BY_ID } from './helpers.js';
import { capture } from '../host/fixtures.js';
import type { FakeRunner } from '../support/fake-runner.js';

const CLI = ['/usr/bin/node', '/opt/jts/bin/jts-storage.js'];
const state = emptyHostState('probe');

function host(o: Partial<Parameters<typeof fakeHost>[0]> = {}): FakeRunner {
  return fakeHost({
    disks: [
      { name: 'nvme0n1', scheduler: 'none [mq-deadline]' },
      { name: 'nvme1n1', scheduler: '[none] mq-deadline' },
      { name: 'sda', rotational: '1', scheduler: 'none [mq-deadline] bfq' },
      { name: 'vda', rotational: '1', scheduler: '[mq-deadline] none' },
    ],
    others: ['loop0', 'dm-0', 'zram0'],
    lvs: lvsJson([
      { vg: 'vg0', name: 'lv_mongo', ra: 'auto', minor: 0 },
      { vg: 'vg0', name: 'lv_ch', ra: 'auto', minor: 1 },
      { vg: 'vg0', name: 'lv_pg', ra: '32768', minor: 2 }, // 64 sectors, as the plan says
    ]),
    ...o,
  });
}

/** Run the actions on the fake host with apply's executor (files land in the FakeRunner). */
async function execute(r: FakeRunner, actions: ReturnType<typeof tuneActions>) {
  // sysfs writes: make the fake kernel apply them like the real one does (active scheduler in brackets).
  const res = await new Executor({ runner: r, audit: new AuditLog(r, undefined, 'test') }).run(actions);
  for (const [p, v] of r.files)
    if (p.endsWith('/queue/scheduler') && !v.includes('[')) {
      const avail = ['none', 'mq-deadline', 'kyber', 'bfq'];
      r.files.set(p, avail.map((s) => (s === v.trim() ? `[${s}]` : s)).join(' ') + '\n');
    }
  return res;
}

test('first run: rule, one sysfs write per plan drive that differs (never a disk the plan does not declare), read-ahead where it differs, units; no systemd → not enabled, said why', async () => {
  const r = host();
  const loaded = smallPlan();
  const facts = await readTuneFacts(r, loaded.plan);
  const tp = planTune(loaded, state, undefined, facts, { cli: CLI });
  const ids = tp.actions.map((a) => a.id);
  assert.deepEqual(ids, [
    'tune:udev-rule',
    'tune:scheduler:nvme0n1', // the plan's drive: mq-deadline → none
    // sda (hdd, mq-deadline) and vda (virtio, mq-deadline) differ from the class defaults but are not plan drives: no action
    'tune:readahead:vg0/lv_mongo', // auto → 32 (MongoDB)
    'tune:unit:jts-storage-health.service',
    'tune:unit:jts-storage-health.timer',
  ]);
  const ra = tp.actions.find((a) => a.id === 'tune:readahead:vg0/lv_mongo')!;
  assert.deepEqual(ra.steps, [{ type: 'exec', argv: ['lvchange', '--readahead', '32', 'vg0/lv_mongo'], mutating: true }]);
  const sd = tp.actions.find((a) => a.id === 'tune:scheduler:nvme0n1')!;
  assert.deepEqual(sd.steps, [{ type: 'write-sysfs', path: '/sys/block/nvme0n1/queue/scheduler', value: 'none' }]);
  assert.ok(!tp.actions.some((a) => a.steps.some((s) => s.type === 'exec' && s.argv[0] === 'systemctl')));
  assert.ok(tp.notes.some((n) => /not enabled or started — systemd is not running here: PID 1 is "init"/.test(n)), tp.notes.join('\n'));
  assert.ok(tp.notes.includes('scheduler: 5 disk(s) not in the plan left alone (nvme0n2, nvme1n1, sda, vda, sdb)'), tp.notes.join('\n'));
  // not one sysfs path of another disk was even read
  assert.ok(![...r.calls.map((c) => c.argv.join(' '))].some((c) => /\/sys\/block\/(sda|vda|nvme1n1)/.test(c)));
  // no command at all ran while planning except the read-only probes
  assert.deepEqual(r.mutatingCalls, []);
});

test('apply then plan again: nothing to do (idempotent), files are exactly the rendered ones', async () => {
  const r = host();
  const loaded = smallPlan();
  r.on(['lvchange'], { exitCode: 0 });
  const a1 = tuneActions(loaded, state, undefined, await readTuneFacts(r, loaded.plan), { cli: CLI });
  const res = await execute(r, a1);
  assert.equal(res.ok, true, res.failure?.message);
  assert.ok(r.files.get(UDEV_RULE_PATH)?.includes('ATTR{queue/scheduler}="none"'));
  // the LV now has 32 sectors (16384 bytes)
  r.on(['lvs'], { stdout: lvsJson([
    { vg: 'vg0', name: 'lv_mongo', ra: '16384', minor: 0 },
    { vg: 'vg0', name: 'lv_ch', ra: 'auto', minor: 1 },
    { vg: 'vg0', name: 'lv_pg', ra: '32768', minor: 2 },
  ]) });
  const a2 = tuneActions(loaded, state, undefined, await readTuneFacts(r, loaded.plan), { cli: CLI });
  assert.deepEqual(a2, []);
});

test('systemd running: daemon-reload then enable --now only what is not enabled+active', async () => {
  const show = [
    'Id=fstrim.timer\nLoadState=loaded\nUnitFileState=enabled\nActiveState=active\nNextElapseUSecRealtime=@1764547200\nLastTriggerUSec=n/a',
    'Id=jts-storage-fstrim.timer\nLoadState=not-found\nUnitFileState=\nActiveState=inactive\nNextElapseUSecRealtime=\nLastTriggerUSec=',
    'Id=jts-storage-health.timer\nLoadState=not-found\nUnitFileState=\nActiveState=inactive\nNextElapseUSecRealtime=\nLastTriggerUSec=',
    'Id=jts-storage-snapshot.timer\nLoadState=not-found\nUnitFileState=\nActiveState=inactive\nNextElapseUSecRealtime=\nLastTriggerUSec=',
  ].join('\n\n');
  // the default plan's drive is serial JTS-NVME-0: the capture of a host where that controller has one namespace
  const r = host({ systemd: true, systemctlShow: show + '\n', udevDb: capture('fixtures/host/udevadm-export-db.txt') });
  const loaded = defaultPlan();
  const tp = planTune(loaded, state, undefined, await readTuneFacts(r, loaded.plan), { cli: CLI });
  const sdA = tp.actions.find((a) => a.id === 'tune:systemd')!;
  assert.deepEqual(
    sdA.steps.map((s) => (s.type === 'exec' ? s.argv : [])),
    [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'jts-storage-health.timer', 'jts-storage-snapshot.timer'],
    ],
  );
  // its dependencies are the unit writes
  assert.ok(sdA.dependsOn.includes('tune:unit:jts-storage-health.timer'));
  // systemctl show: exactly one call for all timers
  assert.equal(r.calls.filter((c) => c.argv[0] === 'systemctl').length, 1);
});

test('sysctl only where the plan asks, with its reason; applied with sysctl -p FILE', async () => {
  const tuning = [
    'tuning:',
    '  sysctl:',
    '    - key: vm.dirty_background_bytes',
    '      value: "67108864"',
    '      reason: "start writeback at 64 MiB so a checkpoint never queues GBs of dirty pages (example reason)"',
  ].join('\n');
  const loaded = smallPlan({ tuning });
  const r = host({ files: { '/proc/sys/vm/dirty_background_bytes': '0\n' } });
  const tp = planTune(loaded, state, undefined, await readTuneFacts(r, loaded.plan), { cli: CLI });
  const a = tp.actions.find((x) => x.id === 'tune:sysctl')!;
  const w = a.steps.find((s) => s.type === 'write-file');
  assert.ok(w && w.type === 'write-file' && w.path === SYSCTL_PATH);
  assert.match(w.content, /# start writeback at 64 MiB.*\nvm\.dirty_background_bytes = 67108864\n/);
  assert.deepEqual(a.steps.at(-1), { type: 'exec', argv: ['sysctl', '-p', SYSCTL_PATH], mutating: true });
  // without sysctl in the plan there is no file and no action
  const none = planTune(smallPlan(), state, undefined, await readTuneFacts(host(), smallPlan().plan), { cli: CLI });
  assert.ok(!none.actions.some((x) => x.id === 'tune:sysctl'));
});

test('bad input: unknown scheduler for a device → clear error, no command, no write', async () => {
  const r = host();
  const loaded = smallPlan({ tuning: 'tuning:\n  schedulers: { nvme: kyber }' });
  const facts = await readTuneFacts(r, loaded.plan);
  assert.throws(
    () => planTune(loaded, state, undefined, facts, { cli: CLI }),
    (e: unknown) =>
      e instanceof TuneError &&
      /\/plans\/t\.yaml:\d+:\d+: tuning\.schedulers\.nvme: scheduler "kyber" is not offered by \/dev\/nvme0n1 \(nvme\): \/sys\/block\/nvme0n1\/queue\/scheduler lists none, mq-deadline/.test(e.message),
  );
  assert.deepEqual(r.mutatingCalls, []);
});

test('bad input: read-ahead out of range, bad names, bad schedule — all reported at once with file:line', async () => {
  const loaded = smallPlan({
    drives: [`  - { id: d0, byId: ${NVME0N1_BY_ID}, kind: nvme }`, '  - { id: d1, serial: JTS-SCSI-0 }'],
    vgDrives: 'd0, d1',
    volumes: [
      '  - { name: lv_a, vg: vg0, size: 1GiB, readAhead: 0 }',
      '  - { name: lv_b, vg: vg0, size: 1GiB, readAhead: 12 }',
      '  - { name: lv_c, vg: vg0, size: 1GiB, readAhead: 4194304 }',
    ].join('\n'),
    tuning: 'tuning:\n  schedulers: { hdd: "bfq-" }\n  healthInterval: soon\n  snapshotSchedule: hourly\n  sysctl:\n    - { key: vm.swappiness, value: "1", reason: "a reason long enough" }\n    - { key: vm.swappiness, value: "2", reason: "a reason long enough" }',
  });
  try {
    planTune(loaded, state, undefined, await readTuneFacts(host(), loaded.plan), { cli: CLI });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof TuneError);
    const fields = e.findings.map((f) => f.field);
    assert.deepEqual(fields.sort(), ['tuning.healthInterval', 'tuning.schedulers.hdd', 'tuning.sysctl[0].key', 'tuning.sysctl[1].key', 'volumes[1].readAhead', 'volumes[2].readAhead'].sort());
    for (const f of e.findings) assert.ok(typeof f.line === 'number' && f.line > 0, `${f.field} has a line`);
    assert.match(e.message, /volumes\[1\]\.readAhead: read-ahead 12 sectors is not a multiple/);
    assert.match(e.message, /volumes\[2\]\.readAhead: read-ahead 4194304 sectors \(2048 MiB\) is out of range/);
  }
  // text that cannot go into a udev rule, a unit or sysctl.d is refused when the plan is loaded (field grammars), all at once
  try {
    smallPlan({ tuning: 'tuning:\n  schedulers: { hdd: "bfq\\"; RUN+=\\"/bin/sh" }\n  snapshotSchedule: "hourly\\nExecStart=/bin/sh"\n  sysctl:\n    - { key: "vm/../x", value: "1", reason: "a reason long enough" }' });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof PlanError);
    assert.deepEqual(e.findings.map((f) => f.field).sort(), ['tuning.schedulers.hdd', 'tuning.snapshotSchedule', 'tuning.sysctl[0].key']);
    for (const f of e.findings) assert.ok(typeof f.line === 'number' && f.line > 0, `${f.field} has a line`);
  }
  // a negative read-ahead is already refused when the plan is loaded (PLAN-READAHEAD)
  assert.throws(() => smallPlan({ volumes: '  - { name: lv_a, vg: vg0, size: 1GiB, readAhead: -8 }' }), /volumes\[0\]\.readAhead: read-ahead -8 sectors is out of range/);
});

test('apply contract: skipReadAhead leaves lvchange to the diff', async () => {
  const loaded = smallPlan();
  const a = tuneActions(loaded, state, undefined, await readTuneFacts(host(), loaded.plan), { cli: CLI, skipReadAhead: true });
  assert.ok(!a.some((x) => x.id.startsWith('tune:readahead')));
});

test('without facts (HostState only): schedulers from the probe, files always written', () => {
  const st = emptyHostState('probe');
  st.drives.push({ path: '/dev/nvme0n1', byIds: [NVME0N1_BY_ID], wwn: 'eui.0025385b71b0a0c1', sizeBytes: 1, logicalSectorSize: 512, physicalSectorSize: 512, rotational: false, discard: true, volatileWriteCache: true, kind: 'nvme', schedulers: ['none', 'mq-deadline'], scheduler: 'mq-deadline', partitions: [], signatures: [], mountpoints: [] });
  const a = tuneActions(smallPlan(), st, undefined, undefined, { cli: CLI });
  assert.ok(a.some((x) => x.id === 'tune:scheduler:nvme0n1'));
  const rule = a.find((x) => x.id === 'tune:udev-rule')!.steps.find((x) => x.type === 'write-file');
  // described drives: the rule matches the description's WWN
  assert.match(rule && 'content' in rule ? rule.content : '', /^KERNEL=="nvme\[0-9\]\*n\[0-9\]\*", ENV\{ID_WWN\}=="eui\.0025385b71b0a0c1", ATTR\{queue\/scheduler\}="none"$/m);
});

test('a scheduler built as a module: accepted when the kernel can load it, refused when it cannot', async () => {
  const loaded = smallPlan({ drives: ['  - { id: d0, serial: JTS-SATA-0 }'] }); // sdb of the capture; hdd: bfq (default)
  const mk = () => host({ disks: [{ name: 'sdb', rotational: '1', scheduler: 'none [mq-deadline]' }] });
  const yes = mk();
  yes.on(['modprobe', '--dry-run', '--quiet', 'bfq-iosched'], { exitCode: 0 });
  const tp = planTune(loaded, state, undefined, await readTuneFacts(yes, loaded.plan), { cli: CLI });
  assert.deepEqual(tp.actions.find((a) => a.id === 'tune:scheduler:sdb')?.steps, [{ type: 'write-sysfs', path: '/sys/block/sdb/queue/scheduler', value: 'bfq' }]);
  assert.ok(tp.notes.some((n) => /loads module bfq-iosched/.test(n)));
  assert.equal(yes.calls.filter((c) => c.argv[0] === 'modprobe').length, 1);
  const no = mk();
  no.on(['modprobe'], { exitCode: 1 });
  await assert.rejects(async () => planTune(loaded, state, undefined, await readTuneFacts(no, loaded.plan), { cli: CLI }), /scheduler "bfq" is not offered by \/dev\/sdb \(hdd\).*no module bfq-iosched/);
});

test('legacy scheduler names get the modern name in the error', async () => {
  const loaded = smallPlan({ tuning: 'tuning:\n  schedulers: { nvme: noop }' });
  const r = host();
  r.on(['modprobe'], { exitCode: 1 });
  await assert.rejects(async () => planTune(loaded, state, undefined, await readTuneFacts(r, loaded.plan), { cli: CLI }), /"noop" was the single-queue scheduler removed in Linux 5\.0; its blk-mq equivalent is "none"/);
});

test('an identity two namespaces share (serial JTS-NVME-0 of the capture): tune refuses naming both candidates, nothing run, no disk touched', async () => {
  const r = host();
  const loaded = smallPlan({ drives: ['  - { id: d0, serial: JTS-NVME-0, kind: nvme }'] });
  await assert.rejects(
    async () => planTune(loaded, state, undefined, await readTuneFacts(r, loaded.plan), { cli: CLI }),
    (e: unknown) => e instanceof TuneError && e.findings.some((f) => f.rule === 'JTS-DRIVE-AMBIGUOUS' && f.field === 'drives[0]') && /\/dev\/nvme0n1.*\/dev\/nvme0n2/.test(e.message),
  );
  assert.deepEqual(r.mutatingCalls, []);
  assert.ok(!r.calls.some((c) => c.argv.join(' ').includes('/sys/block/')));
});

test('upgrade: the old catch-all 60- rule is removed through the executor (rm -f, then udevadm control --reload), after the new rule is written', async () => {
  const r = host({ files: { '/etc/udev/rules.d/60-jts-storage-scheduler.rules': 'KERNEL=="nvme[0-9]*n[0-9]*", ATTR{queue/scheduler}="none"\n' } });
  r.dirs.add('/run/udev/control');
  const loaded = smallPlan();
  const tp = planTune(loaded, state, undefined, await readTuneFacts(r, loaded.plan), { cli: CLI });
  const legacy = tp.actions.find((a) => a.id === 'tune:udev-rule:legacy')!;
  assert.equal(legacy.kind, 'change'); // the product's own file: no --allow-destroy needed
  assert.deepEqual(legacy.dependsOn, ['tune:udev-rule']);
  assert.deepEqual(legacy.steps, [
    { type: 'exec', argv: ['rm', '-f', '--', '/etc/udev/rules.d/60-jts-storage-scheduler.rules'], mutating: true },
    { type: 'exec', argv: ['udevadm', 'control', '--reload'], mutating: true },
  ]);
  // status names it stale until then
  const { tuneStatus } = await import('../../src/tune/status.js');
  const s = tuneStatus(loaded, await readTuneFacts(r, loaded.plan), { cli: CLI });
  assert.ok(s.files.some((f) => f.path === '/etc/udev/rules.d/60-jts-storage-scheduler.rules' && f.state === 'stale'));
  // without the old file: no such action
  assert.ok(!planTune(loaded, state, undefined, await readTuneFacts(host(), loaded.plan), { cli: CLI }).actions.some((a) => a.id === 'tune:udev-rule:legacy'));
});

test('a stale unit of our own (managed header) is a change, no consent asked; a file at a managed path that jts-storage did not write is a destroy that apply runs only with --allow-destroy PATH and tune apply refuses', async () => {
  const { managedHeader } = await import('../../src/render/types.js');
  const { checkSafety } = await import('../../src/exec/safety.js');
  const { tuneApplyCommand } = await import('../../src/commands/tune.js');
  const timer = '/etc/systemd/system/jts-storage-fstrim.timer'; // the own fstrim timer: not wanted where the distribution's fstrim.timer exists (fakeHost has it)
  const own = managedHeader('small', '/x/plan.yaml', 'fstrim') + '\n[Timer]\nOnCalendar=weekly\n';
  const loaded = smallPlan();
  const ours = planTune(loaded, state, undefined, await readTuneFacts(host({ systemd: true, files: { [timer]: own } }), loaded.plan), { cli: CLI });
  const a = ours.actions.find((x) => x.id === 'tune:unit:stale')!;
  assert.equal(a.kind, 'change');
  assert.equal(a.destructive, undefined);
  assert.equal(a.resource, 'systemd units');
  assert.deepEqual(a.steps, [
    { type: 'exec', argv: ['systemctl', 'disable', '--now', 'jts-storage-fstrim.timer'], mutating: true },
    { type: 'exec', argv: ['rm', '-f', '--', timer], mutating: true },
  ]);
  assert.ok(ours.actions.find((x) => x.id === 'tune:systemd')!.dependsOn.includes('tune:unit:stale'), 'daemon-reload after the removal');
  const plan = loaded.plan;
  const safe = await checkSafety({ plan, state, drives: new Map(), actions: ours.actions, errors: [], allowDestroy: [] });
  assert.deepEqual(safe.refusals, [], 'apply removes our own stale unit without --allow-destroy');
  // the same path, written by someone else: destroy, named by its path; apply refuses without consent
  const theirs = planTune(loaded, state, undefined, await readTuneFacts(host({ systemd: true, files: { [timer]: '[Timer]\nOnCalendar=hourly\n' } }), loaded.plan), { cli: CLI });
  assert.ok(!theirs.actions.some((x) => x.id === 'tune:unit:stale'));
  const d = theirs.actions.find((x) => x.id === 'tune:unit:stale:jts-storage-fstrim.timer')!;
  assert.equal(d.kind, 'destroy');
  assert.equal(d.resource, `file ${timer}`);
  assert.match(d.summary, /NOT written by jts-storage/);
  const refused = await checkSafety({ plan, state, drives: new Map(), actions: theirs.actions, errors: [], allowDestroy: [] });
  assert.equal(refused.refusals.length, 1);
  assert.match(refused.refusals[0]!, /--allow-destroy \/etc\/systemd\/system\/jts-storage-fstrim\.timer/);
  const allowed = await checkSafety({ plan, state, drives: new Map(), actions: theirs.actions, errors: [], allowDestroy: [timer] });
  assert.deepEqual(allowed.refusals, []);
  assert.match(allowed.losses[0]!.loses[0]!, /a file jts-storage did not write/);
  // tune apply has no --allow-destroy: it refuses before anything runs
  const r = host({ systemd: true, files: { [timer]: '[Timer]\nOnCalendar=hourly\n' } });
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/jts-tune-`);
  writeFileSync(`${dir}/t.yaml`, loaded.text);
  after(() => rmSync(dir, { recursive: true, force: true }));
  let err = '';
  const code = await tuneApplyCommand({ plan: `${dir}/t.yaml`, auditLog: '/tmp/a.log', lockFile: '/run/l' }, { runner: r, stdout: () => {}, stderr: (s: string) => (err += s) } as any);
  assert.equal(code, 1);
  assert.match(err, /tune apply refused: .*jts-storage apply --allow-destroy \/etc\/systemd\/system\/jts-storage-fstrim\.timer/);
  assert.deepEqual(r.mutatingCalls, []);
  assert.equal(r.files.get(timer), '[Timer]\nOnCalendar=hourly\n');
});

test('the sysctl file the plan no longer asks for: ours is a change; one without the managed header needs --allow-destroy', async () => {
  const { managedHeader } = await import('../../src/render/types.js');
  const loaded = smallPlan();
  const ours = planTune(loaded, state, undefined, await readTuneFacts(host({ files: { [SYSCTL_PATH]: managedHeader('small', undefined, 'k') + '\nvm.swappiness = 1\n' } }), loaded.plan), { cli: CLI });
  const a = ours.actions.find((x) => x.id === 'tune:sysctl')!;
  assert.equal(a.kind, 'change');
  assert.deepEqual(a.steps, [{ type: 'exec', argv: ['rm', '-f', '--', SYSCTL_PATH], mutating: true }]);
  const theirs = planTune(loaded, state, undefined, await readTuneFacts(host({ files: { [SYSCTL_PATH]: 'vm.swappiness = 1\n' } }), loaded.plan), { cli: CLI });
  const b = theirs.actions.find((x) => x.id === 'tune:sysctl')!;
  assert.equal(b.kind, 'destroy');
  assert.equal(b.resource, `file ${SYSCTL_PATH}`);
  assert.ok(b.destructive);
});
