/**
 * Apply preflight of every file an apply is about to write: before the first command of the apply, each
 * `write-file` step's exact content is parsed back by its format's reader and compared with what the plan
 * intends. Any difference refuses the whole apply (nothing has run yet).
 *
 * - /etc/fstab: the managed block's entries (the product's parser, src/render/fstab-format.ts) are exactly the
 *   plan's mount points, types and options; libmount reads the same entries (`findmnt --tab-file F -J`, on a
 *   temporary copy, through the Runner; skipped when findmnt is missing);
 * - udev rules: every rule is key/op/value pairs, and only the keys the scheduler rule uses (no RUN, PROGRAM,
 *   IMPORT…): KERNEL, ATTR{queue/rotational}, ATTR{queue/scheduler}, ACTION, SUBSYSTEM, ENV{DEVTYPE}, GOTO, LABEL,
 *   and ENV{ID_WWN|ID_SERIAL_SHORT|ID_SERIAL}== with a literal value; every line that sets a scheduler names one
 *   drive by such a match (never every disk of a class);
 * - systemd units: sections and Key=Value lines only, every key one the product writes; `systemd-analyze verify`
 *   on a temporary copy when the host has it (only messages about the copied file count);
 * - sysctl.d: exactly the plan's settings (key and value), nothing else;
 * - LVM profiles of thin pools: exactly the pool's autoextend threshold and percent.
 */
import type { Runner } from '../core/runner.js';
import type { Action } from '../model/actions.js';
import type { Plan } from '../model/plan-schema.js';
import { FSTAB_PATH } from './fstab.js';
import { fstabShape, managedEntries } from './fstab-format.js';
import { firstDifference, parseSysctlConf, parseUdevRules, parseUnit, RenderError } from './parse-back.js';
import { SYSCTL_PATH } from './sysctl.js';
import { UNIT_DIR } from './systemd.js';
import { UDEV_IDENTITY_KEYS, UDEV_RULE_PATH, udevLiteralError } from './udev.js';
import { LVM_PROFILE_DIR, parseLvmProfile, thinPoolProfileName, thinPoolProfileSettings } from './lvm-profile.js';
import { runTool } from '../host/env.js';
import { findmntTabFileArgv, parseFindmntJson } from '../host/findmnt.js';

const UDEV_KEYS = new Set(['KERNEL', 'ATTR{queue/rotational}', 'ATTR{queue/scheduler}', 'ACTION', 'SUBSYSTEM', 'ENV{DEVTYPE}', 'GOTO', 'LABEL', ...UDEV_IDENTITY_KEYS.map((k) => `ENV{${k}}`)]);
const UDEV_IDENTITY_MATCH = new Set(UDEV_IDENTITY_KEYS.map((k) => `ENV{${k}}`));
const UNIT_KEYS: Record<string, Set<string>> = {
  Unit: new Set(['Description', 'Documentation', 'After', 'Wants', 'Requires', 'ConditionVirtualization']),
  Service: new Set([
    'Type', 'ExecStart', 'SuccessExitStatus', 'Nice', 'UMask', 'ProtectSystem', 'NoNewPrivileges', 'ProtectHome', 'ProtectKernelModules', 'ProtectKernelLogs',
    'ProtectControlGroups', 'RestrictRealtime', 'RestrictSUIDSGID', 'LockPersonality', 'PrivateNetwork', 'ProtectKernelTunables', 'TimeoutStartSec', 'IOSchedulingClass', 'CPUSchedulingPolicy',
  ]),
  Timer: new Set(['OnCalendar', 'OnBootSec', 'OnUnitActiveSec', 'AccuracySec', 'Persistent', 'RandomizedDelaySec']),
  Install: new Set(['WantedBy']),
};

