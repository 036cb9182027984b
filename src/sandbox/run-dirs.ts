/**
 * A run's temp dirs: each run marks its own with its pid (OWNER_FILE), so the dirs of runs whose process
 * died (killed test runners) are removed by the next run; and the tail of the guest console log.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

export const OWNER_FILE = '.jts-sandbox-owner';

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

/** The last `bytes` of a file as UTF-8; empty when it cannot be read. */
export async function tail(file: string, bytes: number): Promise<string> {
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
