/**
 * Per-volume mount rules: each option against the kernel's facts (facts.ts: unknown, removed, deprecated,
 * values and limits, device needs), options refused together (mount-constraints.ts), journal options on a
 * journal-less ext4, barriers off on a volatile write cache, nofail and the device timeout, noatime, XFS passno.
 */
import { suggest } from '../model/load-plan.js';
import type { Volume } from '../model/plan-schema.js';
import type { WorkloadAdvice } from '../model/workload-defaults.js';
import { isDataVolume, addsDeviceTimeout, DEFAULT_DEVICE_TIMEOUT } from '../facts/nofail.js';
import { MOUNT_OPTIONS, VFS_MOUNT_OPTIONS, USERSPACE_OPTION_PREFIXES, compareKernel, splitOption, type FsName, type MountOptionFact } from './facts.js';
import { mountConstraintHits } from './mount-constraints.js';
import { lintOwner } from './account-rules.js';
import { volumeDrives, type LintContext } from './context.js';

export interface VolumeFsInfo {
  /** mkfs stripe options already reported (JTS-STRIPE-SINGLE-DEVICE once per volume). */
  stripeOpts: { path: (string | number)[]; text: string }[];
  /** ext4 made with -O ^has_journal. */
  noJournal: boolean;
  advice: WorkloadAdvice;
}

/** Mount findings of volume i (nothing when it has no mount, or is not ext4/XFS). */
export function lintMount(ctx: LintContext, v: Volume, i: number, info: VolumeFsInfo): void {
  const { emit, kernel } = ctx;
  const { stripeOpts, noJournal, advice } = info;
  const fsType = v.filesystem.type;
  const isExt4 = fsType === 'ext4';
  const isXfs = fsType === 'xfs';
  const features = v.filesystem.features;
  const P = (...rest: (string | number)[]) => ['volumes', i, ...rest];
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
      const ds = volumeDrives(ctx, v);
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
      const ds = volumeDrives(ctx, v);
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
  const sizeBytes = ctx.layout.vgs.find((g) => g.name === v.vg)?.volumes.find((x) => x.name === v.name)?.sizeBytes || undefined;
  for (const h of mountConstraintHits({ fs: fsType as FsName, options: m.options, features, xfsData: v.filesystem.data, xfsLog: v.filesystem.log, sizeBytes }))
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

  lintOwner(ctx, v, i);
}
