/**
 * `plan --prove` and apply's proof: every distinct (filesystem, mkfs options, mount options, size class)
 * of the plan is made and mounted on the RUNNING kernel — a sparse image file on a loop device, in a
 * private mount namespace (`unshare --mount --propagation private`), never on the plan's drives — or, when
 * planning offline, in the sandbox's kernel. The verdict per volume is "proved on kernel X" or the
 * kernel's refusal (mkfs's or mount's message and the kernel log lines) at the plan's file:line:col.
 *
 * The work itself is prove-guest.ts (one process looping over the cases), run under unshare through the
 * Runner, or in the sandbox.
 */
import { fileURLToPath } from 'node:url';
import type { Runner } from '../core/runner.js';
import type { Plan, Volume } from '../model/plan-schema.js';
import type { Layout } from '../model/capacity.js';
import type { Finding } from '../model/actions.js';
import { mkfsArgv } from '../diff/volumes.js';
import { desiredFstabEntries } from '../render/fstab-format.js';

/**
 * ext4 images are made at most this large: mke2fs's refusals and the kernel's mount checks do not depend
 * on the size beyond it, and a 2000 GiB ext4 writes a 1 GiB journal (measured: 5 s, 1.1 GB). XFS is
 * made at its exact size: the AG geometry and the internal log limit depend on it, and mkfs.xfs writes
 * only the AG headers (2000 GiB: 0.6 s).
 */
export const EXT4_SIZE_CLASS_MAX = 16 * 2 ** 30;
/** The device placeholder in a case's mkfs argv. */
export const DEV = '{dev}';

export interface ProveCase {
  key: string;
  fs: 'ext4' | 'xfs';
  sizeBytes: number;
  /** mkfs argv with DEV for the device. */
  mkfsArgv: string[];
  /** The options of the volume's fstab line ([] = defaults). */
  mountOptions: string[];
  /** The plan's volumes this case stands for (index in plan.volumes). */
  volumes: number[];
}

export interface ProveOutcome {
  key: string;
  verdict: 'ok' | 'mkfs-refused' | 'mount-refused' | 'error';
  /** mkfs's or mount's error, with the kernel's log lines; empty when ok. */
  message: string;
  ms: number;
}

export interface ProveRun {
  kernel: string;
  /** 'host' = this machine's kernel (loop device, private mount namespace); 'sandbox' = the sandbox's. */
  where: 'host' | 'sandbox';
  outcomes: ProveOutcome[];
}

/** Size class of a volume: exact for XFS, at most EXT4_SIZE_CLASS_MAX for ext4 (bytes, whole MiB). */
export function sizeClass(fs: 'ext4' | 'xfs', bytes: number): number {
  const b = fs === 'ext4' ? Math.min(bytes, EXT4_SIZE_CLASS_MAX) : bytes;
  return Math.max(2 ** 20, Math.floor(b / 2 ** 20) * 2 ** 20);
}

/**
 * The distinct cases of the plan: ext4/XFS volumes with a size in the layout. `only` limits them to
 * these volume indexes (apply: the volumes whose filesystem or mount the actions create or change).
 */
export function proveCases(plan: Plan, layout: Layout, only?: Set<number>): ProveCase[] {
  const entries = new Map(desiredFstabEntries(plan, new Map()).map((e) => [e.file, e]));
  const byKey = new Map<string, ProveCase>();
  plan.volumes.forEach((v: Volume, i) => {
    if (only && !only.has(i)) return;
    const fs = v.filesystem.type;
    if (fs !== 'ext4' && fs !== 'xfs') return;
    const bytes = layout.vgs.find((g) => g.name === v.vg)?.volumes.find((x) => x.name === v.name)?.sizeBytes;
    if (!bytes) return;
    const argv = mkfsArgv(v, DEV);
    if (!argv) return;
    const mountOptions = v.mount ? (entries.get(v.mount.path)?.mntops ?? v.mount.options) : [];
    const sizeBytes = sizeClass(fs, bytes);
    const key = JSON.stringify([fs, argv.filter((a, k) => !(k > 0 && argv[k - 1] === '-L')), mountOptions, sizeBytes]);
    const c = byKey.get(key);
    if (c) c.volumes.push(i);
    else byKey.set(key, { key, fs, sizeBytes, mkfsArgv: argv, mountOptions: v.mount ? mountOptions : [], volumes: [i] });
  });
  return [...byKey.values()];
}

