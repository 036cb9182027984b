import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { resolveDrives, type SandboxDrive, type ResolvedDrive } from './drive-spec.js';
import { bootEnv, guestEnv, runScript, stage2Script } from './guest-scripts.js';
import { OutputDemux } from './output.js';
import { cacheRoot, ensurePrepared, type PreparedKernel } from './prepare.js';
import { buildQemuArgs } from './qemu-args.js';

/**
 * runInSandbox: one disposable QEMU guest per call. The guest's root is the host's (read-only, with a
 * tmpfs overlay), so it runs the host's node/lvm2/xfsprogs and this checkout; its disks are sparse
 * image files of exact sizes. QEMU is spawned and watched directly (not through the Runner): a run
 * has to stream, be killed on a marker or a timer, and is the test bed rather than the product's
 * pipeline.
 */

export interface SandboxOptions {
  /** Default: one NVMe of 4,000,000,000,000 bytes, serial JTS-NVME-0. */
  drives?: SandboxDrive[];
  memoryMiB?: number;
  /** Whole run (boot + command); the VM is killed at this point. Default 600. */
  timeoutS?: number;
  /**
   * The command alone, counted from the moment it started in the guest (boot time excluded): the VM
   * is killed then, as at timeoutS. Lets a test of a hang wait seconds, not a boot budget sized for a
   * loaded machine.
   */
  commandTimeoutS?: number;
  /** Where the drive images live. Existing images of the same name and size are booted again. */
  imageDir?: string;
  /** Keep the images after the run (to boot again on the same disks). */
  keep?: boolean;
  /** Kill QEMU (no clean shutdown): afterS seconds after the command started, or when its output shows onMarker. */
  powerCut?: { afterS?: number; onMarker?: string };
  /** Host directory mounted writable in the guest at the same path. Default: a new temp dir (removed if left empty). */
  outDir?: string;
  env?: Record<string, string>;
  /** Guest working directory; default process.cwd(). */
  cwd?: string;
  /** Streamed guest command output (stdout and stderr together). */
  onOutput?: (chunk: string) => void;
  /** Boot progress for humans ("booting…", "booted in 3.1 s"). */
  onProgress?: (msg: string) => void;
  /** 'auto' (default): KVM only if `sandbox --prepare` proved it boots here; else TCG. Env JTS_SANDBOX_ACCEL. */
  accel?: 'auto' | 'tcg' | 'kvm';
  /**
   * Virtual CPUs (default 1, at most the host's). One is faster on a shared host: with two, every TLB
   * shootdown and RCU grace period waits for the other vCPU's thread to be scheduled (measured under
   * load 16: boot to command 21.5 s with 1 vCPU, 34.9 s with 2; /bin/true 0.35 s vs 2.3 s).
   */
  cpus?: number;
  /** How much the run may write to the images, for the free-disk check. Default 512 MiB + 128 MiB per drive. */
  expectWriteBytes?: number;
  /** Full kernel log on the console (slower). */
  verboseKernel?: boolean;
  /** Extra kernel command-line words (debugging). */
  kernelArgs?: string[];
}

export interface SandboxResult {
  /** The command's exit code; 124 on timeout, 137 on a power cut, 125 when the guest died without reporting one. */
  exitCode: number;
  output: string;
  timedOut: boolean;
  powerCut: boolean;
  /** Last lines of the guest console (kernel + set-up), and QEMU's own errors. */
  consoleTail: string;
  /** From QEMU start to the command's start. */
  bootMs: number;
  wallMs: number;
  outDir: string;
  imageDir: string;
  /** The image file of each drive, in drive order. */
  images: string[];
  accel: 'tcg' | 'kvm';
}

export const EXIT_TIMEOUT = 124;
export const EXIT_GUEST_DIED = 125;
export const EXIT_POWER_CUT = 137;

export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxError';
  }
}

export const QEMU_BINARY = 'qemu-system-x86_64';

export function findQemu(): string {
  const r = spawnSync(QEMU_BINARY, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new SandboxError(`sandbox: ${QEMU_BINARY} is not installed: apt-get install -y qemu-system-x86 (or run bash scripts/setup.sh)`);
  }
  return QEMU_BINARY;
}

export function imageFileName(d: ResolvedDrive): string {
  return `drive${d.index}-${d.kind}-${d.serial}.img`;
}

