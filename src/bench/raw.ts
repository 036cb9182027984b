import type { Action, ActionRun, ActionRunner } from '../model/actions.js';
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { runTool } from '../host/env.js';
import { parseLvmJson, VGS_FREE_ARGV } from '../host/lvm.js';
import { lsblkDeviceArgv, parseLsblkJson } from '../host/lsblk.js';
import { parseWipefsJson, wipefsProbeArgv } from '../host/wipefs.js';

/**
 * The "raw" side of a ratio: a block device with no filesystem, measured with the same profiles.
 *
 * - `scratch[:VG]` creates a scratch LV in the VG's free space and removes it afterwards: the safe
 *   choice on a live host (it touches nothing that exists, only free extents).
 * - `/dev/...` writes to that device directly, so it is refused unless the device is blank: no
 *   partition table, no filesystem or LVM signature (lsblk and wipefs both asked), no holders, not
 *   mounted. A drive holding data is never written.
 */
export type RawSpec = { kind: 'scratch'; vg?: string } | { kind: 'device'; path: string };

export const SCRATCH_LV = 'jts_bench_scratch';

export function parseRawSpec(s: string): RawSpec {
  if (s === 'scratch') return { kind: 'scratch' };
  if (s.startsWith('scratch:')) {
    const vg = s.slice('scratch:'.length);
    if (!/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/.test(vg)) throw new UserError(`--raw ${s}: "${vg}" is not a valid VG name`);
    return { kind: 'scratch', vg };
  }
  if (s.startsWith('/dev/')) return { kind: 'device', path: s };
  throw new UserError(`--raw ${s}: give "scratch" (a scratch LV in the VG's free space), "scratch:VG", or a blank device under /dev/`);
}

/** Reasons a device must not be written (empty = blank). Pure: lsblk -J and wipefs -J texts in. */
export function blankDeviceProblems(lsblkJson: string, wipefsJson: string): string[] {
  const dev = parseLsblkJson(lsblkJson)[0];
  if (!dev) return ['lsblk does not know the device'];
  const problems: string[] = [];
  if (dev.type !== 'unknown' && !['disk', 'lvm', 'part', 'loop'].includes(dev.type)) problems.push(`device type is "${dev.type}"`);
  if (dev.fstype) problems.push(`it holds a ${dev.fstype} signature`);
  if (dev.pttype) problems.push(`it has a ${dev.pttype} partition table`);
  if (dev.mountpoints.length) problems.push(`it is mounted at ${dev.mountpoints.join(', ')}`);
  if (dev.children.length) problems.push(`it has partitions or holders: ${dev.children.map((c) => c.path).join(', ')}`);
  for (const s of parseWipefsJson(wipefsJson)) problems.push(`wipefs finds a ${s.type ?? '?'} signature at offset ${s.offset ?? '?'}`);
  return problems;
}

export async function checkBlankDevice(runner: Runner, device: string, needBytes: number): Promise<void> {
  const l = await runTool(runner, lsblkDeviceArgv(device));
  if (!ok(l)) throw new UserError(`--raw ${device}: lsblk cannot read it: ${l.stderr.trim() || `exit ${l.exitCode}`}`);
  const w = await runTool(runner, wipefsProbeArgv(device));
  if (!ok(w)) throw new UserError(`--raw ${device}: wipefs cannot read it: ${w.stderr.trim() || `exit ${w.exitCode}`}`);
  const problems = blankDeviceProblems(l.stdout, w.stdout);
  if (problems.length) {
    throw new UserError(
      `--raw ${device}: refused, the device is not blank (${problems.join('; ')}). Writing to it could destroy data. ` +
        'Use --raw scratch (a scratch LV in the volume group\'s free space) instead.',
    );
  }
  const size = parseLsblkJson(l.stdout)[0]?.sizeBytes ?? 0;
  if (size && size < needBytes) throw new UserError(`--raw ${device}: ${size} bytes, smaller than the ${needBytes}-byte test region`);
}

/**
 * `vgs --reportformat json --units b --nosuffix -o vg_name,vg_free` (host/lvm.ts) → free bytes per VG.
 * A VG whose free space LVM did not print as a number is left out (unknown, never NaN).
 */
export function parseVgsFree(json: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of parseLvmJson(json, 'vgs').vgs) if (v.freeBytes !== undefined) out.set(v.name, v.freeBytes);
  return out;
}

/** Create the scratch LV (size rounded up to MiB; LVM rounds up to extents). Returns its device path. */
export async function createScratch(runner: Runner, act: ActionRunner, vgHint: string | undefined, sizeBytes: number): Promise<{ vg: string; device: string }> {
  const r = await runTool(runner, VGS_FREE_ARGV);
  if (!ok(r)) throw new UserError(`--raw scratch: vgs failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  const free = parseVgsFree(r.stdout);
  let vg = vgHint;
  if (!vg) {
    if (free.size !== 1) throw new UserError(`--raw scratch: ${free.size} volume groups on this host (${[...free.keys()].join(', ') || 'none'}); name one: --raw scratch:VG`);
    vg = [...free.keys()][0]!;
  }
  const f = free.get(vg);
  if (f === undefined) throw new UserError(`--raw scratch:${vg}: no such volume group (found: ${[...free.keys()].join(', ') || 'none'})`);
  const mib = Math.ceil(sizeBytes / 2 ** 20);
  if (f < mib * 2 ** 20) {
    throw new UserError(`--raw scratch:${vg}: the VG has ${f} bytes free, the scratch LV needs ${mib} MiB; pass a smaller --size or free some space`);
  }
  const c = await act.run(scratchAction(vg, ['lvcreate', '--yes', '--activate', 'y', '--name', SCRATCH_LV, '--size', `${mib}m`, vg], 'create', `scratch LV for the raw side of the ratios (${mib} MiB)`));
  if (!c.ok) throw new UserError(`--raw scratch: lvcreate ${vg}/${SCRATCH_LV} failed: ${stderrOf(c)}`);
  return { vg, device: `/dev/${vg}/${SCRATCH_LV}` };
}

/** Remove the scratch LV (an Action through `act`); a failure is returned as a note, not thrown. */
export async function removeScratch(act: ActionRunner, vg: string): Promise<string | undefined> {
  const r = await act.run(scratchAction(vg, ['lvremove', '--yes', `${vg}/${SCRATCH_LV}`], 'destroy', 'remove the bench scratch LV'));
  return r.ok ? undefined : `lvremove ${vg}/${SCRATCH_LV} failed (remove it by hand): ${stderrOf(r)}`;
}

function scratchAction(vg: string, argv: string[], kind: 'create' | 'destroy', summary: string): Action {
  return { id: `bench:scratch:${vg}/${SCRATCH_LV}:${kind}`, kind, resource: `lv ${vg}/${SCRATCH_LV}`, summary, dependsOn: [], steps: [{ type: 'exec', argv, mutating: true }] };
}

function stderrOf(r: ActionRun): string {
  const x = r.results[r.results.length - 1];
  return x ? x.stderr.trim() || `exit ${x.exitCode}` : (r.error ?? 'failed');
}
