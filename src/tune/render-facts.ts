/** The few host facts rendering systemd units needs (files only, no tool runs). */
import type { Runner } from '../core/runner.js';
import { parseOnCalendar } from '../render/systemd.js';

/** Where distributions put util-linux's fstrim.timer (an admin's copy in /etc wins, as in systemd). */
export const FSTRIM_TIMER_PATHS = ['/etc/systemd/system/fstrim.timer', '/usr/lib/systemd/system/fstrim.timer', '/lib/systemd/system/fstrim.timer'];
export const FSTRIM_PATHS = ['/usr/sbin/fstrim', '/sbin/fstrim', '/usr/bin/fstrim', '/bin/fstrim'];

export async function readRenderFacts(r: Runner): Promise<{ distributionFstrimTimer?: { path: string; onCalendar: string[] }; fstrimPath?: string }> {
  let distributionFstrimTimer: { path: string; onCalendar: string[] } | undefined;
  for (const p of FSTRIM_TIMER_PATHS) {
    const t = await r.readFileIfExists(p).catch(() => undefined);
    if (t !== undefined) {
      distributionFstrimTimer = { path: p, onCalendar: parseOnCalendar(t) };
      break;
    }
  }
  let fstrimPath: string | undefined;
  for (const p of FSTRIM_PATHS)
    if (await r.exists(p)) {
      fstrimPath = p;
      break;
    }
  return { distributionFstrimTimer, fstrimPath };
}
