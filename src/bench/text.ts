import Table from 'cli-table3';
import { FIGURES, formatBytes, formatFigure, type FigureKey } from './figures.js';
import { getProfile } from './profiles.js';
import type { BenchResults } from './results.js';
import { renderDatabaseText } from './database-text.js';
import { wrap } from '../core/columns.js';

/** The text output's width: an 80-column terminal. */
const WIDTH = 80;
/** A heading or sentence, wrapped; continuation lines indented by two. */
const para = (t: string) => wrap(t, WIDTH, '  ', '');
/** A list item (two spaces in), wrapped; continuation lines indented by four. */
const item = (t: string) => wrap(t, WIDTH, '    ', '  ');

/** The human form of a bench run, at 80 columns: one table per target, then first writes, checks, ratios, comparison. */
export function renderBenchText(r: BenchResults): string {
  const out: string[] = [];
  const m = r.meta;
  out.push(
    ...para(
      `bench: ${m.host ?? '?'} (kernel ${m.kernel ?? '?'}, ${m.fioVersion ?? 'fio ?'}), ${m.repeat} run(s) of ${m.runtimeS} s (+${m.rampS} s ramp) per profile, ` +
        `region ${formatBytes(m.sizeBytes)} preconditioned; medians, spread = (max − min) / median`,
    ),
  );
  const ratioOf = (t: string, p: string, f: FigureKey) => r.ratios.find((x) => x.target === t && x.profile === p && x.figure === f)?.ratio;
  for (const t of r.targets) {
    const rows = r.results.filter((x) => x.target === t.id);
    if (!rows.length) continue;
    out.push('', ...para(`${t.label} [${t.tier}${t.fstype ? `, ${t.fstype}` : ''}${t.device ? `, ${t.device}` : ''}]`));
    const withRatio = !!r.rawTarget && t.id !== r.rawTarget;
    const table = new Table({ head: ['profile', 'figure', 'median', 'p99', 'spread', ...(withRatio ? ['÷ raw'] : [])], style: { head: [], border: [], compact: true } });
    for (const x of rows) {
      const p = getProfile(x.profile);
      for (const f of p?.primary ?? []) {
        const s = x.summary[f];
        if (!s) continue;
        const dir = f.split('.')[0]!;
        const p99 = dir === 'sync' ? x.summary['sync.lat_p99_us'] : x.summary[`${dir}.clat_p99_us` as FigureKey];
        const ratio = ratioOf(t.id, x.profile, f);
        table.push([
          x.profile,
          FIGURES[f].label,
          formatFigure(f, s.median),
          f.includes('p99') ? '' : p99 ? formatFigure('read.clat_p99_us', p99.median) : '',
          s.n > 1 ? `${s.spreadPct.toFixed(1)} %` : '',
          ...(withRatio ? [ratio !== undefined ? ratio.toFixed(3) : ''] : []),
        ]);
      }
    }
    out.push(table.toString());
  }
  if (r.firstWrite.length) {
    out.push('', ...para('first write (the preconditioning pass: what a database sees right after a snapshot or on fresh thin space)'));
    for (const f of r.firstWrite) {
      const t = r.targets.find((x) => x.id === f.target);
      out.push(...item(`${t?.label ?? f.target}: ${formatFigure('write.bw_bytes', f.figures['write.bw_bytes'])}, p99 ${formatFigure('write.clat_p99_us', f.figures['write.clat_p99_us'])}`));
    }
  }
  const checks = r.results.flatMap((x) => (x.checks ?? []).map((c) => ({ ...c, target: x.target, profile: x.profile })));
  if (checks.length) {
    out.push('', 'checks');
    for (const c of checks) {
      out.push(...item(`${c.notJudged ? 'not judged: ' : ''}${c.pass ? 'PASS' : 'FAIL'} ${c.target} ${c.profile}: ${FIGURES[c.figure].label} ${formatFigure(c.figure, c.value)}${c.max !== undefined ? ` (max ${formatFigure(c.figure, c.max)})` : ''} — ${c.why}${c.notJudged ? ` (${c.notJudged})` : ''}`));
    }
  }
  if (r.ratios.length) {
    const worst = [...r.ratios].sort((a, b) => a.ratio - b.ratio)[0]!;
    out.push('', ...para(`ratio to raw (1.000 = as fast as ${r.targets.find((t) => t.id === r.rawTarget)?.label ?? 'raw'}; goal ≥ 0.97): lowest ${worst.ratio.toFixed(3)} (${worst.target} ${worst.profile} ${FIGURES[worst.figure].label})`));
  }
  out.push(...renderDatabaseText(r));
  if (r.comparison) {
    const c = r.comparison;
    out.push('', ...para(`compared with ${c.baselineName ?? 'baseline'} (${c.baselineCreatedAt}), noise band ±${c.noisePct} %: ${c.regressions.length} regression(s), ${c.improvements.length} improvement(s) among ${c.changes.length} figures`));
    for (const x of [...c.regressions, ...c.improvements]) {
      out.push(
        ...item(`${x.regression ? 'REGRESSION' : 'improved  '} ${x.target} ${x.profile} ${FIGURES[x.figure].label}: ${formatFigure(x.figure, x.baseline)} → ${formatFigure(x.figure, x.current)} (${x.changePct >= 0 ? '+' : ''}${x.changePct.toFixed(1)} %)${x.noisy ? ' [spread above the band]' : ''}`),
      );
    }
    for (const x of c.changes.filter((y) => y.inconclusive)) {
      out.push(...item(`not conclusive (${x.inconclusive}): ${x.target} ${x.profile} ${FIGURES[x.figure].label} ${x.betterPct < 0 ? 'worse' : 'better'} by ${Math.abs(x.betterPct).toFixed(1)} %`));
    }
    for (const x of c.ratios ?? []) {
      out.push(...item(`ratio ${x.kind} ${x.target} ${x.test}${x.kind === 'database ÷ fio' ? ` ÷ ${x.of}` : ` ${FIGURES[x.of as FigureKey]?.label ?? x.of}`}: ${x.baseline.toFixed(3)} → ${x.current.toFixed(3)} (${x.changePct >= 0 ? '+' : ''}${x.changePct.toFixed(1)} %)`));
    }
    for (const k of c.onlyInBaseline) out.push(...item(`not run this time: ${k}`));
  }
  for (const n of r.notes) out.push(...para(`note: ${n}`));
  return out.join('\n') + '\n';
}
