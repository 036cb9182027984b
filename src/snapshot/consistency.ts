/**
 * What a snapshot set is worth to each database. lvcreate suspends the origin's device-mapper table,
 * which freezes the filesystem on it (freeze_bdev: dirty data flushed, the ext4 journal / XFS log
 * quiesced), takes the snapshot and resumes. So each snapshot is a clean, crash-consistent image of
 * ONE volume at one instant. A set is several lvcreate runs in quick succession: the volumes are frozen
 * one after another, never together, so ACROSS volumes the set is NOT atomic (the gap is printed).
 */
import type { Workload } from '../model/plan-schema.js';

export const SET_NOTE =
  'each snapshot is crash-consistent for its own volume (device-mapper suspend freezes the filesystem); ' +
  'a set across volumes is NOT atomic: the volumes are frozen one after another';

const NOTES: Record<Workload, string> = {
  postgresql:
    'PostgreSQL: crash-consistent when the data directory, pg_wal and every tablespace are on this one volume (it recovers like after a power cut). ' +
    'With WAL or tablespaces on other volumes the set is NOT consistent: wrap the set in pg_backup_start()/pg_backup_stop() and keep the WAL it names, or keep data+WAL on one volume.',
  clickhouse:
    'ClickHouse: crash-consistent per volume (written parts are immutable; inserts in flight are lost). Across several disks of a storage policy the set is not atomic: use ALTER TABLE … FREEZE for a consistent copy.',
  kafka:
    'Kafka: crash-consistent per volume; on start the broker recovers log segments to the last valid offset and unflushed messages are lost. Log dirs on several volumes are not atomic; replicas on other brokers are the real protection.',
  mongodb:
    'MongoDB (WiredTiger): consistent when the journal is on the same volume as the data (MongoDB documents LVM snapshots for that case). Across volumes run db.fsyncLock() before the set and db.fsyncUnlock() after.',
  redis:
    'Redis: the RDB file is written by rename, so it is whole; an AOF may end in a torn command (redis-check-aof --fix). For a clean point run BGSAVE and wait for it before the set.',
  system: 'system: crash-consistent filesystem image; programs with open files see a power-cut state.',
  backup: 'backup: crash-consistent filesystem image; an archive being written at that instant is incomplete.',
  generic: 'crash-consistent filesystem image of this volume (a power-cut state for programs writing to it).',
};

export function consistencyNote(workload: Workload | undefined): string {
  return NOTES[workload ?? 'generic'];
}
