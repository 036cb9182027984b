/**
 * Read-ahead per workload, as data with its source. A volume's `readAhead: auto` in the plan means
 * "this table's value for the volume's workload"; a number in the plan wins over it.
 *
 * Units: 512-byte sectors, as `lvchange -r|--readahead` takes them. `'auto'` is LVM's own `auto`
 * (the kernel's default read-ahead for the device, 128 KiB = 256 sectors on Debian 12's 6.1 kernel
 * for a linear LV): we set it explicitly so a volume someone lowered by hand is put back.
 *
 * Why per logical volume and not per drive: the spec set one read-ahead for the whole NVMe drive
 * (`blockdev --setra` on nvme0n1), but a file read on an LV goes through the LV's own request queue,
 * whose read-ahead (`/sys/block/dm-N/queue/read_ahead_kb`) is the one the page cache uses; LVM keeps
 * it in the VG metadata (`lv_read_ahead`) and re-applies it at every activation, so it persists
 * across reboots without any udev rule. See docs/tune.md.
 */
import type { Volume, Workload } from '../model/plan-schema.js';

export type ReadAhead = number | 'auto';

export interface ReadAheadDefault {
  sectors: ReadAhead;
  /** One line: what the vendor says. */
  reason: string;
  /** Where it says it (URL), or why there is no vendor statement. */
  source: string;
}

export const READ_AHEAD_DEFAULTS: Record<Workload, ReadAheadDefault> = {
  mongodb: {
    // 32 sectors = 16 KiB, the top of MongoDB's stated range: WiredTiger reads pages of 4–32 KiB at
    // random; a larger read-ahead fills the page cache with data nobody asked for.
    sectors: 32,
    reason: 'MongoDB: "For the WiredTiger storage engine, set readahead between 8 and 32 regardless of storage media type"',
    source: 'https://www.mongodb.com/docs/manual/administration/production-checklist-operations/ (Operating System Configuration, Linux)',
  },
  clickhouse: {
    sectors: 'auto',
    reason: 'ClickHouse reads whole column files sequentially: "Don\'t reduce the \'readahead\' setting"',
    source: 'https://clickhouse.com/docs/operations/tips (Usage Recommendations, RAID section; source docs/en/operations/tips.md in ClickHouse/ClickHouse)',
  },
  postgresql: {
    sectors: 'auto',
    reason: 'PostgreSQL documents no read-ahead value; its sequential scans benefit from the kernel default, so it is kept',
    source: 'no vendor statement (PostgreSQL docs, "Server Configuration: Resource Consumption" covers effective_io_concurrency only)',
  },
  kafka: {
    sectors: 'auto',
    reason: 'Kafka reads log segments sequentially through the page cache (consumer catch-up); the kernel default is kept',
    source: 'https://kafka.apache.org/documentation/#design_filesystem (relies on the OS page cache and read-ahead); no value stated',
  },
  redis: {
    sectors: 'auto',
    reason: 'Redis serves from memory and reads its RDB/AOF files sequentially at start-up only; the kernel default is kept',
    source: 'no vendor statement (https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/)',
  },
  system: { sectors: 'auto', reason: 'general-purpose files: kernel default', source: 'kernel default (include/linux/mm.h: VM_READAHEAD_PAGES = 128 KiB)' },
  backup: {
    sectors: 'auto',
    reason: 'backup archives are written and read sequentially: kernel default (raise it in the plan for large restores if measured)',
    source: 'kernel default',
  },
  generic: { sectors: 'auto', reason: 'no workload given: kernel default', source: 'kernel default' },
};

/**
 * The range jts-storage accepts for a numeric read-ahead, in sectors.
 * - 0 is LVM's `none` (read-ahead off).
 * - Otherwise a multiple of the page size in sectors (8 with 4 KiB pages): lvchange silently rounds
 *   any other value down ("WARNING: Overriding readahead to N sectors, a multiple of 4K page size",
 *   lvm2 tools/lvchange.c), and we never want the host to hold a value other than the plan's.
 * - At most 1,048,576 sectors (512 MiB): LVM itself takes any 32-bit value, but no database
 *   documents anything near this; a larger number is a unit mistake (bytes or KiB for sectors).
 */
export const READ_AHEAD_MAX_SECTORS = 1_048_576;

export function readAheadRangeError(value: number, pageSizeBytes = 4096): string | undefined {
  const page = Math.max(1, Math.floor(pageSizeBytes / 512));
  if (!Number.isInteger(value)) return `read-ahead must be a whole number of 512-byte sectors, got ${value}`;
  if (value < 0) return `read-ahead cannot be negative (${value}); use 0 for none or "auto"`;
  if (value > READ_AHEAD_MAX_SECTORS)
    return `read-ahead ${value} sectors (${(value * 512) / 1048576} MiB) is out of range: at most ${READ_AHEAD_MAX_SECTORS} sectors (512 MiB); the value is in 512-byte sectors, not bytes or KiB`;
  if (value !== 0 && value % page !== 0)
    return `read-ahead ${value} sectors is not a multiple of the ${pageSizeBytes}-byte page (${page} sectors): lvchange would silently round it to ${Math.max(page, Math.floor(value / page) * page)}; write that value in the plan`;
  return undefined;
}

/** What the plan wants for this volume: its own number, or the workload's default. */
export function desiredReadAhead(v: Pick<Volume, 'readAhead' | 'workload'>): { sectors: ReadAhead; from: 'plan' | 'workload'; reason: string; source?: string } {
  if (v.readAhead !== 'auto') return { sectors: v.readAhead, from: 'plan', reason: 'set in the plan' };
  const d = READ_AHEAD_DEFAULTS[v.workload];
  return { sectors: d.sectors, from: 'workload', reason: d.reason, source: d.source };
}

/** Effective read-ahead of a volume in 512-byte sectors: its explicit value, or its workload's default ('auto' = LVM's). */
export function effectiveReadAhead(v: Pick<Volume, 'readAhead' | 'workload'>): ReadAhead {
  return desiredReadAhead(v).sectors;
}

/** argv value for `lvchange -r` / `lvcreate -r`. */
export function readAheadArg(r: ReadAhead): string {
  return r === 'auto' ? 'auto' : String(r);
}
