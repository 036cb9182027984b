/**
 * The human form of `bench --database` (part of renderBenchText): one table of the database tests per
 * volume (ops/s = TPS, fsyncs/s or requests/s; latency p50/p99; spread over the repeats; ÷ fio), then the
 * ratios with what each one divides. Fits 80 columns.
 */
import Table from 'cli-table3';
import { wrap } from '../core/columns.js';
import { formatFigure } from './figures.js';
import type { BenchResults } from './results.js';

export function renderDatabaseText(r: BenchResults, width = 80): string[] {
  const d = r.database;
  if (!d) return [];
  const s = d.settings;
  const out: string[] = [''];
  out.push(
    ...wrap(
      `databases: ${s.clients} client, ${s.repeat} run(s) of ${s.runtimeS} s per pgbench test${s.pgbenchScale !== undefined ? ` (scale ${s.pgbenchScale})` : ''}, ` +
        `${s.redisRequests} requests per redis-benchmark test, pg_test_fsync ${s.pgTestFsyncSeconds} s per method; ` +
        `${[d.versions.pgbench && `pgbench ${d.versions.pgbench}`, d.versions.redisBenchmark].filter(Boolean).join(', ') || 'versions unknown'}`,
      width,
      '  ',
      '',
    ),
  );
  if (d.results.length) {
    const table = new Table({ head: ['volume', 'test', 'ops/s', 'p50', 'p99', 'spread', '÷ fio'], style: { head: [], border: [], compact: true } });
    for (const x of d.results) {
      const ops = x.summary['db.ops'];
      const ratio = d.ratios.find((y) => y.target === x.target && y.database === x.profile && y.predictedBy.figure === 'write.iops');
      table.push([
        x.target,
        x.profile,
        formatFigure('db.ops', ops?.median),
        formatFigure('db.lat_p50_us', x.summary['db.lat_p50_us']?.median),
        formatFigure('db.lat_p99_us', x.summary['db.lat_p99_us']?.median ?? (x.tool === 'pg_test_fsync' ? x.summary['db.lat_avg_us']?.median : undefined)),
        ops && ops.n > 1 ? `${ops.spreadPct.toFixed(1)} %` : '1 run',
        ratio ? ratio.ratio.toFixed(3) : '',
      ]);
    }
    out.push(table.toString());
    if (d.results.some((x) => x.tool === 'pg_test_fsync')) out.push(...wrap('pg_test_fsync: "one 8kB write" fdatasync; its p99 column is the average usecs/op (the tool prints no percentiles)', width, '  ', ''));
  }
  if (d.ratios.length) {
    out.push('', 'database ÷ what fio predicts (same volume, same run; 1.000 = as predicted):');
    for (const x of d.ratios) {
      out.push(...wrap(`${x.target} ${x.ratio.toFixed(3)} = ${x.meaning}: ${formatFigure('db.ops', x.databaseMedian)} ÷ ${formatFigure('db.ops', x.predictedMedian)}`, width, '    ', '  '));
    }
  }
  for (const n of d.notes) out.push(...wrap(`note: ${n}`, width, '  ', ''));
  return out;
}
