import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { chooseAccel } from './accel.js';
import { resolveDrives } from './drive-spec.js';
import { bootEnv, guestEnv, runScript, stage2Script } from './guest-scripts.js';
import { findQemu, formatBytes, makeDriveImages } from './host-checks.js';
import { EXIT_GUEST_DIED, EXIT_POWER_CUT, EXIT_TIMEOUT, SandboxError, type SandboxOptions, type SandboxResult } from './options.js';
import { OutputDemux } from './output.js';
import { ensurePrepared, type PreparedKernel } from './prepare.js';
import { buildQemuArgs } from './qemu-args.js';
import { OWNER_FILE, removeStaleRunDirs, tail } from './run-dirs.js';

/**
 * runInSandbox: one disposable QEMU guest per call. The guest's root is the host's (read-only, with a
 * tmpfs overlay), so it runs the host's node/lvm2/xfsprogs and this checkout; its disks are sparse
 * image files of exact sizes. QEMU is spawned and watched directly (not through the Runner): a run
 * has to stream, be killed on a marker or a timer, and is the test bed rather than the product's
 * pipeline.
 *
 * The pieces: options.ts (the options and result shapes), host-checks.ts (QEMU present, free disk, the
 * drive images), accel.ts / kvm-probe.ts (KVM or TCG), run-dirs.ts (temp dirs of dead runs, console
 * tail), qemu-args.ts, guest-scripts.ts, output.ts (the guest's output stream).
 */

async function ensureKernel(onProgress?: (m: string) => void): Promise<PreparedKernel> {
  try {
    return await ensurePrepared({ onProgress });
  } catch (e) {
    throw new SandboxError(`sandbox: no usable kernel: ${(e as Error).message}\nRun: node bin/jts-storage.js sandbox --prepare (or bash scripts/setup.sh)`);
  }
}

/**
 * Boots one guest, runs argv as root in cwd (the host's checkout), returns its exit code and output.
 * Errors: SandboxError before booting (no QEMU, no kernel, bad options, not enough free disk); a guest
 * that times out, dies or is power-cut is a result (exitCode 124/125/137), not an error.
 */
export async function runInSandbox(argv: string[], opts: SandboxOptions = {}): Promise<SandboxResult> {
  const t0 = performance.now();
  if (argv.length === 0) throw new SandboxError('sandbox: no command given (sandbox -- COMMAND [ARGS...])');
  const drives = resolveDrives(opts.drives);
  const qemu = findQemu();
  const kernel = await ensureKernel(opts.onProgress);
  const env = guestEnv(opts.env);
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const script = runScript(argv, cwd, env);

  const accel = await chooseAccel(opts.accel);
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
    images.push(...(await makeDriveImages(drives, imageDir, opts.expectWriteBytes ?? 512 * 2 ** 20 + drives.length * 128 * 2 ** 20)));

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
