// verify: the live host vs the plan, read-only. Every difference is one drift item with what the
// plan expects and what the host has. Commands: the probe (one call per tool), then one
// `tune2fs -l` / `xfs_info` per formatted volume (their facts are per filesystem).
import type { Runner } from '../core/runner.js';
import type { Plan, Volume } from '../model/plan-schema.js';
import type { LvInfo } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { ProbedState } from '../probe/types.js';
import { desiredFstabEntries, managedEntries, findManagedBlocks } from '../render/fstab-format.js';
import { desiredReadAhead } from '../facts/readahead-defaults.js';
import { mountOptionMismatches } from './mount-options.js';
import { parseXfsSize, FS_FILL_SLACK_BYTES, isShort } from './fs-info.js';
import { ext4Bytes, readExt4, readXfs, xfsBytes } from '../host/fs-info.js';
import { dmName } from '../host/lvm.js';

export interface DriftItem {
  resource: string;
  check: string;
  expected: string;
  found: string;
}

export interface VerifyReport {
  clean: boolean;
  drift: DriftItem[];
  /** How many facts were compared. */
  checks: number;
  /** Facts that could not be checked (tool missing, …): not drift, but said. */
  notes: string[];
}


/** Every name the kernel, udev or LVM may give a volume's device. */
export function lvDeviceNames(vg: string, lv: string, info?: LvInfo): string[] {
  return [...new Set([`/dev/${vg}/${lv}`, `/dev/mapper/${dmName(vg, lv)}`, ...(info ? [info.path, info.dmPath ?? ''] : [])].filter(Boolean))];
}

function modeStr(m: number): string {
  return m.toString(8).padStart(4, '0');
}

export class Verifier {
  readonly drift: DriftItem[] = [];
  readonly notes: string[] = [];
  checks = 0;
  constructor(
    private readonly runner: Runner,
    private readonly plan: Plan,
    private readonly state: ProbedState,
    private readonly layout: Layout,
  ) {}

  private expect(resource: string, check: string, expected: unknown, found: unknown, same?: boolean): boolean {
    this.checks++;
    const e = String(expected);
    const f = found === undefined ? '(missing)' : String(found);
    if (same ?? e === f) return true;
    this.drift.push({ resource, check, expected: e, found: f });
    return false;
  }

  async run(): Promise<VerifyReport> {
    for (const vgl of this.layout.vgs) {
      const vg = this.state.vgs.find((v) => v.name === vgl.name);
      if (!this.expect(`vg ${vgl.name}`, 'exists', 'present', vg ? 'present' : undefined)) continue;
      this.expect(`vg ${vgl.name}`, 'extent size', vgl.extentSizeBytes, vg!.extentSizeBytes);
      for (const vl of vgl.volumes) {
        const lv = this.state.lvs.find((l) => l.vgName === vgl.name && l.name === vl.name);
        const res = `lv ${vgl.name}/${vl.name}`;
        if (!this.expect(res, 'exists', 'present', lv ? 'present' : undefined)) continue;
        if (vl.thinPool) this.expect(res, 'virtual size (bytes)', vl.virtualSizeBytes ?? vl.sizeBytes, lv!.sizeBytes);
        else this.expect(res, 'size (extents)', vl.extents, Math.round(lv!.sizeBytes / vgl.extentSizeBytes));
        const vol = this.plan.volumes.find((v) => v.vg === vgl.name && v.name === vl.name);
        if (vol) await this.volume(vol, lv!);
      }
    }
    for (const n of this.plan.networkMounts) this.networkMount(n);
    this.fstab();
    this.accounts();
    return { clean: this.drift.length === 0, drift: this.drift, checks: this.checks, notes: this.notes };
  }

  private async volume(v: Volume, lv: LvInfo): Promise<void> {
    const res = `lv ${v.vg}/${v.name}`;
    const ra = desiredReadAhead(v).sectors;
    if (lv.readAheadSectors !== undefined) this.expect(res, 'read-ahead (sectors)', ra, lv.readAheadSectors);
    const fsType = v.filesystem.type;
    if (fsType === 'none') return;
    const names = lvDeviceNames(v.vg, v.name, lv);
    const fs = this.state.filesystems.find((f) => names.includes(f.device));
    const fres = `fs ${v.vg}/${v.name}`;
    if (!this.expect(fres, 'type', fsType, fs?.type)) return;
    if (v.filesystem.label !== undefined) this.expect(fres, 'label', v.filesystem.label, fs?.label ?? '');
    if (fsType === 'ext4') await this.ext4(v, lv.path, fres, lv.sizeBytes);
    else if (fsType === 'xfs') await this.xfs(v, lv.path, fres, lv.sizeBytes);
    if (v.mount && fsType !== 'swap') this.mount(v, names);
  }

