/**
 * /sys/block/<kname>/queue/* attributes: the kernel's own view of a drive's queue. Read per drive
 * (not per volume) through Runner.readFile. write_cache is the volatile-write-cache fact the linter
 * needs ("write back" = volatile cache, flushes matter; "write through" = none or power-loss
 * protected). For NVMe the kernel sets it from the controller's VWC bit (Identify Controller), so the
 * probe does not need `nvme id-ctrl` for it.
 */
export const QUEUE_ATTRS = ['scheduler', 'write_cache', 'rotational', 'discard_max_bytes', 'read_ahead_kb', 'logical_block_size', 'physical_block_size'] as const;
export type QueueAttr = (typeof QUEUE_ATTRS)[number];

export interface QueueFacts {
  schedulers?: string[];
  scheduler?: string;
  volatileWriteCache?: boolean;
  rotational?: boolean;
  discardMaxBytes?: number;
  readAheadKb?: number;
  logicalBlockSize?: number;
  physicalBlockSize?: number;
}

/** "none [mq-deadline] kyber bfq" → available list and the bracketed active one. */
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
  return { schedulers, active };
}

function int(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) && v.trim() !== '' ? n : undefined;
}

export function parseQueue(values: Partial<Record<QueueAttr, string>>): QueueFacts {
  const f: QueueFacts = {};
  if (values.scheduler !== undefined) {
    const s = parseScheduler(values.scheduler);
    f.schedulers = s.schedulers;
    f.scheduler = s.active ?? (s.schedulers.length === 1 ? s.schedulers[0] : undefined);
  }
  if (values.write_cache !== undefined) f.volatileWriteCache = values.write_cache.trim() === 'write back';
  if (values.rotational !== undefined) f.rotational = values.rotational.trim() === '1';
  f.discardMaxBytes = int(values.discard_max_bytes);
  f.readAheadKb = int(values.read_ahead_kb);
  f.logicalBlockSize = int(values.logical_block_size);
  f.physicalBlockSize = int(values.physical_block_size);
  return f;
}
