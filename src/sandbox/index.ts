/**
 * The VM test bed's library API (issue 3): boot a disposable QEMU guest with a real kernel,
 * device-mapper and virtual drives of exact sizes, run one command as root, return its exit code
 * and output. See docs/sandbox.md.
 */
export { parseDriveSpec, parseSize, resolveDrives, validateDrive, DriveSpecError, DEFAULT_DRIVE, DRIVE_KINDS } from './drive-spec.js';
export type { SandboxDrive, DriveKind, ResolvedDrive } from './drive-spec.js';
export { runInSandbox } from './run.js';
export { SandboxError, EXIT_TIMEOUT, EXIT_GUEST_DIED, EXIT_POWER_CUT } from './options.js';
export { findQemu } from './host-checks.js';
export { probeKvm } from './kvm-probe.js';
export type { KvmProbe } from './kvm-probe.js';
import { probeKvm } from './kvm-probe.js';
export type { SandboxOptions, SandboxResult } from './options.js';
export { cacheRoot, readPreparedKernel } from './prepare.js';
export type { PreparedKernel } from './prepare.js';
import { prepareSandbox as prepareImpl } from './prepare.js';

/**
 * Builds (or finds cached) the guest kernel + initramfs, then (unless kvmProbe is false) learns once
 * per host kernel whether KVM boots here. Idempotent, quick when cached.
 */
export async function prepareSandbox(opts: { onProgress?: (msg: string) => void; force?: boolean; kvmProbe?: boolean } = {}): Promise<{
  kernelVersion: string;
  kernelPath: string;
  initrdPath: string;
  moduleDir: string;
}> {
  const k = await prepareImpl(opts);
  if (opts.kvmProbe !== false) await probeKvm({ onProgress: opts.onProgress });
  return k;
}
