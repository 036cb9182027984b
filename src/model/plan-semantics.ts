/**
 * The plan's semantic checks (layer 3 of src/model/load-plan.ts): names valid for LVM and useradd, no
 * duplicates, every reference resolves, sizes parse, at most one `rest` per VG, mount paths absolute,
 * normal, not system paths and not nested. Split from load-plan.ts by concern; load-plan re-exports it.
 */
import { closest, distance } from 'fastest-levenshtein';
import { fieldPath } from './plan-yaml.js';
import { mountPathError, SYSCTL_STORAGE_ALLOW } from './grammars.js';
import type { Finding } from './actions.js';
import { parseSize, parseBytes, isPowerOfTwo, SizeError } from './units.js';
import { checkLvName, checkVgName, checkUserName, checkDmNameLength } from './names.js';
import type { LoadedPlan } from './load-plan.js';

/** "did you mean X?" when X is close enough to be a typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, candidates as string[]);
  const d = distance(word.toLowerCase(), best.toLowerCase());
  const limit = Math.max(2, Math.floor(best.length / 3));
  return d <= limit ? best : undefined;
}

// ---------- semantic checks ----------

export { SYSTEM_MOUNT_PATHS, SYSTEM_MOUNT_TREES } from './grammars.js';

/** Error message for a mount path, or undefined when acceptable (src/model/grammars.ts mountPathError). */
export function checkMountPath(p: string): string | undefined {
  return mountPathError(p);
}

function isUnder(child: string, parent: string): boolean {
  return parent === '/' ? child !== '/' : child.startsWith(parent + '/');
}

