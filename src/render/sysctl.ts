/**
 * /etc/sysctl.d file for the kernel settings the plan asks for — and only those. Each setting carries
 * the plan's reason (the vendor's words and where they are) as a comment above it. No setting is
 * added by default: a storage tool has no business changing vm.* behind the operator's back.
 */
import type { Plan } from '../model/plan-schema.js';
import { managedHeader, type RenderedFile } from './types.js';

export const SYSCTL_PATH = '/etc/sysctl.d/60-jts-storage.conf';

/** sysctl.d(5) keys: dot-separated words; '/' separators are not accepted to keep one spelling. */
export const SYSCTL_KEY_RE = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;

export function renderSysctl(plan: Plan, planFile?: string): RenderedFile | undefined {
  const s = plan.tuning.sysctl;
  if (!s.length) return undefined;
  const lines = [managedHeader(plan.name, planFile, 'kernel settings the plan asks for'), ''];
  for (const e of s) {
    for (const r of e.reason.split('\n')) lines.push(`# ${r}`);
    lines.push(`${e.key} = ${e.value}`, '');
  }
  return { path: SYSCTL_PATH, content: lines.join('\n'), mode: 0o644, summary: `sysctl: ${s.map((e) => e.key).join(', ')}` };
}

/** /proc/sys path of a dotted key. */
export function procSysPath(key: string): string {
  return '/proc/sys/' + key.split('.').join('/');
}

/** Compare as the kernel prints: multi-value settings are tab-separated in /proc/sys. */
export function sysctlValueEquals(a: string, b: string): boolean {
  return a.trim().split(/\s+/).join(' ') === b.trim().split(/\s+/).join(' ');
}