/** Mount points, types and options the plan puts in fstab (the device may be a path or a UUID). */
function fstabIntent(plan: Plan): { file: string; vfstype: string }[] {
  const out: { file: string; vfstype: string }[] = [];
  for (const v of plan.volumes) {
    if (v.filesystem.type === 'none') continue;
    if (v.filesystem.type === 'swap') out.push({ file: 'none', vfstype: 'swap' });
    else if (v.mount) out.push({ file: v.mount.path, vfstype: v.filesystem.type });
  }
  for (const n of plan.networkMounts) out.push({ file: n.path, vfstype: n.type });
  return out.sort((a, b) => (a.file + a.vfstype).localeCompare(b.file + b.vfstype));
}

/** Problems of one file (by its install path); an empty list when it reads back as intended. */
export function checkWrittenFile(plan: Plan, path: string, content: string): string[] {
  const out: string[] = [];
  try {
    if (path === FSTAB_PATH) {
      const got = managedEntries(content).map((e) => ({ file: e.file, vfstype: e.vfstype }));
      got.sort((a, b) => (a.file + a.vfstype).localeCompare(b.file + b.vfstype));
      const intent = fstabIntent(plan);
      const d = firstDifference(intent, got);
      const extra = got.filter((g) => !intent.some((i) => i.file === g.file && i.vfstype === g.vfstype)).map((g) => `${g.file} (${g.vfstype})`);
      if (d) out.push(`${path}: the managed block is not the plan's mount points (${d}${extra.length ? `; not in the plan: ${extra.join(', ')}` : ''})`);
    } else if (path === UDEV_RULE_PATH) {
      for (const rule of parseUdevRules(content)) {
        for (const p of rule) {
          if (!UDEV_KEYS.has(p.key)) out.push(`${path}: key ${p.key}${p.op}"${p.value}" is not one the scheduler rule writes`);
          else if (UDEV_IDENTITY_MATCH.has(p.key) && (p.op !== '==' || udevLiteralError(p.value))) out.push(`${path}: ${p.key}${p.op}"${p.value}" is not a literal match of one drive`);
        }
        // A scheduler line names one drive: without an identity match it would set every disk of a class.
        if (rule.some((p) => p.key === 'ATTR{queue/scheduler}') && !rule.some((p) => UDEV_IDENTITY_MATCH.has(p.key) && p.op === '=='))
          out.push(`${path}: a rule sets the scheduler without naming one drive (${rule.map((p) => `${p.key}${p.op}"${p.value}"`).join(', ')})`);
      }
    } else if (path === SYSCTL_PATH) {
      const back = parseSysctlConf(content);
      for (const b of back.bad) out.push(`${path}: line ${JSON.stringify(b)} is not a setting`);
      const d = firstDifference(
        plan.tuning.sysctl.map((e) => ({ key: e.key, value: e.value })),
        back.entries,
      );
      const extra = back.entries.filter((b) => !plan.tuning.sysctl.some((e) => e.key === b.key && e.value === b.value)).map((b) => `${b.key} = ${b.value}`);
      if (d) out.push(`${path}: the settings are not the plan's (${d}${extra.length ? `; not in the plan: ${extra.join(', ')}` : ''})`);
    } else if (path.startsWith(LVM_PROFILE_DIR + '/')) {
      const back = parseLvmProfile(content);
      const pool = plan.volumeGroups.flatMap((vg) => vg.thinPools.filter((tp) => tp.autoextend).map((tp) => ({ vg: vg.name, tp }))).find((x) => path === `${LVM_PROFILE_DIR}/${thinPoolProfileName(x.vg, x.tp.name)}.profile`);
      if (!pool) out.push(`${path}: no thin pool of the plan has autoextend for this profile`);
      else {
        const want = thinPoolProfileSettings(pool.tp.autoextend!);
        if (back.size !== want.size || [...want].some(([k, v]) => back.get(k) !== v)) out.push(`${path}: the settings are not the plan's (${JSON.stringify([...back])})`);
      }
    } else if (path.startsWith(UNIT_DIR + '/')) {
      const back = parseUnit(content);
      for (const b of back.bad) out.push(`${path}: line ${JSON.stringify(b)} is not a unit setting`);
      for (const [sec, entries] of back.sections) {
        const keys = UNIT_KEYS[sec];
        if (!keys) out.push(`${path}: section [${sec}] is not one the product writes`);
        else for (const [k] of entries) if (!keys.has(k)) out.push(`${path}: [${sec}] ${k}= is not a key the product writes`);
      }
    }
  } catch (e) {
    if (e instanceof RenderError) out.push(`${path}: ${e.message}`);
    else throw e;
  }
  return out;
}