  /** The filesystem fills its LV (a grow cut after lvextend's commit leaves it short: src/pipeline/fs-fill.ts). */
  private fills(res: string, lvBytes: number, fsBytes: number): void {
    if (!Number.isFinite(fsBytes) || fsBytes <= 0) return;
    this.expect(res, 'size (bytes, fills its LV)', `${lvBytes} (within ${FS_FILL_SLACK_BYTES / 2 ** 20} MiB)`, fsBytes, !isShort(lvBytes, fsBytes));
  }

  private async ext4(v: Volume, dev: string, res: string, lvBytes: number): Promise<void> {
    const got = await readExt4(this.runner, dev);
    if (!got.ok) {
      this.notes.push(`${res}: tune2fs -l: ${got.reason}; features not checked`);
      return;
    }
    const f = got.value;
    const fsBytes = ext4Bytes(f);
    if (fsBytes !== undefined) this.fills(res, lvBytes, fsBytes);
    const feats = new Set(f.features);
    for (const want of v.filesystem.features) {
      const off = want.startsWith('^');
      const name = off ? want.slice(1) : want;
      this.expect(res, `feature ${name}`, off ? 'off' : 'on', feats.has(name) ? 'on' : 'off');
    }
    if (v.filesystem.reservedPercent !== undefined && f.blockCount !== undefined && f.reservedBlockCount !== undefined && f.blockCount > 0) {
      const pct = (f.reservedBlockCount / f.blockCount) * 100;
      this.expect(res, 'reserved blocks %', v.filesystem.reservedPercent, Math.round(pct * 100) / 100, Math.abs(pct - v.filesystem.reservedPercent) < 0.05);
    }
    if (v.filesystem.inodeRatio !== undefined && fsBytes !== undefined && f.inodeCount !== undefined && f.inodeCount > 0) {
      const ratio = fsBytes / f.inodeCount;
      // mke2fs rounds the inode count up to fill whole inode-table blocks per group: allow 5 %.
      this.expect(res, 'bytes per inode', v.filesystem.inodeRatio, Math.round(ratio), Math.abs(ratio - v.filesystem.inodeRatio) / v.filesystem.inodeRatio < 0.05);
    }
  }

  private async xfs(v: Volume, dev: string, res: string, lvBytes: number): Promise<void> {
    const got = await readXfs(this.runner, dev);
    if (!got.ok) {
      this.notes.push(`${res}: xfs_info: ${got.reason}; geometry not checked`);
      return;
    }
    const x = got.value;
    const fsBytes = xfsBytes(x);
    if (fsBytes !== undefined) this.fills(res, lvBytes, fsBytes);
    const opt = (list: string[], key: string) => list.find((o) => o.startsWith(key + '='))?.slice(key.length + 1);
    const ag = opt(v.filesystem.data, 'agcount');
    if (ag !== undefined) this.expect(res, 'agcount', Number(ag), x.agcount);
    const su = opt(v.filesystem.data, 'su');
    if (su !== undefined && x.blockSize) this.expect(res, 'stripe unit (bytes)', parseXfsSize(su), (x.sunit ?? 0) * x.blockSize);
    const logSize = opt(v.filesystem.log, 'size');
    if (logSize !== undefined && x.logBlockSize) this.expect(res, 'log size (bytes)', parseXfsSize(logSize), (x.logBlocks ?? 0) * x.logBlockSize);
  }

