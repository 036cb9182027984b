/** The options and result of one sandbox run (runInSandbox, run.ts), and its error and exit codes. */
import type { SandboxDrive } from './drive-spec.js';

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
