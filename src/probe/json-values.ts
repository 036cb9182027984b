/**
 * Value readers tolerant of the tools' versions: util-linux before 2.37 prints every lsblk value as a
 * string ("rota": "0", "size": "4000787030016"); LVM's "json" format prints strings and "json_std"
 * (lvm2 2.03.x) prints numbers. Every parser reads through these, so both generations parse.
 */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Parse JSON from a tool, skipping any warning text some tools print before the first `{`. */
export function parseToolJson(text: string, tool: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) throw new Error(`${tool}: no JSON object in the output`);
  try {
    return JSON.parse(text.slice(start));
  } catch (e) {
    throw new Error(`${tool}: invalid JSON (${(e as Error).message})`);
  }
}

export function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