  private mount(v: Volume, names: string[]): void {
    const m = v.mount!;
    const res = `mount ${m.path}`;
    const live = this.state.mounts.filter((x) => x.target === m.path);
    const cur = live[live.length - 1]; // the top one, if stacked
    if (!this.expect(res, 'mounted', 'mounted', cur ? 'mounted' : undefined)) return;
    const src = cur!.source.replace(/\[.*$/, '');
    this.expect(res, 'device', `/dev/${v.vg}/${v.name}`, names.includes(src) ? `/dev/${v.vg}/${v.name}` : src);
    this.expect(res, 'fstype', v.filesystem.type, cur!.fstype);
    const bad = mountOptionMismatches(v.filesystem.type, m.options, cur!.options);
    this.checks++;
    for (const b of bad) this.drift.push({ resource: res, check: `option ${b.option}`, expected: b.expected ?? b.option, found: b.found ?? `(not in ${cur!.options.join(',')})` });
    // Owner, group, mode of the mounted root (the stat sees the filesystem's root directory).
    const st = this.state.paths?.[m.path];
    if (!this.expect(res, 'root directory', 'present', st ? 'present' : undefined)) return;
    const user = this.state.passwd?.find((u) => u.id === st!.uid)?.name ?? String(st!.uid);
    const group = this.state.groupEntries?.find((g) => g.id === st!.gid)?.name ?? String(st!.gid);
    this.expect(res, 'owner', m.owner, user);
    this.expect(res, 'group', m.group, group);
    this.expect(res, 'mode', modeStr(parseInt(m.mode, 8)), modeStr(st!.mode));
  }

  /**
   * A cold-tier NFS/CIFS mount: mounted, from the plan's source. Options are not compared: the server
   * and the client negotiate them (vers=, rsize=, …). `type: nfs` may come up as nfs4 (the client
   * negotiates version 4 unless vers= says otherwise).
   */
  private networkMount(n: Plan['networkMounts'][number]): void {
    const res = `mount ${n.path}`;
    const live = this.state.mounts.filter((x) => x.target === n.path);
    const cur = live[live.length - 1];
    if (!this.expect(res, 'mounted', 'mounted', cur ? 'mounted' : undefined)) return;
    this.expect(res, 'source', n.source, cur!.source);
    const fsTypes = n.type === 'nfs' ? ['nfs', 'nfs4'] : [n.type];
    this.expect(res, 'fstype', n.type, cur!.fstype, fsTypes.includes(cur!.fstype));
  }

  private fstab(): void {
    const text = this.state.fstab ?? '';
    const want = desiredFstabEntries(this.plan, new Map());
    let blocks = 0;
    try {
      blocks = findManagedBlocks(text).length;
    } catch (e) {
      this.expect('fstab', 'managed block', 'one well-formed block', (e as Error).message);
      return;
    }
    if (want.length === 0 && blocks === 0) return;
    if (!this.expect('fstab', 'managed block', 1, blocks)) return;
    const have = managedEntries(text);
    for (const w of want) {
      const h = have.find((x) => x.file === w.file);
      const res = `fstab ${w.file}`;
      if (!this.expect(res, 'entry', 'present', h ? 'present' : undefined)) continue;
      // UUID= is as good as the path when it names the same filesystem.
      const uuidOk = h!.spec.startsWith('UUID=') && this.state.filesystems.some((f) => f.uuid === h!.spec.slice(5) && lvPathMatches(w.spec, f.device));
      this.expect(res, 'device', w.spec, h!.spec, h!.spec === w.spec || uuidOk);
      this.expect(res, 'type', w.vfstype, h!.vfstype);
      this.expect(res, 'options', w.mntops.join(','), h!.mntops.join(','));
      this.expect(res, 'pass', w.passno, h!.passno);
    }
    for (const h of have) if (!want.some((w) => w.file === h.file)) this.expect(`fstab ${h.file}`, 'entry', '(none)', `${h.spec} ${h.vfstype}`);
  }

  private accounts(): void {
    for (const u of this.plan.users) {
      const p = this.state.passwd?.find((x) => x.name === u.name);
      if (!this.expect(`user ${u.name}`, 'exists', 'present', p ? 'present' : undefined)) continue;
      // apply gives the plan's shell to the accounts it creates and never rewrites an existing
      // account (the spec's `useradd … || true`; a distribution package may own it, e.g. Debian's
      // postgresql creates postgres with /bin/bash): a different shell is said, not counted as drift.
      this.checks++;
      if ((p!.shell ?? '') !== u.shell) this.notes.push(`user ${u.name}: shell is ${p!.shell ?? '(none)'}, the plan creates it with ${u.shell}; existing accounts are not changed (usermod --shell ${u.shell} ${u.name} to align)`);
      if (u.group) {
        const g = this.state.groupEntries?.find((x) => x.name === u.group);
        this.expect(`user ${u.name}`, 'primary group', u.group, this.state.groupEntries?.find((x) => x.id === p!.gid)?.name ?? p!.gid, g !== undefined && g.id === p!.gid);
      }
    }
    for (const g of this.plan.groups) this.expect(`group ${g}`, 'exists', 'present', this.state.groupEntries?.some((x) => x.name === g) ? 'present' : undefined);
  }
}

function lvPathMatches(spec: string, device: string): boolean {
  const m = /^\/dev\/([^/]+)\/([^/]+)$/.exec(spec);
  return m ? lvDeviceNames(m[1]!, m[2]!).includes(device) : spec === device;
}

/** The paths verify needs stat'ed by the probe. */
export function verifyPaths(plan: Plan): string[] {
  return plan.volumes.flatMap((v) => (v.mount ? [v.mount.path] : []));
}

export async function verifyHost(runner: Runner, plan: Plan, state: ProbedState, layout: Layout): Promise<VerifyReport> {
  return new Verifier(runner, plan, state, layout).run();
}

export function formatVerifyReport(r: VerifyReport): string {
  const lines: string[] = [];
  if (r.clean) lines.push(`verify: clean (${r.checks} checks, host matches the plan)`);
  else {
    lines.push(`verify: ${r.drift.length} drift item(s) in ${r.checks} checks:`);
    for (const d of r.drift) lines.push(`  ~ ${d.resource}: ${d.check}: expected ${d.expected}, found ${d.found}`);
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
