/**
 * Name rules, from the tools' own sources (so the plan is refused before any command would be).
 *
 * LVM (lvm(8) "VALID NAMES"; lvm2 lib/misc/lvm-string.c validate_name() and apply_lvname_restrictions()):
 * - characters a-z A-Z 0-9 + _ . - only; not starting with '-'; not "." or "..";
 * - at most 127 characters (NAME_LEN 128 including the terminating NUL);
 * - LV names may not start with "snapshot" or "pvmove" and may not contain the component suffixes
 *   LVM uses for hidden sub-volumes (_cdata, _cmeta, _corig, _cpool, _cvol, _imeta, _iorig, _mimage, _mlog,
 *   _pmspare, _rimage, _rmeta, _tdata, _tmeta, _vdata, _vorigin, _wcorig);
 * - the device-mapper name is VG-LV with every '-' inside a name doubled, and DM_NAME_LEN is 128 with the
 *   NUL: so escaped(VG) + "-" + escaped(LV) must be <= 127 characters (lvm2 mailing list, Z. Kabelac, 2013;
 *   dm-ioctl.h DM_NAME_LEN). Snapshot origins also get a "-real" layer and snapshots a "-cow" layer, so a
 *   volume with a snapshot policy keeps 5 characters of room.
 *
 * Users and groups (useradd(8), shadow-utils): "[a-z_][a-z0-9_-]*[$]?", at most 32 characters; fully
 * numeric names are refused.
 */

export const LVM_NAME_MAX = 127;
export const DM_NAME_MAX = 127;
export const LV_RESERVED_PREFIXES = ['snapshot', 'pvmove'] as const;
export const LV_RESERVED_SUBSTRINGS = [
  '_cdata',
  '_cmeta',
  '_corig',
  '_cpool',
  '_cvol',
  '_imeta',
  '_iorig',
  '_mimage',
  '_mlog',
  '_pmspare',
  '_rimage',
  '_rmeta',
  '_tdata',
  '_tmeta',
  '_vdata',
  '_vorigin',
  '_wcorig',
] as const;

const LVM_CHARS = /^[A-Za-z0-9+_.-]+$/;

function describeBadChars(name: string, allowed: RegExp): string {
  const bad = [...new Set([...name].filter((c) => !allowed.test(c)))];
  return bad.map((c) => (c === ' ' ? "' ' (space)" : JSON.stringify(c))).join(', ');
}

/** Common VG/LV rule. Returns an error message or undefined. */
export function checkLvmName(name: string, what: 'VG' | 'LV' | 'thin pool'): string | undefined {
  if (name.length === 0) return `${what} name is empty`;
  if (!LVM_CHARS.test(name)) {
    return `${what} name "${name}" contains ${describeBadChars(name, /[A-Za-z0-9+_.-]/)}; LVM allows only a-z A-Z 0-9 + _ . - (lvm(8) VALID NAMES)`;
  }
  if (name.startsWith('-')) return `${what} name "${name}" starts with '-'; LVM refuses it (lvm(8) VALID NAMES)`;
  if (name === '.' || name === '..') return `${what} name "${name}" is reserved (lvm(8) VALID NAMES)`;
  if (name.length > LVM_NAME_MAX) return `${what} name is ${name.length} characters; LVM allows at most ${LVM_NAME_MAX} (NAME_LEN 128 with NUL)`;
  return undefined;
}

export function checkVgName(name: string): string | undefined {
  return checkLvmName(name, 'VG');
}

export function checkLvName(name: string, what: 'LV' | 'thin pool' = 'LV'): string | undefined {
  const base = checkLvmName(name, what);
  if (base) return base;
  for (const p of LV_RESERVED_PREFIXES) {
    if (name.startsWith(p)) return `${what} name "${name}" starts with "${p}", which LVM reserves (lvm(8) VALID NAMES)`;
  }
  for (const s of LV_RESERVED_SUBSTRINGS) {
    if (name.includes(s)) return `${what} name "${name}" contains "${s}", which LVM reserves for hidden sub-volumes (lvm(8) VALID NAMES)`;
  }
  return undefined;
}

/** The /dev/mapper name LVM gives VG/LV: hyphens inside names are doubled (one definition: core/dm-name.ts). */
import { dmName } from '../core/dm-name.js';
export { dmName };

/** Device-mapper name length check; `layerRoom` keeps space for "-real"/"-cow" layers of snapshot origins. */
export function checkDmNameLength(vg: string, lv: string, layerRoom = 0): string | undefined {
  const n = dmName(vg, lv);
  if (n.length + layerRoom > DM_NAME_MAX) {
    return (
      `device-mapper name "${n.slice(0, 40)}…" is ${n.length} characters${layerRoom ? ` (+${layerRoom} for the snapshot "-real" layer)` : ''}; ` +
      `the kernel allows ${DM_NAME_MAX} (DM_NAME_LEN 128 with NUL; '-' inside names counts twice)`
    );
  }
  return undefined;
}

const USER_RE = /^[a-z_][a-z0-9_-]*\$?$/;
export const USER_NAME_MAX = 32;

/** useradd/groupadd name rule. */
export function checkUserName(name: string, what: 'user' | 'group' = 'user'): string | undefined {
  if (name.length === 0) return `${what} name is empty`;
  if (name.length > USER_NAME_MAX) return `${what} name "${name}" is ${name.length} characters; useradd allows at most ${USER_NAME_MAX}`;
  if (/^[0-9]+$/.test(name)) return `${what} name "${name}" is fully numeric; useradd refuses it (it would be read as a uid)`;
  if (!USER_RE.test(name)) {
    return `${what} name "${name}" is not valid for useradd: use [a-z_][a-z0-9_-]*[$]? (lower case, digits, _ and -, not starting with a digit or '-')`;
  }
  return undefined;
}

/** Filesystem label limits: mkfs.ext4 -L 16 bytes (e2fsprogs), mkfs.xfs -L 12 characters (mkfs.xfs(8)). */
export const LABEL_MAX: Record<string, number> = { ext4: 16, ext3: 16, ext2: 16, xfs: 12 };
