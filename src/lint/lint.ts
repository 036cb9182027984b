/**
 * The plan linter: evaluates the rule table (rules.ts) against the plan, the option facts (facts.ts), the
 * workload advice (model/workload-defaults.ts), the drives (probed or described) and the layout.
 *
 * lintPlan returns EVERYTHING the plan command must show: the layout's findings (capacity, drive matching)
 * are included, so callers use lintPlan's output alone (do not add layout.findings again).
 * Overrides: a finding on a volume whose `overrides` names its rule keeps its message, gets
 * `overridden: <reason>` and is downgraded to info.
 */
import type { LoadedPlan } from '../model/load-plan.js';
import { suggest, fieldPath } from '../model/load-plan.js';
import type { HostState, DriveInfo } from '../model/host-state.js';
import { parseFieldPath, type Layout } from '../model/capacity.js';
import type { Finding } from '../model/actions.js';
import type { Volume } from '../model/plan-schema.js';
import { WORKLOAD_ADVICE } from '../model/workload-defaults.js';
import { effectiveReadAhead } from '../facts/readahead-defaults.js';
import { LABEL_MAX } from '../model/names.js';
import { formatBytes } from '../model/units.js';
import { isDataVolume, addsDeviceTimeout, DEFAULT_DEVICE_TIMEOUT } from '../facts/nofail.js';
import {
  MOUNT_OPTIONS,
  VFS_MOUNT_OPTIONS,
  USERSPACE_OPTION_PREFIXES,
  EXT4_FEATURES,
  EXT4_EXTENDED,
  XFS_DATA,
  XFS_LOG,
  SUPPORTED_FILESYSTEMS,
  compareKernel,
  splitOption,
  type FsName,
  type MountOptionFact,
  type MkfsOptionFact,
} from './facts.js';
import { RULES, RULE_BY_ID, rule } from './rules.js';
import { mountConstraintHits } from './mount-constraints.js';
import { xfsMkfsHits, ext4MkfsHits } from './mkfs-limits.js';
import { XFS_META } from './facts.js';
import { lintLvm } from './lvm-rules.js';

export interface LintOptions {
  /** Kernel release of the target host (uname -r); defaults to state.kernelRelease. */
  kernelRelease?: string;
}

/** Users and groups a Debian/Ubuntu base system has (when the host's own lists are unknown). */
const BASE_USERS = ['root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup', 'list', 'irc', 'nobody', '_apt', 'systemd-network'];
const BASE_GROUPS = [...BASE_USERS, 'adm', 'disk', 'staff', 'users', 'nogroup', 'tty', 'kmem', 'operator', 'shadow', 'utmp', 'video', 'plugdev', 'netdev'];

