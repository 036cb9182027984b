// Safety checks, against the probed state, before anything runs. Nothing on a disk is destroyed
// unless --allow-destroy names that exact drive (or volume); the root disk never.
import { formatBinaryShort } from '../model/units.js';
import type { Runner } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import type { HostState, DriveInfo } from '../model/host-state.js';
import type { Action, Finding } from '../model/actions.js';
import { parseWipefsJson, wipefsProbeArgv } from '../host/wipefs.js';
import { runTool } from '../host/env.js';

export interface DriveVerdict {
  driveId: string;
  path: string;
  /** What is on it now: partitions, signatures, foreign VG, mounts. Empty = blank or already ours. */
  contents: string[];
  /** Never destroyable (holds / or /boot) or in use (mounted): --allow-destroy does not lift it. */
  hard?: string;
  allowed: boolean;
  foreignVg?: string;
}

export interface SafetyReport {
  /** Reasons apply must stop (each one sentence with the way out). */
  refusals: string[];
  /** Drives (and volumes) the user allowed to destroy, with what will be lost: printed first. */
  losses: { target: string; loses: string[] }[];
  /** Wipe actions to run before the plan's own (allowed drives only). */
  wipeActions: Action[];
  drives: DriveVerdict[];
}

export { parseWipefsJson, type WipefsSignature } from '../host/wipefs.js';

