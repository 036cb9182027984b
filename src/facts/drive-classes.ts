/**
 * Drive classes as udev sees them. The udev rule (src/render/udev.ts) and the at-once sysfs writes
 * (src/tune/actions.ts) both use THIS table, so what is applied now is exactly what udev applies at
 * the next boot or hot-plug: a whole disk whose kernel name matches the glob (udev's fnmatch(3)
 * semantics) and, for sd*, whose `queue/rotational` matches.
 *
 * Kernel names are unstable across boots (seed-defects.md), so nothing here names one device: the
 * rule adds to the class's match the plan drive's stable udev property (src/render/udev.ts), so it applies
 * to the plan's drives only, never to every disk of a class.
 */
import { parseScheduler } from '../host/sysfs.js';
import type { Tuning } from '../model/plan-schema.js';

export type DriveClass = 'nvme' | 'sata-ssd' | 'hdd' | 'virtio';

export interface ClassMatch {
  cls: DriveClass;
  /** udev KERNEL== glob. */
  kernel: string;
  /** udev ATTR{queue/rotational}== value, when the class depends on it. */
  rotational?: '0' | '1';
  comment: string;
}

export const CLASS_MATCHES: ClassMatch[] = [
  {
    cls: 'nvme',
    kernel: 'nvme[0-9]*n[0-9]*',
    comment: 'every NVMe namespace (nvme0n1, nvme1n2, ...); partitions are excluded by DEVTYPE',
  },
  { cls: 'sata-ssd', kernel: 'sd*', rotational: '0', comment: 'SCSI/SATA/SAS/USB disks that report no rotation (SSD)' },
  { cls: 'hdd', kernel: 'sd*', rotational: '1', comment: 'SCSI/SATA/SAS disks that report rotation (HDD)' },
  { cls: 'virtio', kernel: 'vd*', comment: 'virtio-blk disks (virtual machines)' },
];

/** Scheduler value meaning "jts-storage does not manage this class" (no rule line, no write). */
export const KEEP = 'keep';

/** udev/fnmatch glob (*, ?, [...]) → anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

const MATCHERS = CLASS_MATCHES.map((m) => ({ ...m, re: globToRegExp(m.kernel) }));

/** The class whose rule line matches this whole disk, or undefined (loop, dm-, md, zram, sr...). */
export function classOfDisk(name: string, rotational: boolean | undefined): DriveClass | undefined {
  for (const m of MATCHERS) {
    if (!m.re.test(name)) continue;
    if (m.rotational !== undefined) {
      if (rotational === undefined) continue;
      if ((rotational ? '1' : '0') !== m.rotational) continue;
    }
    return m.cls;
  }
  return undefined;
}

/** True when the name alone may need `queue/rotational` to be classified (sd*). */
export function needsRotational(name: string): boolean {
  return MATCHERS.some((m) => m.rotational !== undefined && m.re.test(name));
}

/** The scheduler the plan wants for a class, or undefined when the class is not managed. */
export function desiredScheduler(t: Tuning, cls: DriveClass): string | undefined {
  const s = t.schedulers[cls];
  return s === KEEP || s === '' ? undefined : s;
}

/** queue/scheduler text → offered list + active one, in tune's shape (the parse is host/sysfs.ts parseScheduler). */
export function parseSchedulerFile(text: string): { available: string[]; active?: string } {
  const s = parseScheduler(text);
  return { available: s.schedulers, active: s.active };
}

/** Scheduler names must be plain words: they go into a udev rule between quotes and into sysfs. */
export const SCHEDULER_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
