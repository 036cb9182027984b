#!/usr/bin/env node
// The kernel-truth sweep (docs/kernel-truth.md): boots the sandbox ONCE and runs every case of
// src/prove/truth-cases.ts (mkfs + mount on small LVs) in one guest process; writes
// test/fixtures/kernel-truth/sweep.json (versions + one row per mkfs/mount combination).
//   npx tsc -p . && node scripts/sweep-kernel-truth.mjs [--out FILE] [--only 0,1,5 | --only boundaries]
// `--only boundaries` runs the boundary groups alone (truth-cases.ts boundaryGroups, appended last) into
// test/fixtures/kernel-truth/boundaries.json.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const arg = (k) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
let only = arg('--only');
const outFile = arg('--out') ?? join(ROOT, `test/fixtures/kernel-truth/${only === 'boundaries' ? 'boundaries' : 'sweep'}.json`);
if (only === 'boundaries') {
  const { truthGroups, boundaryGroups } = await import(join(ROOT, 'dist/src/prove/truth-cases.js'));
  const n = truthGroups().length;
  only = Array.from({ length: boundaryGroups().length }, (_, i) => n - boundaryGroups().length + i).join(',');
}

const { runInSandbox } = await import(join(ROOT, 'dist/src/sandbox/index.js'));
const out = mkdtempSync(join(tmpdir(), 'jts-truth-'));
const t0 = Date.now();
const res = await runInSandbox([process.execPath, join(ROOT, 'dist/src/prove/truth-guest.js'), out, ...(only ? [only] : [])], {
  drives: [{ sizeBytes: 8 * 1024 ** 3, kind: 'nvme', serial: 'JTS-TRUTH-0' }],
  outDir: out,
  cwd: ROOT,
  timeoutS: 3600,
  expectWriteBytes: 4 * 1024 ** 3,
  onOutput: (c) => process.stderr.write(c),
  onProgress: (m) => process.stderr.write(`${m}\n`),
});
const rows = existsSync(join(out, 'rows.jsonl')) ? readFileSync(join(out, 'rows.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
const versions = existsSync(join(out, 'versions.json')) ? JSON.parse(readFileSync(join(out, 'versions.json'), 'utf8')) : {};
const done = existsSync(join(out, 'done'));
writeFileSync(outFile, JSON.stringify({ generatedBy: 'scripts/sweep-kernel-truth.mjs', date: new Date().toISOString().slice(0, 10), complete: done, versions, accel: res.accel, wallS: Math.round((Date.now() - t0) / 1000), rows }, null, 1) + '\n');
const n = (v) => rows.filter((r) => r.verdict === v).length;
console.error(`sweep: ${rows.length} rows (ok ${n('ok')}, mount refused ${n('mount-refused')}, mkfs refused ${n('mkfs-refused')}) in ${Math.round((Date.now() - t0) / 1000)} s, exit ${res.exitCode}${done ? '' : ' (INCOMPLETE)'} → ${outFile}`);
rmSync(out, { recursive: true, force: true });
process.exit(done ? 0 : 1);
