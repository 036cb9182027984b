/**
 * The report's answers: the verdict table (volume × workload: is each volume as fast as the drive?)
 * and the baseline-vs-now bars (did it regress?). The maths is bench's (volume-verdicts.ts,
 * compare.ts); this file only draws it. Colour classes (`ok`, `bad`) appear only on conclusive
 * verdicts: a single run or a difference inside the runs' spread is drawn neutral.
 */
import { FIGURES, formatFigure } from '../bench/figures.js';
import type { BenchResults } from '../bench/results.js';
import { changeVerdict, type Comparison } from '../bench/compare.js';
import { getProfile } from '../bench/profiles.js';
import { volumeVerdicts, type RatioVerdict, type VerdictKind } from '../bench/volume-verdicts.js';
import { RATIO_GOAL } from '../bench/verdicts.js';
import { esc } from './html-parts.js';

/** The colour class of a verdict: only conclusive ones get one. */
export function verdictClass(kind: VerdictKind): string {
  return kind === 'as-fast' ? 'ok' : kind === 'slower' ? 'bad' : '';
}

/** "0.981 (0.952–1.013)": the median ratio and its range over the repeats (no range for one run). */
export function ratioWithRange(v: Pick<RatioVerdict, 'ratio' | 'low' | 'high' | 'runs'>): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '∞');
  return v.runs > 1 ? `${f(v.ratio)} (${f(v.low)}–${f(v.high)})` : f(v.ratio);
}

/** The verdict table, or a line saying why there is none. */
export function verdictSection(r: BenchResults): string {
  const label = (id: string) => r.targets.find((t) => t.id === id)?.label ?? id;
  const head = `<h2 id="verdicts">Is each volume as fast as the drive?</h2>`;
  const cells = volumeVerdicts(r);
  if (!cells.length) return `${head}<p class="muted">No raw side in this run, so no verdict (bench --raw scratch gives one).</p>`;
  const volumes = [...new Set(cells.map((c) => c.target))];
  const profiles = [...new Set(cells.map((c) => c.profile))];
  const rows = volumes.map((t) => {
    const workload = r.targets.find((x) => x.id === t)?.workload;
    const first = `<th scope="row" class="volume">${esc(label(t))}${workload ? `<br><span class="muted">${esc(workload)}</span>` : ''}</th>`;
    const tds = profiles.map((p) => {
      const c = cells.find((x) => x.target === t && x.profile === p);
      if (!c) return `<td class="verdict none">—</td>`;
      const cls = ['verdict', `v-${c.kind}`, verdictClass(c.kind)].filter(Boolean).join(' ');
      const detail = c.figures.map((f) => `${FIGURES[f.figure].label} ${ratioWithRange(f)}`).join('; ');
      return (
        `<td class="${cls}" data-target="${esc(t)}" data-volume="${esc(label(t))}" data-profile="${esc(p)}" data-verdict="${c.kind}" title="${esc(detail)}">` +
        `<span class="vtext">${esc(c.text)}</span><br><span class="ratio">${esc(ratioWithRange(c))}</span>` +
        `<br><span class="spread">${esc(FIGURES[c.figure].label)}, ${c.runs} run${c.runs === 1 ? '' : 's'}</span></td>`
      );
    });
    return `<tr>${first}${tds.join('')}</tr>`;
  });
  const counts = (k: VerdictKind) => cells.filter((c) => c.kind === k).length;
  return (
    head +
    `<p>Each cell: the volume's figure ÷ the same workload on ${esc(label(r.rawTarget ?? 'raw'))} in the same run (1.000 = as fast; latency as raw ÷ volume), ` +
    `its range over the repeats (min…max of both sides), and the verdict. "As fast" needs the whole range ≥ ${RATIO_GOAL}, "slower" the whole range below it; ` +
    `a range across ${RATIO_GOAL}, or a single run, is not conclusive and is not coloured. With several figures per workload, the slowest decides.</p>` +
    `<p id="verdict-counts">${counts('as-fast')} as fast as the drive · ${counts('slower')} slower · ${counts('not-conclusive')} not conclusive</p>` +
    `<div class="scroll"><table class="verdicts" id="verdict-table"><thead><tr><th>volume</th>${profiles.map((p) => `<th>${esc(getProfile(p)?.title ?? p)}<br><code>${esc(p)}</code></th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div>`
  );
}

/**
 * Baseline vs now, one pair of bars per volume × workload × primary figure (each row scaled to its own
 * larger value, so IOPS and latency never share an axis), with the change and its verdict.
 */
export function comparisonBars(r: BenchResults, c: Comparison): string {
  const label = (id: string) => r.targets.find((t) => t.id === id)?.label ?? id;
  const rows = c.changes.filter((x) => getProfile(x.profile)?.primary.includes(x.figure));
  if (!rows.length) return `<p class="muted">No headline figure in both runs.</p>`;
  const bar = (cls: string, v: number, max: number, text: string) =>
    `<div class="bar ${cls}"><span class="fill" style="width:${max > 0 ? ((v / max) * 100).toFixed(1) : 0}%"></span><span class="val">${esc(text)}</span></div>`;
  const body = rows.map((x) => {
    const v = changeVerdict(x, c.noisePct);
    const cls = v.kind === 'regression' ? 'bad' : v.kind === 'improvement' ? 'ok' : '';
    const max = Math.max(x.baseline, x.current);
    return (
      `<tr data-verdict="${v.kind}"><td>${esc(label(x.target))}</td><td>${esc(x.profile)}</td><td>${esc(FIGURES[x.figure].label)}</td>` +
      `<td class="bars">${bar('base', x.baseline, max, `baseline ${formatFigure(x.figure, x.baseline)}`)}${bar('now', x.current, max, `now ${formatFigure(x.figure, x.current)}`)}</td>` +
      `<td>${esc(`${x.changePct >= 0 ? '+' : ''}${x.changePct.toFixed(1)} %`)}</td><td class="${['cmp-verdict', cls].filter(Boolean).join(' ')}">${esc(v.text)}</td></tr>`
    );
  });
  return (
    `<h3>Baseline vs now</h3><table class="cmp-bars" id="comparison-bars"><thead><tr><th>volume</th><th>workload</th><th>figure</th><th>baseline / now</th><th>change</th><th>verdict</th></tr></thead>` +
    `<tbody>${body.join('')}</tbody></table>`
  );
}

export const VERDICT_CSS = `
  .scroll{overflow-x:auto}
  table.verdicts td.verdict{min-width:120px}.verdicts .vtext{font-weight:600}.verdicts .ratio{font-variant-numeric:tabular-nums}
  td.v-as-fast.ok{background:#dafbe1}td.v-slower.bad{background:#ffebe9}td.v-not-conclusive{background:#f6f8fa;color:#57606a}
  .cmp-bars td{white-space:nowrap}.cmp-bars td.bars{min-width:320px}.bar{position:relative;height:18px;margin:2px 0;background:#f6f8fa}
  .bar .fill{position:absolute;left:0;top:0;bottom:0}.bar.base .fill{background:#afb8c1}.bar.now .fill{background:#54aeff}
  .bar .val{position:relative;padding-left:4px;font-size:12px}`;
