/**
 * What every lint rule group sees: the loaded plan, the host state (probed or described), the resolved
 * layout, the target kernel and one `emit` that locates a finding at its field (file:line:col) and adds the
 * rule's fact and source (rules.ts). lint.ts builds it; the rule groups (volume-rules.ts, mount-rules.ts,
 * account-rules.ts, danger-rules.ts, target-tool-rules.ts, lvm-rules.ts) only call emit.
 */
import type { LoadedPlan } from '../model/load-plan.js';
import { fieldPath } from '../model/load-plan.js';
import type { HostState, DriveInfo } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Finding } from '../model/actions.js';
import type { Plan, Volume } from '../model/plan-schema.js';
import { rule } from './rules.js';

export type Emit = (id: string, path: (string | number)[], message: string, extra?: { severity?: Finding['severity']; source?: string }) => void;

export interface LintContext {
  loaded: LoadedPlan;
  plan: Plan;
  state: HostState;
  layout: Layout;
  /** Kernel release of the target (uname -r), when known. */
  kernel?: string;
  emit: Emit;
}

/** An emitter that appends to `out`: message "<message> — <rule fact>", the rule's source unless given, file:line:col of `path`. */
export function makeEmit(loaded: LoadedPlan, out: Finding[]): Emit {
  return (id, path, message, extra = {}) => {
    const r = rule(id);
    const p = loaded.locate(path);
    const f: Finding = {
      rule: id,
      severity: extra.severity ?? r.severity,
      message: `${message} — ${r.fact}`,
      source: extra.source ?? r.source,
      file: loaded.file,
      field: fieldPath(path),
    };
    if (p) {
      f.line = p.line;
      f.col = p.col;
    }
    out.push(f);
  };
}

/** The drives under a volume's VG, when every one of them was matched; undefined otherwise. */
export function volumeDrives(ctx: LintContext, v: Volume): DriveInfo[] | undefined {
  const vg = ctx.plan.volumeGroups.find((g) => g.name === v.vg);
  if (!vg) return undefined;
  const ds = vg.drives.map((id) => ctx.layout.drives.get(id));
  return ds.every(Boolean) ? (ds as DriveInfo[]) : undefined;
}
