/**
 * The lsblk reader (util-linux): every argv the product lists block devices with, and the one typed
 * parse of their JSON (`-J`).
 *
 *   lsblk -J -b -O                                   the probe: every column, as a tree (holders below)
 *   lsblk -J -l -b -o NAME,KNAME,…,PKNAME,SIZE       health, when LVM could not name the PVs: flat, with parents
 *   lsblk -J -b -s -o NAME,KNAME,…,SIZE <PV…>        health: the PVs and what they sit on (inverse tree)
 *   lsblk -J -b -o PATH,NAME,TYPE,FSTYPE,… <dev>     bench --raw: is the device blank?
 *   lsblk -J -s -o PATH,TYPE,MODEL,SERIAL <dev>      bench: the drives under a target
 *
 * Versions: util-linux before 2.37 prints every value as a string ("rota": "0") and has "mountpoint"
 * (string|null) instead of "mountpoints" (array, [null] when none): both read. A column not printed is
 * undefined. Run with LC_ALL=C (host/env.ts): lsblk translates its messages.
 */
import type { Runner } from '../core/runner.js';
import { HostReadError, runFailure, runTool } from './env.js';
import { asArray, asRecord, bool, num, parseToolJson, str } from './json.js';

export const LSBLK_PROBE_ARGV = ['lsblk', '-J', '-b', '-O'];
/** Every block device, flat, with PKNAME. */
export const LSBLK_HEALTH_ARGV = ['lsblk', '-J', '-l', '-b', '-o', 'NAME,KNAME,PATH,TYPE,TRAN,ROTA,SERIAL,MODEL,SCHED,PKNAME,SIZE'];

/**
 * The given devices and what they sit on (`-s`, inverse dependencies: partition, dm/md layers, disks),
 * as a tree whose children are the devices below. No PKNAME: in an inverse tree lsblk prints the tree
 * parent, which is the device above.
 */
export function lsblkPvArgv(devices: string[]): string[] {
  return ['lsblk', '-J', '-b', '-s', '-o', 'NAME,KNAME,PATH,TYPE,TRAN,ROTA,SERIAL,MODEL,SCHED,SIZE', ...devices];
}

/** One device with what a blank-device check needs (signatures, partition table, mounts, holders, size). */
export function lsblkDeviceArgv(device: string): string[] {
  return ['lsblk', '-J', '-b', '-o', 'PATH,NAME,TYPE,FSTYPE,PTTYPE,MOUNTPOINT,SIZE', device];
}

/** The drives under a device (inverse tree), with model and serial. */
export function lsblkDrivesUnderArgv(device: string): string[] {
  return ['lsblk', '-J', '-s', '-o', 'PATH,TYPE,MODEL,SERIAL', device];
}

export interface LsblkDevice {
  name: string;
  kname: string;
  path: string;
  /** "disk", "part", "lvm", "crypt", "raid1", "loop", "rom"…; "unknown" when not printed. */
  type: string;
  majMin?: string;
  /** Bytes with -b; 0 when not printed. */
  sizeBytes: number;
  fstype?: string;
  fsver?: string;
  uuid?: string;
  label?: string;
  pttype?: string;
  mountpoints: string[];
  fssize?: number;
  fsused?: number;
  serial?: string;
  wwn?: string;
  model?: string;
  tran?: string;
  rota?: boolean;
  discMax?: number;
  logSec?: number;
  phySec?: number;
  sched?: string;
  raKb?: number;
  subsystems?: string;
  /** PKNAME when printed (a flat -l listing's parent kernel name). */
  pkname?: string;
  /** Path of the tree parent (undefined for top-level devices). */
  parent?: string;
  children: LsblkDevice[];
}

function readDevice(raw: unknown, parent?: string): LsblkDevice {
  const r = asRecord(raw);
  const name = str(r['name']) ?? str(r['kname']) ?? str(r['path'])?.replace(/^\/dev\//, '') ?? '?';
  const kname = str(r['kname']) ?? name;
  const path = str(r['path']) ?? `/dev/${name}`;
  const mps = Array.isArray(r['mountpoints'])
    ? (r['mountpoints'] as unknown[]).map(str).filter((x): x is string => !!x)
    : [str(r['mountpoint'])].filter((x): x is string => !!x);
  const dev: LsblkDevice = {
    name,
    kname,
    path,
    type: str(r['type']) ?? 'unknown',
    majMin: str(r['maj:min']),
    sizeBytes: num(r['size']) ?? 0,
    fstype: str(r['fstype']),
    fsver: str(r['fsver']),
    uuid: str(r['uuid']),
    label: str(r['label']),
    pttype: str(r['pttype']),
    mountpoints: mps,
    fssize: num(r['fssize']),
    fsused: num(r['fsused']),
    serial: str(r['serial'])?.trim() || undefined,
    wwn: str(r['wwn']),
    model: str(r['model'])?.trim() || undefined,
    tran: str(r['tran']),
    rota: r['rota'] === undefined || r['rota'] === null ? undefined : bool(r['rota']),
    discMax: num(r['disc-max']),
    logSec: num(r['log-sec']),
    phySec: num(r['phy-sec']),
    sched: str(r['sched']),
    raKb: num(r['ra']),
    subsystems: str(r['subsystems']),
    pkname: str(r['pkname']),
    parent,
    children: [],
  };
  dev.children = asArray(r['children']).map((c) => readDevice(c, path));
  return dev;
}

/** lsblk -J (tree or -l list) → the top-level devices, children nested. Throws HostReadError without "blockdevices". */
export function parseLsblkJson(text: string): LsblkDevice[] {
  const doc = asRecord(parseToolJson(text, 'lsblk'));
  if (!Array.isArray(doc['blockdevices'])) throw new HostReadError('lsblk: no "blockdevices" array');
  return asArray(doc['blockdevices']).map((b) => readDevice(b));
}

/** Pre-order walk of a device tree. */
export function walkDevices(d: LsblkDevice, f: (d: LsblkDevice) => void): void {
  f(d);
  for (const c of d.children) walkDevices(c, f);
}

/**
 * Run one lsblk argv (TOOL_ENV) and parse it. lsblk exits 64 when one named device is gone and still
 * reports the others: with `lenient` that report is read and `note` says why. Throws HostReadError.
 */
export async function readLsblk(runner: Runner, argv: string[], opts: { timeoutMs?: number; lenient?: boolean } = {}): Promise<{ devices: LsblkDevice[]; note?: string }> {
  const r = await runTool(runner, argv, { timeoutMs: opts.timeoutMs ?? 60_000 });
  const f = runFailure(r);
  if (f && (!opts.lenient || r.notFound || r.timedOut)) throw new HostReadError(f);
  try {
    return { devices: parseLsblkJson(r.stdout), note: f };
  } catch (e) {
    throw new HostReadError(f ?? (e as Error).message);
  }
}
