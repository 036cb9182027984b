/**
 * The live probe: ONE process per tool, whatever the number of drives, volumes or mounts:
 *
 *   uname -r                                   kernel release (option facts are per kernel version)
 *   lsblk -J -b -O                             drives, partitions, holders, FSTYPE/UUID/LABEL, fs use
 *   blkid -o export                            superblock probe: fills what udev's db (lsblk) lacks
 *   lvm fullreport --reportformat json …       PVs, VGs, LVs (attr, origin, pool, fill, read-ahead…)
 *   findmnt -J -b                              live mounts and their kernel options
 *   find /dev/disk/by-id … -printf             stable drive names
 *
 * plus file reads through the Runner (no process): /sys/block/<drive>/queue/* per drive,
 * /etc/fstab, /etc/passwd, /etc/group, and a stat of each path the caller asks about (the plan's
 * mount paths). The NVMe volatile write cache is read from sysfs queue/write_cache, which the kernel
 * sets from the controller's VWC bit: `nvme id-ctrl` is not needed for it.
 *
 * A missing or failing lvm/blkid/find is not fatal: the state is probed without it and a warning says
 * what is unknown. lsblk and findmnt failing is fatal (ProbeError): without them nothing is known.
 */
import type { Runner, RunResult } from '../core/runner.js';
import { ok } from '../core/runner.js';
import type { FsInfo, HostState } from '../model/host-state.js';
import { parseLsblk } from './lsblk.js';
import { blkidFilesystems, parseBlkidExport } from './blkid.js';
import { FULLREPORT_ARGV, parseFullReport } from './lvm.js';
import { FOREIGN_PVS_ARGV, parseForeignVgs } from '../host/lvm-foreign.js';
import { FINDMNT_TREE_ARGV } from '../host/findmnt.js';
import { runTool } from '../host/env.js';
import { LSBLK_PROBE_ARGV } from '../host/lsblk.js';
import { BLKID_ARGV } from '../host/blkid.js';
import { parseFindmnt } from './findmnt.js';
import { parseGroup, parsePasswd } from './accounts.js';
import { readQueue } from '../host/sysfs.js';
import { BY_ID_ARGV, parseByIdLinks } from './by-id.js';
import type { PathInfo, ProbedDrive, ProbedFs, ProbedState } from './types.js';

export const LSBLK_ARGV = LSBLK_PROBE_ARGV;
export { BLKID_ARGV };
export const FINDMNT_ARGV = FINDMNT_TREE_ARGV;
export const UNAME_ARGV = ['uname', '-r'];

export class ProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

export interface ProbeOptions {
  /** Paths to stat (the plan's mount paths): owner, group and mode of what is there now. */
  paths?: string[];
}

