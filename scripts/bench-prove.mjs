#!/usr/bin/env node
// The cost of `plan --prove` on THIS machine's kernel (docs/kernel-truth.md; goal: under 2 s per distinct
// combination). A benchmark, not a test: it prints figures. Needs root and a loop device.
//   npx tsc -p . && node scripts/bench-prove.mjs [--runs N] [--plan FILE --drives FILE] [--dir /var/tmp] [--json]
// Without --plan it proves a fixed set of combinations that covers the size classes the plans meet:
// ext4 1 GiB / 16 GiB (the cap) and XFS 1 GiB / 100 GiB / 2000 GiB (exact size), with the mount options the
// default plans use, plus one refused mount and one refused mkfs (the refusal path has its own cost).
// Each run proves all combinations in one worker process, as plan and apply do; the figures are the
// worker's per-combination wall time (truncate, losetup, mkfs, mount, dmesg, umount, losetup -d, rm) and
// the whole call (unshare + node start-up included).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const arg = (k) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const runs = Number(arg('--runs') ?? 3);
const dir = arg('--dir') ?? '/var/tmp';
const d = (p) => import(join(ROOT, 'dist/src', p));
const { ExecRunner } = await d('core/exec-runner.js');
const { loadPlanText } = await d('model/load-plan.js');
const { parseDrivesFile } = await d('model/drives-file.js');
const { resolveLayout } = await d('model/capacity.js');
const { proveCases, proveOnHost } = await d('prove/prove.js');

if (process.getuid?.() !== 0) {
  console.error('bench-prove: needs root (loop devices, a private mount namespace)');
  process.exit(2);
}

const DEFAULT_PLAN = `version: 1
drives: [{ id: nvme0, serial: JTS-NVME-0 }]
volumeGroups: [{ name: vg, drives: [nvme0], reserve: 10% }]
volumes:
  - { name: e1, vg: vg, size: 1GiB, workload: generic, filesystem: { type: ext4 }, mount: { path: /e1, options: [defaults, noatime, nofail, x-systemd.device-timeout=30s] } }
  - { name: e16, vg: vg, size: 200GiB, workload: generic, filesystem: { type: ext4 }, mount: { path: /e16, options: [defaults, noatime, nofail, x-systemd.device-timeout=30s] } }
  - { name: x1, vg: vg, size: 1GiB, workload: generic, filesystem: { type: xfs }, mount: { path: /x1, options: [defaults, noatime, nofail, x-systemd.device-timeout=30s] } }
  - { name: x100, vg: vg, size: 100GiB, workload: generic, filesystem: { type: xfs }, mount: { path: /x100, options: [defaults, noatime, nofail, x-systemd.device-timeout=30s] } }
  - { name: x2000, vg: vg, size: 2000GiB, workload: generic, filesystem: { type: xfs }, mount: { path: /x2000, options: [defaults, noatime, nofail, x-systemd.device-timeout=30s] } }
  - { name: eopts, vg: vg, size: 1GiB, workload: generic, filesystem: { type: ext4 }, mount: { path: /eopts, options: [noatime, data=writeback, commit=30, nofail] } }
  - { name: xrefused, vg: vg, size: 1GiB, workload: generic, filesystem: { type: xfs }, mount: { path: /xr, options: [nobarrier, nofail] } }
  - { name: xsmall, vg: vg, size: 256MiB, workload: generic, filesystem: { type: xfs }, mount: { path: /xs, options: [nofail] } }
`;
const planFile = arg('--plan');
const drivesFile = arg('--drives') ?? join(ROOT, 'examples/drives/4tb-nvme.yaml');
const loaded = loadPlanText(planFile ? readFileSync(planFile, 'utf8') : DEFAULT_PLAN, planFile ?? 'bench.yaml');
const state = parseDrivesFile(readFileSync(drivesFile, 'utf8'), drivesFile);
const cases = proveCases(loaded.plan, resolveLayout(loaded.plan, state, loaded));
const label = (c) => `${c.volumes.map((i) => loaded.plan.volumes[i].name).join('+')} ${c.fs} ${(c.sizeBytes / 2 ** 30).toFixed(c.sizeBytes < 2 ** 30 ? 2 : 0)} GiB -o ${c.mountOptions.join(',') || 'defaults'}`;

const r = new ExecRunner();
const per = new Map(cases.map((c) => [c.key, []]));
const verdict = new Map();
const whole = [];
let kernel = '?';
for (let n = 0; n < runs; n++) {
  const t0 = process.hrtime.bigint();
  const run = await proveOnHost(r, cases, { workDir: dir });
  whole.push(Number(process.hrtime.bigint() - t0) / 1e6);
  kernel = run.kernel;
  for (const o of run.outcomes) {
    per.get(o.key).push(o.ms);
    verdict.set(o.key, o.verdict);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const rows = cases.map((c) => ({ combination: label(c), verdict: verdict.get(c.key), medianMs: med(per.get(c.key)), maxMs: Math.max(...per.get(c.key)), runsMs: per.get(c.key) }));
const perCombo = rows.map((x) => x.medianMs);
const summary = {
  kernel,
  cpus: (await import('node:os')).cpus().length,
  loadavg1: Number((await import('node:os')).loadavg()[0].toFixed(2)),
  runs,
  combinations: cases.length,
  wholeCallMedianMs: Math.round(med(whole)),
  perCombinationMedianMs: Math.round(med(perCombo)),
  perCombinationMaxMs: Math.max(...rows.map((x) => x.maxMs)),
  wholeCallPerCombinationMs: Math.round(med(whole) / cases.length),
  goalMs: 2000,
};
if (args.includes('--json')) {
  console.log(JSON.stringify({ summary, rows }, null, 1));
} else {
  console.log(`prove on kernel ${kernel}: ${cases.length} combinations × ${runs} runs (load ${summary.loadavg1}, ${summary.cpus} CPUs)`);
  for (const x of rows) console.log(`  ${String(x.medianMs).padStart(6)} ms median  ${String(x.maxMs).padStart(6)} ms max  ${x.verdict.padEnd(13)} ${x.combination}`);
  console.log(`whole call (unshare + node + all combinations): ${summary.wholeCallMedianMs} ms median = ${summary.wholeCallPerCombinationMs} ms per combination`);
  console.log(`per combination: median ${summary.perCombinationMedianMs} ms, max ${summary.perCombinationMaxMs} ms; goal < ${summary.goalMs} ms: ${summary.perCombinationMaxMs < summary.goalMs ? 'met' : 'MISSED'}`);
}
