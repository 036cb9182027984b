import type { Command } from 'commander';
import { UserError } from '../core/exit-codes.js';
import { DriveSpecError, parseDriveSpec, prepareSandbox, runInSandbox, SandboxError, type SandboxDrive, type SandboxOptions } from '../sandbox/index.js';
import type { CommandIo } from '../ui/io.js';
import { show } from '../ui/view.js';
import type { CommandContext } from './context.js';
import { numberArg } from '../ui/argv.js';

export const takesIo = true;

/** `jts-storage sandbox`: thin commander wiring; the logic is sandboxCommand. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('sandbox')
    .description('run COMMAND as root in a disposable QEMU VM with a real kernel, device-mapper and virtual drives; exits with its exit code')
    .argument('[command...]', 'the command to run in the guest, after --')
    .option('--drive <spec>', 'a drive: SIZE (the plan size grammar: 4TB, 3.5TiB, 4T = 4 TiB; a bare number is bytes) or KEY=VALUE,… with size=SIZE, serial=S, model=M, kind=nvme|virtio|scsi|sata, rotation=ssd|hdd|RPM, lbs=512|4096, nsof=N (a namespace of drive N); repeatable (default: one 4TB NVMe)', collect)
    .option('--memory <MiB>', 'guest memory in MiB', numberArg, 2048)
    .option('--cpus <N>', 'virtual CPUs (1 is fastest on a busy host)', numberArg, 1)
    .option('--timeout <S>', 'kill the VM after S seconds (boot included)', numberArg, 600)
    .option('--image-dir <dir>', 'where the sparse drive images live (existing images of the same size are reused)')
    .option('--keep', 'keep the drive images after the run (boot again on the same disks)')
    .option('--out-dir <dir>', 'host directory mounted writable in the guest at the same path')
    .option('--power-cut-after <S>', 'kill the VM (no clean shutdown) S seconds after the command started')
    .option('--power-cut-on <marker>', 'kill the VM as soon as the command output shows MARKER')
    .option('--accel <mode>', 'auto (KVM only where `--prepare` proved it boots), tcg or kvm', 'auto')
    .option('--prepare', 'fetch the kernel and build the initramfs into the cache (idempotent), then exit')
    .option('--json', 'print the result as JSON instead of streaming the output')
    .addHelpText(
      'after',
      `
Examples:
  jts-storage sandbox -- sh -c 'pvcreate /dev/nvme0n1 && vgs'
  jts-storage sandbox --drive 4TB --drive size=2TB,kind=scsi,model=WARM --drive 1TB,virtio -- lsblk -J
  jts-storage sandbox --image-dir /var/tmp/disks --keep -- mkfs.ext4 /dev/nvme0n1
  jts-storage sandbox --drive 1GiB,serial=NS --drive 1GiB,nsof=1 -- nvme list   (one controller, two namespaces)

Exit code: the command's; 124 when --timeout stopped it; 125 when the guest died without reporting one
(the console tail is printed); with --power-cut-*: 0 when the cut happened, else the command's code.`,
    )
    .action(async (command: string[], o: Record<string, unknown>) => ctx.exit(await sandboxCommand(command, o, ctx.io)));
}

/**
 * `jts-storage sandbox [--prepare] -- COMMAND…`: run one command as root in a disposable VM
 * (docs/sandbox.md). Returns the command's exit code (124 timeout, 125 guest died; 0 after a power
 * cut). Without --json the guest's output streams to io.stdout as it comes. UserError on bad options.
 */
export async function sandboxCommand(command: string[], o: Record<string, unknown>, io: CommandIo): Promise<number> {
  const json = Boolean(o.json);
  const progress = (m: string) => {
    if (!json || o.prepare) io.stderr(`sandbox: ${m}\n`);
  };
  try {
    if (o.prepare) {
      const k = await prepareSandbox({ onProgress: progress });
      show(io, json, k, () => `sandbox kernel ${k.kernelVersion} ready\n  kernel: ${k.kernelPath}\n  initrd: ${k.initrdPath}\n`);
      return 0;
    }
    if (command.length === 0) throw new UserError('sandbox: no command given: jts-storage sandbox [options] -- COMMAND [ARGS...]');
    const drives: SandboxDrive[] = ((o.drive ?? []) as string[]).map((s) => parseDriveSpec(s));
    const opts: SandboxOptions = {
      drives,
      memoryMiB: intOpt(o.memory, '--memory'),
      cpus: intOpt(o.cpus, '--cpus'),
      timeoutS: numOpt(o.timeout, '--timeout'),
      keep: Boolean(o.keep),
      accel: accelOpt(o.accel),
      onProgress: json ? undefined : progress,
      onOutput: json ? undefined : (c) => io.stdout(c),
    };
    if (typeof o.imageDir === 'string') opts.imageDir = o.imageDir;
    if (typeof o.outDir === 'string') opts.outDir = o.outDir;
    if (o.powerCutAfter !== undefined || o.powerCutOn !== undefined) {
      opts.powerCut = {};
      if (o.powerCutAfter !== undefined) opts.powerCut.afterS = numOpt(o.powerCutAfter, '--power-cut-after');
      if (typeof o.powerCutOn === 'string') opts.powerCut.onMarker = o.powerCutOn;
    }
    if (opts.keep && !opts.imageDir) progress('--keep without --image-dir: the images stay in a temp dir (printed below)');
    const r = await runInSandbox(command, opts);
    // Without --json the output was streamed as it came (onOutput): only the JSON is printed here.
    if (json) show(io, true, r, () => '');
    else {
      if (r.timedOut) io.stderr(`sandbox: timed out after ${opts.timeoutS} s; console tail:\n${r.consoleTail}\n`);
      else if (r.powerCut) io.stderr(`sandbox: power cut ${((r.wallMs - r.bootMs) / 1000).toFixed(1)} s after the command started\n`);
      else if (r.exitCode === 125 && !/\S/.test(r.output)) io.stderr(`sandbox: the guest died without an exit code; console tail:\n${r.consoleTail}\n`);
      if (opts.keep) io.stderr(`sandbox: images kept in ${r.imageDir}\n`);
    }
    return r.powerCut ? 0 : r.exitCode;
  } catch (e) {
    if (e instanceof DriveSpecError || e instanceof SandboxError) throw new UserError(e.message);
    throw e;
  }
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}
function numOpt(v: unknown, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`${name}: "${String(v)}" is not a positive number`);
  return n;
}
function intOpt(v: unknown, name: string): number {
  const n = numOpt(v, name);
  if (!Number.isInteger(n)) throw new UserError(`${name}: "${String(v)}" is not a whole number`);
  return n;
}
function accelOpt(v: unknown): 'auto' | 'tcg' | 'kvm' {
  if (v === 'auto' || v === 'tcg' || v === 'kvm') return v;
  throw new UserError(`--accel: "${String(v)}" is not one of auto, tcg, kvm`);
}
