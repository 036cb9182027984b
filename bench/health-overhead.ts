/**
 * bench/health-overhead.ts: what `health --format prometheus` costs next to the bare minimum a
 * hand-written check would run (`lvs --reportformat json` + `df`), on the same host, at 7 and 200
 * volumes, and how many tool processes health starts at each size.
 *
 * Where: in the sandbox guest (QEMU TCG, real kernel, one NVMe drive), with N small ext4 LVs created
 * and mounted directly with lvm commands (8 MiB each), and a generated plan naming them. Every figure
 * is the median of REPS runs, measured inside the guest (date +%s%N around each command).
 *
 *   npm run build && node dist/bench/health-overhead.js [--reps 5] [--cpus 1] [--keep-profiles DIR]
 *   npm run build && node dist/bench/health-overhead.js --fake    # no VM: FakeRunner, calls + evaluation cost
 *
 * --fake: the host-wide reports are the guest captures (test/health/fixtures) with the volume LV and
 * its mount repeated N times; it counts tool calls and times health's in-process work (parse +
 * evaluate + render) at 7 and 200 volumes. It says nothing about the tools' own time.
 *
 * The guest runs a private copy of the build (bin/, dist/, package.json; node_modules linked), taken
 * and smoke-tested before the boot: the shared dist/ may be rebuilt by someone else during a long run.
 *
 * Prints a table: wall time of health (whole CLI process, and health's own gathering+evaluation as
 * reported in its JSON durationMs), of lvs + df, the ratio (goal ≤ 1.5; each rep's health run is
 * divided by the mean of the baseline runs just before and after it, then the median is taken), and
 * the tool calls. Then where the time goes: node's floor, the health command's module loading
 * (`health --help`), the cold path (plan validated, `--no-plan-cache`), and each tool run alone.
 * --keep-profiles DIR keeps a `node --cpu-prof` profile of one health run at each size.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInSandbox } from '../src/sandbox/index.js';
import { FINDMNT_ARGV, LSBLK_ARGV, LVM_ARGV, lsblkPvArgv } from '../src/health/sources.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const SIZES = [7, 200];
const repsArg = process.argv.indexOf('--reps');
const REPS = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 5;
const cpusArg = process.argv.indexOf('--cpus');
const CPUS = cpusArg > 0 ? Number(process.argv[cpusArg + 1]) : 1;

function planYaml(n: number): string {
  const vols = Array.from({ length: n }, (_, i) => {
    const name = `lv_${String(i).padStart(3, '0')}`;
    return `  - name: ${name}\n    vg: vg_b\n    size: 8MiB\n    filesystem: { type: ext4 }\n    mount: { path: /srv/b/${name}, options: [defaults] }\n`;
  }).join('');
  return `version: 1\nname: bench\ndrives:\n  - id: d0\n    serial: JTS-BENCH-0\n    kind: nvme\nvolumeGroups:\n  - name: vg_b\n    drives: [d0]\nvolumes:\n${vols}`;
}

// Guest side. One JSON line per timing (µs), measured inside the guest with date +%s%N. Each
// repetition times the baseline and health back to back, so their ratio is taken within one rep.
const GUEST = String.raw`#!/bin/bash
set -u
OUT=$1; REPS=$2
cd $OUT/app
pvcreate -q /dev/nvme0n1 && vgcreate -q vg_b /dev/nvme0n1
mk() { for i in $(seq -f %03g $1 $2); do
  lvcreate -q -y -Zn -Wn -n lv_$i -L 8M vg_b >/dev/null 2>&1 && mkfs.ext4 -q -E nodiscard /dev/vg_b/lv_$i >/dev/null 2>&1 && mkdir -p /srv/b/lv_$i && mount /dev/vg_b/lv_$i /srv/b/lv_$i
done; }
us() { local s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000 )); }
rec() { local n=$1 r=$2 what=$3; shift 3; echo "{\"n\":$n,\"rep\":$r,\"what\":\"$what\",\"us\":$(us "$@")}" >> $OUT/times.jsonl; }
base() { lvs --reportformat json >/dev/null 2>&1; df >/dev/null 2>&1; }
measure() {
  local n=$1 plan=$OUT/plan-$1.yaml
  node bin/jts-storage.js health --plan $plan --json > $OUT/health-$n.json 2>$OUT/health-$n.err
  for r in $(seq 1 $REPS); do
    rec $n $r lvs+df base
    rec $n $r health node bin/jts-storage.js health --plan $plan --format prometheus
    rec $n $r lvs+df-2 base
    node bin/jts-storage.js health --plan $plan --json > $OUT/health-$n-$r.json 2>/dev/null
    rec $n $r health-no-plan-cache node bin/jts-storage.js health --plan $plan --format prometheus --no-plan-cache
    rec $n $r node-bare node -e 0
    rec $n $r health-help node bin/jts-storage.js health --help
    rec $n $r tool:lvs lvs --reportformat json
    rec $n $r tool:df df
    rec $n $r tool:lvm-fullreport @LVM@
    rec $n $r tool:findmnt @FINDMNT@
    rec $n $r tool:lsblk @LSBLK_PV@
    rec $n $r tool:nvme-smart-log nvme smart-log /dev/nvme0n1 -o json
    rec $n $r alt:lsblk-every-device @LSBLK@
    rec $n $r alt:read-mountinfo cat /proc/self/mountinfo
  done
  node --cpu-prof --cpu-prof-dir=$OUT/prof-$n bin/jts-storage.js health --plan $plan --format prometheus >/dev/null 2>&1
}
mk 000 006; measure 7
mk 007 199; measure 200
echo done > $OUT/done
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function fakeMode(): Promise<void> {
  const { FakeRunner } = await import('../test/support/fake-runner.js');
  const { runHealth, renderPrometheus } = await import('../src/health/index.js');
  const fx = (n: string) => readFileSync(join(ROOT, 'test/health/fixtures', n), 'utf8');
  console.log('health in-process (FakeRunner, guest captures replicated), median of 20');
  console.log('volumes  tool calls  parse+evaluate+render ms  prometheus lines');
  for (const n of SIZES) {
    const lvm = JSON.parse(fx('lvm-fullreport.json'));
    const tmpl = lvm.report[0].lv.find((l: { lv_name: string }) => l.lv_name === 'lv_data');
    const mnt = JSON.parse(fx('findmnt.json'));
    const mtmpl = mnt.filesystems.find((m: { target: string }) => m.target === '/mnt/data');
    for (let i = 0; i < n; i++) {
      const name = `lv_${String(i).padStart(3, '0')}`;
      lvm.report[0].lv.push({ ...tmpl, lv_name: name, lv_kernel_minor: String(100 + i) });
      mnt.filesystems.push({ ...mtmpl, target: `/srv/b/${name}`, source: `/dev/mapper/vg_h-${name}`, 'maj:min': `253:${100 + i}` });
    }
    const times: number[] = [];
    let calls = 0;
    let lines = 0;
    for (let r = 0; r < 20; r++) {
      const fr = new FakeRunner();
      fr.on(['lvm'], { stdout: JSON.stringify(lvm) }).on(['findmnt'], { stdout: JSON.stringify(mnt) }).on(['lsblk'], { stdout: fx('lsblk.json') }).on(['nvme'], { stdout: fx('nvme-smart-log.json') });
      for (const m of mnt.filesystems) fr.statfsTable.set(m.target, { totalBytes: 1e9, freeBytes: 5e8, availBytes: 5e8, totalInodes: 65536, freeInodes: 60000 });
      const t0 = performance.now();
      const rep = await runHealth(fr);
      lines = renderPrometheus(rep).split('\n').length;
      times.push(performance.now() - t0);
      calls = fr.calls.length;
    }
    console.log(`${String(n).padEnd(7)}  ${String(calls).padEnd(10)}  ${median(times).toFixed(1).padEnd(24)}  ${lines}`);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--fake')) return fakeMode();
  const out = mkdtempSync(join(tmpdir(), 'jts-health-bench-'));
  try {
    for (const n of SIZES) writeFileSync(join(out, `plan-${n}.yaml`), planYaml(n));
    const app = join(out, 'app');
    for (const p of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, p), join(app, p), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    const smoke = spawnSync(process.execPath, [join(app, 'bin/jts-storage.js'), 'health', '--help'], { encoding: 'utf8' });
    if (smoke.status !== 0) throw new Error(`the build copy does not start (run npm run build again): ${smoke.stderr.slice(0, 2000)}`);
    const q = (argv: string[]) => argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const guest = GUEST.replace('@LVM@', q(LVM_ARGV)).replace('@FINDMNT@', q(FINDMNT_ARGV)).replace('@LSBLK@', q(LSBLK_ARGV)).replace('@LSBLK_PV@', q(lsblkPvArgv(['/dev/nvme0n1'])));
    writeFileSync(join(out, 'guest.sh'), guest, { mode: 0o755 });
    process.stderr.write(`health-overhead: one sandbox boot, ${SIZES.join(' and ')} volumes, ${REPS} repetitions…\n`);
    const res = await runInSandbox(['bash', join(out, 'guest.sh'), out, String(REPS)], {
      drives: [{ sizeBytes: 4 * 1024 ** 3, serial: 'JTS-BENCH-0', kind: 'nvme' }],
      outDir: out,
      cwd: app,
      cpus: CPUS,
      timeoutS: 3600,
      onProgress: (m) => process.stderr.write(m + '\n'),
    });
    let times: { n: number; rep: number; what: string; us: number }[];
    try {
      times = readFileSync(join(out, 'times.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    } catch {
      throw new Error(`guest produced no timings (exit ${res.exitCode}):\n${res.output.slice(-3000)}\n${res.consoleTail}`);
    }
    const fmt = (rows: string[][]) => {
      const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join('  '));
    };
    const rows: string[][] = [['volumes', 'health CLI ms', 'health own ms', 'lvs+df ms', 'ratio CLI (min–max)', 'ratio own (min–max)', 'tool calls', 'status']];
    const spread = (xs: number[]) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
    for (const n of SIZES) {
      const at = (w: string, rep: number) => times.find((t) => t.n === n && t.rep === rep && t.what === w)?.us;
      const reps = [...new Set(times.filter((t) => t.n === n).map((t) => t.rep))];
      const cli: number[] = [];
      const own: number[] = [];
      const ratioCli: number[] = [];
      const ratioOwn: number[] = [];
      const bases: number[] = [];
      for (const rep of reps) {
        const h = at('health', rep);
        // The baseline of a rep: the mean of the runs just before and just after health's.
        const bs = [at('lvs+df', rep), at('lvs+df-2', rep)].filter((x): x is number => x !== undefined);
        if (h === undefined || !bs.length) continue;
        const b = bs.reduce((a, x) => a + x, 0) / bs.length;
        cli.push(h / 1000);
        bases.push(b / 1000);
        ratioCli.push(h / b);
        try {
          const d = (JSON.parse(readFileSync(join(out, `health-${n}-${rep}.json`), 'utf8')) as { durationMs: number }).durationMs;
          own.push(d);
          ratioOwn.push(d / (b / 1000));
        } catch {
          /* that rep's JSON run failed: no own figure */
        }
      }
      const rep = JSON.parse(readFileSync(join(out, `health-${n}.json`), 'utf8')) as { toolCalls: string[]; status: string; volumes: unknown[] };
      rows.push([
        String(n),
        median(cli).toFixed(0),
        own.length ? median(own).toFixed(0) : '-',
        median(bases).toFixed(0),
        spread(ratioCli),
        own.length ? spread(ratioOwn) : '-',
        `${rep.toolCalls.length} (${rep.toolCalls.join(', ')})`,
        `${rep.status}, ${rep.volumes.length} volumes`,
      ]);
    }
    console.log(`health overhead in the sandbox guest (QEMU ${res.accel}, ${CPUS} vCPU), median of ${REPS} reps, ratios taken within each rep; goal: ratio ≤ 1.5`);
    fmt(rows);
    console.log('health CLI: whole `node bin/jts-storage.js health --plan P --format prometheus` process;');
    console.log('health own: its gathering + evaluation (JSON durationMs), i.e. without node start-up, module loading and plan loading.');
    console.log('');
    console.log('where the time goes (median ms of each command run alone in the guest):');
    const whats = [...new Set(times.map((t) => t.what))].filter((w) => w !== 'lvs+df-2');
    const brk: string[][] = [['command', ...SIZES.map((n) => `${n} volumes`)]];
    for (const w of whats) brk.push([w, ...SIZES.map((n) => median(times.filter((t) => t.n === n && t.what === w).map((t) => t.us)) / 1000).map((v) => v.toFixed(0))]);
    fmt(brk);
    console.log('node-bare: `node -e 0`; health-help: `jts-storage health --help` (node + the modules the health command loads);');
    console.log('health-no-plan-cache: the whole CLI validating the plan file (first run after a plan change);');
    console.log('tool:*: health\'s own argv of each tool (and the baseline\'s lvs and df) run alone;');
    console.log('alt:*: other ways to the same facts, for comparison (lsblk of every device, as health did before and still does');
    console.log('without LVM; the mount table read from /proc by a process, as an upper bound of reading it in-process).');
    const keep = process.argv.indexOf('--keep-profiles');
    if (keep > 0) {
      const dest = resolve(process.argv[keep + 1]!);
      for (const n of SIZES) cpSync(join(out, `prof-${n}`), join(dest, `prof-${n}`), { recursive: true });
      console.log(`CPU profiles of one health run at each size (node --cpu-prof, in the guest): ${dest}/prof-N/`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
