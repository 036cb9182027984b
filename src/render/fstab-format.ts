// The managed fstab block (owner: apply). Pure text functions: no Runner, no I/O.
//
// jts-storage owns exactly one block of /etc/fstab, between two marker comments. Everything outside
// the block (the root filesystem, swap, whatever the admin wrote) is kept byte for byte, so an apply
// can never break a line it does not manage, and removing the block gives the old file back.
import type { Plan, Volume, NetworkMount } from '../model/plan-schema.js';
import { assertSame, hasOddChar, RenderError } from './parse-back.js';
import { commentSafe } from './types.js';

export interface FstabEntry {
  spec: string; // UUID=… or /dev/VG/LV or server:/export
  file: string;
  vfstype: string;
  mntops: string[];
  freq: number;
  passno: number;
  comment?: string;
}

export const BEGIN_MARKER = '# BEGIN jts-storage managed block: written by `jts-storage apply`, edits inside are replaced';
export const END_MARKER = '# END jts-storage managed block';
/** Marker prefixes, so a block written by an older wording is still recognised. */
const BEGIN_RE = /^#\s*BEGIN jts-storage managed block\b/;
const END_RE = /^#\s*END jts-storage managed block\b/;

import { isDataVolume, addsDeviceTimeout, DEFAULT_DEVICE_TIMEOUT } from '../facts/nofail.js';

export { isDataVolume, addsDeviceTimeout, DEFAULT_DEVICE_TIMEOUT };

export interface FstabOptions {
  /**
   * How volumes are named in fstab. 'path' (default): /dev/VG/LV — stable (LVM names are unique on
   * the host), known before mkfs runs, so the block the plan computes is the block apply writes, and
   * a re-plan after apply finds nothing to change. 'uuid': UUID=… where `uuids` knows it (falls back
   * to the path for volumes not formatted yet); a reformat changes the UUID, so this form needs a
   * re-plan after mkfs.
   */
  naming?: 'path' | 'uuid';
  deviceTimeout?: string;
}

/** Key under which `uuids` holds a volume's filesystem UUID: "VG/LV" (also accepted: "/dev/VG/LV"). */
export function uuidKey(v: Pick<Volume, 'vg' | 'name'>): string {
  return `${v.vg}/${v.name}`;
}

function hasOpt(opts: string[], name: string): boolean {
  return opts.some((o) => o === name || o.startsWith(name + '='));
}

function volumeEntry(v: Volume, uuids: Map<string, string>, o: FstabOptions): FstabEntry | undefined {
  const fsType = v.filesystem.type;
  if (fsType === 'none') return undefined;
  const devPath = `/dev/${v.vg}/${v.name}`;
  const uuid = uuids.get(uuidKey(v)) ?? uuids.get(devPath);
  const spec = o.naming === 'uuid' && uuid ? `UUID=${uuid}` : devPath;
  if (fsType === 'swap') {
    return { spec, file: 'none', vfstype: 'swap', mntops: v.mount?.options?.length ? [...v.mount.options] : ['sw'], freq: 0, passno: 0, comment: `${v.name} (${v.workload})` };
  }
  if (!v.mount) return undefined;
  let mntops = v.mount.options.length ? [...v.mount.options] : ['defaults'];
  if (isDataVolume(v)) {
    if (!hasOpt(mntops, 'nofail')) mntops.push('nofail');
    if (addsDeviceTimeout(v) && !hasOpt(mntops, 'x-systemd.device-timeout')) mntops.push(`x-systemd.device-timeout=${o.deviceTimeout ?? DEFAULT_DEVICE_TIMEOUT}`);
  }
  // "defaults" only means something alone; next to real options it is noise.
  if (mntops.length > 1) mntops = mntops.filter((m) => m !== 'defaults');
  // fsck.xfs does nothing at boot (XFS repairs by log replay on mount): pass 0, as xfs_repair's man page advises.
  const passno = v.mount.passno ?? (fsType === 'xfs' ? 0 : 2);
  return { spec, file: v.mount.path, vfstype: fsType, mntops, freq: 0, passno, comment: `${v.name} (${v.workload})` };
}

