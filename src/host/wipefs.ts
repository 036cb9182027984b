/**
 * The wipefs reader (util-linux): which signatures a device holds, without erasing anything.
 *
 *   wipefs --no-act --json <dev>     (prints NOTHING at all when it finds no signature)
 *
 * `wipefs --all` (the erase) is an action argv of the diff and the executor, not a read.
 */
import { asArray, asRecord, parseToolJson, str } from './json.js';

export function wipefsProbeArgv(device: string): string[] {
  return ['wipefs', '--no-act', '--json', device];
}

export interface WipefsSignature {
  device?: string;
  /** "ext4", "LVM2_member", "gpt", "PMBR"… */
  type?: string;
  /** Hex byte offset as printed ("0x438"). */
  offset?: string;
  /** The filesystem label, when the signature has one (printed only then). */
  label?: string;
}

/** wipefs --json output → signatures ([] for empty output). Throws HostReadError on unreadable JSON. */
export function parseWipefsJson(text: string): WipefsSignature[] {
  if (!text.trim()) return [];
  const doc = asRecord(parseToolJson(text, 'wipefs'));
  return asArray(doc['signatures']).map((raw) => {
    const r = asRecord(raw);
    const sig: WipefsSignature = { device: str(r['device']), type: str(r['type']), offset: str(r['offset']) };
    const label = str(r['label']);
    if (label) sig.label = label;
    return sig;
  });
}
