import { RenderError } from './parse-back.js';
/** One file a renderer produces: its install path, its exact content, and a line saying what it is. */
export interface RenderedFile {
  /** Absolute path where `tune apply` / `apply` installs it. */
  path: string;
  content: string;
  mode: number;
  /** One human line: what the file does. */
  summary: string;
}

/**
 * Printable ASCII for a '#' comment line: anything else (a line end, '\r', a control or non-ASCII
 * character) is written as a \xHH / \u{…} escape, so a plan file's path can never end the comment.
 */
export function commentSafe(s: string): string {
  return [...s].map((c) => (/^[\x20-\x7e]$/.test(c) && c !== '\\' ? c : c === '\\' ? '\\\\' : `\\u{${c.codePointAt(0)!.toString(16)}}`)).join('');
}

/**
 * The comment every managed file starts with (udev, systemd and sysctl.d take '#' comments). The plan name
 * must be a plan name (src/model/grammars.ts PLAN_NAME_RE); the plan file's path is escaped (commentSafe).
 */
/**
 * Whether a file's text is one jts-storage wrote: it starts with managedHeader's first line (every managed
 * udev, systemd, sysctl.d and LVM profile file has had it since the renderers were written). A file at a
 * managed path without it was made by someone else: removing it needs the user's consent.
 */
export function isManagedText(content: string): boolean {
  return content.startsWith('# Managed by jts-storage (');
}

export function managedHeader(planName: string, planFile: string | undefined, what: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(planName)) throw new RenderError(`plan name ${JSON.stringify(planName)} cannot be written into a managed file's header`);
  return [
    `# Managed by jts-storage (plan "${planName}"${planFile ? `, ${commentSafe(planFile)}` : ''}): ${commentSafe(what)}.`,
    '# Do not edit: `jts-storage tune apply` rewrites this file from the plan.',
  ].join('\n');
}
