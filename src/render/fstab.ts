/**
 * The fstab managed block, exactly as apply writes it (src/render/fstab-format.ts owns the format): the block
 * alone, or merged into a given /etc/fstab text (everything outside the block kept byte for byte).
 */
import type { Plan } from '../model/plan-schema.js';
import { desiredFstabEntries, mergeManagedBlock, type FstabOptions } from './fstab-format.js';
import type { RenderedFile } from './types.js';

/** The one path of the fstab file (fstab(5)) that diff, render and apply write. */
export const FSTAB_PATH = '/etc/fstab';

export function renderFstabBlock(plan: Plan, opts: FstabOptions = {}, uuids = new Map<string, string>()): string {
  return mergeManagedBlock('', desiredFstabEntries(plan, uuids, opts));
}

export function renderFstabMerged(plan: Plan, currentFstab: string, opts: FstabOptions = {}, uuids = new Map<string, string>()): RenderedFile {
  const entries = desiredFstabEntries(plan, uuids, opts);
  return { path: FSTAB_PATH, content: mergeManagedBlock(currentFstab, entries), mode: 0o644, summary: `fstab: ${entries.length} managed entr${entries.length === 1 ? 'y' : 'ies'}` };
}
