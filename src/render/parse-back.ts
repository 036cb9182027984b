/**
 * Parsers of every file format the product writes, independent of the serializers, and the structural
 * comparison used twice: by each renderer on its own output (a value the format cannot carry is refused,
 * never written), and by the apply preflight (src/render/preflight.ts) on the exact bytes about to be installed.
 *
 * Formats and their line rules:
 * - sysctl.d(5): one `key = value` per line, '#' and ';' start comments; systemd-sysctl ends a line at '\n'
 *   and also at '\r' (so both are line ends here);
 * - udev(7): one rule per line, `KEY[{attr}]OP"value"` pairs separated by ',' and/or spaces; a line ending in
 *   '\' continues; '#' starts a comment line;
 * - systemd.syntax(7): `[Section]` headers, `Key=Value` lines, '#' and ';' comments, '\' at the end continues
 *   the line;
 * - fstab(5): src/render/fstab-format.ts parseFstab (and libmount through `findmnt --tab-file`, in the preflight).
 */
import { UserError } from '../core/exit-codes.js';

/** A renderer was asked to write what its format cannot carry, or its output does not read back as intended. */
export class RenderError extends UserError {
  constructor(message: string) {
    super(message, { code: 'RENDER_REFUSED' });
    this.name = 'RenderError';
  }
}

/** Control, format and invisible characters (the plan grammar's set) plus '\r' and '\n'. */
const ODD = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\uFFFD]/u;
export function hasOddChar(s: string): boolean {
  return ODD.test(s);
}

/** Split on every line end a reader of these formats honours ('\n', '\r'). */
function lines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

// ---------- sysctl.d ----------

export interface SysctlEntry {
  key: string;
  value: string;
}

/** sysctl.d(5) text → its settings, in order. Lines that are neither comments nor `key = value` are returned in `bad`. */
export function parseSysctlConf(text: string): { entries: SysctlEntry[]; bad: string[] } {
  const entries: SysctlEntry[] = [];
  const bad: string[] = [];
  for (const raw of lines(text)) {
    const l = raw.trim();
    if (!l || l.startsWith('#') || l.startsWith(';')) continue;
    const m = /^-?([^=\s]+)\s*=\s*(.*)$/.exec(l);
    if (!m) bad.push(raw);
    else entries.push({ key: m[1]!.replaceAll('/', '.'), value: m[2]!.trim() });
  }
  return { entries, bad };
}

// ---------- udev ----------

export interface UdevPair {
  key: string;
  op: string;
  value: string;
}

/** One udev(7) rule line → its key/op/value pairs; throws on anything else (an unbalanced quote, a stray word). */
export function parseUdevLine(line: string): UdevPair[] {
  const out: UdevPair[] = [];
  let s = line.trim();
  while (s.length) {
    const m = /^([A-Za-z_]+(?:\{[^}"]*\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*,?\s*/.exec(s);
    if (!m) throw new RenderError(`udev rule: cannot read ${JSON.stringify(s.slice(0, 60))}`);
    out.push({ key: m[1]!, op: m[2]!, value: m[3]! });
    s = s.slice(m[0].length);
  }
  return out;
}

/** udev(7) rules text → rules (comment and blank lines skipped); a '\' continuation is refused (never written). */
export function parseUdevRules(text: string): UdevPair[][] {
  const rules: UdevPair[][] = [];
  for (const raw of lines(text)) {
    const l = raw.trim();
    if (!l || l.startsWith('#')) continue;
    if (l.endsWith('\\')) throw new RenderError(`udev rule: a continued line ${JSON.stringify(l.slice(0, 60))}`);
    rules.push(parseUdevLine(l));
  }
  return rules;
}

/** Serialize one udev rule; refuses keys, operators and values udev(7) cannot carry unchanged. */
export function udevRuleLine(pairs: UdevPair[]): string {
  for (const p of pairs) {
    if (!/^[A-Z_]+(\{[A-Za-z0-9_/.-]+\})?$/.test(p.key)) throw new RenderError(`udev rule: key ${JSON.stringify(p.key)} is not a udev key`);
    if (!['==', '!=', '=', '+=', '-=', ':='].includes(p.op)) throw new RenderError(`udev rule: operator ${JSON.stringify(p.op)}`);
    if (/["\\]/.test(p.value) || hasOddChar(p.value)) throw new RenderError(`udev rule: value ${JSON.stringify(p.value)} holds a quote, a backslash or a control character`);
  }
  return pairs.map((p) => `${p.key}${p.op}"${p.value}"`).join(', ');
}

// ---------- systemd units ----------

export type UnitSections = [string, [string, string][]][];

/** systemd.syntax(7) text → sections with their Key=Value entries in order; anything else is in `bad`. */
export function parseUnit(text: string): { sections: UnitSections; bad: string[] } {
  const sections: UnitSections = [];
  const bad: string[] = [];
  for (const raw of lines(text)) {
    const l = raw.trim();
    if (!l || l.startsWith('#') || l.startsWith(';')) continue;
    if (l.endsWith('\\')) {
      bad.push(raw);
      continue;
    }
    const sec = /^\[([^\]]+)\]$/.exec(l);
    if (sec) {
      sections.push([sec[1]!, []]);
      continue;
    }
    const kv = /^([A-Za-z0-9-]+)\s*=\s*(.*)$/.exec(l);
    if (!kv || sections.length === 0) bad.push(raw);
    else sections[sections.length - 1]![1].push([kv[1]!, kv[2]!]);
  }
  return { sections, bad };
}

/** Check one unit entry before it is written: one line, no '\' continuation, no stray specifier. */
export function unitEntryError(key: string, value: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) return `unit key ${JSON.stringify(key)}`;
  if (hasOddChar(value)) return `${key}= holds a control character`;
  if (value.endsWith('\\')) return `${key}= ends in '\\' (a line continuation)`;
  if (value !== value.trim()) return `${key}= has leading or trailing whitespace`;
  // '%' is a specifier everywhere (systemd.unit(5) "Specifiers"); only '%%' (a literal '%') is written.
  if (/%(?!%)/.test(value.replace(/%%/g, ''))) return `${key}= holds a '%' specifier`;
  return undefined;
}

/** Serialize unit sections (each entry checked), header comment first. */
export function serializeUnit(header: string, sections: UnitSections): string {
  for (const [name, entries] of sections) {
    if (!/^[A-Za-z]+$/.test(name)) throw new RenderError(`unit section ${JSON.stringify(name)}`);
    for (const [k, v] of entries) {
      const e = unitEntryError(k, v);
      if (e) throw new RenderError(`systemd unit [${name}]: ${e}`);
    }
  }
  const body = sections.map(([name, entries]) => `[${name}]\n${entries.map(([k, v]) => `${k}=${v}`).join('\n')}\n`).join('\n');
  return `${header}\n\n${body}`;
}

// ---------- comparison ----------

/** First difference between two JSON-like values, as a path and both sides; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path || '(top)'}: ${a.length} item(s) intended, ${b.length} read back`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  return `${path || '(top)'}: intended ${JSON.stringify(a)}, read back ${JSON.stringify(b)}`;
}

/** Throw a RenderError when what was parsed back differs from what was intended. */
export function assertSame(what: string, intended: unknown, parsedBack: unknown): void {
  const d = firstDifference(intended, parsedBack);
  if (d) throw new RenderError(`${what} does not read back as intended (${d}); nothing is written`);
}
