/**
 * A host's own copy of the plan: the same file with each drive's identity (serial, byId, wwn, path)
 * replaced by the host's (inventory variable jts_storage_drive_ids). Everything else — sizes in %,
 * `rest`, options — is the plan's, resolved by the pipeline against the host's drives. The edit keeps
 * the YAML's comments and layout (yaml Document API), so findings still point at the plan's lines
 * give or take the edited ones.
 */
import { parseDocument, isMap, isSeq } from 'yaml';
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import type { DriveIdentity } from './inventory.js';

const IDENTITY = ['serial', 'byId', 'wwn', 'path'];

/**
 * The plan text with the host's drive identities.
 * @throws UserError when the plan has no drive of a given id (or no drives list)
 */
export function planWithDriveIds(text: string, planFile: string, ids: Record<string, DriveIdentity>): string {
  const doc = parseDocument(text);
  const drives = doc.get('drives');
  if (!isSeq(drives)) throw new UserError(`${planFile}: no drives list to give this host's identities to`, { file: planFile, field: 'drives' });
  for (const [id, ident] of Object.entries(ids)) {
    const d = drives.items.find((n) => isMap(n) && n.get('id') === id);
    if (!isMap(d)) throw new UserError(`jts_storage_drive_ids.${id}: the plan ${planFile} has no drive with id ${id}`, { file: planFile, field: 'drives' });
    for (const k of IDENTITY) d.delete(k);
    for (const [k, v] of Object.entries(ident)) d.set(k, v);
  }
  return doc.toString();
}

/** A Runner that reads the host's copy of the plan at planFile and is `runner` for everything else. */
export async function withDriveIds(runner: Runner, planFile: string, ids: Record<string, DriveIdentity>): Promise<Runner> {
  let original: string;
  try {
    original = await runner.readFile(planFile);
  } catch {
    return runner; // the pipeline reports the unreadable plan (PLAN-FILE)
  }
  const text = planWithDriveIds(original, planFile, ids);
  const overlay = Object.create(runner) as Runner;
  overlay.readFile = async (p: string) => (p === planFile ? text : runner.readFile(p));
  // The plan loader prefers bytes when the runner reads them (model/load-plan.ts readPlanText): both are overlaid.
  if (runner.readFileBytes) overlay.readFileBytes = async (p: string) => (p === planFile ? new TextEncoder().encode(text) : runner.readFileBytes!(p));
  return overlay;
}
