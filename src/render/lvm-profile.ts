/**
 * LVM metadata profile of a thin pool the plan gives `autoextend:` — the per-pool way lvmthin(7)
 * "Automatic extend settings" documents: a file in profile_dir (`lvmconfig config/profile_dir`, Debian:
 * /etc/lvm/profile) with the activation/thin_pool_autoextend_threshold and _percent settings, attached to
 * the pool with `lvcreate --metadataprofile NAME` (or later `lvchange --metadataprofile NAME VG/POOL`).
 * dmeventd, which monitors the pool, reads it when the pool passes the threshold and runs
 * `lvextend --use-policies`; nothing global (lvm.conf) changes, and another pool keeps its own settings.
 * The profile is a name: the file must stay on the host (lvmthin(7) "Notes": a VG moved to another
 * machine needs the file too).
 */
import { managedHeader, type RenderedFile } from './types.js';
import { RenderError } from './parse-back.js';

export const LVM_PROFILE_DIR = '/etc/lvm/profile';

/** The profile name of a pool: `jts-VG-POOL` (file `jts-VG-POOL.profile` in LVM_PROFILE_DIR). */
export function thinPoolProfileName(vg: string, pool: string): string {
  return `jts-${vg}-${pool}`;
}

/** Reads an LVM config text's `section { key = number }` settings, flat as "section/key" → value. */
export function parseLvmProfile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([A-Za-z_][A-Za-z0-9_]*)\s*\{$/.exec(line)) && section === undefined) section = m[1]!;
    else if (line === '}' && section !== undefined) section = undefined;
    else if ((m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(-?[0-9]+)$/.exec(line)) && section !== undefined) out.set(`${section}/${m[1]}`, m[2]!);
    else throw new RenderError(`LVM profile: line ${JSON.stringify(raw)} is not a setting of a section`);
  }
  if (section !== undefined) throw new RenderError(`LVM profile: section ${section} is not closed`);
  return out;
}

/** The settings a pool's profile holds, as parseLvmProfile returns them. */
export function thinPoolProfileSettings(a: { threshold: number; percent: number }): Map<string, string> {
  return new Map([
    ['activation/thin_pool_autoextend_threshold', String(a.threshold)],
    ['activation/thin_pool_autoextend_percent', String(a.percent)],
  ]);
}

/** The profile file of one pool; its content is parsed back and compared before it is returned. */
export function renderThinPoolProfile(planName: string, vg: string, pool: string, a: { threshold: number; percent: number }): RenderedFile {
  const name = thinPoolProfileName(vg, pool);
  const content = [
    managedHeader(planName, undefined, `autoextend of thin pool ${vg}/${pool} (lvmthin(7) "Automatic extend settings")`),
    'activation {',
    `\tthin_pool_autoextend_threshold = ${a.threshold}`,
    `\tthin_pool_autoextend_percent = ${a.percent}`,
    '}',
    '',
  ].join('\n');
  const back = parseLvmProfile(content);
  const want = thinPoolProfileSettings(a);
  if (back.size !== want.size || [...want].some(([k, v]) => back.get(k) !== v)) throw new RenderError(`LVM profile ${name}: reads back as ${JSON.stringify([...back])}`);
  return { path: `${LVM_PROFILE_DIR}/${name}.profile`, content, mode: 0o644, summary: `LVM profile ${name}: autoextend ${vg}/${pool} by ${a.percent} % past ${a.threshold} %` };
}