function networkEntry(n: NetworkMount): FstabEntry {
  let mntops = n.options.length ? [...n.options] : ['defaults'];
  // _netdev orders the mount after the network; nofail keeps a dead NAS from blocking the boot.
  for (const add of ['_netdev', 'nofail']) if (!hasOpt(mntops, add)) mntops.push(add);
  if (n.type === 'cifs' && n.credentials && !hasOpt(mntops, 'credentials')) mntops.push(`credentials=${n.credentials}`);
  if (mntops.length > 1) mntops = mntops.filter((m) => m !== 'defaults');
  return { spec: n.source, file: n.path, vfstype: n.type, mntops, freq: 0, passno: 0, comment: `network mount (${n.tier})` };
}

/** The entries the plan wants in fstab (data volumes get nofail + x-systemd.device-timeout). */
export function desiredFstabEntries(plan: Plan, uuids: Map<string, string>, opts: FstabOptions = {}): FstabEntry[] {
  const out: FstabEntry[] = [];
  for (const v of plan.volumes) {
    const e = volumeEntry(v, uuids, opts);
    if (e) out.push(e);
  }
  for (const n of plan.networkMounts) out.push(networkEntry(n));
  return out;
}

/** fstab(5) escapes: space, tab, newline and backslash as octal. */
export function escapeField(s: string): string {
  return s.replace(/[\\ \t\n]/g, (c) => '\\' + c.charCodeAt(0).toString(8).padStart(3, '0'));
}
export function unescapeField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** One fstab line; columns padded so the block reads as a table (deterministic for a given input). */
export function renderEntries(entries: FstabEntry[]): string[] {
  for (const e of entries) {
    const bad = fstabEntryError(e);
    if (bad) throw new RenderError(`fstab: ${bad}; nothing is written`);
  }
  const rows = entries.map((e) => [escapeField(e.spec), escapeField(e.file), e.vfstype, e.mntops.join(','), String(e.freq), String(e.passno)]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
  const lines: string[] = [];
  entries.forEach((e, k) => {
    if (e.comment) lines.push(`# ${commentSafe(e.comment)}`);
    const r = rows[k]!;
    lines.push(r.map((c, i) => (i < 5 ? c.padEnd(widths[i]!) : c)).join(' '));
  });
  return lines;
}

/**
 * What fstab(5) cannot carry in one entry: a control character (only space, tab, newline and '\\' have octal
 * escapes, and the plan refuses them anyway), a device or mount point starting with '#' (a comment line),
 * a type or an option with whitespace, ',', '#' or '\\' (they split or end the field).
 */
export function fstabEntryError(e: FstabEntry): string | undefined {
  for (const [what, v] of [['device', e.spec], ['mount point', e.file]] as const) {
    if (v === '' || hasOddChar(v.replace(/[\t\n]/g, ''))) return `${what} ${JSON.stringify(v)} is empty or holds a control character`;
    if (v.startsWith('#')) return `${what} ${JSON.stringify(v)} starts with '#' (fstab reads a comment)`;
  }
  if (!/^[a-z0-9._]+$/.test(e.vfstype)) return `type ${JSON.stringify(e.vfstype)} of ${e.file}`;
  for (const o of e.mntops) if (o === '' || /[\s,#\\"]/.test(o) || hasOddChar(o)) return `mount option ${JSON.stringify(o)} of ${e.file} cannot be one fstab option`;
  if (!Number.isInteger(e.freq) || !Number.isInteger(e.passno) || e.freq < 0 || e.passno < 0 || e.passno > 9) return `freq/passno of ${e.file}`;
  return undefined;
}

/** The structure fstab(5) keeps of an entry, for comparing intended and parsed-back entries. */
export function fstabShape(e: Pick<FstabEntry, 'spec' | 'file' | 'vfstype' | 'mntops' | 'freq' | 'passno'>) {
  return { spec: e.spec, file: e.file, vfstype: e.vfstype, mntops: [...e.mntops], freq: e.freq, passno: e.passno };
}

export interface ParsedFstabLine {
  line: number; // 1-based
  spec: string;
  file: string;
  vfstype: string;
  mntops: string[];
  freq: number;
  passno: number;
  managed: boolean;
}

/** Locate the managed block(s). Throws on an unbalanced marker: never guess where a block ends. */
export function findManagedBlocks(text: string): { begin: number; end: number }[] {
  const lines = text.split('\n');
  const blocks: { begin: number; end: number }[] = [];
  let open = -1;
  lines.forEach((l, i) => {
    const t = l.trim();
    if (BEGIN_RE.test(t)) {
      if (open >= 0) throw new Error(`fstab: line ${i + 1}: a jts-storage BEGIN marker inside the block opened at line ${open + 1}`);
      open = i;
    } else if (END_RE.test(t)) {
      if (open < 0) throw new Error(`fstab: line ${i + 1}: a jts-storage END marker without BEGIN`);
      blocks.push({ begin: open, end: i });
      open = -1;
    }
  });
  if (open >= 0) throw new Error(`fstab: line ${open + 1}: the jts-storage block has no END marker; fix /etc/fstab by hand`);
  return blocks;
}

/** Parse fstab text into entries (comments and blank lines skipped), marking the managed ones. */
export function parseFstab(text: string): ParsedFstabLine[] {
  let blocks: { begin: number; end: number }[] = [];
  try {
    blocks = findManagedBlocks(text);
  } catch {
    blocks = [];
  }
  const out: ParsedFstabLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith('#')) return;
    const f = t.split(/\s+/);
    if (f.length < 2) return;
    out.push({
      line: i + 1,
      spec: unescapeField(f[0]!),
      file: unescapeField(f[1]!),
      vfstype: f[2] ?? 'auto',
      mntops: (f[3] ?? 'defaults').split(','),
      freq: Number(f[4] ?? 0) || 0,
      passno: Number(f[5] ?? 0) || 0,
      managed: blocks.some((b) => i > b.begin && i < b.end),
    });
  });
  return out;
}

