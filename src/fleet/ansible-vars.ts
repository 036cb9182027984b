/**
 * One host's Ansible variables, read off the plan pipeline's own actions (never re-derived): the
 * pipeline plans the host as a blank machine from its described drives, and every step of every action
 * becomes one entry of a `jts_storage_*` variable that the exported playbook (./playbook.ts) loops over
 * with a standard module:
 *
 *   pvcreate + vgcreate   → jts_storage_vgs          community.general.lvg
 *   lvcreate -l N         → jts_storage_lvs          community.general.lvol (size in MiB = N × extent size)
 *   lvcreate --type thin-pool -l N [--poolmetadatasize S --chunksize C --metadataprofile P]
 *                         → jts_storage_lvs          lvol `thinpool: POOL` (no lv), size N × extent size,
 *                                                    opts = the metadata/chunk/profile options as apply's
 *   lvcreate --type thin -V SIZE --thinpool POOL
 *                         → jts_storage_lvs          lvol `lv` + `thinpool: POOL`, size = the virtual size
 *   pool profile write    → jts_storage_lvm_profiles ansible.builtin.copy BEFORE the lvol task (lvcreate
 *                         (/etc/lvm/profile/*.profile)  --metadataprofile needs the file), parsed back here
 *   lvchange --metadataprofile P VG/POOL → jts_storage_thin_pools (the playbook reads lv_profile and runs
 *                         the same lvchange where the pool carries another profile; a new pool gets it
 *                         from its lvcreate)
 *   mkfs.TYPE OPTS DEV    → jts_storage_filesystems  community.general.filesystem (opts = OPTS)
 *   groupadd / useradd    → jts_storage_groups/users ansible.builtin.group / user
 *   mkdir                 → jts_storage_dirs         ansible.builtin.file (only where missing, as apply)
 *   /etc/fstab block      → jts_storage_fstab_block  ansible.builtin.blockinfile (apply's markers, apply's text)
 *   mount [-t T -o O SRC] PATH → jts_storage_mounts  ansible.posix.mount (the block's own fields, which
 *                         must equal the mount's -t/-o/SRC)
 *   chown + chmod         → jts_storage_perms        ansible.builtin.file
 *   other write-file      → jts_storage_files        ansible.builtin.copy (udev rule, units, sysctl.d)
 *   sysctl -p FILE        → jts_storage_sysctl       ansible.posix.sysctl
 *   rm -f -- PATH…        → jts_storage_absent_files ansible.builtin.file state: absent (then the udev reload
 *                         handler, as apply's rm is followed by `udevadm control --reload`)
 *
 * One variable is not read off the actions: jts_storage_absent_files always holds the files of older
 * releases that apply removes where it finds them (LEGACY_UDEV_RULE_PATHS, src/render/udev.ts; apply's
 * action tune:udev-rule:legacy, src/tune/actions.ts). The export plans a blank host, which has none of them,
 * so the pipeline emits no such action; on a host that was set up by an older release the playbook must
 * still leave the host apply leaves. `state: absent` changes nothing where the file is missing.
 *
 * A step of any other shape is refused (ExportError): the export never silently drops what apply runs.
 */
import type { Action, Step } from '../model/actions.js';
import type { Plan } from '../model/plan-schema.js';
import type { Layout } from '../model/capacity.js';
import { BEGIN_MARKER, END_MARKER, findManagedBlocks, managedEntries } from '../render/fstab-format.js';
import { LVM_PROFILE_DIR, parseLvmProfile } from '../render/lvm-profile.js';
import { LEGACY_UDEV_RULE_PATHS } from '../render/udev.js';
import { parseBytes } from '../core/size.js';

/** An action the export cannot express with the standard modules (names the action and its step). */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface AnsibleDrive {
  /** The plan's drive id. */
  id: string;
  /** The stable device path the steps use (/dev/disk/by-id/…), as in the pvcreate argv. */
  device: string;
  /** The volume group this drive is a PV of. */
  vg: string;
}

/** A file the playbook copies (dest, text, octal mode). */
export interface AnsibleFile {
  dest: string;
  content: string;
  mode: string;
}

