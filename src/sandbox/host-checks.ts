/**
 * Host-side checks and files before a boot: QEMU installed, enough free disk for what the guest may
 * write, and the drive images (sparse files of exact sizes; a kept image of the same size is reused).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ResolvedDrive } from './drive-spec.js';
import { SandboxError } from './options.js';

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

/**
 * The image file of each drive in imageDir (drive order): an existing one of the same size is booted
 * again, else a new sparse file of exactly sizeBytes. Errors: SandboxError when an existing image has
 * another size.
 */
export async function makeDriveImages(drives: ResolvedDrive[], imageDir: string, needBytes: number): Promise<string[]> {
  const st = await fs.statfs(imageDir);
  checkFreeDisk(imageDir, st.bavail * st.bsize, needBytes);
  const images: string[] = [];
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
  return images;
}
