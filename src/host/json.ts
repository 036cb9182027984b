/**
 * The one JSON extraction for host tools, and value readers tolerant of the tools' versions.
 *
 * Tools print warnings around their JSON: lvm2 "File descriptor 3 (…) leaked on lvs invocation" (on
 * stderr, but some wrappers merge it into stdout), "WARNING: …" lines, smartctl's banner with
 * `--json=c`. The document starts at the first line whose first non-blank character is `{`, and ends
 * with its matching `}`: text after it (more warnings) is ignored.
 *
 * Versions: util-linux before 2.37 prints every lsblk value as a string ("rota": "0", "size":
 * "4000787030016"); lvm2's "json" format prints strings and "json_std" (lvm2 2.03.x) prints numbers.
 * `num` reads both, and ONLY C-locale numbers: "31,48" (a decimal-comma locale leaking through) is
 * not a number, so the figure is unknown, never a wrong one.
 */
import { HostReadError } from './env.js';

/** Parse the JSON object a tool printed, skipping warning text before and after it. Throws HostReadError. */
export function parseToolJson(text: string, tool: string): unknown {
  const start = jsonStart(text);
  if (start < 0) throw new HostReadError(`${tool}: no JSON object in the output${preview(text)}`);
  const end = matchingBrace(text, start);
  try {
    return JSON.parse(text.slice(start, end < 0 ? undefined : end + 1));
  } catch (e) {
    throw new HostReadError(`${tool}: invalid JSON (${(e as Error).message})`);
  }
}

function preview(text: string): string {
  const l = text.trim().split('\n')[0]?.trim();
  return l ? `: "${l.slice(0, 120)}"` : ' (empty)';
}

/** Offset of the first "{" that begins a line (after blanks), else of the first "{" at all. */
function jsonStart(text: string): number {
  const m = /^[ \t]*\{/m.exec(text);
  if (m) return m.index + m[0].length - 1;
  return text.indexOf('{');
}

/** Offset of the "}" closing the object opened at `start` (strings skipped), or -1. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * A finite number from a JSON number or a C-locale numeric string; undefined otherwise (empty, "-",
 * "unknown", "31,48"). Never NaN.
 */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** True for JSON true, 1, "1", "true". */
export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}

/** A non-empty string (numbers as text); undefined for "", null, missing. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

export function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
