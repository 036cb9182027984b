/**
 * Per-volume rules of the filesystem: type, label, mkfs options (ext4 -O/-E, XFS -m/-d/-l) and their limits
 * at the volume's size, stripe geometry on a linear LV, the workload's filesystem and read-ahead advice, the
 * snapshot policy's type. The mount rules follow in mount-rules.ts.
 */
import { suggest } from '../model/load-plan.js';
import type { Volume } from '../model/plan-schema.js';
import { WORKLOAD_ADVICE } from '../model/workload-defaults.js';
import { effectiveReadAhead } from '../facts/readahead-defaults.js';
import { LABEL_MAX } from '../model/names.js';
import { formatBytes } from '../model/units.js';
import { EXT4_FEATURES, EXT4_EXTENDED, XFS_DATA, XFS_LOG, XFS_META, SUPPORTED_FILESYSTEMS, splitOption, type MkfsOptionFact } from './facts.js';
import { rule } from './rules.js';
import { xfsMkfsHits, ext4MkfsHits } from './mkfs-limits.js';
import { lintMount } from './mount-rules.js';
import type { LintContext } from './context.js';

/** Findings of one volume (index i of plan.volumes), its mount included. */
export function lintVolume(ctx: LintContext, v: Volume, i: number): void {
  const { plan, layout, emit } = ctx;
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
    const ext4Bytes = layout.vgs.find((g) => g.name === v.vg)?.volumes.find((x) => x.name === v.name)?.sizeBytes || undefined;
    for (const h of ext4MkfsHits(features, v.filesystem.extended, v.filesystem.inodeRatio, ext4Bytes))
      emit(h.rule, h.field === 'size' ? P('size') : h.index >= 0 ? P('filesystem', h.field, h.index) : h.message.startsWith('inode ratio') ? P('filesystem', 'inodeRatio') : P('filesystem', h.field), h.message);
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


  lintMount(ctx, v, i, { stripeOpts, noJournal, advice });

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