/** All lint findings (errors, warnings, infos) with file:line:col, rule id, fact and source. */
export function lintPlan(loaded: LoadedPlan, state: HostState, layout: Layout, opts: LintOptions = {}): Finding[] {
  const { plan, file } = loaded;
  const kernel = opts.kernelRelease ?? state.kernelRelease;
  const out: Finding[] = [];

  const emit = (id: string, path: (string | number)[], message: string, extra: { severity?: Finding['severity']; source?: string } = {}) => {
    const r = rule(id);
    const p = loaded.locate(path);
    const f: Finding = {
      rule: id,
      severity: extra.severity ?? r.severity,
      message: `${message} — ${r.fact}`,
      source: extra.source ?? r.source,
      file,
      field: fieldPath(path),
    };
    if (p) {
      f.line = p.line;
      f.col = p.col;
    }
    out.push(f);
  };

  // Layout findings (capacity, drives): locate them if the layout was resolved without the loaded plan.
  for (const lf of layout.findings) {
    const f: Finding = { ...lf };
    if (f.line === undefined && f.field) {
      const p = loaded.locate(parseFieldPath(f.field));
      f.file = file;
      if (p) {
        f.line = p.line;
        f.col = p.col;
      }
    }
    const r = RULE_BY_ID.get(f.rule);
    if (r && !f.message.includes(' — ') && f.rule !== 'JTS-CAPACITY') f.message = `${f.message} — ${r.fact}`;
    if (r && !f.source) f.source = r.source;
    out.push(f);
  }

  // Drives: kind/tier vs what was found
  plan.drives.forEach((d, i) => {
    const found = layout.drives.get(d.id);
    if (!found) return;
    if (d.kind && found.kind !== 'unknown' && d.kind !== found.kind) {
      emit('JTS-DRIVE-KIND', ['drives', i, 'kind'], `drive "${d.id}" is declared ${d.kind} but ${found.path} is ${found.kind}`);
    }
    if (d.tier === 'hot' && found.rotational) emit('JTS-DRIVE-KIND', ['drives', i, 'tier'], `drive "${d.id}" is in the hot tier but ${found.path} is rotational`);
  });

  // Per volume
  plan.volumes.forEach((v, i) => lintVolume(v, i));

  // Snapshot reserve per VG
  plan.volumeGroups.forEach((vg, g) => {
    const l = layout.vgs.find((x) => x.name === vg.name);
    const snapVols = plan.volumes.map((v, i) => ({ v, i })).filter(({ v }) => v.vg === vg.name && v.snapshot?.type === 'classic');
    if (!l || snapVols.length === 0) return;
    const need = l.snapshotCowExtents ?? 0;
    if (need > l.reserveExtents) {
      const e = l.extentSizeBytes;
      emit(
        'JTS-SNAPSHOT-RESERVE',
        ['volumeGroups', g, 'reserve'],
        l.reserveExtents === 0
          ? `volume group ${vg.name} has no reserve, but ${snapVols.map(({ v }) => v.name).join(', ')} have snapshot policies that need up to ${need} extents = ${formatBytes(need * e)} of copy-on-write space at once; set reserve: to at least that`
          : `volume group ${vg.name} reserves ${l.reserveExtents} extents = ${formatBytes(l.reserveExtents * e)}, but the snapshot policies of ${snapVols.map(({ v }) => v.name).join(', ')} can hold up to ${need} extents = ${formatBytes(need * e)} at once (COW size × retained snapshots); missing ${formatBytes((need - l.reserveExtents) * e)}`,
      );
    }
  });

  // Thin pools: overcommit and autoextend are checked in lvm-rules.ts (with the VG free space).

  // Network mounts
  plan.networkMounts.forEach((n, i) => {
    if (!n.options.includes('nofail')) emit('JTS-NETMOUNT-NOFAIL', ['networkMounts', i, 'options'], `network mount ${n.path} (${n.source}) has no nofail`);
  });

  // LVM refusals (lvm-rules.ts): mixed block sizes, growing a classic-snapshot origin, partial/exported VG, full pool
  out.push(...lintLvm(loaded, state, layout));

  // Overrides: unknown ids, then apply
  const fired = new Set(out.map((f) => `${f.field?.match(/^volumes\[(\d+)\]/)?.[1] ?? ''}:${f.rule}`));
  plan.volumes.forEach((v, i) => {
    v.overrides.forEach((o, k) => {
      if (!RULE_BY_ID.has(o.rule)) {
        const s = suggest(o.rule, RULES.map((r) => r.id));
        emit('JTS-OVERRIDE-UNKNOWN', ['volumes', i, 'overrides', k, 'rule'], `override names unknown rule "${o.rule}"${s ? ` (did you mean "${s}"?)` : ''}`);
      } else if (!fired.has(`${i}:${o.rule}`)) {
        emit('JTS-OVERRIDE-UNUSED', ['volumes', i, 'overrides', k, 'rule'], `override of ${o.rule} on ${v.name} matches no finding`);
      }
    });
  });
  for (const f of out) {
    const m = f.field?.match(/^volumes\[(\d+)\]/);
    if (!m) continue;
    const v = plan.volumes[Number(m[1])];
    const o = v?.overrides.find((x) => x.rule === f.rule);
    if (o && f.rule !== 'JTS-OVERRIDE-UNKNOWN' && f.rule !== 'JTS-OVERRIDE-UNUSED') {
      f.overridden = o.reason;
      f.severity = 'info';
    }
  }

  const order = { error: 0, warning: 1, info: 2 } as const;
  return out.sort((a, b) => order[a.severity] - order[b.severity] || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));

  // ---------------------------------------------------------------------------------------------
  function volumeDrives(v: Volume): DriveInfo[] | undefined {
    const vg = plan.volumeGroups.find((g) => g.name === v.vg);
    if (!vg) return undefined;
    const ds = vg.drives.map((id) => layout.drives.get(id));
    return ds.every(Boolean) ? (ds as DriveInfo[]) : undefined;
  }

  function lintVolume(v: Volume, i: number) {
    const fsType = v.filesystem.type;
    const P = (...rest: (string | number)[]) => ['volumes', i, ...rest];
    if (!(SUPPORTED_FILESYSTEMS as readonly string[]).includes(fsType)) {
      const s = suggest(fsType, [...SUPPORTED_FILESYSTEMS]);
      emit('JTS-FS-UNKNOWN', P('filesystem', 'type'), `filesystem "${fsType}" on ${v.name} is not one the tool creates (${SUPPORTED_FILESYSTEMS.join(', ')})${s ? `; did you mean "${s}"?` : ''}`);
      return;
    }
    const isExt4 = fsType === 'ext4';
    const isXfs = fsType === 'xfs';
    const features = v.filesystem.features;
    const noJournal = isExt4 && features.includes('^has_journal');
    const advice = WORKLOAD_ADVICE[v.workload];

    // Label
    if (v.filesystem.label !== undefined && (isExt4 || isXfs)) {
      const max = LABEL_MAX[fsType]!;
      if (Buffer.byteLength(v.filesystem.label) > max)
        emit('JTS-FS-LABEL', P('filesystem', 'label'), `label "${v.filesystem.label}" is ${Buffer.byteLength(v.filesystem.label)} bytes; ${fsType} allows ${max}`);
    }

    // mkfs options vs filesystem
    if (!isExt4 && !isXfs) {
      if (features.length) emit('JTS-MKFS-UNKNOWN', P('filesystem', 'features'), `ext4 features (-O ${features.join(',')}) given for a ${fsType} filesystem`);
      if (v.filesystem.extended.length) emit('JTS-MKFS-UNKNOWN', P('filesystem', 'extended'), `ext4 extended options (-E ${v.filesystem.extended.join(',')}) given for a ${fsType} filesystem`);
    }
    if (!isXfs) {
      if (v.filesystem.data.length) emit('JTS-MKFS-UNKNOWN', P('filesystem', 'data'), `XFS data options (-d ${v.filesystem.data.join(',')}) given for a ${fsType} filesystem`);
      if (v.filesystem.log.length) emit('JTS-MKFS-UNKNOWN', P('filesystem', 'log'), `XFS log options (-l ${v.filesystem.log.join(',')}) given for a ${fsType} filesystem`);
    }
    if (isExt4) {
      features.forEach((f, k) => {
        const name = f.replace(/^\^/, '');
        if (!EXT4_FEATURES.some((x) => x.name === name)) {
          const s = suggest(name, EXT4_FEATURES.map((x) => x.name));
          emit('JTS-MKFS-UNKNOWN', P('filesystem', 'features', k), `"${f}" is not an ext4 feature${s ? ` (did you mean "${s}"?)` : ''}`);
        }
      });
      checkMkfs(v.filesystem.extended, EXT4_EXTENDED, P('filesystem', 'extended'), 'mke2fs -E');
      for (const h of ext4MkfsHits(features, v.filesystem.extended, v.filesystem.inodeRatio))
        emit(h.rule, h.index >= 0 ? P('filesystem', h.field, h.index) : h.message.startsWith('inode ratio') ? P('filesystem', 'inodeRatio') : P('filesystem', h.field), h.message);
      if (features.includes('sparse_super2')) {
        emit('JTS-EXT4-SPARSE-SUPER2', P('filesystem', 'features', features.indexOf('sparse_super2')), `${v.name} is created with sparse_super2`);
      }
      if (noJournal) {
        emit(
          'JTS-EXT4-NOJOURNAL-DB',
          P('filesystem', 'features', features.indexOf('^has_journal')),
          `${v.name} (${v.workload}) is created without a journal (-O ^has_journal)`,
          advice.crashSafe ? {} : { severity: 'warning' },
        );
      }
      const lazy = v.filesystem.extended.filter((e) => /^lazy_(itable|journal)_init=0$/.test(e));
      if (lazy.length) {
        const lv = layout.vgs.find((g) => g.name === v.vg)?.volumes.find((x) => x.name === v.name);
        const bytes = lv ? lv.sizeBytes : 0;
        emit(
          'JTS-EXT4-LAZY-INIT',
          P('filesystem', 'extended', v.filesystem.extended.indexOf(lazy[0]!)),
          `${lazy.join(', ')} on ${v.name}${bytes ? ` (${formatBytes(bytes)}): mke2fs writes about ${formatBytes(Math.round(bytes / 64))} of inode tables before returning` : ''}`,
        );
      }
    }
    if (isXfs) {
      const ext4Named = features.filter((f) => EXT4_FEATURES.some((x) => x.name === f.replace(/^\^/, '')));
      if (ext4Named.length) emit('JTS-MKFS-UNKNOWN', P('filesystem', 'features'), `ext4 features (-O ${ext4Named.join(',')}) given for a ${fsType} filesystem (an XFS volume's features are mkfs.xfs -m options: crc=, reflink=, …)`);
      else checkMkfs(features, XFS_META, P('filesystem', 'features'), 'mkfs.xfs -m');
      const lvBytes = layout.vgs.find((g) => g.name === v.vg)?.volumes.find((x) => x.name === v.name)?.sizeBytes;
      for (const h of xfsMkfsHits(lvBytes || undefined, features, v.filesystem.data, v.filesystem.log))
        emit(h.rule, h.field === 'size' ? P('size') : h.index >= 0 ? P('filesystem', h.field, h.index) : P('filesystem', h.field), h.message);
      if (features.includes('crc=0')) emit('JTS-XFS-V4', P('filesystem', 'features', features.indexOf('crc=0')), `${v.name} is made as a V4 XFS (-m crc=0)`);
      checkMkfs(v.filesystem.data, XFS_DATA, P('filesystem', 'data'), 'mkfs.xfs -d');
      checkMkfs(v.filesystem.log, XFS_LOG, P('filesystem', 'log'), 'mkfs.xfs -l');
      const dn = v.filesystem.data.map((d) => splitOption(d).name);
      if (dn.includes('su') !== dn.includes('sw')) emit('JTS-MKFS-UNKNOWN', P('filesystem', 'data'), `mkfs.xfs -d su= and sw= must be given together`);
      if (dn.includes('sunit') !== dn.includes('swidth')) emit('JTS-MKFS-UNKNOWN', P('filesystem', 'data'), `mkfs.xfs -d sunit= and swidth= must be given together`);
    }

    // Stripe geometry on a non-striped LV
    const stripeOpts: { path: (string | number)[]; text: string }[] = [];
    const collect = (list: string[], facts: MkfsOptionFact[], key: string, flag: string) =>
      list.forEach((o, k) => {
        if (facts.find((f) => f.name === splitOption(o).name)?.stripe) stripeOpts.push({ path: P('filesystem', key, k), text: `${flag} ${o}` });
      });
    if (isExt4) collect(v.filesystem.extended, EXT4_EXTENDED, 'extended', '-E');
    if (isXfs) {
      collect(v.filesystem.data, XFS_DATA, 'data', '-d');
      collect(v.filesystem.log, XFS_LOG, 'log', '-l');
    }
    if (stripeOpts.length) {
      const vg = plan.volumeGroups.find((g) => g.name === v.vg);
      const n = vg?.drives.length ?? 1;
      emit(
        'JTS-STRIPE-SINGLE-DEVICE',
        stripeOpts[0]!.path,
        `${v.name} is made with RAID stripe options (${stripeOpts.map((s) => s.text).join(', ')}) but is a linear LV on ${n === 1 ? 'a single-drive VG' : `a ${n}-drive VG without striping`}`,
      );
    }

    // Workload filesystem advice
    if ((isExt4 || isXfs) && !advice.filesystems.includes(fsType)) {
      const why = advice.discouraged?.[fsType] ?? `${v.workload} documentation recommends ${advice.filesystems.join(' or ')}`;
      emit('JTS-WORKLOAD-FS', P('filesystem', 'type'), `${v.name} (${v.workload}) is on ${fsType}: ${why}`, { source: advice.fsSource ?? rule('JTS-WORKLOAD-FS').source });
    }

    // Read-ahead
    const ra = effectiveReadAhead(v);
    const rr = advice.readAhead;
    if (typeof ra === 'number') {
      if ((rr.min !== undefined && ra < rr.min) || (rr.max !== undefined && ra > rr.max)) {
        const range = rr.max !== undefined ? `${rr.min ?? 0}–${rr.max} sectors` : `at least ${rr.min} sectors`;
        emit('JTS-READAHEAD', P('readAhead'), `${v.name} (${v.workload}) read-ahead is ${ra} sectors (${ra / 2} KiB); advice is ${range}: ${rr.why ?? ''}`, rr.source ? { source: rr.source } : {});
      }
    }

    // Snapshot policy type
    if (v.snapshot?.type === 'thin' && !v.thinPool) emit('JTS-SNAPSHOT-THIN-NOT-THIN', P('snapshot', 'type'), `${v.name} has a thin snapshot policy but is not a thin volume (no thinPool)`);

    // Mount options
    if (!v.mount || !(isExt4 || isXfs)) return;
    const m = v.mount;
    const table = MOUNT_OPTIONS[fsType as FsName];
    const opts = m.options.map((o) => splitOption(o));
    let barrierFlagged = false;
    opts.forEach(({ name, value }, k) => {
      const at = P('mount', 'options', k);
      const raw = m.options[k]!;
      if (USERSPACE_OPTION_PREFIXES.some((p) => name.startsWith(p))) return;
      const fact: MountOptionFact | undefined = table.find((f) => f.name === name) ?? VFS_MOUNT_OPTIONS.find((f) => f.name === name);
      if (!fact) {
        const s = suggest(name, [...table, ...VFS_MOUNT_OPTIONS].map((f) => f.name));
        const other = (Object.keys(MOUNT_OPTIONS) as FsName[]).find((fs) => fs !== fsType && MOUNT_OPTIONS[fs].some((f) => f.name === name));
        emit('JTS-MOUNTOPT-UNKNOWN', at, `"${raw}" is not a${fsType === 'ext4' ? 'n' : 'n'} ${fsType} mount option${other ? ` (it is an ${other} option)` : ''}${s && !other ? `; did you mean "${s}"?` : ''}`);
        return;
      }
      if (fact.removedIn) {
        const removed = kernel === undefined || compareKernel(kernel, fact.removedIn) >= 0;
        if (removed) {
          emit(
            'JTS-MOUNTOPT-REMOVED',
            at,
            `"${raw}" was removed from ${fsType} in Linux ${fact.removedIn}; ${kernel ? `the target kernel is ${kernel}` : 'the target kernel is unknown (assumed newer)'}, so mount fails ("${fsType}: Unknown parameter '${name}'")`,
            { source: fact.source },
          );
          barrierFlagged = barrierFlagged || Boolean(fact.barrierOff);
          return;
        }
        emit('JTS-MOUNTOPT-DEPRECATED', at, `"${raw}" still mounts on ${kernel} but was removed in ${fact.removedIn}`, { source: fact.source });
      } else if (fact.deprecated) {
        emit('JTS-MOUNTOPT-DEPRECATED', at, `"${raw}" is deprecated (${fact.deprecated})${fact.note ? `: ${fact.note}` : ''}`, { source: fact.source });
      }
      if (fact.addedIn && kernel && compareKernel(kernel, fact.addedIn) < 0) {
        emit('JTS-MOUNTOPT-UNKNOWN', at, `"${raw}" needs Linux ${fact.addedIn}; the target kernel is ${kernel}`, { source: fact.source });
        return;
      }
      if (fact.value === 'none' && value !== undefined) {
        emit('JTS-MOUNTOPT-VALUE', at, `"${name}" takes no value (got "${raw}")`, { source: fact.source });
        return;
      }
      if (fact.value === 'required' && (value === undefined || value === '')) {
        emit('JTS-MOUNTOPT-VALUE', at, `"${name}" needs a value (${name}=${fact.validHint ?? '…'})`, { source: fact.source });
        return;
      }
      if (value !== undefined && fact.valid && !fact.valid.test(value)) {
        emit('JTS-MOUNTOPT-VALUE', at, `"${raw}": ${name} must be ${fact.validHint ?? fact.valid.source}`, { source: fact.source });
        return;
      }
      const beyond = value !== undefined ? fact.limit?.(value) : undefined;
      if (beyond) {
        emit('JTS-MOUNTOPT-VALUE', at, `"${raw}": ${beyond}`, { source: fact.source });
        return;
      }
      if (fact.needsDevice?.when(value)) {
        const ds = volumeDrives(v);
        emit('JTS-MOUNTOPT-DEVICE', at, `"${raw}" needs a block device with DAX (persistent memory); ${ds ? ds.map((d) => d.path).join(', ') : 'the drives of ' + v.vg} ${ds && ds.length === 1 ? 'is' : 'are'} not: "EXT4-fs: DAX unsupported by block device."`, { source: fact.source });
      }
      if (fact.external) emit('JTS-MOUNTOPT-DEVICE', at, `"${raw}" names an external ${fact.external}; the plan makes no such device (mkfs writes the ${fact.external} inside the volume), and the kernel refuses a path that is not a block device holding one`, { source: fact.source });
      if (fact.danger) emit('JTS-MOUNTOPT-NORECOVERY', at, `"${raw}" on ${v.name}: ${fact.danger}`, { source: fact.source });
      // Journal options on a journal-less ext4
      if (noJournal && fact.needsJournal) {
        // commit=0 means the default (5 s); data_err=ignore is the default: both harmless without a journal.
        const harmless = (name === 'commit' && (value === '5' || value === '0')) || (name === 'data_err' && value === 'ignore');
        if (!harmless) emit('JTS-EXT4-JOURNAL-OPTS', at, `"${raw}" on ${v.name}, created with -O ^has_journal: mount fails with "EXT4-fs: can't mount with ${name === 'data' ? 'data=' : raw}, fs mounted w/o journal"`);
      }
      if (fact.stripe && !stripeOpts.length && name !== 'swalloc') {
        emit('JTS-STRIPE-SINGLE-DEVICE', at, `mount option "${raw}" on ${v.name} sets a stripe geometry on a linear LV`, { source: fact.source });
      }
      if (fact.barrierOff?.(value) && !barrierFlagged) {
        barrierFlagged = true;
        const ds = volumeDrives(v);
        if (!ds) {
          emit('JTS-BARRIER-VWC', at, `"${raw}" turns off cache flushes on ${v.name}; the drive's write cache is unknown`, { severity: 'warning' });
        } else {
          const vwc = ds.filter((d) => d.volatileWriteCache);
          if (vwc.length) {
            emit('JTS-BARRIER-VWC', at, `"${raw}" turns off cache flushes on ${v.name} (${v.workload}) and ${vwc.map((d) => d.path).join(', ')} report${vwc.length === 1 ? 's' : ''} a volatile write cache`);
          } else {
            emit('JTS-BARRIER-VWC', at, `"${raw}" on ${v.name}: acceptable only because ${ds.map((d) => d.path).join(', ')} report no volatile write cache (power-loss protection); keep it in mind if the drive is replaced`, {
              severity: 'info',
            });
          }
        }
      }
    });

    // Options refused only in combination (with each other, the on-disk format, the mkfs geometry)
    for (const h of mountConstraintHits({ fs: fsType as FsName, options: m.options, features, xfsData: v.filesystem.data, xfsLog: v.filesystem.log }))
      emit(h.rule, h.index >= 0 ? P('mount', 'options', h.index) : P('mount', 'options'), h.message, { source: h.source });

    // nofail / device timeout / noatime / passno
    const names = new Set(opts.map((o) => o.name));
    // The messages say exactly what render/fstab-format.ts writes (isDataVolume, addsDeviceTimeout).
    const hasTimeout = opts.some((o) => o.name === 'x-systemd.device-timeout');
    if (!names.has('nofail')) {
      const adds = isDataVolume(v)
        ? `apply's fstab line adds nofail${hasTimeout ? '' : addsDeviceTimeout(v) ? ` and x-systemd.device-timeout=${DEFAULT_DEVICE_TIMEOUT}` : ''} (every volume is on a data drive); write them in the plan to make it explicit`
        : `the plan overrides JTS-NOFAIL, so apply's fstab line is written without nofail${hasTimeout ? '' : ' and without a device timeout'}: a missing drive stops the boot`;
      emit('JTS-NOFAIL', P('mount', 'options'), `${v.name} is mounted on ${m.path} without nofail: ${adds}`);
    } else if (!hasTimeout) {
      emit(
        'JTS-DEVICE-TIMEOUT',
        P('mount', 'options'),
        addsDeviceTimeout(v)
          ? `${v.name} has nofail but no x-systemd.device-timeout=: apply's fstab line adds x-systemd.device-timeout=${DEFAULT_DEVICE_TIMEOUT}`
          : `${v.name} has nofail but no x-systemd.device-timeout=: the plan overrides it, so the fstab line waits systemd's default 90 s for the device`,
      );
    }
    if (advice.mountOptions?.some((o) => o.name === 'noatime') && !names.has('noatime'))
      emit('JTS-NOATIME', P('mount', 'options'), `${v.name} (${v.workload}) is mounted without noatime`, { source: advice.mountOptions.find((o) => o.name === 'noatime')!.source });
    if (isXfs && m.passno !== undefined && m.passno > 0) emit('JTS-XFS-PASSNO', P('mount', 'passno'), `${v.name} is XFS with fsck pass ${m.passno}`);

    // Owner / group
    const knownUsers = new Set([...plan.users.map((u) => u.name), ...(state.users ?? BASE_USERS)]);
    const knownGroups = new Set([...plan.groups, ...plan.users.map((u) => u.group ?? u.name), ...(state.groups ?? BASE_GROUPS)]);
    if (!/^[0-9]+$/.test(m.owner) && !knownUsers.has(m.owner))
      emit('JTS-OWNER-UNDECLARED', P('mount', 'owner'), `owner "${m.owner}" of ${m.path} is not in users: ${state.users ? 'nor on the host' : 'nor a base system user'}`);
    if (!/^[0-9]+$/.test(m.group) && !knownGroups.has(m.group))
      emit('JTS-OWNER-UNDECLARED', P('mount', 'group'), `group "${m.group}" of ${m.path} is not in groups:/users: ${state.groups ? 'nor on the host' : 'nor a base system group'}`);
  }

  function checkMkfs(list: string[], facts: MkfsOptionFact[], base: (string | number)[], flag: string) {
    list.forEach((o, k) => {
      const { name, value } = splitOption(o);
      const fact = facts.find((f) => f.name === name);
      if (!fact) {
        const s = suggest(name, facts.map((f) => f.name));
        emit('JTS-MKFS-UNKNOWN', [...base, k], `"${o}" is not a ${flag} option${s ? ` (did you mean "${s}"?)` : ''}`);
        return;
      }
      if (fact.value === 'required' && (value === undefined || value === '')) emit('JTS-MKFS-UNKNOWN', [...base, k], `${flag} ${name} needs a value`);
      else if (fact.value === 'none' && value !== undefined) emit('JTS-MKFS-UNKNOWN', [...base, k], `${flag} ${name} takes no value`);
      else if (value !== undefined && fact.valid && !fact.valid.test(value)) emit('JTS-MKFS-UNKNOWN', [...base, k], `${flag} ${o}: invalid value`);
    });
  }
}

/** Split findings for output: { errors, warnings, infos }. */
export function partitionFindings(findings: Finding[]) {
  return {
    errors: findings.filter((f) => f.severity === 'error'),
    warnings: findings.filter((f) => f.severity === 'warning'),
    infos: findings.filter((f) => f.severity === 'info'),
  };
}
