/**
 * The udev database reader (systemd's udevadm): `udevadm info --export-db`, one process for every
 * device. It holds exactly what udev rules match on: the kernel name, the symlinks (by-id names),
 * and the properties (ID_SERIAL, ID_SERIAL_SHORT, ID_WWN, DM_NAME, DM_VG_NAME, DM_LV_NAME...).
 *
 * Format (udevadm(8), systemd 252, captured in the sandbox: test/fixtures/host/udevadm-export-db.txt):
 * one block per device, blocks separated by a blank line, each line "X: value" where
 *   P: devpath   M: sysname (systemd ≥ 251)   N: device node name   S: symlink (relative to /dev)
 *   E: KEY=VALUE property   (others, R: U: T: D: L: Q: V:, are not read).
 * Older udevadm prints no "M:"; the sysname is then the last component of P:.
 */
import type { Runner } from '../core/runner.js';
import { HostReadError, runFailure, runTool } from './env.js';

export const UDEV_EXPORT_DB_ARGV = ['udevadm', 'info', '--export-db'];

export interface UdevDevice {
  /** /devices/pci0000:00/…/nvme0n1 */
  devpath: string;
  /** Kernel name (sysname): nvme0n1, sda, dm-0. udev's KERNEL== matches this. */
  sysname: string;
  /** Symlinks relative to /dev ("disk/by-id/nvme-…"): udev's SYMLINK== matches these. */
  links: string[];
  /** Properties: udev's ENV{KEY}== matches these. */
  env: Record<string, string>;
}

/** `udevadm info --export-db` text → one entry per device, in the database's order. */
export function parseUdevDb(text: string): UdevDevice[] {
  const out: UdevDevice[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    let devpath: string | undefined;
    let sysname: string | undefined;
    const links: string[] = [];
    const env: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const m = /^([A-Z]): (.*)$/.exec(line);
      if (!m) continue;
      const [, k, v] = m as unknown as [string, string, string];
      if (k === 'P') devpath = v;
      else if (k === 'M') sysname = v;
      else if (k === 'S') links.push(v);
      else if (k === 'E') {
        const i = v.indexOf('=');
        if (i > 0) env[v.slice(0, i)] = v.slice(i + 1);
      }
    }
    if (!devpath) continue;
    out.push({ devpath, sysname: sysname ?? devpath.split('/').pop()!, links, env });
  }
  return out;
}

/** Read the udev database. Throws HostReadError (one line: not installed, failed) when it cannot. */
export async function readUdevDb(runner: Runner): Promise<UdevDevice[]> {
  const r = await runTool(runner, UDEV_EXPORT_DB_ARGV);
  const why = runFailure(r);
  if (why) throw new HostReadError(why);
  return parseUdevDb(r.stdout);
}
