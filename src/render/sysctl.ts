/**
 * /etc/sysctl.d file for the kernel settings the plan asks for — and only those. Each setting carries
 * the plan's reason (the vendor's words and where they are) as a comment above it. No setting is
 * added by default: a storage tool has no business changing vm.* behind the operator's back.
 */
import type { Plan } from '../model/plan-schema.js';
import { managedHeader, type RenderedFile } from './types.js';
import { assertSame, hasOddChar, parseSysctlConf, RenderError } from './parse-back.js';

export const SYSCTL_PATH = '/etc/sysctl.d/60-jts-storage.conf';

/** sysctl.d(5) keys: dot-separated words; '/' separators are not accepted to keep one spelling. */
export const SYSCTL_KEY_RE = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;

export function renderSysctl(plan: Plan, planFile?: string): RenderedFile | undefined {
  const s = plan.tuning.sysctl;
  if (!s.length) return undefined;
  const lines = [managedHeader(plan.name, planFile, 'kernel settings the plan asks for'), ''];
  for (const e of s) {
    // one comment line per reason, one `key = value` line per setting: nothing the format reads as a line end
    if (!SYSCTL_KEY_RE.test(e.key)) throw new RenderError(`sysctl.d: key ${JSON.stringify(e.key)} is not a sysctl key`);
    if (hasOddChar(e.value) || /[#;=]/.test(e.value) || e.value.trim() !== e.value || e.value === '') throw new RenderError(`sysctl.d: value ${JSON.stringify(e.value)} of ${e.key} cannot be written as one setting`);
    if (hasOddChar(e.reason) || hasOddChar(e.override ?? '')) throw new RenderError(`sysctl.d: the reason of ${e.key} holds a control character`);
    lines.push(`# ${e.reason}`);
    if (e.override) lines.push(`# outside the storage allow-list: ${e.override}`);
    lines.push(`${e.key} = ${e.value}`, '');
  }
  const content = lines.join('\n');
  const back = parseSysctlConf(content);
  assertSame(SYSCTL_PATH, { entries: s.map((e) => ({ key: e.key, value: e.value })), bad: [] }, back);
  return { path: SYSCTL_PATH, content, mode: 0o644, summary: `sysctl: ${s.map((e) => e.key).join(', ')}` };
}

/** /proc/sys path of a dotted key. */
export function procSysPath(key: string): string {
  return '/proc/sys/' + key.split('.').join('/');
}

/** Compare as the kernel prints: multi-value settings are tab-separated in /proc/sys. */
export function sysctlValueEquals(a: string, b: string): boolean {
  return a.trim().split(/\s+/).join(' ') === b.trim().split(/\s+/).join(' ');
}
