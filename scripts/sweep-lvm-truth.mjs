#!/usr/bin/env node
// LVM-truth sweep: boots the sandbox ONCE and runs scripts/lvm-truth-guest.sh, which runs the operations
// the diff and the snapshot commands emit (pvcreate, vgcreate/vgextend, lvcreate thick/thin/snapshot,
// lvextend/lvresize -r, lvconvert --merge, lvremove, lvchange, vgimport) against host states a plan meets
// (mixed 512/4096-byte LBA drives, classic and thin snapshots, a full thin pool, activation skip, an
// exported VG, a missing PV, a VG's LV/PV count limits, a foreign VG). Writes test/fixtures/lvm-truth/outcomes.json (case, op, exit, message) and
// the captured reports; test/lint/lvm-truth.test.ts checks that plan predicts every refusal.
//   node scripts/sweep-lvm-truth.mjs            (after `npx tsc -p tsconfig.json`; about 3-6 min under TCG)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'lvm-truth-'));
const drives = ['size=2GiB,serial=LT-A', 'size=2GiB,serial=LT-B,lbs=4096', 'size=4GiB,serial=LT-C', 'size=2GiB,serial=LT-D', 'size=2GiB,serial=LT-E', 'size=2GiB,serial=LT-F', 'size=2GiB,serial=LT-G'];
const argv = ['bin/jts-storage.js', 'sandbox', ...drives.flatMap((d) => ['--drive', d]), '--timeout', '1500', '--out-dir', out, '--', 'bash', join(root, 'scripts/lvm-truth-guest.sh'), out, root];
const t0 = Date.now();
const r = spawnSync('node', argv, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
console.error(`sandbox exited ${r.status} after ${Math.round((Date.now() - t0) / 1000)} s`);
const tsv = readFileSync(join(out, 'outcomes.tsv'), 'utf8');
const outcomes = tsv
  .split('\n')
  .filter(Boolean)
  .map((l) => {
    const [kase, op, exit, message] = l.split('\t');
    return { case: kase, op, exit: Number(exit), message: message ?? '' };
  });
const dest = join(root, 'test/fixtures/lvm-truth');
mkdirSync(dest, { recursive: true });
const meta = { captured: new Date().toISOString().slice(0, 10), kernel: 'Debian 12 sandbox guest (see docs/sandbox.md)', drives, outcomes };
writeFileSync(join(dest, 'outcomes.json'), JSON.stringify(meta, null, 1) + '\n');
for (const f of readdirSync(out)) if (f !== 'outcomes.tsv') copyFileSync(join(out, f), join(dest, f));
console.log(`${outcomes.length} outcomes → ${join(dest, 'outcomes.json')}`);
process.exit(r.status === 0 ? 0 : 1);
