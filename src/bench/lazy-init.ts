/**
 * A freshly made ext4 finishes its initialisation in the background after the first mount: the
 * kernel thread "ext4lazyinit" zeroes the inode tables of groups not marked ITABLE_ZEROED
 * (ext4(5), mkfs.ext4(8) `lazy_itable_init`), and that I/O competes with a benchmark.
 */
import type { Runner } from '../core/runner.js';

/** The kernel thread that initialises ext4 inode tables lazily exists only while it has work. */
export async function ext4LazyInitRunning(runner: Runner): Promise<boolean> {
  let pids: string[];
  try {
    pids = (await runner.readdir('/proc')).filter((n) => /^\d+$/.test(n));
  } catch {
    return false;
  }
  for (const pid of pids) {
    const comm = await runner.readFileIfExists(`/proc/${pid}/comm`).catch(() => undefined);
    if (comm?.trim() === 'ext4lazyinit') return true;
  }
  return false;
}