/** jts_storage_trim: every variant apply may write, keyed by the facts that choose it. */
export interface AnsibleTrim {
  /** The plan's OnCalendar= value (tuning.trim.schedule). */
  schedule: string;
  /** Where apply looks for the distribution's fstrim.timer, first found wins. */
  timer_paths: string[];
  /** Where apply looks for fstrim, first found wins. */
  fstrim_paths: string[];
  /** The distribution's timer unit apply enables when one exists. */
  distribution_timer: string;
  /** The drop-in apply writes when the shipped OnCalendar= is not [schedule]. */
  dropin: AnsibleFile;
  /** jts-storage's own timer unit, enabled where there is no distribution timer. */
  own_timer: string;
  /** Own service + timer per fstrim path found ('' = none found: apply's default /sbin/fstrim). */
  own: { fstrim: string; files: AnsibleFile[] }[];
}

export interface AnsibleHostVars {
  jts_storage_plan_name: string;
  jts_storage_drives: AnsibleDrive[];
  jts_storage_vgs: { vg: string; pvs: string[]; pesize: string; pv_options: string; vg_options: string }[];
  /**
   * size: "<MiB>m" (exact: extents × extent size; a thin volume's virtual size); extents kept beside it for
   * the reader and the tests. A thin pool has `thinpool` and no `lv`; a thin volume has both. resizefs:
   * false for a pool (apply grows it with a plain lvextend), absent (true) otherwise.
   */
  jts_storage_lvs: { vg: string; lv?: string; thinpool?: string; size: string; extents: number; opts: string; resizefs?: boolean }[];
  /** LVM profiles of thin pools (autoextend), copied before the pools are created: apply's text. */
  jts_storage_lvm_profiles: AnsibleFile[];
  /** Thin pools and the profile apply attaches to each (`lvchange --metadataprofile` where it differs). */
  jts_storage_thin_pools: { vg: string; pool: string; profile: string }[];
  jts_storage_filesystems: { dev: string; fstype: string; opts: string }[];
  jts_storage_groups: { name: string; system: boolean; gid?: number }[];
  jts_storage_users: { name: string; system: boolean; shell: string; home: string; group: string; uid?: number }[];
  jts_storage_dirs: { path: string; mode: string }[];
  /** The lines between apply's BEGIN and END markers, verbatim; '' when the plan mounts nothing. */
  jts_storage_fstab_block: string;
  jts_storage_fstab_begin: string;
  jts_storage_fstab_end: string;
  jts_storage_mounts: { path: string; src: string; fstype: string; opts: string; dump: string; passno: string }[];
  jts_storage_perms: { path: string; owner: string; group: string; mode?: string }[];
  jts_storage_files: { dest: string; content: string; mode: string }[];
  jts_storage_sysctl: { name: string; value: string; file: string }[];
  /** Timer units apply enables (`systemctl enable --now`) where systemd runs (TRIM's: jts_storage_trim). */
  jts_storage_timers: string[];
  /**
   * Files apply removes where they exist (the udev rule of releases before issue 14, 60-…), removed by
   * the playbook after the managed files are written, with the udev reload handler.
   */
  jts_storage_absent_files: string[];
  /** TRIM's variants, chosen on the host from apply's facts (./trim.ts); null when the plan's trim.mode is none. */
  jts_storage_trim?: AnsibleTrim | null;
}

const MIB = 1024 * 1024;

/** Bytes as lvol's `size`: "<MiB>m" (lvcreate -L/-V take m as MiB); refused when not a whole MiB. */
function mib(bytes: number, where: string): string {
  if (!Number.isInteger(bytes) || bytes % MIB) throw new ExportError(`${where}: ${bytes} bytes are not a whole number of MiB`);
  return `${bytes / MIB}m`;
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** --flag value pairs and bare flags of an argv tail; refuses a flag it does not know. */
function flags(argv: string[], withValue: string[], bare: string[], where: string): { values: Map<string, string>; bare: Set<string>; rest: string[] } {
  const values = new Map<string, string>();
  const seen = new Set<string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (withValue.includes(a)) values.set(a, argv[++i]!);
    else if (bare.includes(a)) seen.add(a);
    else if (a.startsWith('-')) throw new ExportError(`${where}: option ${a} of \`${argv.join(' ')}\` has no Ansible equivalent in the export`);
    else rest.push(a);
  }
  return { values, bare: seen, rest };
}

