/**
 * The figures a benchmark reports, with where each comes from in fio's JSON and which way is better.
 * Keys are flat strings so results, medians, comparisons and the report all index them the same way.
 */
import { formatBinaryShort } from '../model/units.js';

export const FIGURE_KEYS = [
  'read.iops',
  'read.bw_bytes',
  'read.clat_p50_us',
  'read.clat_p99_us',
  'read.clat_p999_us',
  'write.iops',
  'write.bw_bytes',
  'write.clat_p50_us',
  'write.clat_p99_us',
  'write.clat_p999_us',
  'sync.count',
  'sync.lat_p50_us',
  'sync.lat_p99_us',
  'sync.lat_p999_us',
  'cpu.usr_pct',
  'cpu.sys_pct',
  'db.ops',
  'db.lat_avg_us',
  'db.lat_p50_us',
  'db.lat_p99_us',
] as const;

export type FigureKey = (typeof FIGURE_KEYS)[number];
export type Figures = Partial<Record<FigureKey, number>>;

export interface FigureInfo {
  label: string;
  unit: 'IOPS' | 'B/s' | 'µs' | '%' | 'count' | 'ops/s';
  /** Which way is better: drives ratio direction and regression flags. */
  better: 'higher' | 'lower' | 'none';
  /**
   * The field of one entry of fio's `jobs[]` it is read from (fio 3.x JSON, `--output-format=json`);
   * for the database figures (`db.*`, bench/database.ts) the database tool's line it comes from.
   */
  fioField: string;
}

const pct = (p: string) => `percentile["${p}"]`;

export const FIGURES: Record<FigureKey, FigureInfo> = {
  'read.iops': { label: 'read IOPS', unit: 'IOPS', better: 'higher', fioField: 'read.iops' },
  'read.bw_bytes': { label: 'read bandwidth', unit: 'B/s', better: 'higher', fioField: 'read.bw_bytes' },
  'read.clat_p50_us': { label: 'read clat p50', unit: 'µs', better: 'lower', fioField: `read.clat_ns.${pct('50.000000')} / 1000` },
  'read.clat_p99_us': { label: 'read clat p99', unit: 'µs', better: 'lower', fioField: `read.clat_ns.${pct('99.000000')} / 1000` },
  'read.clat_p999_us': { label: 'read clat p99.9', unit: 'µs', better: 'lower', fioField: `read.clat_ns.${pct('99.900000')} / 1000` },
  'write.iops': { label: 'write IOPS', unit: 'IOPS', better: 'higher', fioField: 'write.iops' },
  'write.bw_bytes': { label: 'write bandwidth', unit: 'B/s', better: 'higher', fioField: 'write.bw_bytes' },
  'write.clat_p50_us': { label: 'write clat p50', unit: 'µs', better: 'lower', fioField: `write.clat_ns.${pct('50.000000')} / 1000` },
  'write.clat_p99_us': { label: 'write clat p99', unit: 'µs', better: 'lower', fioField: `write.clat_ns.${pct('99.000000')} / 1000` },
  'write.clat_p999_us': { label: 'write clat p99.9', unit: 'µs', better: 'lower', fioField: `write.clat_ns.${pct('99.900000')} / 1000` },
  // fio puts fsync/fdatasync latencies in the job's `sync` section (lat_ns, with percentiles).
  'sync.count': { label: 'syncs', unit: 'count', better: 'none', fioField: 'sync.lat_ns.N' },
  'sync.lat_p50_us': { label: 'sync lat p50', unit: 'µs', better: 'lower', fioField: `sync.lat_ns.${pct('50.000000')} / 1000` },
  'sync.lat_p99_us': { label: 'sync lat p99', unit: 'µs', better: 'lower', fioField: `sync.lat_ns.${pct('99.000000')} / 1000` },
  'sync.lat_p999_us': { label: 'sync lat p99.9', unit: 'µs', better: 'lower', fioField: `sync.lat_ns.${pct('99.900000')} / 1000` },
  'cpu.usr_pct': { label: 'CPU user', unit: '%', better: 'lower', fioField: 'usr_cpu' },
  'cpu.sys_pct': { label: 'CPU system', unit: '%', better: 'lower', fioField: 'sys_cpu' },
  // The database tools (bench --database): pgbench TPS, pg_test_fsync ops/sec, redis-benchmark rps.
  'db.ops': { label: 'ops/s', unit: 'ops/s', better: 'higher', fioField: 'not fio: pgbench "tps =", pg_test_fsync "ops/sec", redis-benchmark --csv "rps"' },
  'db.lat_avg_us': { label: 'latency avg', unit: 'µs', better: 'lower', fioField: 'not fio: pgbench "latency average", pg_test_fsync "usecs/op", redis-benchmark "avg_latency_ms"' },
  'db.lat_p50_us': { label: 'latency p50', unit: 'µs', better: 'lower', fioField: 'not fio: pgbench -l log (time, µs), redis-benchmark "p50_latency_ms"' },
  'db.lat_p99_us': { label: 'latency p99', unit: 'µs', better: 'lower', fioField: 'not fio: pgbench -l log (time, µs), redis-benchmark "p99_latency_ms"' },
};

export function isFigureKey(s: string): s is FigureKey {
  return (FIGURE_KEYS as readonly string[]).includes(s);
}

/** Human form of a value in its unit (tables, report). */
export function formatFigure(key: FigureKey, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const u = FIGURES[key].unit;
  if (u === 'B/s') return formatBytes(v) + '/s';
  if (u === 'µs') return v >= 10_000 ? `${(v / 1000).toFixed(1)} ms` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} µs`;
  if (u === '%') return `${v.toFixed(1)} %`;
  if (u === 'count') return v.toFixed(0);
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

export const formatBytes = formatBinaryShort;