export function formatBytes(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(2)} TB`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  return `${(n / 1e6).toFixed(0)} MB`;
}

/** The free-disk rule: images are sparse, they cost what the guest writes; refuse before booting. */
export function checkFreeDisk(dir: string, availBytes: number, needBytes: number): void {
  if (availBytes < needBytes) {
    throw new SandboxError(
      `sandbox: not enough free disk for the drive images in ${dir}: ${formatBytes(availBytes)} free, the run may write about ${formatBytes(needBytes)} ` +
        `(sparse images cost what the guest writes). Free some space, or pass another --image-dir.`,
    );
  }
}

export interface KvmProbe {
  ok: boolean;
  hostKernel: string;
  at: string;
  detail: string;
}

/**
 * One short boot under KVM (`true` as the command). KVM is used by 'auto' runs only after this
 * succeeded on this host kernel: on some hosts /dev/kvm exists but QEMU aborts ("failed to set MSR")
 * or the guest hangs. The answer is cached per host kernel; `force` probes again.
 */
export async function probeKvm(opts: { onProgress?: (m: string) => void; force?: boolean } = {}): Promise<KvmProbe> {
  const file = path.join(cacheRoot(), 'kvm-probe.json');
  if (!opts.force) {
    try {
      const j = JSON.parse(await fs.readFile(file, 'utf8')) as KvmProbe;
      if (j.hostKernel === os.release()) return j;
    } catch {
      /* not probed yet */
    }
  }
  let res: KvmProbe;
  if (!existsSync('/dev/kvm')) {
    res = { ok: false, hostKernel: os.release(), at: new Date().toISOString(), detail: 'no /dev/kvm' };
  } else {
    opts.onProgress?.('probing KVM with one short boot (TCG stays the default unless it works)…');
    try {
      const r = await runInSandbox(['true'], { accel: 'kvm', timeoutS: 30, drives: [{ sizeBytes: 1e9 }], memoryMiB: 512 });
      const ok = r.exitCode === 0 && !r.timedOut;
      res = { ok, hostKernel: os.release(), at: new Date().toISOString(), detail: ok ? `booted in ${r.bootMs} ms` : `exit ${r.exitCode}${r.timedOut ? ' (hung)' : ''}: ${r.consoleTail.trim().split('\n').slice(-2).join(' | ')}` };
    } catch (e) {
      res = { ok: false, hostKernel: os.release(), at: new Date().toISOString(), detail: (e as Error).message };
    }
  }
  await fs.writeFile(file, JSON.stringify(res, null, 2) + '\n');
  opts.onProgress?.(`KVM ${res.ok ? 'works here: runs will use it' : `is not used (${res.detail.slice(0, 200)})`}`);
  return res;
}

async function kvmProven(): Promise<boolean> {
  try {
    const j = JSON.parse(await fs.readFile(path.join(cacheRoot(), 'kvm-probe.json'), 'utf8')) as { ok?: boolean; hostKernel?: string };
    return j.ok === true && j.hostKernel === os.release() && existsSync('/dev/kvm');
  } catch {
    return false;
  }
}

async function ensureKernel(onProgress?: (m: string) => void): Promise<PreparedKernel> {
  try {
    return await ensurePrepared({ onProgress });
  } catch (e) {
    throw new SandboxError(`sandbox: no usable kernel: ${(e as Error).message}\nRun: node bin/jts-storage.js sandbox --prepare (or bash scripts/setup.sh)`);
  }
}

async function tail(file: string, bytes: number): Promise<string> {
  try {
    const fh = await fs.open(file, 'r');
    try {
      const { size } = await fh.stat();
      const start = Math.max(0, size - bytes);
      const buf = Buffer.alloc(size - start);
      await fh.read(buf, 0, buf.length, start);
      return buf.toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return '';
  }
}

const OWNER_FILE = '.jts-sandbox-owner';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp dirs of runs whose process died without cleaning up (killed test runners): each
 * run marks its own temp dirs with its pid; dirs of live processes and kept images are left alone.
 */
export async function removeStaleRunDirs(tmp = os.tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    if (!name.startsWith('jts-sandbox-')) continue;
    const dir = path.join(tmp, name);
    try {
      const owner = JSON.parse(await fs.readFile(path.join(dir, OWNER_FILE), 'utf8')) as { pid?: number; keep?: boolean };
      if (typeof owner.pid === 'number' && !owner.keep && owner.pid !== process.pid && !alive(owner.pid)) {
        await fs.rm(dir, { recursive: true, force: true });
        removed.push(dir);
      }
    } catch {
      /* no owner file (kept, or not ours): leave it */
    }
  }
  return removed;
}

export async function runInSandbox(argv: string[], opts: SandboxOptions = {}): Promise<SandboxResult> {
  const t0 = performance.now();
  if (argv.length === 0) throw new SandboxError('sandbox: no command given (sandbox -- COMMAND [ARGS...])');
  const drives = resolveDrives(opts.drives);
  const qemu = findQemu();
  const kernel = await ensureKernel(opts.onProgress);
  const env = guestEnv(opts.env);
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const script = runScript(argv, cwd, env);

  const accelPref = opts.accel ?? (process.env.JTS_SANDBOX_ACCEL as SandboxOptions['accel']) ?? 'auto';
  const accel: 'tcg' | 'kvm' = accelPref === 'kvm' || (accelPref === 'auto' && (await kvmProven())) ? 'kvm' : 'tcg';
  const memoryMiB = opts.memoryMiB ?? 2048;
  if (!Number.isInteger(memoryMiB) || memoryMiB < 256) throw new SandboxError(`sandbox: memory ${memoryMiB} MiB is below the 256 MiB the guest needs`);
  const timeoutS = opts.timeoutS ?? 600;
  if (!(timeoutS > 0)) throw new SandboxError(`sandbox: timeout must be a positive number of seconds (got ${timeoutS})`);
  if (opts.commandTimeoutS !== undefined && !(opts.commandTimeoutS > 0)) {
    throw new SandboxError(`sandbox: command timeout must be a positive number of seconds (got ${opts.commandTimeoutS})`);
  }

  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jts-sandbox-'));
  const ctlDir = path.join(runDir, 'ctl');
  await fs.mkdir(ctlDir);
  const ownImageDir = opts.imageDir === undefined;
  const imageDir = path.resolve(opts.imageDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'jts-sandbox-images-'))));
  const ownOutDir = opts.outDir === undefined;
  const outDir = path.resolve(opts.outDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'jts-sandbox-out-'))));
  await fs.mkdir(imageDir, { recursive: true });
  await fs.mkdir(outDir, { recursive: true });
  await removeStaleRunDirs().catch(() => []);
  const owner = JSON.stringify({ pid: process.pid, keep: false });
  await fs.writeFile(path.join(runDir, OWNER_FILE), owner);
  // Kept images in a temp dir get no owner file: they are meant to outlive this process.
  if (ownImageDir && !opts.keep) await fs.writeFile(path.join(imageDir, OWNER_FILE), owner);

  const images: string[] = [];
  let qemuProc: ReturnType<typeof spawn> | undefined;
  const killOnExit = () => qemuProc?.kill('SIGKILL');
  process.on('exit', killOnExit);
  try {
    // Images: reuse a kept image of the same size, else a new sparse file.
    const need = opts.expectWriteBytes ?? 512 * 2 ** 20 + drives.length * 128 * 2 ** 20;
    const st = await fs.statfs(imageDir);
    checkFreeDisk(imageDir, st.bavail * st.bsize, need);
    for (const d of drives) {
      const p = path.join(imageDir, imageFileName(d));
      images.push(p);
      const s = await fs.stat(p).catch(() => undefined);
      if (s) {
        if (s.size !== d.sizeBytes) {
          throw new SandboxError(`sandbox: ${p} exists with ${s.size} bytes but drive ${d.index + 1} (${d.serial}) is ${d.sizeBytes} bytes; remove it or use another --image-dir`);
        }
      } else {
        const fh = await fs.open(p, 'wx', 0o600);
        await fh.truncate(d.sizeBytes);
        await fh.close();
      }
    }

    const nonce = randomBytes(6).toString('hex');
    await fs.writeFile(path.join(ctlDir, 'boot.env'), bootEnv({ outDir, modDir: kernel.moduleDir, kernelVersion: kernel.kernelVersion }));
    await fs.writeFile(path.join(ctlDir, 'stage2.sh'), stage2Script(nonce), { mode: 0o755 });
    await fs.writeFile(path.join(ctlDir, 'run.sh'), script, { mode: 0o755 });
    const consoleLog = path.join(runDir, 'console.log');
    const args = buildQemuArgs({
      kernelPath: kernel.bootKernelPath ?? kernel.kernelPath,
      initrdPath: kernel.initrdPath,
      memoryMiB,
      smp: Math.max(1, Math.min(opts.cpus ?? 1, os.cpus().length)),
      accel,
      drives: drives.map((drive, i) => ({ drive, imagePath: images[i]! })),
      ctlDir,
      outDir,
      consoleLog,
      verboseKernel: opts.verboseKernel,
      kernelArgs: opts.kernelArgs,
    });
    opts.onProgress?.(
      `booting (${accel.toUpperCase()}, ${memoryMiB} MiB, ${drives.map((d) => `${d.kind} ${formatBytes(d.sizeBytes)} ${d.serial}`).join('; ')})…`,
    );

    let bootMs = 0;
    let timedOut = false;
    let powerCut = false;
    let cmdStart = 0;
    let cutTimer: NodeJS.Timeout | undefined;
    let cmdTimer: NodeJS.Timeout | undefined;
    let exitTimer: NodeJS.Timeout | undefined;
    let qemuStderr = '';
    const cutPower = () => {
      if (demux.state === 'done') return;
      powerCut = true;
      qemuProc?.kill('SIGKILL');
    };
    const marker = opts.powerCut?.onMarker;
    let markerWindow = '';
    const demux: OutputDemux = new OutputDemux(
      nonce,
      () => {
        cmdStart = performance.now();
        bootMs = cmdStart - tSpawn;
        opts.onProgress?.(`booted in ${(bootMs / 1000).toFixed(1)} s; running ${argv.join(' ')}`);
        if (opts.powerCut?.afterS !== undefined) cutTimer = setTimeout(cutPower, opts.powerCut.afterS * 1000);
        if (opts.commandTimeoutS !== undefined) {
          cmdTimer = setTimeout(() => {
            if (demux.state === 'done') return;
            timedOut = true;
            qemuProc?.kill('SIGKILL');
          }, opts.commandTimeoutS * 1000);
        }
      },
      (chunk) => {
        opts.onOutput?.(chunk);
        if (marker) {
          markerWindow = (markerWindow + chunk).slice(-(marker.length + chunk.length));
          if (markerWindow.includes(marker)) cutPower();
        }
      },
    );
    const decoder = new StringDecoder('utf8');
    const tSpawn = performance.now();
    const proc = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    qemuProc = proc;
    proc.stdout!.on('data', (b: Buffer) => {
      demux.push(decoder.write(b));
      if (demux.state === 'done' && !exitTimer) {
        // The guest syncs and powers off by itself; give it a moment, then stop QEMU anyway.
        exitTimer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      }
    });
    proc.stderr!.on('data', (b: Buffer) => {
      qemuStderr = (qemuStderr + b.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      if (demux.state === 'done') return;
      timedOut = true;
      proc.kill('SIGKILL');
    }, timeoutS * 1000);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      proc.on('error', (error) => resolve({ code: null, signal: null, error }));
      proc.on('close', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    if (cutTimer) clearTimeout(cutTimer);
    if (cmdTimer) clearTimeout(cmdTimer);
    if (exitTimer) clearTimeout(exitTimer);
    demux.push(decoder.end());
    demux.end();

    let exitCode: number;
    if (demux.exitCode !== undefined) exitCode = demux.exitCode;
    else if (powerCut) exitCode = EXIT_POWER_CUT;
    else if (timedOut) exitCode = EXIT_TIMEOUT;
    else exitCode = EXIT_GUEST_DIED;
    if (demux.exitCode !== undefined) powerCut = false; // the command finished before the cut
    let consoleTail = (await tail(consoleLog, 6000)).replace(/\r/g, '');
    if (exit.error) consoleTail += `\nqemu could not start: ${exit.error.message}`;
    if (qemuStderr.trim() && demux.exitCode === undefined && !powerCut && !timedOut) consoleTail += `\nqemu (exit ${exit.code ?? exit.signal}): ${qemuStderr.trim()}`;
    if (demux.state === 'boot' && !powerCut && !timedOut && demux.exitCode === undefined) {
      consoleTail += '\n(the guest stopped before the command started)';
    }
    return {
      exitCode,
      output: demux.output,
      timedOut,
      powerCut,
      consoleTail,
      bootMs: Math.round(bootMs),
      wallMs: Math.round(performance.now() - t0),
      outDir,
      imageDir,
      images,
      accel,
    };
  } finally {
    process.off('exit', killOnExit);
    if (!opts.keep) {
      for (const p of images) await fs.rm(p, { force: true });
      if (ownImageDir) await fs.rm(imageDir, { recursive: true, force: true });
    }
    if (ownOutDir) await fs.rmdir(outDir).catch(() => {}); // only if the guest left nothing
    await fs.rm(runDir, { recursive: true, force: true }).catch(() => {});
  }
}