/**
 * The host variables for one planned host.
 * @param actions the pipeline's actions for a blank host (`runPlan` with its drives file), in order
 * @param layout the resolved layout (extent size per VG, drive paths)
 * @throws ExportError for a step the standard modules cannot express
 */
export function hostVarsFromActions(plan: Plan, layout: Layout, actions: Action[]): AnsibleHostVars {
  const v: AnsibleHostVars = {
    jts_storage_plan_name: plan.name,
    jts_storage_drives: [],
    jts_storage_vgs: [],
    jts_storage_lvs: [],
    jts_storage_lvm_profiles: [],
    jts_storage_thin_pools: [],
    jts_storage_filesystems: [],
    jts_storage_groups: [],
    jts_storage_users: [],
    jts_storage_dirs: [],
    jts_storage_fstab_block: '',
    jts_storage_fstab_begin: BEGIN_MARKER.replace(/^# /, ''),
    jts_storage_fstab_end: END_MARKER.replace(/^# /, ''),
    jts_storage_mounts: [],
    jts_storage_perms: [],
    jts_storage_files: [],
    jts_storage_sysctl: [],
    jts_storage_timers: [],
    jts_storage_absent_files: [...LEGACY_UDEV_RULE_PATHS],
  };
  const pvOptions = new Map<string, string[]>();
  const mountPaths: string[] = [];
  const mountChecks: { path: string; src: string; fstype: string; opts: string }[] = [];
  let fstabText = '';
  const extentBytes = (vg: string): number => {
    const l = layout.vgs.find((x) => x.name === vg);
    if (!l) throw new ExportError(`volume group ${vg}: not in the layout`);
    return l.extentSizeBytes;
  };
  const lvOpts = (values: Map<string, string>): string => (['-r', '--wipesignatures'] as const).flatMap((o) => (values.has(o) ? [o, values.get(o)!] : [])).join(' ');
  const attachProfile = (vg: string, pool: string, profile: string, where: string) => {
    if (!v.jts_storage_lvm_profiles.some((p) => p.dest === `${LVM_PROFILE_DIR}/${profile}.profile`)) throw new ExportError(`${where}: profile ${profile} is attached, but no step writes ${LVM_PROFILE_DIR}/${profile}.profile before it`);
    if (!v.jts_storage_thin_pools.some((p) => p.vg === vg && p.pool === pool)) v.jts_storage_thin_pools.push({ vg, pool, profile });
  };
  const perm = (path: string) => {
    let p = v.jts_storage_perms.find((x) => x.path === path);
    if (!p) v.jts_storage_perms.push((p = { path, owner: '', group: '' }));
    return p;
  };

  const onExec = (a: Action, argv: string[]) => {
    const where = `action ${a.id}`;
    const [cmd, ...args] = argv;
    if (cmd === 'pvcreate') {
      const dev = args[args.length - 1]!;
      pvOptions.set(dev, args.slice(0, -1));
    } else if (cmd === 'vgcreate') {
      const f = flags(args, ['-s'], [], where);
      const [vg, ...pvs] = f.rest;
      const opts = [...new Set(pvs.map((p) => (pvOptions.get(p) ?? []).join(' ')))];
      if (opts.length > 1) throw new ExportError(`${where}: the PVs of ${vg} are created with different options (${opts.join(' | ')}); lvg takes one pv_options`);
      v.jts_storage_vgs.push({ vg: vg!, pvs, pesize: f.values.get('-s') ?? '4m', pv_options: opts[0] ?? '', vg_options: '' });
      for (const p of pvs) {
        const id = [...layout.drives.entries()].find(([, d]) => d.byIds.includes(p) || d.path === p)?.[0] ?? p;
        v.jts_storage_drives.push({ id, device: p, vg: vg! });
      }
    } else if (cmd === 'lvcreate' && args[0] === '--type' && args[1] === 'thin-pool') {
      const f = flags(args.slice(2), ['-l', '-n', '--poolmetadatasize', '--chunksize', '--metadataprofile'], ['--yes'], where);
      if (!f.values.has('-l') || !f.values.has('-n') || f.rest.length !== 1) throw new ExportError(`${where}: \`${argv.join(' ')}\` is not a thin pool of N extents`);
      const vg = f.rest[0]!;
      const pool = f.values.get('-n')!;
      const extents = Number(f.values.get('-l'));
      const opts = (['--poolmetadatasize', '--chunksize', '--metadataprofile'] as const).flatMap((o) => (f.values.has(o) ? [o, f.values.get(o)!] : []));
      v.jts_storage_lvs.push({ vg, thinpool: pool, size: mib(extents * extentBytes(vg), where), extents, opts: opts.join(' '), resizefs: false });
      if (f.values.has('--metadataprofile')) attachProfile(vg, pool, f.values.get('--metadataprofile')!, where);
    } else if (cmd === 'lvcreate' && args[0] === '--type' && args[1] === 'thin') {
      const f = flags(args.slice(2), ['-V', '--thinpool', '-n', '-r', '--wipesignatures'], ['--yes'], where);
      if (!f.values.has('-V') || !f.values.has('--thinpool') || !f.values.has('-n') || f.rest.length !== 1) throw new ExportError(`${where}: \`${argv.join(' ')}\` is not a thin volume of a pool`);
      const vg = f.rest[0]!;
      const bytes = parseBytes(f.values.get('-V')!);
      v.jts_storage_lvs.push({ vg, lv: f.values.get('-n')!, thinpool: f.values.get('--thinpool')!, size: mib(bytes, where), extents: bytes / extentBytes(vg), opts: lvOpts(f.values) });
    } else if (cmd === 'lvcreate') {
      const f = flags(args, ['-l', '-n', '-r', '--wipesignatures'], ['--yes'], where);
      if (!f.values.has('-l') || f.rest.length !== 1) throw new ExportError(`${where}: \`${argv.join(' ')}\` has no Ansible equivalent in the export`);
      const vg = f.rest[0]!;
      const extents = Number(f.values.get('-l'));
      v.jts_storage_lvs.push({ vg, lv: f.values.get('-n')!, size: mib(extents * extentBytes(vg), where), extents, opts: lvOpts(f.values) });
    } else if (cmd === 'lvchange' && args[0] === '--metadataprofile' && args.length === 3 && args[2]!.includes('/')) {
      const [vg, pool] = args[2]!.split('/') as [string, string];
      attachProfile(vg, pool, args[1]!, where);
    } else if (cmd?.startsWith('mkfs.')) {
      v.jts_storage_filesystems.push({ dev: args[args.length - 1]!, fstype: cmd.slice('mkfs.'.length), opts: args.slice(0, -1).join(' ') });
    } else if (cmd === 'groupadd') {
      const f = flags(args, ['--gid'], ['--system'], where);
      v.jts_storage_groups.push({ name: f.rest[0]!, system: f.bare.has('--system'), ...(f.values.has('--gid') ? { gid: Number(f.values.get('--gid')) } : {}) });
    } else if (cmd === 'useradd') {
      const f = flags(args, ['--shell', '--home-dir', '--gid', '--uid'], ['--system', '--no-create-home'], where);
      if (!f.bare.has('--no-create-home')) throw new ExportError(`${where}: useradd without --no-create-home is not exported`);
      v.jts_storage_users.push({
        name: f.rest[0]!,
        system: f.bare.has('--system'),
        shell: f.values.get('--shell')!,
        home: f.values.get('--home-dir')!,
        group: f.values.get('--gid')!,
        ...(f.values.has('--uid') ? { uid: Number(f.values.get('--uid')) } : {}),
      });
    } else if (cmd === 'mount' && args.length === 1) {
      mountPaths.push(args[0]!);
    } else if (cmd === 'mount' && args.length === 6 && args[0] === '-t' && args[2] === '-o') {
      // apply mounts with the fstab line's own type and options before it commits the block
      mountPaths.push(args[5]!);
      mountChecks.push({ path: args[5]!, src: args[4]!, fstype: args[1]!, opts: args[3]! });
    } else if (cmd === 'chown' && args.length === 2) {
      const [owner, group] = args[0]!.split(':');
      Object.assign(perm(args[1]!), { owner, group: group ?? owner });
    } else if (cmd === 'chmod' && args.length === 2) {
      perm(args[1]!).mode = args[0]!;
    } else if (cmd === 'sysctl' && args[0] === '-p' && args.length === 2) {
      const file = args[1]!;
      for (const s of plan.tuning.sysctl) v.jts_storage_sysctl.push({ name: s.key, value: s.value, file });
    } else if ((cmd === 'udevadm' && args.join(' ') === 'control --reload') || (cmd === 'systemctl' && args[0] === 'daemon-reload')) {
      // handlers of the playbook (notified by the copy of the rule / the units)
    } else if (cmd === 'rm' && args[0] === '-f' && args[1] === '--' && args.length > 2) {
      for (const p of args.slice(2)) if (!v.jts_storage_absent_files.includes(p)) v.jts_storage_absent_files.push(p);
    } else if (cmd === 'systemctl' && args[0] === 'enable' && args[1] === '--now') {
      v.jts_storage_timers.push(...args.slice(2));
    } else {
      throw new ExportError(`${where}: \`${argv.join(' ')}\` has no Ansible equivalent in the export`);
    }
  };

  const onStep = (a: Action, s: Step) => {
    if (s.type === 'exec') return onExec(a, s.argv);
    if (s.type === 'mkdir') {
      if (!v.jts_storage_dirs.some((d) => d.path === s.path)) v.jts_storage_dirs.push({ path: s.path, mode: octal(s.mode) });
      return;
    }
    if (s.type === 'write-file') {
      if (s.path === '/etc/fstab') {
        fstabText = s.content;
        return;
      }
      if (s.path.startsWith(`${LVM_PROFILE_DIR}/`)) {
        // read back with the parser apply's preflight uses: the playbook copies exactly what apply writes
        try {
          parseLvmProfile(s.content);
        } catch (e) {
          throw new ExportError(`action ${a.id}: ${s.path}: ${(e as Error).message}`);
        }
        if (!v.jts_storage_lvm_profiles.some((p) => p.dest === s.path)) v.jts_storage_lvm_profiles.push({ dest: s.path, content: s.content, mode: octal(s.mode ?? 0o644) });
        return;
      }
      v.jts_storage_files.push({ dest: s.path, content: s.content, mode: octal(s.mode ?? 0o644) });
      return;
    }
    throw new ExportError(`action ${a.id}: writes ${s.path} (sysfs) — the export leaves the live scheduler to the udev rule`);
  };

  for (const a of actions) {
    if (a.kind === 'destroy' || a.kind === 'replace') throw new ExportError(`action ${a.id} is ${a.kind}: the export never destroys`);
    for (const s of a.steps) onStep(a, s);
  }

  if (fstabText) {
    const lines = fstabText.split('\n');
    const blocks = findManagedBlocks(fstabText);
    if (blocks.length !== 1) throw new ExportError(`/etc/fstab: ${blocks.length} managed blocks in the rendered file`);
    v.jts_storage_fstab_block = lines.slice(blocks[0]!.begin + 1, blocks[0]!.end).join('\n');
    const entries = managedEntries(fstabText);
    for (const path of mountPaths) {
      const e = entries.find((x) => x.file === path);
      if (!e) throw new ExportError(`mount ${path}: no line for it in the fstab block`);
      v.jts_storage_mounts.push({ path, src: e.spec, fstype: e.vfstype, opts: e.mntops.join(","), dump: String(e.freq), passno: String(e.passno) });
      const c = mountChecks.find((x) => x.path === path);
      const m = v.jts_storage_mounts[v.jts_storage_mounts.length - 1]!;
      if (c && (c.src !== m.src || c.fstype !== m.fstype || c.opts !== m.opts)) throw new ExportError(`mount ${path}: apply mounts ${c.src} ${c.fstype} ${c.opts}, the fstab line says ${m.src} ${m.fstype} ${m.opts}`);
    }
  } else if (mountPaths.length) {
    throw new ExportError(`mount ${mountPaths[0]}: the plan writes no fstab block`);
  }
  if (!v.jts_storage_timers.length) v.jts_storage_timers = v.jts_storage_files.map((f) => f.dest).filter((d) => d.startsWith('/etc/systemd/system/') && d.endsWith('.timer')).map((d) => d.slice('/etc/systemd/system/'.length));
  return v;
}
