/**
 * The report's "Databases" section (`bench --database`): each database test per volume with its median
 * and spread, then each ratio to the fio profile that predicts it, with what it divides (docs/bench.md).
 */
import { FIGURES, formatFigure, type FigureKey } from '../bench/figures.js';
import type { Comparison } from '../bench/compare.js';
import { formatLayoutRatio, layoutVerdict, type LayoutRow } from '../bench/layout-compare.js';
import type { BenchResults } from '../bench/results.js';
import { esc, table, td } from './html-parts.js';

/** A default ÷ seed-literal row's first cells: volume, test, figure, both values and the ratio with its range. */
export function layoutCells(x: LayoutRow): string[] {
  return [td(x.volume), td(x.profile), td(FIGURES[x.figure].label), td(formatFigure(x.figure, x.tuned)), td(formatFigure(x.figure, x.seed)), td(formatLayoutRatio(x))];
}

export function databaseSection(r: BenchResults): string {
  const d = r.database;
  if (!d) return '';
  const s = d.settings;
  const cell = (x: (typeof d.results)[number], k: 'db.ops' | 'db.lat_p50_us' | 'db.lat_p99_us') => {
    const st = x.summary[k];
    if (!st) return td('—');
    return `<td>${esc(formatFigure(k, st.median))}${st.n > 1 ? ` <span class="spread">±${(st.spreadPct / 2).toFixed(1)} %</span>` : ''}</td>`;
  };
  const parts = [
    `<h2 id="databases">Databases</h2>`,
    `<p>PostgreSQL 15 and Redis 7 on their volumes, after fio in the same run: ${esc(String(s.clients))} client, ${esc(String(s.repeat))} run(s) of ${esc(String(s.runtimeS))} s per pgbench test` +
      `${s.pgbenchScale !== undefined ? ` (scale ${esc(String(s.pgbenchScale))}, synchronous_commit=on)` : ''}, ${esc(String(s.redisRequests))} requests per redis-benchmark test, ` +
      `pg_test_fsync ${esc(String(s.pgTestFsyncSeconds))} s per method. ${esc([d.versions.pgbench && `pgbench ${d.versions.pgbench}`, d.versions.redisBenchmark].filter(Boolean).join(', '))}</p>`,
    table(
      ['volume', 'test', 'ops/s', 'latency p50', 'latency p99'],
      d.results.map((x) => [td(x.target), td(x.profile), cell(x, 'db.ops'), cell(x, 'db.lat_p50_us'), x.tool === 'pg_test_fsync' ? `<td>avg ${esc(formatFigure('db.lat_avg_us', x.summary['db.lat_avg_us']?.median))}</td>` : cell(x, 'db.lat_p99_us')]),
    ),
  ];
  if (d.ratios.length) {
    parts.push(`<h3>Database ÷ what fio predicts</h3><p class="muted">Same volume, same run; 1.000 = as the fio profile predicts (docs/bench.md says why each pair).</p>`);
    parts.push(table(['volume', 'ratio', 'database', 'predicted by', 'what it divides'], d.ratios.map((x) => [td(x.target), td(x.ratio.toFixed(3)), td(`${x.database} ${formatFigure('db.ops', x.databaseMedian)}`), td(`${x.predictedBy.profile} ${formatFigure('db.ops', x.predictedMedian)}`), td(x.meaning)])));
  }
  const layout = (r.layoutComparison?.rows ?? []).filter((x) => x.source === 'database');
  if (layout.length) {
    parts.push(
      `<h3 id="databases-layout">Default layout ÷ the specs' literal layout</h3><p class="muted">The same database tests on both layouts in this run (bench/layout-ratio.ts); > 1 means the default layout is better (latency: seed ÷ default). The range pairs the worst run of one side with the best of the other; only a range entirely above or below 1 tells the layouts apart.</p>`,
    );
    parts.push(
      table(
        ['volume', 'test', 'figure', 'default', 'seed-literal', 'default ÷ seed (range)', 'spread default / seed', 'this run says'],
        layout.map((x) => [
          ...layoutCells(x),
          td(x.spreadPct ? `${x.spreadPct.tuned.toFixed(0)} % / ${x.spreadPct.seed.toFixed(0)} %` : '—'),
          td(layoutVerdict(x)),
        ]),
      ),
    );
  }
  if (r.meta.emulated && (d.ratios.length || layout.length))
    parts.push(
      `<p class="muted">Emulated drives: the absolute figures are the emulator's CPU more than the storage; only ratios measured within this run, and orders of magnitude, carry meaning (docs/bench.md "Under emulation").</p>`,
    );
  for (const n of d.notes) parts.push(`<p class="muted">${esc(n)}</p>`);
  return parts.join('\n');
}

/**
 * The in-run ratios (database ÷ fio, default ÷ seed-literal) of this run beside the baseline's, each with
 * its range over the runs when known: '' when the comparison has none.
 */
export function ratioComparisonSection(c: Comparison): string {
  const rs = c.ratios ?? [];
  if (!rs.length) return '';
  const range = (x?: { min: number; max: number }) => (x ? ` (${x.min.toFixed(3)}–${x.max.toFixed(3)})` : '');
  return (
    `<h3 id="comparison-ratios">Ratios against the baseline</h3><p class="muted">Each ratio is measured within one run (database ÷ the fio profile that predicts it; default layout ÷ the specs' literal layout), so it survives drift between runs better than an absolute figure; no noise band is applied to it.</p>` +
    table(
      ['ratio', 'volume', 'test', 'of', 'baseline', 'now', 'change'],
      rs.map((x) => [
        td(x.kind),
        td(x.target),
        td(x.test),
        td(x.kind === 'database ÷ fio' ? x.of : (FIGURES[x.of as FigureKey]?.label ?? x.of)),
        td(`${x.baseline.toFixed(3)}${range(x.baselineRange)}`),
        td(`${x.current.toFixed(3)}${range(x.currentRange)}`),
        td(`${x.changePct >= 0 ? '+' : ''}${x.changePct.toFixed(1)} %`),
      ]),
    )
  );
}
