/**
 * Snapshot names and tags.
 *
 * Name: `<origin>.snap.<set>.<YYYYMMDDTHHMMSSZ>` (UTC), e.g. `lv_postgres.snap.nightly.20261121T120000Z`.
 * Tags: `jts-snap` (every snapshot this tool made), `jts-set:<set>`, `jts-sched` (taken by the timer),
 * `jts-keep` (pinned: prune never removes it), `jts-drill` (made by `snapshot drill`).
 * list/prune find snapshots by the `jts-snap` tag, never by name pattern, so a hand-made LV that happens
 * to look like ours is never touched.
 *
 * LVM's rules (lvm(8) "VALID NAMES", lvm2 tools/toollib.c apply_lvname_restrictions):
 *  - characters a-z A-Z 0-9 + _ . - ; no leading hyphen; not "." or "..";
 *  - names STARTING with "snapshot" or "pvmove" are reserved (a prefix rule in the code, not only the
 *    exact names the man page lists): our names start with the origin's name, which LVM already accepted;
 *  - may not contain _cdata _cmeta _corig _iorig _mimage _mlog _pmspare _rimage _rmeta _tdata _tmeta
 *    _vdata _vorigin _wcorig;
 *  - length: NAME_LEN is 128 including the NUL, and /dev/<vg>/<lv> must fit too.
 * LVM tags: characters A-Z a-z 0-9 _ + . - / = ! : & # , at most 1024.
 */

import { checkDmNameLength, checkLvName } from '../model/names.js';

export const TAG_SNAP = 'jts-snap';
export const TAG_SET_PREFIX = 'jts-set:';
export const TAG_SCHED = 'jts-sched';
export const TAG_KEEP = 'jts-keep';
export const TAG_DRILL = 'jts-drill';

const NAME_LEN = 128;

/** Why an LV name is invalid, or undefined when LVM accepts it (the model's name rules, plus room for
 * the "-cow" device-mapper layer of a classic snapshot and the /dev/<vg>/<lv> path limit of lvcreate). */
export function lvNameProblem(name: string, vg?: string): string | undefined {
  const p = checkLvName(name);
  if (p) return p;
  if (vg !== undefined) {
    if (name.length > NAME_LEN - vg.length - '/dev/'.length - 3)
      return `"${name}": /dev/${vg}/${name} is longer than lvcreate allows (${NAME_LEN - vg.length - 8} characters for an LV name in VG ${vg})`;
    const d = checkDmNameLength(vg, name, '-cow'.length);
    if (d) return d;
  }
  return undefined;
}

/** Set names are a strict subset of LV name characters with no dot (the dot separates name parts). */
export function setNameProblem(set: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_+-]{0,31}$/.test(set))
    return `set name "${set}": 1-32 characters of A-Z a-z 0-9 _ + -, starting with a letter or digit (no dots)`;
  return undefined;
}

/** 2026-11-21T12:00:00.123Z → 20261121T120000Z (UTC, whole seconds). */
export function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

export function parseStamp(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function snapshotName(origin: string, set: string, at: Date): string {
  return `${origin}.snap.${set}.${stamp(at)}`;
}

/** Parse one of our names (best effort: origin names may contain dots, so parse from the right). */
export function parseSnapshotName(name: string): { origin: string; set: string; time: Date } | undefined {
  const m = /^(.+)\.snap\.([A-Za-z0-9][A-Za-z0-9_+-]*)\.(\d{8}T\d{6}Z)$/.exec(name);
  if (!m) return undefined;
  const time = parseStamp(m[3]!);
  if (!time) return undefined;
  return { origin: m[1]!, set: m[2]!, time };
}

export function tagsFor(set: string, opts: { scheduled?: boolean; keep?: boolean; drill?: boolean } = {}): string[] {
  const t = [TAG_SNAP, TAG_SET_PREFIX + set];
  if (opts.scheduled) t.push(TAG_SCHED);
  if (opts.keep) t.push(TAG_KEEP);
  if (opts.drill) t.push(TAG_DRILL);
  return t;
}

export function setFromTags(tags: string[]): string | undefined {
  const t = tags.find((x) => x.startsWith(TAG_SET_PREFIX));
  return t?.slice(TAG_SET_PREFIX.length);
}
