import { benchIo } from '../support/host-run.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchRunner, fixturePlan, fx } from './helpers.js';
import { runBench, computeRatios, freeSpaceProblem, disksUnder, failedChecks, type BenchProgress } from '../../src/bench/run.js';
import { blankDeviceProblems, parseRawSpec, parseVgsFree } from '../../src/bench/raw.js';
import { parseFindmntList, selectTargets, mountOf } from '../../src/bench/targets.js';
import { UserError } from '../../src/core/exit-codes.js';
import { PlanSchema } from '../../src/model/plan-schema.js';


const plan = () => ({ plan: fixturePlan(), file: 'plan.yaml', text: 'version: 1\n' });

test('targets: mounted plan volumes only, unmounted ones skipped with the reason, --dir by its mount', () => {
  const mounts = parseFindmntList(fx('findmnt.out'));
  const sel = selectTargets(fixturePlan(), mounts, { dirs: ['/mnt/fx/sub/'] });
  assert.deepEqual(sel.targets.map((t) => t.id), ['lv_fs', 'dir:/mnt/fx/sub']);
  assert.equal(sel.targets[0]!.device, '/dev/mapper/vg_fx-lv_fs');
  assert.equal(sel.targets[0]!.fstype, 'ext4');
  assert.equal(sel.targets[1]!.device, '/dev/mapper/vg_fx-lv_fs');
  assert.deepEqual(sel.skipped.map((s) => s.id), ['lv_gone', 'net:/mnt/nas']);
  assert.throws(() => selectTargets(fixturePlan(), mounts, { volumes: ['lv_postgress'] }), /--volume lv_postgress: not in the plan/);
  assert.equal(mountOf('/mnt/fxy', mounts)?.target, '/');
});

