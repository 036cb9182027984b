// Apply overhead: apply's wall time ÷ the sum of the wall times of the commands it ran (from its
// audit log), for the default plan on the sandbox's 4 TB NVMe drive. Goal ≤ 1.10: jts-storage
// itself (planning, safety checks, bookkeeping, verify's parsing) should cost little next to the
// tools it drives. Two ratios are printed: inside apply (its own start → end records) and for the
// whole process (node start-up included, measured by the guest's shell).
//
//   npm run build && node dist/bench/apply-overhead.js [--plan FILE]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../src/sandbox/index.js';
import { parseAuditLog, commandBusyMs } from '../src/exec/audit.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const planArg = process.argv.indexOf('--plan');
const plan = resolve(planArg > 0 ? process.argv[planArg + 1]! : join(root, 'plans/jts.yaml'));
const out = mkdtempSync(join(tmpdir(), 'jts-bench-apply-'));
const script = join(out, 'bench.sh');
writeFileSync(
  script,
  `set -u
cd ${root}
t0=$(date +%s%N)
node bin/jts-storage.js apply --plan ${plan} --yes --json --audit-log ${out}/audit.jsonl > ${out}/apply.json 2> ${out}/apply.err
rc=$?
t1=$(date +%s%N)
echo "$(( (t1 - t0) / 1000000 ))" > ${out}/process-ms
exit $rc
`,
);
try {
  const r = await runInSandbox(['bash', script], {
    outDir: out,
    timeoutS: 1800,
    onProgress: (m) => process.stderr.write(`sandbox: ${m}\n`),
  });
  if (r.exitCode !== 0) {
    process.stderr.write(readFileSync(join(out, 'apply.err'), 'utf8').slice(-3000));
    throw new Error(`apply in the sandbox exited ${r.exitCode}`);
  }
  const recs = parseAuditLog(readFileSync(join(out, 'audit.jsonl'), 'utf8'));
  const end = recs.find((x) => x.event === 'end');
  const cmds = recs.filter((x) => x.event === 'command');
  const fileSteps = recs.filter((x) => x.event === 'write-file' || x.event === 'mkdir' || x.event === 'write-sysfs');
  const commandMs = cmds.reduce((s, x) => s + (x.durationMs ?? 0), 0) + fileSteps.reduce((s, x) => s + (x.durationMs ?? 0), 0);
  const mutatingMs = cmds.filter((x) => x.mutating).reduce((s, x) => s + (x.durationMs ?? 0), 0);
  const wallMs = end?.wallMs ?? NaN;
  const busyMs = commandBusyMs(recs);
  const processMs = Number(readFileSync(join(out, 'process-ms'), 'utf8'));
  const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`apply overhead, ${plan} on a 4 TB NVMe drive (sandbox, ${r.accel.toUpperCase()})`);
  console.log(`  commands run:            ${cmds.length} (${cmds.filter((x) => x.mutating).length} mutating) + ${fileSteps.length} file steps`);
  console.log(`  sum of command times:    ${fmt(commandMs)} (mutating: ${fmt(mutatingMs)})`);
  console.log(`  time with a command running: ${fmt(busyMs)} (the probe starts its tools concurrently: overlaps counted once)`);
  console.log(`  apply wall (in process): ${fmt(wallMs)}   wall ÷ sum ${(wallMs / commandMs).toFixed(3)} (goal ≤ 1.10), wall ÷ busy ${(wallMs / busyMs).toFixed(3)}`);
  console.log(`  process wall (node too): ${fmt(processMs)}   wall ÷ sum ${(processMs / commandMs).toFixed(3)}, wall ÷ busy ${(processMs / busyMs).toFixed(3)}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
