/**
 * The drives under bench targets: metadata for the results (model, serial from lsblk) and whether
 * they are emulated, which decides what the figures can claim.
 */
import { parseLsblkJson, walkDevices } from '../host/lsblk.js';

export interface BenchDrive {
  path: string;
  model?: string;
  serial?: string;
}

/** lsblk JSON of the devices under a target (host/lsblk.ts `lsblkDrivesUnderArgv`) → its whole disks. */
export function disksUnder(json: string): BenchDrive[] {
  const out: BenchDrive[] = [];
  try {
    for (const top of parseLsblkJson(json)) walkDevices(top, (n) => {
      if (n.type === 'disk') out.push({ path: n.path, model: n.model, serial: n.serial });
    });
  } catch {
    // Drive identity is metadata: a failure leaves it out rather than stopping the bench.
  }
  return out;
}

/**
 * True when a drive is emulated: QEMU's NVMe model "QEMU NVMe Ctrl", "QEMU HARDDISK", virtio-blk
 * (/dev/vdX), VirtualBox or VMware disks. Absolute figures of such drives are the emulator's, not a drive's.
 */
export function isEmulated(drives: { path: string; model?: string }[]): boolean {
  return drives.some((d) => /qemu|virtio|virtual|vbox|vmware/i.test(d.model ?? '') || /^\/dev\/vd[a-z]/.test(d.path));
}

/** One entry per kernel path (the last seen wins). */
export function dedupeDrives(ds: BenchDrive[]): BenchDrive[] {
  const m = new Map<string, BenchDrive>();
  for (const d of ds) m.set(d.path, d);
  return [...m.values()];
}