/** Old fstab text + entries → new text, with exactly one managed block (markers), the rest untouched. */
export function mergeManagedBlock(oldText: string, entries: FstabEntry[]): string {
  const merged = mergeBlockText(oldText, entries);
  // Read back with the product's own parser: the managed block holds exactly the intended entries.
  assertSame('/etc/fstab managed block', entries.map(fstabShape), managedEntries(merged).map(fstabShape));
  return merged;
}

function mergeBlockText(oldText: string, entries: FstabEntry[]): string {
  const blocks = findManagedBlocks(oldText);
  const block = [BEGIN_MARKER, ...renderEntries(entries), END_MARKER];
  const lines = oldText === '' ? [] : oldText.split('\n');
  // split('\n') of text ending in "\n" gives a last empty element: remember it to keep the ending.
  const hadFinalNewline = oldText.endsWith('\n');
  if (hadFinalNewline) lines.pop();
  if (blocks.length === 0) {
    const out = [...lines];
    if (out.length > 0 && out[out.length - 1]!.trim() !== '') out.push('');
    out.push(...block);
    return out.join('\n') + '\n';
  }
  // Replace the first block in place; drop any later duplicates (a hand-copied block).
  const out: string[] = [];
  let i = 0;
  for (const [k, b] of blocks.entries()) {
    out.push(...lines.slice(i, b.begin));
    if (k === 0) out.push(...block);
    i = b.end + 1;
  }
  out.push(...lines.slice(i));
  return out.join('\n') + (hadFinalNewline || out.length > 0 ? '\n' : '');
}

/** The managed block's entry lines of a text (empty when there is no block). */
export function managedEntries(text: string): ParsedFstabLine[] {
  return parseFstab(text).filter((e) => e.managed);
}

/**
 * Lines outside the managed block that would fight with it: the same mount point or the same device.
 * Apply refuses to write a block that duplicates them (two lines for one mount point mount twice or
 * fail at boot); the admin removes the old line, or lets jts-storage manage it.
 */
export function fstabConflicts(oldText: string, entries: FstabEntry[]): { line: number; text: string; reason: string }[] {
  const lines = oldText.split('\n');
  const out: { line: number; text: string; reason: string }[] = [];
  for (const p of parseFstab(oldText)) {
    if (p.managed) continue;
    for (const e of entries) {
      if (p.file === e.file && e.file !== 'none') out.push({ line: p.line, text: lines[p.line - 1]!, reason: `mount point ${e.file} is also managed by jts-storage` });
      else if (p.spec === e.spec) out.push({ line: p.line, text: lines[p.line - 1]!, reason: `device ${e.spec} is also managed by jts-storage` });
    }
  }
  return out;
}

/** UTC stamp for backups: /etc/fstab.jts-storage.20261121T120000Z */
export function backupPath(path: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${path}.jts-storage.${stamp}`;
}