/** libmount's reading of an fstab text (findmnt --tab-file F -J), or undefined when findmnt is missing. */
async function libmountEntries(runner: Runner, content: string): Promise<{ entries: { target: string; fstype: string; options: string }[] } | { error: string } | undefined> {
  const tmp = `/tmp/.jts-storage-preflight-${process.pid}-${Date.now()}.fstab`;
  await runner.writeFile(tmp, content, { mode: 0o600 });
  try {
    const r = await runTool(runner, findmntTabFileArgv(tmp));
    if (r.notFound) return undefined;
    // findmnt exits 1 with nothing printed when the file has no entry at all (an fstab without
    // filesystems, e.g. a plan of volumes without filesystems on a host whose fstab is empty).
    if (r.exitCode === 1 && r.stdout.trim() === '' && r.stderr.trim() === '') return { entries: [] };
    if (r.exitCode !== 0) return { error: `findmnt --tab-file exit ${r.exitCode}: ${r.stderr.trim()}` };
    return { entries: parseFindmntJson(r.stdout).map((f) => ({ target: f.target, fstype: f.fstype, options: f.options.join(',') })) };
  } catch (e) {
    return { error: `findmnt --tab-file: ${(e as Error).message}` };
  } finally {
    await runner.unlink(tmp).catch(() => undefined);
  }
}

/**
 * The apply preflight: every write-file step of `actions` checked (checkWrittenFile) and the fstab read by
 * libmount too. Returns the problems (empty: go on). Runs only read-only commands and a temporary file.
 */
export async function preflightWrittenFiles(runner: Runner, plan: Plan, actions: Action[]): Promise<string[]> {
  const problems: string[] = [];
  for (const a of actions) {
    for (const s of a.steps) {
      if (s.type !== 'write-file') continue;
      problems.push(...checkWrittenFile(plan, s.path, s.content));
      if (s.path === FSTAB_PATH) {
        const lm = await libmountEntries(runner, s.content);
        if (lm && 'error' in lm) problems.push(`${s.path}: ${lm.error}`);
        else if (lm) {
          const mine = managedEntries(s.content).map(fstabShape);
          for (const e of mine) {
            const hit = lm.entries.filter((x) => x.target === e.file);
            if (hit.length !== 1) problems.push(`${s.path}: libmount reads ${hit.length} entries for ${e.file}, the plan writes one`);
            else if (hit[0]!.fstype !== e.vfstype) problems.push(`${s.path}: libmount reads type ${hit[0]!.fstype} for ${e.file}, the plan writes ${e.vfstype}`);
            else if ([...hit[0]!.options.split(',')].sort().join(',') !== [...e.mntops].sort().join(',')) problems.push(`${s.path}: libmount reads options ${hit[0]!.options} for ${e.file}, the plan writes ${e.mntops.join(',')}`);
          }
          const planned = new Set(mine.map((e) => e.file));
          for (const x of lm.entries) if (!planned.has(x.target) && isInsideBlockOnly(s.content, x.target)) problems.push(`${s.path}: libmount reads an entry for ${x.target} the plan does not write`);
        }
      }
    }
  }
  return problems;
}

/** True when a target appears in the managed block's text but is not one of its parsed entries' mount points. */
function isInsideBlockOnly(content: string, target: string): boolean {
  const lines = content.split('\n');
  const begin = lines.findIndex((l) => /^#\s*BEGIN jts-storage managed block\b/.test(l.trim()));
  const end = lines.findIndex((l, i) => i > begin && /^#\s*END jts-storage managed block\b/.test(l.trim()));
  if (begin < 0 || end < 0) return false;
  return lines.slice(begin + 1, end).some((l) => !l.trim().startsWith('#') && l.split(/\s+/)[1] === target);
}