/**
 * The guest/worker script. From the modules (this file in dist/src/prove/): prove-guest.js beside it. From the
 * one-file CLI bundle (dist/bundle/cli/jts-storage.mjs, scripts/bundle.mjs): the worker's own bundle, written
 * by the same build into dist/bundle/prove/ (the launcher runs the CLI bundle only when it is current, so the
 * worker's is too). One file to load instead of ~170: under the sandbox's TCG emulation, with the code on 9p,
 * module loading is seconds of each apply's proof. Pure: decided from import.meta.url, no file is read.
 */
export function proveGuestScript(): string {
  if (/\/dist\/bundle\/cli\/[^/]+$/.test(import.meta.url)) return fileURLToPath(new URL('../prove/prove-guest.mjs', import.meta.url));
  return fileURLToPath(new URL('../../src/prove/prove-guest.js', import.meta.url));
}

/**
 * Prove the cases on this machine's kernel: one worker process in a private mount namespace
 * (`unshare --mount --propagation private -- node prove-guest.js IN OUT`), images in workDir (sparse;
 * removed after each case). Needs root and a loop device. Errors: a UserError-like Error when unshare
 * or the worker fails as a whole (each case's refusal is an outcome, not an error).
 */
export async function proveOnHost(runner: Runner, cases: ProveCase[], o: { workDir: string; node?: string }): Promise<ProveRun> {
  const tag = `jts-prove-${runner.now().getTime()}`;
  const dir = `${o.workDir.replace(/\/$/, '')}/${tag}`;
  await runner.mkdir(dir, { recursive: true, mode: 0o700 });
  const inFile = `${dir}/cases.json`;
  const outFile = `${dir}/outcomes.json`;
  await runner.writeFile(inFile, JSON.stringify({ dir, clearLog: false, cases }));
  try {
    const r = await runner.run(['unshare', '--mount', '--propagation', 'private', '--', o.node ?? process.execPath, proveGuestScript(), inFile, outFile], { timeoutMs: 600_000, mutating: false });
    const text = await runner.readFileIfExists(outFile);
    if (!text) throw new Error(`prove: the worker did not report (unshare exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(-800)}`);
    const res = JSON.parse(text) as { kernel: string; outcomes: ProveOutcome[] };
    return { kernel: res.kernel, where: 'host', outcomes: res.outcomes };
  } finally {
    for (const f of [inFile, outFile]) if (await runner.exists(f)) await runner.unlink(f);
    await runner.run(['rmdir', dir], { mutating: false });
  }
}

/**
 * Per volume: "proved on kernel X" or the refusal, as findings (error JTS-PROVE-REFUSED at the volume's
 * mount options, or its filesystem when mkfs refused). `locate` gives file:line:col of a plan path.
 */
export function proveFindings(plan: Plan, cases: ProveCase[], run: ProveRun, locate: (path: (string | number)[]) => { line: number; col: number } | undefined, file: string): { lines: string[]; findings: Finding[] } {
  const lines: string[] = [];
  const findings: Finding[] = [];
  for (const c of cases) {
    const o = run.outcomes.find((x) => x.key === c.key);
    for (const i of c.volumes) {
      const v = plan.volumes[i]!;
      if (o?.verdict === 'ok') {
        lines.push(`${v.name}: proved on kernel ${run.kernel}${run.where === 'sandbox' ? ' (sandbox)' : ''}: ${c.mkfsArgv.join(' ').replace(DEV, 'DEV')}; mount -t ${c.fs} -o ${c.mountOptions.join(',') || 'defaults'} (${(o.ms / 1000).toFixed(1)} s)`);
        continue;
      }
      const path = o?.verdict === 'mkfs-refused' ? ['volumes', i, 'filesystem'] : ['volumes', i, 'mount', 'options'];
      const at = locate(path);
      const what = o ? (o.verdict === 'mkfs-refused' ? 'mkfs refused' : o.verdict === 'mount-refused' ? 'the mount was refused' : 'the proof failed') : 'not proved';
      const message = `${v.name}: ${what} on kernel ${run.kernel}${run.where === 'sandbox' ? ' (sandbox)' : ''}: ${o?.message ?? 'no outcome'}`;
      lines.push(`${file}:${at?.line ?? '?'}:${at?.col ?? '?'}: ${message}`);
      findings.push({ rule: 'JTS-PROVE-REFUSED', severity: 'error', message, file, line: at?.line, col: at?.col, field: `volumes[${i}].${path.slice(2).join('.')}`, source: `the running kernel ${run.kernel}: mkfs + mount on a loop device` });
    }
  }
  return { lines, findings };
}
