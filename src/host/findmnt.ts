/**
 * The findmnt reader (util-linux): the live mount table, and the fstab check.
 *
 *   findmnt -J -b                                           the probe: a tree in mount order, sizes in bytes
 *   findmnt -J -l -o TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN   health, tune, snapshot, bench: a flat list with devno
 *   findmnt --verify --tab-file <file>                      checks an fstab (diff/verify; text, not JSON)
 *   findmnt --tab-file <file> -J -o SOURCE,TARGET,FSTYPE,OPTIONS   libmount's reading of an fstab text (apply preflight)
 *
 * One parse reads both shapes (the tree is flattened in pre-order, i.e. mount order). MAJ:MIN is
 * undefined when not asked for (or on util-linux without it).
 */
import type { Runner } from '../core/runner.js';
import { HostReadError, runFailure, runTool } from './env.js';
import { asArray, asRecord, parseToolJson, str } from './json.js';

export const FINDMNT_TREE_ARGV = ['findmnt', '-J', '-b'];
export const FINDMNT_LIST_ARGV = ['findmnt', '-J', '-l', '-o', 'TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN'];
/** `{file}` is replaced by the fstab to check. */
export const FSTAB_VERIFY_ARGV = ['findmnt', '--verify', '--tab-file', '{file}'];

/** libmount's reading of an fstab file (not the live table): `findmnt --tab-file <file> -J -o …`. */
export function findmntTabFileArgv(file: string): string[] {
  return ['findmnt', '--tab-file', file, '-J', '-o', 'SOURCE,TARGET,FSTYPE,OPTIONS'];
}

export interface MountEntry {
  target: string;
  /** "/dev/x" or, for a bind mount or subvolume, "/dev/x[/sub]" (mountDevice strips the bracket). */
  source: string;
  fstype: string;
  options: string[];
  /** "253:3" when asked for (MAJ:MIN). */
  majMin?: string;
}

/** findmnt JSON (tree or -l list) → entries in mount order. Throws HostReadError without a "filesystems" array. */
export function parseFindmntJson(text: string): MountEntry[] {
  const doc = asRecord(parseToolJson(text, 'findmnt'));
  if (!Array.isArray(doc['filesystems'])) throw new HostReadError('findmnt: no "filesystems" array');
  const out: MountEntry[] = [];
  const visit = (raw: unknown) => {
    const r = asRecord(raw);
    const target = str(r['target']);
    if (target) {
      out.push({
        target,
        source: str(r['source']) ?? '',
        fstype: str(r['fstype']) ?? '',
        options: (str(r['options']) ?? '').split(',').filter((o) => o !== ''),
        majMin: str(r['maj:min']),
      });
    }
    for (const c of asArray(r['children'])) visit(c);
  };
  for (const fs of asArray(doc['filesystems'])) visit(fs);
  return out;
}

/** findmnt shows a bind mount or subvolume as "/dev/x[/sub]": the device is the part before "[". */
export function mountDevice(source: string): string {
  const i = source.indexOf('[');
  return i > 0 ? source.slice(0, i) : source;
}

/** Run `argv` (default: the flat list) and parse it. Throws HostReadError with one line. */
export async function readMountTable(runner: Runner, argv: string[] = FINDMNT_LIST_ARGV, opts: { timeoutMs?: number } = {}): Promise<MountEntry[]> {
  const r = await runTool(runner, argv, { timeoutMs: opts.timeoutMs ?? 60_000 });
  const f = runFailure(r);
  if (f) throw new HostReadError(`cannot read the mount table: ${f}`);
  return parseFindmntJson(r.stdout);
}
