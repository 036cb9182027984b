// Filesystem facts for verify: `tune2fs -l` (ext4) and `xfs_info` (XFS). Neither tool has a JSON
// mode; both print one "key: value" (tune2fs) or "key=value" (xfs_info) per fact, parsed by key,
// never by column position. Fixtures in test/fixtures/verify/ were captured in the sandbox guest.

export interface Ext4Facts {
  label?: string;
  uuid?: string;
  features: string[];
  blockCount: number;
  reservedBlockCount: number;
  blockSize: number;
  inodeCount: number;
}

export function parseTune2fs(text: string): Ext4Facts {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const num = (k: string) => Number(kv.get(k) ?? NaN);
  const label = kv.get('Filesystem volume name');
  return {
    label: label && label !== '<none>' ? label : undefined,
    uuid: kv.get('Filesystem UUID'),
    features: (kv.get('Filesystem features') ?? '').split(/\s+/).filter(Boolean),
    blockCount: num('Block count'),
    reservedBlockCount: num('Reserved block count'),
    blockSize: num('Block size'),
    inodeCount: num('Inode count'),
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

/** xfs_info: sections (meta-data, data, naming, log, realtime) of key=value pairs. */
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

/** "128m", "64k", "1g", "4096" (bytes) as mkfs.xfs reads sizes. */
export function parseXfsSize(s: string): number | undefined {
  const m = /^(\d+)([kmgt]?)$/i.exec(s.trim());
  if (!m) return undefined;
  const p = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Number(m[1]) * 1024 ** p;
}

/**
 * How far a healthy filesystem may stop short of its LV. mke2fs and resize2fs drop a last block group
 * too small to hold its own metadata (a few MiB at 4 KiB blocks); xfs_growfs drops a last AG under
 * 64 blocks. LVs grow in whole extents (4 MiB by default), so 16 MiB tells "left over by the tool"
 * from "a grow that never happened" without flagging freshly made filesystems.
 */
export const FS_FILL_SLACK_BYTES = 16 * 2 ** 20;

/** True when the filesystem stops short of its LV by more than what mkfs/grow tools leave over. */
export function isShort(lvBytes: number, fsBytes: number): boolean {
  return lvBytes - fsBytes > FS_FILL_SLACK_BYTES;
}
