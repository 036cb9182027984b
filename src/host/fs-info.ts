/**
 * Filesystem superblock readers: `tune2fs -l` (e2fsprogs, ext4), `xfs_info` and `xfs_db` (xfsprogs).
 * None has a JSON mode; each prints one "key: value" (tune2fs) or "key=value" (xfs_info) per fact,
 * parsed by key, never by column position, and only in the C locale (runTool: LC_ALL=C), the
 * locale the keys are written in. A figure not printed is undefined (unknown), never NaN.
 * Captures: test/fixtures/verify/, test/fixtures/guest/ (sandbox guest).
 */
import type { Runner } from '../core/runner.js';
import { runFailure, runTool } from './env.js';
import { num } from './json.js';

/** Read-only on a mounted or unmounted ext2/3/4 (tune2fs(8) -l: list the superblock). */
export function tune2fsArgv(device: string): string[] {
  return ['tune2fs', '-l', device];
}
/** xfs_info(8): the geometry of an XFS filesystem (mounted: its mount point or device; unmounted: the device). */
export function xfsInfoArgv(device: string): string[] {
  return ['xfs_info', device];
}
/** xfs_db(8) read-only: superblock 0's sb_inprogress (1 while mkfs.xfs has not finished). */
export function xfsInprogressArgv(device: string): string[] {
  return ['xfs_db', '-r', '-c', 'sb 0', '-c', 'print inprogress', device];
}

export interface Ext4Facts {
  label?: string;
  uuid?: string;
  features: string[];
  blockCount?: number;
  reservedBlockCount?: number;
  blockSize?: number;
  inodeCount?: number;
}

/** `tune2fs -l` text → superblock facts (missing keys are undefined). */
export function parseTune2fs(text: string): Ext4Facts {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const label = kv.get('Filesystem volume name');
  return {
    label: label && label !== '<none>' ? label : undefined,
    uuid: kv.get('Filesystem UUID'),
    features: (kv.get('Filesystem features') ?? '').split(/\s+/).filter(Boolean),
    blockCount: num(kv.get('Block count')),
    reservedBlockCount: num(kv.get('Reserved block count')),
    blockSize: num(kv.get('Block size')),
    inodeCount: num(kv.get('Inode count')),
  };
}

export interface XfsFacts {
  agcount?: number;
  blockSize?: number;
  dataBlocks?: number;
  /** Data stripe unit/width, in filesystem blocks. */
  sunit?: number;
  swidth?: number;
  logBlocks?: number;
  logBlockSize?: number;
  crc?: number;
  reflink?: number;
}

/** xfs_info text: sections (meta-data, data, naming, log, realtime) of key=value pairs. */
export function parseXfsInfo(text: string): XfsFacts {
  const out: XfsFacts = {};
  let section = '';
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s*=/.exec(line);
    if (m && m[1] !== '=') section = m[1]!;
    const body = line.replace(/^\S+\s*=/, '').replace(/^\s*=/, '');
    for (const p of body.matchAll(/([a-z0-9_-]+)=(\d+)/gi)) {
      const k = p[1]!;
      const v = Number(p[2]);
      if (section === 'meta-data' && k === 'agcount') out.agcount = v;
      if (section === 'meta-data' && k === 'crc') out.crc = v;
      if (section === 'meta-data' && k === 'reflink') out.reflink = v;
      if (section === 'data' && k === 'bsize') out.blockSize = v;
      if (section === 'data' && k === 'blocks') out.dataBlocks = v;
      if (section === 'data' && k === 'sunit') out.sunit = v;
      if (section === 'data' && k === 'swidth') out.swidth = v;
      if (section === 'log' && k === 'blocks') out.logBlocks = v;
      if (section === 'log' && k === 'bsize') out.logBlockSize = v;
    }
  }
  return out;
}

/** The filesystem's own size in bytes (blocks × block size), or undefined when a figure is unknown. */
export function ext4Bytes(f: Ext4Facts): number | undefined {
  return f.blockCount !== undefined && f.blockSize !== undefined && f.blockCount * f.blockSize > 0 ? f.blockCount * f.blockSize : undefined;
}
export function xfsBytes(x: XfsFacts): number | undefined {
  return x.dataBlocks && x.blockSize ? x.dataBlocks * x.blockSize : undefined;
}

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `tune2fs -l <dev>` read and parsed; a failure is one line (not installed with its package, exit N: …). */
export async function readExt4(runner: Runner, device: string): Promise<Read<Ext4Facts>> {
  const r = await runTool(runner, tune2fsArgv(device), { timeoutMs: 30_000 });
  const f = runFailure(r);
  return f ? { ok: false, reason: f } : { ok: true, value: parseTune2fs(r.stdout) };
}

/** `xfs_info <dev>` read and parsed; a failure is one line. */
export async function readXfs(runner: Runner, device: string): Promise<Read<XfsFacts>> {
  const r = await runTool(runner, xfsInfoArgv(device), { timeoutMs: 30_000 });
  const f = runFailure(r);
  return f ? { ok: false, reason: f } : { ok: true, value: parseXfsInfo(r.stdout) };
}

/** sb_inprogress of superblock 0: true = an interrupted mkfs.xfs; undefined when xfs_db cannot say. */
export async function readXfsInprogress(runner: Runner, device: string): Promise<boolean | undefined> {
  const r = await runTool(runner, xfsInprogressArgv(device), { timeoutMs: 30_000 });
  if (runFailure(r)) return undefined;
  const m = /inprogress\s*=\s*(\d+)/.exec(r.stdout);
  return m ? m[1] !== '0' : undefined;
}
