/**
 * What each workload's vendor documentation says about its storage, as data. The linter quotes these
 * (src/lint/rules.ts). What `readAhead: auto` resolves to is not here: src/facts/readahead-defaults.ts
 * owns the read-ahead defaults (lint, diff, tune and verify read them there).
 */
import type { Workload } from './plan-schema.js';

export interface WorkloadAdvice {
  /** Filesystems the vendor documents as fine, best first. */
  filesystems: string[];
  /** Filesystems the vendor advises against for this workload, with the reason. */
  discouraged?: Record<string, string>;
  fsSource?: string;
  /** Read-ahead in 512-byte sectors: the range the vendor documents (the default: facts/readahead-defaults.ts). */
  readAhead: { min?: number; max?: number; why?: string; source?: string };
  /** True for workloads whose data must survive a crash (databases, brokers). */
  crashSafe: boolean;
  /** Mount options the vendor recommends. */
  mountOptions?: { name: string; why: string; source: string }[];
}

export const WORKLOAD_ADVICE: Record<Workload, WorkloadAdvice> = {
  postgresql: {
    filesystems: ['ext4', 'xfs'],
    fsSource: 'PostgreSQL docs, "Reliability and the Write-Ahead Log" (30.1): needs fsync and cache flushes that reach stable storage',
    readAhead: { min: 256, why: 'sequential scans and VACUUM rely on OS read-ahead', source: 'PostgreSQL docs, effective_io_concurrency / OS read-ahead' },
    crashSafe: true,
  },
  clickhouse: {
    filesystems: ['ext4', 'xfs'],
    fsSource: 'ClickHouse docs, Usage Recommendations → File System: "Ext4 is the most reliable option… XFS works well too", mount with noatime',
    readAhead: {
      min: 256,
      why: 'MergeTree reads large column files sequentially; reducing read-ahead slows scans',
      source: 'ClickHouse docs, Usage Recommendations (storage subsystem); seed-defects.md',
    },
    crashSafe: true,
    mountOptions: [{ name: 'noatime', why: 'access-time updates are pure write overhead for ClickHouse', source: 'ClickHouse docs, Usage Recommendations → File System' }],
  },
  kafka: {
    filesystems: ['xfs', 'ext4'],
    fsSource: 'Apache Kafka docs, Operations → Hardware and OS → Filesystem Selection: EXT4 and XFS; XFS shows better performance characteristics for Kafka',
    readAhead: { min: 256, why: 'log segments are read sequentially by consumers', source: 'Apache Kafka docs, Hardware and OS' },
    crashSafe: true,
    mountOptions: [{ name: 'noatime', why: 'Kafka does not use access times', source: 'Apache Kafka docs, Filesystem Selection → General Filesystem Notes' }],
  },
  mongodb: {
    filesystems: ['xfs'],
    discouraged: {
      ext4: 'MongoDB strongly recommends XFS for WiredTiger to avoid performance issues with EXT4; mongod logs a startup warning on ext4',
    },
    fsSource: 'MongoDB Production Notes → Kernel and File Systems',
    readAhead: {
      min: 8,
      max: 32,
      why: 'WiredTiger does random small reads; a large read-ahead fills the page cache with unused data',
      source: 'MongoDB Production Notes → Readahead (WiredTiger: 8 to 32 sectors)',
    },
    crashSafe: true,
    mountOptions: [{ name: 'noatime', why: 'access-time updates are write overhead', source: 'MongoDB Production Notes' }],
  },
  redis: {
    filesystems: ['ext4', 'xfs'],
    readAhead: {},
    crashSafe: true,
  },
  system: { filesystems: ['ext4', 'xfs'], readAhead: {}, crashSafe: false },
  backup: { filesystems: ['ext4', 'xfs'], readAhead: {}, crashSafe: false },
  generic: { filesystems: ['ext4', 'xfs'], readAhead: {}, crashSafe: false },
};

/** Default fstab options the tool suggests for a data volume (the plan states its own; the linter compares). */
export const DATA_VOLUME_MOUNT_DEFAULTS = ['defaults', 'noatime', 'nofail', 'x-systemd.device-timeout=30s'];