test('bench on FakeRunner: precondition, interleaved repeats, medians, raw ratios on a scratch LV, cleanup', async () => {
  const r = benchRunner();
  const progress: BenchProgress[] = [];
  const res = await runBench(benchIo(r), {
    plan: plan(),
    profiles: ['rand4k-qd1', 'pg-wal'],
    raw: 'scratch',
    runtimeS: 3,
    repeat: 3,
    sizeBytes: 256 * 2 ** 20,
    onProgress: (p) => progress.push(p),
  });
  assert.deepEqual(res.targets.map((t) => t.id), ['lv_fs', 'raw']);
  assert.equal(res.targets[1]!.device, '/dev/vg_fx/jts_bench_scratch');
  // 2 preconditions + 3 profiles × 2 targets × 3 repeats.
  const fioRuns = r.calls.filter((c) => c.argv[0] === 'fio' && c.argv.some((a) => a.startsWith('--name=')));
  assert.equal(fioRuns.length, 2 + 3 * 2 * 3);
  assert.ok(fioRuns.every((c) => c.opts?.mutating), 'fio runs are marked mutating (they write)');
  // Preconditioning comes before any measurement.
  assert.ok(fioRuns.slice(0, 2).every((c) => c.argv.some((a) => a.startsWith('--name=precondition'))));
  assert.equal(res.results.length, 6);
  for (const x of res.results) {
    assert.equal(x.runs.length, 3);
    for (const s of Object.values(x.summary)) assert.equal(s!.n, 3);
  }
  assert.equal(res.firstWrite.length, 2);
  assert.ok(res.firstWrite[0]!.figures['write.bw_bytes']! > 0);
  // Ratio of the captured ext4 rand4k read to the captured scratch-LV rand4k read.
  const ratio = res.ratios.find((x) => x.target === 'lv_fs' && x.profile === 'rand4k-qd1-read' && x.figure === 'read.iops')!;
  assert.ok(ratio.ratio > 0.5 && ratio.ratio < 1.5);
  assert.equal(ratio.ratio, ratio.targetMedian / ratio.rawMedian);
  const lat = res.ratios.find((x) => x.target === 'lv_fs' && x.profile === 'rand4k-qd1-read' && x.figure === 'read.clat_p99_us')!;
  assert.equal(lat.ratio, lat.rawMedian / lat.targetMedian, 'latency ratios are raw ÷ target, so > 1 is better');
  // The test file and the scratch LV are gone.
  assert.equal([...r.files.keys()].filter((f) => f.includes('.jts-storage-bench-')).length, 0);
  assert.ok(r.calls.some((c) => c.argv.join(' ') === 'lvremove --yes vg_fx/jts_bench_scratch'));
  assert.ok(r.calls.some((c) => c.argv.join(' ') === 'lvcreate --yes --activate y --name jts_bench_scratch --size 256m vg_fx'));
  // Metadata and notes.
  assert.equal(res.meta.fioVersion, 'fio-3.33');
  assert.equal(res.meta.kernel, '6.1.0-56-amd64');
  assert.match(res.meta.planHash!, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(res.meta.drives, [{ path: '/dev/nvme0n1', model: 'QEMU NVMe Ctrl', serial: 'JTS-FX-0' }]);
  assert.equal(res.meta.emulated, true);
  assert.ok(res.notes.some((n) => /emulated/.test(n)));
  assert.ok(res.notes.some((n) => /skipped lv_gone: not mounted/.test(n)));
  // Progress: profile k of n with time left, counting down to 0.
  const runs = progress.filter((p) => p.phase === 'run');
  assert.equal(runs.length, 18);
  assert.equal(runs[0]!.total, 20);
  assert.ok(runs[0]!.secondsLeft > runs[17]!.secondsLeft);
  assert.equal(runs[17]!.secondsLeft, 3 + 1);
  // The p99 < 1 ms check ran on the rand4k profiles.
  const checks = res.results.find((x) => x.target === 'lv_fs' && x.profile === 'rand4k-qd1-read')!.checks!;
  assert.equal(checks[0]!.figure, 'read.clat_p99_us');
  assert.equal(checks[0]!.pass, checks[0]!.value <= 1000);
  assert.ok(Array.isArray(failedChecks(res)));
});

test('a failing fio job stops the bench with the job error, and still removes the test file and scratch LV', async () => {
  const r = benchRunner({ failProfile: 'rand4k-qd1-write' });
  await assert.rejects(
    runBench(benchIo(r), { plan: plan(), profiles: ['rand4k-qd1'], raw: 'scratch', runtimeS: 2, repeat: 1, sizeBytes: 256 * 2 ** 20 }),
    /rand4k-qd1-write on lv_fs.*error 22/,
  );
  assert.equal([...r.files.keys()].filter((f) => f.includes('.jts-storage-bench-')).length, 0);
  assert.ok(r.calls.some((c) => c.argv[0] === 'lvremove'));
});

test('refusals before anything is written: free space, existing test file, raw device not blank, fio missing', async () => {
  const small = benchRunner();
  small.statfsTable.set('/mnt/fx', { totalBytes: 768 * 2 ** 20, freeBytes: 300 * 2 ** 20, availBytes: 280 * 2 ** 20, totalInodes: 1, freeInodes: 1 });
  await assert.rejects(runBench(benchIo(small), { plan: plan(), runtimeS: 2, repeat: 1, sizeBytes: 256 * 2 ** 20 }), /280 MiB available.*pass a smaller --size/);
  assert.equal(small.mutatingCalls.length, 0);

  const pv = benchRunner();
  pv.on(['lsblk', '-J', '-b'], { stdout: fx('lsblk-pv.out') });
  pv.on(['wipefs'], { stdout: fx('wipefs-pv.out') });
  await assert.rejects(
    runBench(benchIo(pv), { plan: plan(), raw: '/dev/nvme0n1', runtimeS: 2, repeat: 1, sizeBytes: 256 * 2 ** 20 }),
    (e: unknown) => e instanceof UserError && /not blank/.test(e.message) && /LVM2_member/.test(e.message) && /--raw scratch/.test(e.message),
  );
  assert.equal(pv.mutatingCalls.length, 0);

  const nofio = benchRunner();
  nofio.on(['fio', '--version'], { notFound: true, exitCode: 127 });
  await assert.rejects(runBench(benchIo(nofio), { plan: plan(), runtimeS: 2, repeat: 1, sizeBytes: 2 ** 28 }), /fio is not installed/);

  const nothing = benchRunner();
  await assert.rejects(
    runBench(benchIo(nothing), { plan: plan(), volumes: ['lv_gone'], runtimeS: 2, repeat: 1, sizeBytes: 2 ** 28 }),
    /nothing to benchmark.*lv_gone: not mounted at \/var\/lib\/kafka/,
  );
});

test('raw device checks on captured lsblk/wipefs output: blank drive and scratch LV pass, the PV does not', () => {
  assert.deepEqual(blankDeviceProblems(fx('lsblk-blank.out'), fx('wipefs-blank.out')), []);
  assert.deepEqual(blankDeviceProblems(fx('lsblk-scratch.out'), fx('wipefs-scratch.out')), []);
  assert.deepEqual(blankDeviceProblems(fx('lsblk-blank.out'), ''), [], 'wipefs prints nothing when it finds nothing');
  const p = blankDeviceProblems(fx('lsblk-pv.out'), fx('wipefs-pv.out'));
  assert.ok(p.some((x) => /LVM2_member signature/.test(x)));
  assert.ok(p.some((x) => /holders: \/dev\/mapper\/vg_fx-lv_fs/.test(x)));
  assert.ok(p.some((x) => /wipefs finds a LVM2_member signature at offset 0x218/.test(x)));
  assert.deepEqual(parseRawSpec('scratch:vg_jts'), { kind: 'scratch', vg: 'vg_jts' });
  assert.throws(() => parseRawSpec('nvme0n1'), /--raw nvme0n1/);
  assert.throws(() => parseRawSpec('scratch:bad name'), /not a valid VG name/);
  assert.equal(parseVgsFree(fx('vgs.out')).get('vg_fx'), 1069547520);
  assert.deepEqual(disksUnder(fx('lsblk-s-lv.out')), [{ path: '/dev/nvme0n1', model: 'QEMU NVMe Ctrl', serial: 'JTS-FX-0' }]);
});

test('free-space rule: 5 % of the filesystem (at most 1 GiB) stays free after the test file', () => {
  const G = 1024 ** 3;
  assert.equal(freeSpaceProblem({ totalBytes: 100 * G, availBytes: 3 * G }, 1 * G, 'x'), undefined);
  assert.match(freeSpaceProblem({ totalBytes: 100 * G, availBytes: 1.5 * G }, 1 * G, 'x')!, /must stay free/);
  assert.equal(freeSpaceProblem({ totalBytes: 10 * G, availBytes: 1.6 * G }, 1 * G, 'x'), undefined);
});

test('ratios need the raw side of the same profile', () => {
  assert.deepEqual(computeRatios([{ target: 'a', profile: 'pg-wal', runs: [], summary: {}, argv: [] }], 'raw'), []);
});

test('tiers: warm-tier volumes and mounted network mounts are measured like hot ones, each with its tier', () => {
  const plan = PlanSchema.parse({
    version: 1,
    drives: [
      { id: 'n0', serial: 'A', tier: 'hot' },
      { id: 's0', serial: 'B', tier: 'warm', kind: 'sata-ssd' },
    ],
    volumeGroups: [
      { name: 'vg_hot', drives: ['n0'] },
      { name: 'vg_warm', drives: ['s0'] },
    ],
    volumes: [
      { name: 'lv_pg', vg: 'vg_hot', size: '1GiB', workload: 'postgresql', mount: { path: '/var/lib/postgresql' } },
      { name: 'lv_archive', vg: 'vg_warm', size: '1GiB', workload: 'backup', mount: { path: '/data/warm-storage' } },
    ],
    networkMounts: [{ source: 'nas:/jts', path: '/mnt/synology', type: 'nfs4', tier: 'cold' }],
  });
  // Rows as findmnt -J -l gives them (the parser is tested on captured output above).
  const mounts = [
    { target: '/', source: '/dev/vda', fstype: 'ext4', options: ['rw'] },
    { target: '/var/lib/postgresql', source: '/dev/mapper/vg_hot-lv_pg', fstype: 'ext4', options: ['rw', 'noatime'] },
    { target: '/data/warm-storage', source: '/dev/mapper/vg_warm-lv_archive', fstype: 'ext4', options: ['rw'] },
    { target: '/mnt/synology', source: 'nas:/jts', fstype: 'nfs4', options: ['rw', 'vers=4.2'] },
  ];
  const sel = selectTargets(plan, mounts);
  assert.deepEqual(
    sel.targets.map((t) => [t.id, t.kind, t.tier]),
    [
      ['lv_pg', 'volume', 'hot'],
      ['lv_archive', 'volume', 'warm'],
      ['net:/mnt/synology', 'network', 'cold'],
    ],
  );
  assert.deepEqual(selectTargets(plan, mounts, { volumes: ['/mnt/synology'] }).targets.map((t) => t.id), ['net:/mnt/synology']);
});

test('a running ext4lazyinit thread is noted (its background writes compete with the bench)', async () => {
  const r = benchRunner();
  r.files.set('/proc/1/comm', 'systemd\n');
  r.files.set('/proc/77/comm', 'ext4lazyinit\n');
  const res = await runBench(benchIo(r), { plan: { plan: fixturePlan(), file: 'p', text: 'x' }, profiles: ['rand4k-qd1-read'], runtimeS: 2, repeat: 1, sizeBytes: 2 ** 28 });
  assert.ok(res.notes.some((n) => /ext4lazyinit was running/.test(n)));
  const quiet = await runBench(benchIo(benchRunner()), { plan: { plan: fixturePlan(), file: 'p', text: 'x' }, profiles: ['rand4k-qd1-read'], runtimeS: 2, repeat: 1, sizeBytes: 2 ** 28 });
  assert.ok(!quiet.notes.some((n) => /ext4lazyinit/.test(n)));
});

test('--fio-batch: one fio process preconditions every region, one per repeat measures, same order and results as one process per run', async () => {
  const opts = { plan: plan(), profiles: ['rand4k-qd1', 'pg-wal'], raw: 'scratch', runtimeS: 1, repeat: 2, sizeBytes: 256 * 2 ** 20 };
  const single = benchRunner();
  const a = await runBench(benchIo(single), opts);
  const r = benchRunner();
  const progress: BenchProgress[] = [];
  const b = await runBench(benchIo(r), { ...opts, fioBatch: true, onProgress: (p) => progress.push(p) });
  const fio = r.calls.filter((c) => c.argv[0] === 'fio' && c.argv.some((x) => x.startsWith('--name=')));
  assert.equal(fio.length, 1 + 2, 'one precondition process, one process per repeat');
  assert.ok(fio.every((c) => c.opts?.mutating));
  const names = (argv: string[]) => argv.filter((x) => x.startsWith('--name=') || x.startsWith('--filename=')).map((x) => x.replace(/^--\w+=/, ''));
  assert.deepEqual(names(fio[0]!.argv).filter((_, i) => i % 2 === 0), ['precondition-lv_fs', 'precondition-raw']);
  // The measured jobs in the interleaved order of the single-process run (profile → target, per repeat).
  const singleOrder = single.calls.filter((c) => c.argv[0] === 'fio' && c.argv.some((x) => x.startsWith('--name=rand') || x.startsWith('--name=pg'))).map((c) => names(c.argv).join(' '));
  assert.deepEqual([...names(fio[1]!.argv), ...names(fio[2]!.argv)].join(' '), singleOrder.join(' '));
  // Same results document as one process per run: targets, profiles, runs, figures, ratios.
  assert.deepEqual(b.results.map((x) => [x.target, x.profile, x.runs, x.argv]), a.results.map((x) => [x.target, x.profile, x.runs, x.argv]));
  assert.deepEqual(b.firstWrite, a.firstWrite);
  assert.deepEqual(b.ratios, a.ratios);
  assert.equal(b.meta.fioBatch, true);
  assert.ok(b.notes.some((n) => /--fio-batch/.test(n)));
  assert.deepEqual(progress.filter((p) => p.phase === 'run').map((p) => p.step), [8, 14], '2 preconditions, then 6 runs per repeat');
  assert.equal([...r.files.keys()].filter((f) => f.includes('.jts-storage-bench-')).length, 0);
});

test('--fio-batch: a failed job names its profile and target, and the test file and scratch LV are still removed', async () => {
  const r = benchRunner({ failProfile: 'rand4k-qd1-write' });
  await assert.rejects(
    runBench(benchIo(r), { plan: plan(), profiles: ['rand4k-qd1'], raw: 'scratch', runtimeS: 1, repeat: 1, sizeBytes: 256 * 2 ** 20, fioBatch: true }),
    /rand4k-qd1-write on lv_fs.*job 3 of 4 .*error 22/,
  );
  assert.equal([...r.files.keys()].filter((f) => f.includes('.jts-storage-bench-')).length, 0);
  assert.ok(r.calls.some((c) => c.argv[0] === 'lvremove'));
});
