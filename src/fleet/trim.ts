/**
 * TRIM in the export, decided on the host at run time by apply's own rule.
 *
 * apply renders the TRIM units with `renderSystemdUnits` (src/render/systemd.ts) from two host facts read
 * by `readRenderFacts` (src/tune/render-facts.ts): the first of FSTRIM_TIMER_PATHS that exists (the
 * distribution's fstrim.timer and its OnCalendar= values) and the first of FSTRIM_PATHS that exists. With a
 * distribution timer it enables `fstrim.timer` and writes a drop-in only when the shipped schedule is not the
 * plan's; without one it writes its own service + timer running that fstrim.
 *
 * The export plans a host from its described drives, which carry neither fact. So it renders every variant
 * with that same function (one per fstrim path, one with a distribution timer) and the playbook picks the
 * variant on the host from the same paths in the same order (./playbook.ts, "TRIM"). The comparison of the
 * shipped schedule is `sameTrimSchedule` (render/systemd.ts), mirrored in Jinja there.
 */
import path from 'node:path';
import type { Plan } from '../model/plan-schema.js';
import { FSTRIM_DROPIN, FSTRIM_TIMER, OWN_FSTRIM_SERVICE, OWN_FSTRIM_TIMER, renderSystemdUnits, UNIT_DIR } from '../render/systemd.js';
import { FSTRIM_PATHS, FSTRIM_TIMER_PATHS } from '../tune/render-facts.js';
import { defaultCliArgv } from '../tune/cli-path.js';
import { ExportError, type AnsibleFile, type AnsibleTrim } from './ansible-vars.js';

/** The paths of every TRIM file apply may write (taken out of jts_storage_files). */
export const TRIM_FILE_PATHS = [`${UNIT_DIR}/${OWN_FSTRIM_SERVICE}`, `${UNIT_DIR}/${OWN_FSTRIM_TIMER}`, FSTRIM_DROPIN];

const octal = (m: number) => m.toString(8).padStart(4, '0');

/**
 * The TRIM variants of a plan, and the other unit files (which must not depend on the TRIM facts).
 * @param planFile the plan file as the pipeline loaded it (resolved like tune's actions resolve it)
 * @param files the host's jts_storage_files as read off the pipeline's actions (offline: own units, /sbin/fstrim)
 * @returns undefined trim when the plan's trim.mode is none
 * @throws ExportError when the pipeline's unit files differ from the rendering here (two renderings disagree)
 */
export function trimVariants(plan: Plan, planFile: string, files: AnsibleFile[]): { trim?: AnsibleTrim; files: AnsibleFile[] } {
  const rest = files.filter((f) => !TRIM_FILE_PATHS.includes(f.dest));
  if (plan.tuning.trim.mode !== 'timer') return { files: rest };
  const base = { cli: defaultCliArgv(), planFile: path.resolve(planFile) };
  const pick = (fs: { path: string; content: string; mode: number }[]) => fs.filter((f) => TRIM_FILE_PATHS.includes(f.path)).map((f) => ({ dest: f.path, content: f.content, mode: octal(f.mode) }));
  const own = ['', ...FSTRIM_PATHS].map((p) => ({ fstrim: p, files: pick(renderSystemdUnits(plan, { ...base, ...(p ? { fstrimPath: p } : {}) }).files) }));
  const withDist = renderSystemdUnits(plan, { ...base, distributionFstrimTimer: { path: FSTRIM_TIMER_PATHS[0]!, onCalendar: [] } });
  const dropin = pick(withDist.files).find((f) => f.dest === FSTRIM_DROPIN);
  if (!dropin) throw new ExportError('TRIM: the rendering with a distribution fstrim.timer wrote no drop-in');
  for (const f of rest) {
    const same = withDist.files.find((x) => x.path === f.dest);
    if (same && same.content !== f.content) throw new ExportError(`${f.dest}: the pipeline's text differs from the TRIM rendering's`);
  }
  return {
    files: rest,
    trim: {
      schedule: plan.tuning.trim.schedule,
      timer_paths: [...FSTRIM_TIMER_PATHS],
      fstrim_paths: [...FSTRIM_PATHS],
      distribution_timer: FSTRIM_TIMER,
      dropin,
      own_timer: OWN_FSTRIM_TIMER,
      own,
    },
  };
}
