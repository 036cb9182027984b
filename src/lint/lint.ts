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
import { suggest } from '../model/load-plan.js';
import type { HostState } from '../model/host-state.js';
import { parseFieldPath, type Layout } from '../model/capacity.js';
import type { Finding } from '../model/actions.js';
import { formatBytes } from '../model/units.js';
import { RULES, RULE_BY_ID } from './rules.js';
import { lintLvm } from './lvm-rules.js';
import { lintVolume } from './volume-rules.js';
import { lintDanger } from './danger-rules.js';
import { lintTargetTools } from './target-tool-rules.js';
import { makeEmit, type LintContext } from './context.js';

export interface LintOptions {
  /** Kernel release of the target host (uname -r); defaults to state.kernelRelease. */
  kernelRelease?: string;
}

/** All lint findings (errors, warnings, infos) with file:line:col, rule id, fact and source. */
export function lintPlan(loaded: LoadedPlan, state: HostState, layout: Layout, opts: LintOptions = {}): Finding[] {
  const { plan, file } = loaded;
  const kernel = opts.kernelRelease ?? state.kernelRelease;
  const out: Finding[] = [];

  const emit = makeEmit(loaded, out);
  const ctx: LintContext = { loaded, plan, state, layout, kernel, emit };

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
  plan.volumes.forEach((v, i) => lintVolume(ctx, v, i));

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

  // Dangerous-but-legal settings (warnings), then what lvm2/useradd/mount.cifs would refuse on this host
  lintDanger(ctx);
  lintTargetTools(ctx);

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
}

/** Split findings for output: { errors, warnings, infos }. */
export function partitionFindings(findings: Finding[]) {
  return {
    errors: findings.filter((f) => f.severity === 'error'),
    warnings: findings.filter((f) => f.severity === 'warning'),
    infos: findings.filter((f) => f.severity === 'info'),
  };
}
