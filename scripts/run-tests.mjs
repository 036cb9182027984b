// Runs the compiled tests with node's own test runner, in ONE run so node prints one closing summary
// (pass/fail counts). VM tests (test/vm/, files *.vm.test.js) boot the QEMU test bed; `--unit` leaves
// them out, `--vm` runs only them. Extra arguments after the flags are file filters (substring match).
//
// Files run side by side: `--jobs N` (default: JTS_TEST_JOBS, else 2 — each VM test is one
// single-vCPU TCG guest, so two guests use this 2-core machine's both cores; a third only queues).
// Unit files come first (a fast failure shows before the slow boots), then VM files longest first,
// so the long ones do not end alone at the tail. Every VM test uses its own temp dirs and images.
import { readdirSync, statSync } from 'node:fs';
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
  'rehearse.vm': 150,
  'snapshot.vm': 120,
  'tune.vm': 140,
  'bench.vm': 120,
};

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
const vmSeconds = (f) => {
  const base = f.split('/').pop().replace(/\.test\.js$/, '');
  return VM_SECONDS[base] ?? 120;
};
files.sort((a, b) => Number(isVm(a)) - Number(isVm(b)) || (isVm(a) ? vmSeconds(b) - vmSeconds(a) : 0) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${jobs}`, '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