/** Does an --allow-destroy value name this drive? Plan id, by-id path (or its basename), serial, WWN. Never a kernel name. */
export function allowNamesDrive(allow: string, driveId: string, info: DriveInfo, planDrive?: Plan['drives'][number]): boolean {
  if (allow === driveId) return true;
  const ids = [...info.byIds, ...(planDrive?.byId ? [planDrive.byId] : [])];
  for (const b of ids) if (allow === b || allow === b.replace(/^\/dev\/disk\/by-id\//, '')) return true;
  if (info.serial && allow === info.serial) return true;
  if (info.wwn && allow === info.wwn) return true;
  return false;
}

const fmtBytes = formatBinaryShort;

export interface SafetyInput {
  plan: Plan;
  state: HostState;
  /** Plan drive id → matched drive (Layout.drives). */
  drives: Map<string, DriveInfo>;
  actions: Action[];
  errors: Finding[];
  allowDestroy: string[];
  /** Run `wipefs --no-act --json` on each drive that is about to become a PV (not in offline tests). */
  runner?: Runner;
}

export async function checkSafety(inp: SafetyInput): Promise<SafetyReport> {
  const report: SafetyReport = { refusals: [], losses: [], wipeActions: [], drives: [] };
  for (const e of inp.errors) {
    report.refusals.push(`plan error${e.file ? ` at ${e.file}:${e.line ?? '?'}${e.col !== undefined ? `:${e.col}` : ''}` : ''}${e.field ? ` (${e.field})` : ''}: ${e.rule ? `${e.rule} ` : ''}${e.message}`);
  }
  const used = new Set<string>();
  for (const vg of inp.plan.volumeGroups) {
    for (const driveId of vg.drives) {
      const info = inp.drives.get(driveId);
      if (!info) continue; // an unmatched drive is a plan error already
      if (used.has(info.path)) continue;
      used.add(info.path);
      const planDrive = inp.plan.drives.find((d) => d.id === driveId);
      const v: DriveVerdict = { driveId, path: info.path, contents: [], allowed: false };
      const pv = inp.state.pvs.find((p) => p.name === info.path);
      // Already a PV of this very VG (a previous apply), or an orphan PV (pvcreate done, vgcreate
      // killed): nothing to destroy, the plan continues from there.
      const ours = pv && (pv.vgName === vg.name || pv.vgName === '');
      if (info.isRootDisk) v.hard = `holds / or /boot`;
      const mounts = new Set(info.mountpoints.filter(Boolean));
      for (const m of inp.state.mounts) if (m.source === info.path || info.partitions.includes(m.source)) mounts.add(m.target);
      if (!ours) {
        if (mounts.size) v.hard ??= `has mounted filesystems (${[...mounts].join(', ')}): unmount them first`;
        for (const p of info.partitions) v.contents.push(`partition ${p}`);
        const sigs = new Set(info.signatures.filter((s) => s && !(s === 'LVM2_member' && pv)));
        if (inp.runner) {
          const r = await runTool(inp.runner, wipefsProbeArgv(info.path));
          if (r.exitCode === 0) {
            for (const s of parseWipefsJson(r.stdout)) if (!(s.type === 'LVM2_member' && pv)) sigs.add(`${s.type}${s.label ? ` label "${s.label}"` : ''} at offset ${s.offset}`);
          } else report.refusals.push(`cannot check ${info.path} for signatures (wipefs exit ${r.exitCode}: ${r.stderr.trim()}); refusing to touch it`);
        }
        for (const s of sigs) v.contents.push(`signature ${s}`);
        if (pv && pv.vgName && pv.vgName !== vg.name) {
          v.foreignVg = pv.vgName;
          const lvs = inp.state.lvs.filter((l) => l.vgName === pv.vgName);
          v.contents.push(`PV of volume group ${pv.vgName}${lvs.length ? ` with ${lvs.length} logical volume(s): ${lvs.map((l) => `${l.name} (${fmtBytes(l.sizeBytes)})`).join(', ')}` : ''}`);
        }
      }
      v.allowed = inp.allowDestroy.some((a) => allowNamesDrive(a, driveId, info, planDrive));
      report.drives.push(v);
      const name = `${driveId} (${info.byIds[0] ?? info.path})`;
      if (v.hard) {
        if (!ours || info.isRootDisk) report.refusals.push(`drive ${name} ${v.hard}; jts-storage will not touch it${info.isRootDisk ? ' (never the root disk, whatever the options)' : ''}`);
        continue;
      }
      if (v.contents.length === 0) continue;
      if (!v.allowed) {
        report.refusals.push(
          `drive ${name} is not blank: ${v.contents.join('; ')}. Apply would destroy it. If that is intended, pass --allow-destroy ${driveId}`,
        );
        continue;
      }
      report.losses.push({ target: `drive ${name}, ${fmtBytes(info.sizeBytes)}`, loses: v.contents });
      const steps: Action['steps'] = [];
      if (v.foreignVg) steps.push({ type: 'exec', argv: ['vgchange', '--activate', 'n', v.foreignVg], mutating: true });
      for (const p of info.partitions) steps.push({ type: 'exec', argv: ['wipefs', '--all', p], mutating: true });
      steps.push({ type: 'exec', argv: ['wipefs', '--all', info.path], mutating: true });
      report.wipeActions.push({
        id: `drive:${driveId}:wipe`,
        kind: 'destroy',
        resource: `drive ${driveId}`,
        summary: `wipe ${info.path} (allowed by --allow-destroy): ${v.contents.join('; ')}`,
        steps,
        destructive: { forcedBy: `--allow-destroy ${driveId}`, loses: v.contents.join('; ') },
        dependsOn: [],
      });
    }
  }
  // Destructive actions from the diff (replace/destroy of a volume): named permission only.
  for (const a of inp.actions) {
    if (!(a.destructive || a.kind === 'replace' || a.kind === 'destroy')) continue;
    const target = a.resource.replace(/^\S+\s+/, ''); // "lv vg_jts/lv_kafka" → "vg_jts/lv_kafka"
    // A drive's own replace (the diff's pvcreate on a non-blank drive) follows the drive's verdict
    // above, so any accepted name of the drive (id, by-id, serial, WWN) allows it, and its losses
    // are listed once.
    const drive = report.drives.find((d) => d.driveId === target);
    if (drive) {
      if (!drive.allowed && !drive.hard && drive.contents.length === 0) {
        report.refusals.push(`${a.kind} of ${a.resource} would destroy ${a.destructive?.loses ?? 'what is on it'} (forced by: ${a.destructive?.forcedBy ?? 'the plan'}). Refused; to allow it, pass --allow-destroy ${target}`);
      }
      continue;
    }
    const allowed = inp.allowDestroy.some((x) => x === target || x === a.id || x === a.resource);
    const forced = a.destructive?.forcedBy ?? 'the plan';
    const loses = a.destructive?.loses ?? `everything on ${target}`;
    if (!allowed) report.refusals.push(`${a.kind} of ${a.resource} would destroy ${loses} (forced by: ${forced}). Refused; to allow it, pass --allow-destroy ${target}`);
    else report.losses.push({ target: a.resource, loses: [`${loses} (forced by: ${forced})`] });
  }
  return report;
}
