/**
 * The report's "Databases" section (`bench --database`): each database test per volume with its median
 * and spread, then each ratio to the fio profile that predicts it, with what it divides (docs/bench.md).
 */
import { formatFigure } from '../bench/figures.js';
import type { BenchResults } from '../bench/results.js';
import { esc, table, td } from './html-parts.js';

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
  for (const n of d.notes) parts.push(`<p class="muted">${esc(n)}</p>`);
  return parts.join('\n');
}
