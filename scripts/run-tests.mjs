// Runs the compiled tests with node's own test runner. VM tests (test/vm/, files *.vm.test.js) boot
// the QEMU test bed; `--unit` leaves them out, `--vm` runs only them. Node prints the closing
// pass/fail counts. Extra arguments after the flags are file filters (substring match).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const mode = args.includes('--unit') ? 'unit' : args.includes('--vm') ? 'vm' : 'all';
const filters = args.filter((a) => !a.startsWith('--'));

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
// Unit tests first, VM tests after: a fast failure shows before the slow boots.
files.sort((a, b) => Number(isVm(a)) - Number(isVm(b)) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