function firstLine(r: RunResult): string {
  return (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
}

function failure(r: RunResult): string {
  if (r.notFound) return `${r.argv[0]} is not installed`;
  if (r.timedOut) return `${r.argv.join(' ')} timed out`;
  return `${r.argv.slice(0, 2).join(' ')} exited ${r.exitCode}: ${firstLine(r)}`;
}

const TIMEOUT_MS = 60_000;

export async function probeHost(runner: Runner, opts: ProbeOptions = {}): Promise<HostState> {
  const warnings: string[] = [];
  let toolCalls = 0;
  const run = (argv: string[]) => {
    toolCalls++;
    return runTool(runner, argv, { timeoutMs: TIMEOUT_MS });
  };

  const [uname, lsblk, blkid, lvm, findmnt, byId, foreign] = await Promise.all([
    run(UNAME_ARGV),
    run(LSBLK_ARGV),
    run(BLKID_ARGV),
    run(FULLREPORT_ARGV),
    run(FINDMNT_ARGV),
    run(BY_ID_ARGV),
    run(FOREIGN_PVS_ARGV),
  ]);

  if (!ok(lsblk)) throw new ProbeError(`cannot list block devices: ${failure(lsblk)}`);
  if (!ok(findmnt)) throw new ProbeError(`cannot read the mount table: ${failure(findmnt)}`);
  const blk = parseLsblk(lsblk.stdout);
  const mounts = parseFindmnt(findmnt.stdout);

  // blkid exits 2 when it finds no signature at all: an empty answer, not a failure.
  let fsFromBlkid: ProbedFs[] = [];
  let blkidRecords: ReturnType<typeof parseBlkidExport> = [];
  if (ok(blkid) || (!blkid.notFound && blkid.exitCode === 2)) {
    blkidRecords = parseBlkidExport(blkid.stdout);
    fsFromBlkid = blkidFilesystems(blkidRecords);
  } else {
    warnings.push(`blkid: ${failure(blkid)}; filesystem signatures come from lsblk (udev) only`);
  }

  let pvs: HostState['pvs'] = [];
  let vgs: HostState['vgs'] = [];
  let lvs: HostState['lvs'] = [];
  if (lvm.notFound) {
    warnings.push('lvm2 is not installed (no `lvm` command): LVM state is empty; install lvm2 before apply');
  } else {
    // LVM exits non-zero for a partial problem (one unreadable device) but still reports the rest.
    try {
      ({ pvs, vgs, lvs } = parseFullReport(lvm.stdout));
      if (!ok(lvm)) warnings.push(`lvm fullreport: ${failure(lvm)} (the report was read anyway)`);
    } catch (e) {
      warnings.push(`lvm fullreport: ${failure(lvm)}; ${(e as Error).message}: LVM state is empty`);
    }
  }
  // VGs of other hosts (system ID): hidden from the fullreport, so their drives would look blank but for
  // an LVM signature. Read with --foreign; a failure only loses this view (said as a warning).
  let foreignVgs: HostState['foreignVgs'];
  if (!foreign.notFound) {
    try {
      foreignVgs = parseForeignVgs(foreign.stdout, vgs.map((v) => v.name));
    } catch (e) {
      warnings.push(`pvs --foreign: ${failure(foreign)}; ${(e as Error).message}: volume groups of other hosts are not seen`);
    }
  }

  let links = new Map<string, string[]>();
  if (ok(byId)) links = parseByIdLinks(byId.stdout);
  else warnings.push(`no stable drive names: ${failure(byId)} (is udev running?); drives are matched by serial/WWN only`);

  const drives = blk.drives.map((d) => ({ ...d }));
  for (const d of drives) {
    d.byIds = links.get(d.kname) ?? [];
    await applySysfs(runner, d);
    const rec = blkidRecords.find((r) => r.device === d.path);
    if (rec?.ptType && !d.signatures.some((s) => s.startsWith('partition table'))) d.signatures.push(`partition table ${rec.ptType}`);
    if (rec?.type && !d.signatures.includes(rec.type)) d.signatures.push(rec.type);
  }
  drives.sort((a, b) => a.path.localeCompare(b.path));
  markSystemVgDrives(drives, pvs);

  const filesystems = mergeFilesystems(blk.filesystems, fsFromBlkid);

  const [fstab, passwdText, groupText] = await Promise.all([
    runner.readFileIfExists('/etc/fstab'),
    runner.readFileIfExists('/etc/passwd'),
    runner.readFileIfExists('/etc/group'),
  ]);
  const passwd = passwdText === undefined ? undefined : parsePasswd(passwdText);
  const groupEntries = groupText === undefined ? undefined : parseGroup(groupText);
  if (fstab === undefined) warnings.push('/etc/fstab does not exist: it will be created');

  const paths: Record<string, PathInfo> = {};
  for (const p of [...new Set(opts.paths ?? [])].sort()) {
    const s = await runner.stat(p);
    if (!s) continue;
    paths[p] = { uid: s.uid, gid: s.gid, mode: s.mode & 0o7777, isDirectory: s.isDirectory };
    if (s.isDirectory && !mounts.some((m) => m.target === p)) {
      const names = await runner.readdir(p).catch(() => undefined);
      if (names) paths[p].entries = names.filter((n) => n !== 'lost+found').length;
    }
  }

  const state: ProbedState = {
    source: 'probe',
    kernelRelease: ok(uname) ? uname.stdout.trim() : undefined,
    drives,
    pvs: [...pvs].sort((a, b) => a.name.localeCompare(b.name)),
    vgs: [...vgs].sort((a, b) => a.name.localeCompare(b.name)),
    lvs: [...lvs].sort((a, b) => a.vgName.localeCompare(b.vgName) || a.name.localeCompare(b.name)),
    ...(foreignVgs?.length ? { foreignVgs } : {}),
    filesystems,
    mounts,
    fstab,
    users: passwd?.map((u) => u.name),
    groups: groupEntries?.map((g) => g.name),
    passwd,
    groupEntries,
    paths,
    probeWarnings: warnings,
    toolCalls,
  };
  if (!ok(uname)) warnings.push(`uname -r: ${failure(uname)}; kernel-version facts assume the newest kernel`);
  return state;
}

async function applySysfs(runner: Runner, d: ProbedDrive): Promise<void> {
  const q = await readQueue(runner, d.kname);
  // sysfs is the kernel's live truth; lsblk's copies are kept where sysfs is silent.
  if (q.schedulers) d.schedulers = q.schedulers;
  if (q.scheduler) d.scheduler = q.scheduler;
  if (q.volatileWriteCache !== undefined) d.volatileWriteCache = q.volatileWriteCache;
  if (q.rotational !== undefined) d.rotational = q.rotational;
  if (q.discardMaxBytes !== undefined) d.discard = q.discardMaxBytes > 0;
  if (q.readAheadKb !== undefined) d.readAheadKb = q.readAheadKb;
  if (q.logicalBlockSize) d.logicalSectorSize = q.logicalBlockSize;
  if (q.physicalBlockSize) d.physicalSectorSize = q.physicalBlockSize;
}

/** lsblk's records, completed (never overridden) by blkid's for the same device; blkid-only ones added. */
export function mergeFilesystems(fromLsblk: ProbedFs[], fromBlkid: FsInfo[]): ProbedFs[] {
  const byDev = new Map<string, ProbedFs>();
  for (const f of fromLsblk) byDev.set(f.device, { ...f });
  for (const b of fromBlkid) {
    const cur = byDev.get(b.device);
    if (!cur) byDev.set(b.device, { ...b });
    else {
      cur.type ??= b.type;
      cur.uuid ??= b.uuid;
      cur.label ??= b.label;
    }
  }
  return [...byDev.values()].sort((a, b) => a.device.localeCompare(b.device));
}

/**
 * A drive that holds a PV of the volume group the running system lives in (a drive of the VG holds /, /boot,
 * /usr, /var or swap) is a system drive too, even when none of those LVs has extents on it: wiping it breaks
 * the system VG. Marks them isRootDisk (lsblk only sees the mounts of LVs with extents on the drive).
 */
export function markSystemVgDrives(drives: { path: string; partitions: string[]; isRootDisk?: boolean }[], pvs: { name: string; vgName: string }[]): void {
  const onDrive = (pv: { name: string }, d: { path: string; partitions: string[] }) => pv.name === d.path || d.partitions.includes(pv.name);
  const systemVgs = new Set(pvs.filter((pv) => pv.vgName && drives.some((d) => d.isRootDisk && onDrive(pv, d))).map((pv) => pv.vgName));
  for (const d of drives) if (!d.isRootDisk && pvs.some((pv) => systemVgs.has(pv.vgName) && onDrive(pv, d))) d.isRootDisk = true;
}