export function checkPlanSemantics(loaded: LoadedPlan): Finding[] {
  const { plan, file } = loaded;
  const out: Finding[] = [];
  const add = (rule: string, path: (string | number)[], message: string) => {
    const p = loaded.locate(path);
    out.push({ rule, severity: 'error', message, file, line: p?.line, col: p?.col, field: fieldPath(path) });
  };

  // Drives
  const driveIds = new Map<string, number>();
  plan.drives.forEach((d, i) => {
    if (driveIds.has(d.id)) add('PLAN-DUPLICATE', ['drives', i, 'id'], `duplicate drive id "${d.id}" (first at drives[${driveIds.get(d.id)}])`);
    else driveIds.set(d.id, i);
    if (!d.byId && !d.serial && !d.wwn && !d.path) {
      add('PLAN-DRIVE-IDENTITY', ['drives', i], `drive "${d.id}" has no identity: give byId (/dev/disk/by-id/…), serial or wwn (path alone is allowed but unstable)`);
    }
    if (d.byId !== undefined && !d.byId.startsWith('/dev/disk/')) {
      add('PLAN-DRIVE-IDENTITY', ['drives', i, 'byId'], `byId "${d.byId}" must be a link under /dev/disk/by-id/`);
    }
    if (d.path !== undefined && !/^\/dev\/[A-Za-z0-9._\/-]+$/.test(d.path)) {
      add('PLAN-DRIVE-IDENTITY', ['drives', i, 'path'], `path "${d.path}" must be a device path under /dev/ with no shell metacharacters`);
    }
    for (const k of ['serial', 'wwn'] as const) {
      const v = d[k];
      if (v !== undefined && (v.trim() === '' || /[\s'"$`;&|<>\\]/.test(v))) {
        add('PLAN-DRIVE-IDENTITY', ['drives', i, k], `${k} "${v}" is empty or contains spaces/shell metacharacters`);
      }
    }
  });

  // Volume groups
  const vgIndex = new Map<string, number>();
  const driveOwner = new Map<string, string>();
  plan.volumeGroups.forEach((vg, i) => {
    const nameErr = checkVgName(vg.name);
    if (nameErr) add('PLAN-NAME', ['volumeGroups', i, 'name'], nameErr);
    if (vgIndex.has(vg.name)) add('PLAN-DUPLICATE', ['volumeGroups', i, 'name'], `duplicate volume group "${vg.name}" (first at volumeGroups[${vgIndex.get(vg.name)}])`);
    else vgIndex.set(vg.name, i);
    vg.drives.forEach((dr, j) => {
      if (!driveIds.has(dr)) {
        const s = suggest(dr, [...driveIds.keys()]);
        add('PLAN-REFERENCE', ['volumeGroups', i, 'drives', j], `unknown drive "${dr}"${s ? ` (did you mean "${s}"?)` : ''}; drives are: ${[...driveIds.keys()].join(', ')}`);
      } else if (driveOwner.has(dr)) {
        add('PLAN-DUPLICATE', ['volumeGroups', i, 'drives', j], `drive "${dr}" is already used by volume group "${driveOwner.get(dr)}"; a PV belongs to one VG`);
      } else driveOwner.set(dr, vg.name);
    });
    sizeCheck(add, ['volumeGroups', i, 'extentSize'], vg.extentSize, 'bytes', (b) => {
      if (b < 1024) return `extent size ${vg.extentSize} is below LVM's minimum (1 KiB)`;
      if (!isPowerOfTwo(b) && b % (128 * 1024) !== 0)
        return `extent size ${vg.extentSize} must be a power of 2, or a multiple of 128 KiB (vgcreate(8) --physicalextentsize)`;
      return undefined;
    });
    sizeCheck(add, ['volumeGroups', i, 'dataAlignment'], vg.dataAlignment, 'bytes', (b) =>
      b % 512 !== 0 ? `data alignment ${vg.dataAlignment} must be a multiple of 512 bytes (one sector)` : undefined,
    );
    if (!isZeroSize(vg.reserve)) sizeCheck(add, ['volumeGroups', i, 'reserve'], vg.reserve, 'no-rest');
    const poolNames = new Set<string>();
    vg.thinPools.forEach((tp, k) => {
      const e = checkLvName(tp.name, 'thin pool');
      if (e) add('PLAN-NAME', ['volumeGroups', i, 'thinPools', k, 'name'], e);
      if (poolNames.has(tp.name)) add('PLAN-DUPLICATE', ['volumeGroups', i, 'thinPools', k, 'name'], `duplicate thin pool "${tp.name}" in ${vg.name}`);
      poolNames.add(tp.name);
      sizeCheck(add, ['volumeGroups', i, 'thinPools', k, 'size'], tp.size, 'any');
      if (tp.metadataSize !== undefined) sizeCheck(add, ['volumeGroups', i, 'thinPools', k, 'metadataSize'], tp.metadataSize, 'bytes');
      if (tp.metadataSize !== undefined)
        sizeCheck(add, ['volumeGroups', i, 'thinPools', k, 'metadataSize'], tp.metadataSize, 'bytes', (b) =>
          b < 2 * 1024 ** 2 || b > 16 * 1024 ** 3 ? `pool metadata ${tp.metadataSize} is outside 2 MiB … 16 GiB (lvmthin(7) "Size of pool metadata LV")` : undefined,
        );
      if (tp.chunkSize !== undefined)
        sizeCheck(add, ['volumeGroups', i, 'thinPools', k, 'chunkSize'], tp.chunkSize, 'bytes', (b) =>
          b % (64 * 1024) !== 0 || b < 64 * 1024 || b > 1024 ** 3 ? `chunk size ${tp.chunkSize} must be a multiple of 64 KiB from 64 KiB to 1 GiB (lvmthin(7) "Chunk size")` : undefined,
        );
    });
  });

  // Volumes
  const lvKey = new Map<string, number>();
  const restPerVg = new Map<string, string>();
  plan.volumeGroups.forEach((vg, i) =>
    vg.thinPools.forEach((tp, k) => {
      if (tp.size.trim().toLowerCase() === 'rest') restPerVg.set(vg.name, `volumeGroups[${i}].thinPools[${k}]`);
    }),
  );
  const mounts: { path: string; at: (string | number)[] }[] = [];
  plan.volumes.forEach((v, i) => {
    const nameErr = checkLvName(v.name);
    if (nameErr) add('PLAN-NAME', ['volumes', i, 'name'], nameErr);
    const key = `${v.vg}/${v.name}`;
    if (lvKey.has(key)) add('PLAN-DUPLICATE', ['volumes', i, 'name'], `duplicate volume "${key}" (first at volumes[${lvKey.get(key)}])`);
    else lvKey.set(key, i);
    const vgI = vgIndex.get(v.vg);
    const vg = vgI === undefined ? undefined : plan.volumeGroups[vgI];
    if (!vg) {
      const s = suggest(v.vg, [...vgIndex.keys()]);
      add('PLAN-REFERENCE', ['volumes', i, 'vg'], `unknown volume group "${v.vg}"${s ? ` (did you mean "${s}"?)` : ''}; volume groups are: ${[...vgIndex.keys()].join(', ')}`);
    } else {
      if (vg.thinPools.some((tp) => tp.name === v.name)) add('PLAN-DUPLICATE', ['volumes', i, 'name'], `volume "${v.name}" has the same name as a thin pool in ${v.vg}`);
      if (!nameErr && !checkVgName(v.vg)) {
        const e = checkDmNameLength(v.vg, v.name, v.snapshot ? 5 : 0);
        if (e) add('PLAN-NAME', ['volumes', i, 'name'], e);
      }
      if (v.thinPool !== undefined && !vg.thinPools.some((tp) => tp.name === v.thinPool)) {
        const s = suggest(v.thinPool, vg.thinPools.map((t) => t.name));
        add('PLAN-REFERENCE', ['volumes', i, 'thinPool'], `unknown thin pool "${v.thinPool}" in ${v.vg}${s ? ` (did you mean "${s}"?)` : ''}`);
      }
    }
    const sz = sizeCheck(add, ['volumes', i, 'size'], v.size, 'any');
    if (sz?.kind === 'rest') {
      if (v.thinPool) add('PLAN-SIZE', ['volumes', i, 'size'], `"rest" is not allowed for a thin volume: its size is virtual; give an absolute size`);
      else if (restPerVg.has(v.vg)) add('PLAN-SIZE', ['volumes', i, 'size'], `a second "rest" in volume group ${v.vg} (already at ${restPerVg.get(v.vg)}); only one volume can take what is left`);
      else restPerVg.set(v.vg, `volumes[${i}]`);
    }
    if (sz?.kind === 'percent' && v.thinPool) add('PLAN-SIZE', ['volumes', i, 'size'], `a thin volume's size is virtual; give an absolute size, not a share of the VG`);

    const fsType = v.filesystem.type;
    if (v.mount) {
      if (fsType === 'swap' || fsType === 'none') add('PLAN-MOUNT', ['volumes', i, 'mount'], `filesystem "${fsType}" cannot have a mount path`);
      const e = checkMountPath(v.mount.path);
      if (e) add('PLAN-MOUNT-PATH', ['volumes', i, 'mount', 'path'], e);
      mounts.push({ path: v.mount.path, at: ['volumes', i, 'mount', 'path'] });
      const ue = checkUserName(v.mount.owner, 'user');
      if (ue && !/^[0-9]+$/.test(v.mount.owner)) add('PLAN-NAME', ['volumes', i, 'mount', 'owner'], ue);
      const ge = checkUserName(v.mount.group, 'group');
      if (ge && !/^[0-9]+$/.test(v.mount.group)) add('PLAN-NAME', ['volumes', i, 'mount', 'group'], ge);
      v.mount.options.forEach((o, k) => {
        if (o.trim() === '' || /[\s'"`;&|<>\\$]/.test(o)) add('PLAN-MOUNT', ['volumes', i, 'mount', 'options', k], `mount option ${JSON.stringify(o)} is empty or contains spaces/shell metacharacters`);
      });
    }
    if (v.filesystem.label !== undefined && !/^[A-Za-z0-9._+-]*$/.test(v.filesystem.label)) {
      add('PLAN-NAME', ['volumes', i, 'filesystem', 'label'], `label "${v.filesystem.label}" may only contain A-Z a-z 0-9 . _ + - (it ends up in fstab as LABEL=)`);
    }
    if (v.snapshot) {
      sizeCheck(add, ['volumes', i, 'snapshot', 'size'], v.snapshot.size, 'no-rest');
      if (v.snapshot.critFillPercent <= v.snapshot.warnFillPercent)
        add('PLAN-SNAPSHOT', ['volumes', i, 'snapshot', 'critFillPercent'], `critFillPercent (${v.snapshot.critFillPercent}) must be above warnFillPercent (${v.snapshot.warnFillPercent})`);
      if (!/^[0-9]+\s*(m|min|h|d|w)?$/.test(v.snapshot.retention.minAge))
        add('PLAN-SNAPSHOT', ['volumes', i, 'snapshot', 'retention', 'minAge'], `minAge "${v.snapshot.retention.minAge}" is not a duration like "30m", "2h", "1d"`);
    }
    if (typeof v.readAhead === 'number' && (v.readAhead < 0 || v.readAhead > 2 ** 31))
      add('PLAN-READAHEAD', ['volumes', i, 'readAhead'], `read-ahead ${v.readAhead} sectors is out of range`);
    v.overrides.forEach((o, k) => {
      if (!/^[A-Z0-9-]+$/.test(o.rule)) add('PLAN-OVERRIDE', ['volumes', i, 'overrides', k, 'rule'], `override rule "${o.rule}" is not a rule id (like JTS-BARRIER-VWC)`);
    });
  });

  // Network mounts
  plan.networkMounts.forEach((n, i) => {
    const e = checkMountPath(n.path);
    if (e) add('PLAN-MOUNT-PATH', ['networkMounts', i, 'path'], e);
    mounts.push({ path: n.path, at: ['networkMounts', i, 'path'] });
    if (n.type === 'cifs' && !/^\/\/[^/\s]+\/[^\s]+$/.test(n.source)) add('PLAN-MOUNT', ['networkMounts', i, 'source'], `CIFS source "${n.source}" must look like //server/share`);
    if (n.type !== 'cifs' && !/^[^\s:]+:\/[^\s]*$/.test(n.source)) add('PLAN-MOUNT', ['networkMounts', i, 'source'], `NFS source "${n.source}" must look like server:/export`);
    n.options.forEach((o, k) => {
      if (/^(password|pass)=/i.test(o))
        add('PLAN-SECRET', ['networkMounts', i, 'options', k], `a password in the plan ends up in world-readable /etc/fstab; use credentials: /etc/… (a root-only file) instead`);
      if (o.trim() === '' || /[\s'"`;&|<>\\$]/.test(o)) add('PLAN-MOUNT', ['networkMounts', i, 'options', k], `mount option ${JSON.stringify(o)} is empty or contains spaces/shell metacharacters`);
    });
  });

  // Mount paths: duplicates and nesting
  const seen = new Map<string, (string | number)[]>();
  for (const m of mounts) {
    const prev = seen.get(m.path);
    if (prev) add('PLAN-DUPLICATE', m.at, `mount path "${m.path}" is used twice (also at ${fieldPath(prev)})`);
    else seen.set(m.path, m.at);
  }
  for (const a of mounts) {
    for (const b of mounts) {
      if (a !== b && isUnder(a.path, b.path)) {
        add('PLAN-MOUNT-PATH', a.at, `mount path "${a.path}" is nested under "${b.path}" (${fieldPath(b.at)}); nested volume mounts depend on mount order and hide each other when one fails`);
      }
    }
  }

  // Users and groups
  const userNames = new Map<string, number>();
  plan.users.forEach((u, i) => {
    const e = checkUserName(u.name, 'user');
    if (e) add('PLAN-NAME', ['users', i, 'name'], e);
    if (userNames.has(u.name)) add('PLAN-DUPLICATE', ['users', i, 'name'], `duplicate user "${u.name}"`);
    userNames.set(u.name, i);
    if (u.group !== undefined) {
      const g = checkUserName(u.group, 'group');
      if (g) add('PLAN-NAME', ['users', i, 'group'], g);
    }
    if (u.home !== undefined && !u.home.startsWith('/')) add('PLAN-NAME', ['users', i, 'home'], `home "${u.home}" must be an absolute path`);
    if (!u.shell.startsWith('/')) add('PLAN-NAME', ['users', i, 'shell'], `shell "${u.shell}" must be an absolute path`);
  });
  const groupNames = new Set<string>();
  plan.groups.forEach((g, i) => {
    const e = checkUserName(g, 'group');
    if (e) add('PLAN-NAME', ['groups', i], e);
    if (groupNames.has(g)) add('PLAN-DUPLICATE', ['groups', i], `duplicate group "${g}"`);
    groupNames.add(g);
  });

  // sysctl keys outside the storage allow-list (docs/decisions.md) need an override saying why.
  plan.tuning.sysctl.forEach((e, i) => {
    if (!(SYSCTL_STORAGE_ALLOW as readonly string[]).includes(e.key) && e.override === undefined)
      add(
        'PLAN-SYSCTL-ALLOW',
        ['tuning', 'sysctl', i, 'key'],
        `sysctl ${e.key} is outside the storage allow-list (${SYSCTL_STORAGE_ALLOW.join(', ')}); a storage plan sets it only with \`override: <why this host needs it>\` in this entry`,
      );
  });

  // Snapshot sets: each names a set that some volume's snapshot policy uses; one entry per set.
  const usedSets = new Set(plan.volumes.map((v) => v.snapshot?.set).filter((x): x is string => !!x));
  const seenSets = new Map<string, number>();
  (plan.snapshotSets ?? []).forEach((st, i) => {
    if (seenSets.has(st.name)) add('PLAN-DUPLICATE', ['snapshotSets', i, 'name'], `duplicate snapshot set "${st.name}" (first at snapshotSets[${seenSets.get(st.name)}])`);
    else seenSets.set(st.name, i);
    if (!usedSets.has(st.name))
      add('PLAN-HOOK', ['snapshotSets', i, 'name'], `no volume's snapshot.set is "${st.name}"${usedSets.size ? ` (sets used: ${[...usedSets].join(', ')})` : ''}: its hooks would never run`);
  });

  if (plan.health.criticalPercent <= plan.health.warningPercent)
    add('PLAN-HEALTH', ['health', 'criticalPercent'], `criticalPercent (${plan.health.criticalPercent}) must be above warningPercent (${plan.health.warningPercent})`);

  return out;
}

/** "0", "0GiB", "0%": an explicit zero, allowed where a size is optional (the reserve). */
export function isZeroSize(text: string): boolean {
  return /^0+(\.0+)?\s*([A-Za-z]*|%)$/.test(text.trim());
}

function sizeCheck(
  add: (rule: string, path: (string | number)[], message: string) => void,
  path: (string | number)[],
  text: string,
  mode: 'any' | 'bytes' | 'no-rest',
  extra?: (bytes: number) => string | undefined,
) {
  try {
    if (mode === 'bytes') {
      const b = parseBytes(text);
      const e = extra?.(b);
      if (e) add('PLAN-SIZE', path, e);
      return parseSize(text);
    }
    const s = parseSize(text);
    if (mode === 'no-rest' && s.kind === 'rest') {
      add('PLAN-SIZE', path, `"rest" is only for volumes; give an absolute size or a percentage`);
      return undefined;
    }
    return s;
  } catch (e) {
    if (e instanceof SizeError) add('PLAN-SIZE', path, e.message);
    else throw e;
    return undefined;
  }
}
