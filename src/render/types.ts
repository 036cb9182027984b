/** One file a renderer produces: its install path, its exact content, and a line saying what it is. */
export interface RenderedFile {
  /** Absolute path where `tune apply` / `apply` installs it. */
  path: string;
  content: string;
  mode: number;
  /** One human line: what the file does. */
  summary: string;
}

/** The comment every managed file starts with (udev and systemd both take '#' comments). */
export function managedHeader(planName: string, planFile: string | undefined, what: string): string {
  return [
    `# Managed by jts-storage (plan "${planName}"${planFile ? `, ${planFile}` : ''}): ${what}.`,
    '# Do not edit: `jts-storage tune apply` rewrites this file from the plan.',
  ].join('\n');
}
