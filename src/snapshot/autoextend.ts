/**
 * Fill watch: lvm.conf `activation/snapshot_autoextend_threshold` and `snapshot_autoextend_percent`.
 * dmeventd extends a monitored classic snapshot by `percent` of its size when its COW fill passes
 * `threshold` (100 disables; values under 50 are read as 50). It needs the snapshot to be monitored
 * (`lvchange --monitor y`, and activation/monitoring = 1) and dmeventd running. These settings are not
 * profilable (not in LVM's metadata profile template), so they go into lvm.conf's activation section.
 *
 * The edit is textual and minimal: existing uncommented keys at depth 1 of the top-level `activation`
 * section are replaced in place; missing ones are added before the section's closing brace; every other
 * byte of the file is kept. The candidate is read back with `lvmconfig` (LVM_SYSTEM_DIR pointed at a
 * temporary copy) before it replaces /etc/lvm/lvm.conf atomically, with a backup of the old file.
 */
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { AutoextendConfig } from './create.js';
import type { Action, ActionRunner } from '../model/actions.js';
import { detail, execAction, mkdirAction, must } from './actions.js';

export const LVM_CONF = '/etc/lvm/lvm.conf';

export async function readAutoextend(runner: Runner, env?: Record<string, string>): Promise<AutoextendConfig> {
  const r = await runner.run(
    ['lvmconfig', '--type', 'full', 'activation/snapshot_autoextend_threshold', 'activation/snapshot_autoextend_percent', 'activation/monitoring'],
    { env },
  );
  if (!ok(r)) throw new UserError(`lvmconfig failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  const kv = parseKeyValues(r.stdout);
  return {
    threshold: Number(kv.snapshot_autoextend_threshold ?? 100),
    percent: Number(kv.snapshot_autoextend_percent ?? 20),
    monitoring: (kv.monitoring ?? '1') !== '0',
  };
}

/** lvmconfig prints `key=value` lines (values of strings in quotes). */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** Strip a `#` comment that is not inside double quotes. */
function code(line: string): string {
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== '\\') q = !q;
    else if (c === '#' && !q) return line.slice(0, i);
  }
  return line;
}

export function setActivationSettings(text: string, settings: Record<string, number>): string {
  const lines = text.split('\n');
  let depth = 0;
  let inAct = false;
  let closeAt = -1;
  const done = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const c = code(lines[i]!);
    if (depth === 0 && /^\s*activation\s*\{/.test(c)) {
      if (/\}/.test(c.replace(/^\s*activation\s*\{/, ''))) throw new UserError(`${LVM_CONF}:${i + 1}: a one-line activation section is not edited automatically; split it over lines`);
      inAct = true;
      depth = 1;
      continue;
    }
    if (inAct && depth === 1) {
      const m = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(c);
      if (m && m[2]! in settings) {
        lines[i] = `${m[1]}${m[2]} = ${settings[m[2]!]}`;
        done.add(m[2]!);
      }
    }
    for (const ch of c) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    if (inAct && depth === 0) {
      closeAt = i;
      inAct = false;
      break;
    }
  }
  const missing = Object.keys(settings).filter((k) => !done.has(k));
  if (missing.length === 0) return lines.join('\n');
  const add = ['\t# jts-storage: snapshot fill watch (plan tuning.snapshotAutoextend)', ...missing.map((k) => `\t${k} = ${settings[k]}`)];
  if (closeAt >= 0) {
    lines.splice(closeAt, 0, ...add);
    return lines.join('\n');
  }
  const body = lines.join('\n');
  return `${body}${body.endsWith('\n') ? '' : '\n'}activation {\n${add.join('\n')}\n}\n`;
}

export interface AutoextendApply {
  changed: boolean;
  path: string;
  backup?: string;
  before: AutoextendConfig;
  after: AutoextendConfig;
  monitored: { id: string; ok: boolean; error?: string }[];
}

/**
 * Write lvm.conf's snapshot_autoextend_threshold/percent (checked first: the candidate is read back
 * with lvm's own parser from a scratch LVM_SYSTEM_DIR) and turn on dmeventd monitoring of `snapshots`.
 * Every change is an Action through `act`; under --dry-run the lvm.conf write and the monitoring are
 * recorded, nothing is written (the read-back needs the scratch copy, so it is skipped).
 */
export async function applyAutoextend(
  runner: Runner,
  act: ActionRunner,
  want: { threshold: number; percent: number },
  snapshots: { id: string }[],
  opts: { confPath?: string; scratchDir?: string } = {},
): Promise<AutoextendApply> {
  const path = opts.confPath ?? LVM_CONF;
  const before = await readAutoextend(runner);
  const old = (await runner.readFileIfExists(path)) ?? '';
  const next = setActivationSettings(old, { snapshot_autoextend_threshold: want.threshold, snapshot_autoextend_percent: want.percent });
  const res: AutoextendApply = { changed: next !== old, path, before, after: before, monitored: [] };
  const file = (p: string, content: string, summary: string): Action => ({
    id: `snapshot:autoextend:${p}`,
    kind: 'change',
    resource: `file ${p}`,
    summary,
    dependsOn: [],
    steps: [{ type: 'write-file', path: p, content, backup: false }],
  });
  if (res.changed) {
    if (!act.dryRun) {
      // Read the candidate back with lvm's own parser before it replaces the real file.
      const scratch = opts.scratchDir ?? '/run/jts-storage/lvmconf-check';
      await must(act, mkdirAction(scratch, 0o700, 'scratch LVM_SYSTEM_DIR for the lvm.conf check'), (d) => `cannot create ${scratch}: ${d}`);
      await must(act, file(`${scratch}/lvm.conf`, next, 'candidate lvm.conf, read back by lvm before it replaces the real one'), (d) => `cannot write ${scratch}/lvm.conf: ${d}`);
      const got = await readAutoextend(runner, { LVM_SYSTEM_DIR: scratch });
      await act.run(execAction(`file ${scratch}/lvm.conf`, 'remove the checked candidate', ['rm', '-f', '--', `${scratch}/lvm.conf`], { kind: 'destroy' }));
      if (got.threshold !== want.threshold || got.percent !== want.percent)
        throw new UserError(`the edited lvm.conf reads back as threshold ${got.threshold}, percent ${got.percent} (wanted ${want.threshold}, ${want.percent}); ${path} left unchanged`);
    }
    res.backup = `${path}.jts-backup`;
    await must(act, file(res.backup, old, `backup of ${path}`), (d) => `cannot write ${res.backup}: ${d}`);
    await must(act, file(path, next, `activation: snapshot_autoextend_threshold = ${want.threshold}, snapshot_autoextend_percent = ${want.percent}`), (d) => `cannot write ${path}: ${d}`);
  }
  if (act.dryRun) {
    for (const sn of snapshots) await act.run(execAction(`snapshot ${sn.id}`, 'dmeventd monitoring (autoextend)', ['lvchange', '--monitor', 'y', sn.id], { timeoutMs: 60_000 }));
    return res;
  }
  res.after = await readAutoextend(runner);
  for (const sn of snapshots) {
    const r = await act.run(execAction(`snapshot ${sn.id}`, 'dmeventd monitoring (autoextend)', ['lvchange', '--monitor', 'y', sn.id], { timeoutMs: 60_000 }));
    res.monitored.push({ id: sn.id, ok: r.ok, error: r.ok ? undefined : detail(r) });
  }
  return res;
}
