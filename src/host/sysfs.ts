/**
 * The sysfs reader for block devices: /sys/block/<kname>/queue/* attributes, the kernel's own view of
 * a device's request queue (Documentation/ABI/stable/sysfs-block). Read through Runner.readFileIfExists
 * (no process); an attribute the kernel does not have, or one that cannot be read, is undefined.
 *
 *   /sys/block                              the block devices (one readdir)
 *   /sys/block/<kname>/queue/scheduler      "none [mq-deadline] kyber bfq": offered, [active]
 *   /sys/block/<kname>/queue/write_cache    "write back" (volatile cache: flushes matter) | "write through";
 *                                           for NVMe the kernel sets it from the controller's VWC bit
 *                                           (Identify Controller), so `nvme id-ctrl` is not needed for it
 *   /sys/block/<kname>/queue/rotational     "1" spinning, "0" not
 *   /sys/block/<kname>/queue/discard_max_bytes, read_ahead_kb, logical_block_size, physical_block_size
 *
 * Numbers are read in C form only ("128"); anything else is undefined (unknown), never NaN.
 */
import type { Runner } from '../core/runner.js';
import { num } from './json.js';

/** The directory listing every block device (disks, partitions are below them; dm-N, loopN…). */
export const SYS_BLOCK = '/sys/block';

export const QUEUE_ATTRS = ['scheduler', 'write_cache', 'rotational', 'discard_max_bytes', 'read_ahead_kb', 'logical_block_size', 'physical_block_size'] as const;
export type QueueAttr = (typeof QUEUE_ATTRS)[number];

/** `/sys/block/<kname>/queue/<attr>` (also the path tune writes a scheduler to). */
export function queuePath(kname: string, attr: QueueAttr): string {
  return `${SYS_BLOCK}/${kname}/queue/${attr}`;
}

export interface QueueFacts {
  schedulers?: string[];
  scheduler?: string;
  volatileWriteCache?: boolean;
  /** write_cache as printed ("write back" / "write through"). */
  writeCache?: string;
  rotational?: boolean;
  discardMaxBytes?: number;
  readAheadKb?: number;
  logicalBlockSize?: number;
  physicalBlockSize?: number;
}

/**
 * queue/scheduler: "none [mq-deadline] kyber bfq" → offered list and the bracketed active one. A
 * queue without elevator support prints just "none" (no brackets): that one is active. "" → none.
 */
export function parseScheduler(text: string): { schedulers: string[]; active?: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let active: string | undefined;
  const schedulers = words.map((w) => {
    const m = /^\[(.+)\]$/.exec(w);
    if (m) {
      active = m[1]!;
      return m[1]!;
    }
    return w;
  });
  if (active === undefined && schedulers.length === 1) active = schedulers[0];
  return { schedulers, active };
}

/** A sysfs number ("2147483136\n"), or undefined. */
function int(v: string | undefined): number | undefined {
  return v === undefined ? undefined : num(v.trim());
}

/** The raw attribute texts → typed facts (an attribute not given stays undefined). */
export function parseQueue(values: Partial<Record<QueueAttr, string>>): QueueFacts {
  const f: QueueFacts = {};
  if (values.scheduler !== undefined) {
    const s = parseScheduler(values.scheduler);
    f.schedulers = s.schedulers;
    f.scheduler = s.active;
  }
  if (values.write_cache !== undefined) {
    f.writeCache = values.write_cache.trim();
    f.volatileWriteCache = f.writeCache === 'write back';
  }
  if (values.rotational !== undefined) f.rotational = values.rotational.trim() === '1';
  f.discardMaxBytes = int(values.discard_max_bytes);
  f.readAheadKb = int(values.read_ahead_kb);
  f.logicalBlockSize = int(values.logical_block_size);
  f.physicalBlockSize = int(values.physical_block_size);
  return f;
}

/** One attribute's text, trimmed; undefined when missing or unreadable. */
export async function readQueueAttr(runner: Runner, kname: string, attr: QueueAttr): Promise<string | undefined> {
  try {
    return (await runner.readFileIfExists(queuePath(kname, attr)))?.trim();
  } catch {
    return undefined;
  }
}

/** The given attributes of one device (default: all of QUEUE_ATTRS), read in parallel, parsed. */
export async function readQueue(runner: Runner, kname: string, attrs: readonly QueueAttr[] = QUEUE_ATTRS): Promise<QueueFacts> {
  const values: Partial<Record<QueueAttr, string>> = {};
  await Promise.all(
    attrs.map(async (a) => {
      const v = await readQueueAttr(runner, kname, a);
      if (v !== undefined) values[a] = v;
    }),
  );
  return parseQueue(values);
}

/** The names in /sys/block, sorted; [] when it cannot be read (no sysfs). */
export async function listBlockDevices(runner: Runner): Promise<string[]> {
  return (await runner.readdir(SYS_BLOCK).catch(() => [] as string[])).sort();
}
