/**
 * Sandbox cost: boot-to-command latency, and the wall time of the standard scenario
 * (pvcreate, vgcreate, 7 lvcreate, mkfs.ext4 of a 1 GiB volume, mount) on the default 4 TB NVMe.
 * Prints the median of several runs (and min/max: the machine is shared, so spread matters).
 *
 *   npm run build && node dist/bench/sandbox-boot.js [--runs N] [--json]
 */
import { runInSandbox, type SandboxResult } from '../src/sandbox/index.js';
import { loadavg } from 'node:os';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 3) || 3;
const json = args.includes('--json');

const SCENARIO = [
  'set -e',
  't0=$(date +%s%N)',
  'pvcreate -q --dataalignment 4m /dev/nvme0n1',
  'vgcreate -q -s 4m vg_jts /dev/nvme0n1',
  'for lv in system postgres clickhouse kafka mongodb redis backup; do lvcreate -q -y -n lv_$lv -L 1g vg_jts >/dev/null; done',
  'mkfs.ext4 -q -E lazy_itable_init=1 /dev/vg_jts/lv_redis',
  'mkdir -p /mnt/redis && mount /dev/vg_jts/lv_redis /mnt/redis',
  't1=$(date +%s%N)',
  'echo "scenario-ms:$(( (t1 - t0) / 1000000 ))"',
].join('\n');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function stats(xs: number[]) {
  return { median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)), runs: xs.length };
}
function must(r: SandboxResult, what: string): SandboxResult {
  if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}):\n${r.output}\n${r.consoleTail}`);
  return r;
}

const load0 = loadavg()[0]!;
const boot: number[] = [];
const emptyWall: number[] = [];
const scenarioWall: number[] = [];
const scenarioInGuest: number[] = [];
for (let i = 0; i < runs; i++) {
  const r = must(await runInSandbox(['true']), 'empty boot');
  boot.push(r.bootMs);
  emptyWall.push(r.wallMs);
  if (!json) process.stderr.write(`run ${i + 1}/${runs}: boot-to-command ${r.bootMs} ms, wall ${r.wallMs} ms\n`);
}
for (let i = 0; i < runs; i++) {
  const r = must(await runInSandbox(['sh', '-c', SCENARIO]), 'standard scenario');
  scenarioWall.push(r.wallMs);
  const m = /scenario-ms:(\d+)/.exec(r.output);
  if (m) scenarioInGuest.push(Number(m[1]));
  if (!json) process.stderr.write(`scenario ${i + 1}/${runs}: wall ${r.wallMs} ms, in guest ${m?.[1]} ms\n`);
}
const result = {
  accel: 'tcg',
  loadAverageAtStart: load0,
  loadAverageAtEnd: loadavg()[0],
  bootToCommandMs: stats(boot),
  emptyRunWallMs: stats(emptyWall),
  scenarioWallMs: stats(scenarioWall),
  scenarioInGuestMs: stats(scenarioInGuest),
  scenarioShareOfWall: +(median(scenarioInGuest) / median(scenarioWall)).toFixed(2),
};
if (json) {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} else {
  const s = (x: { median: number; min: number; max: number }) => `${(x.median / 1000).toFixed(1)} s (min ${(x.min / 1000).toFixed(1)}, max ${(x.max / 1000).toFixed(1)})`;
  process.stdout.write(
    [
      `sandbox boot bench, ${runs} runs each, TCG, load average ${load0.toFixed(1)} → ${result.loadAverageAtEnd!.toFixed(1)}`,
      `  boot to command (QEMU start → command start): ${s(result.bootToCommandMs)}`,
      `  empty run, wall (incl. image set-up, power-off):  ${s(result.emptyRunWallMs)}`,
      `  standard scenario, wall:                          ${s(result.scenarioWallMs)}`,
      `  standard scenario, inside the guest:              ${s(result.scenarioInGuestMs)}`,
      `  scenario share of its wall time:                  ${result.scenarioShareOfWall}`,
      '',
    ].join('\n'),
  );
}
