/** One finding per line, compiler style, so editors jump to the place: `file:line:col: error RULE message (source)`. */
import type { Finding } from '../model/actions.js';
import type { Colors } from './color.js';
import { colors } from './color.js';

export function formatFinding(f: Finding, c: Colors = colors(false)): string {
  const loc = f.file ? `${f.file}:${f.line ?? 1}:${f.col ?? 1}: ` : '';
  const sev = f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
  const field = f.field && !f.message.includes(f.field) ? ` [${f.field}]` : '';
  const over = f.overridden ? ` [overridden: ${f.overridden}]` : '';
  const src = f.source ? ` (${f.source})` : '';
  return `${loc}${sev} ${f.rule} ${f.message}${field}${over}${src}`;
}
