/**
 * The WAL a PostgreSQL base backup needs, by name: the segments from the one holding the backup's start
 * (backup_label's "START WAL LOCATION: X (file NAME)") through the one holding pg_backup_stop's LSN
 * (`pg_walfile_name(stop_lsn)`). PostgreSQL 15 docs, 26.3.3 "Making a Base Backup Using the Low Level
 * API": "the backup is not usable unless those WAL files are available"; pg_backup_stop switches to a new
 * segment, so the stop segment is complete when it returns (docs, 9.27.3 pg_backup_stop).
 *
 * Names: TTTTTTTTXXXXXXXXYYYYYYYY, timeline, then the segment number split into "log" (high 32 bits of the
 * byte position) and "seg" (position / segment size within that log): src/include/access/xlog_internal.h
 * XLogFileName, with 0x100000000 / wal_segment_size segments per log.
 */

const NAME_RE = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;
const LOG_BYTES = 0x1_0000_0000;

/** A WAL segment name's timeline and absolute segment number (bigint-free: < 2^53 for any real server). */
export function parseWalName(name: string, segBytes: number): { timeline: number; segno: number } {
  const m = NAME_RE.exec(name);
  if (!m) throw new Error(`not a WAL segment name: ${JSON.stringify(name)}`);
  const per = segmentsPerLog(segBytes);
  const seg = parseInt(m[3]!, 16);
  if (seg >= per) throw new Error(`WAL segment name ${name}: segment ${seg} beyond ${per} per log (wal_segment_size ${segBytes})`);
  return { timeline: parseInt(m[1]!, 16), segno: parseInt(m[2]!, 16) * per + seg };
}

/** The segment name of timeline + absolute segment number. */
export function walName(timeline: number, segno: number, segBytes: number): string {
  const per = segmentsPerLog(segBytes);
  const h = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  return h(timeline) + h(Math.floor(segno / per)) + h(segno % per);
}

/** wal_segment_size must be a power of two from 1 MiB to 1 GiB (initdb --wal-segsize). */
function segmentsPerLog(segBytes: number): number {
  if (!Number.isInteger(segBytes) || segBytes < 1 << 20 || segBytes > 1 << 30 || (segBytes & (segBytes - 1)) !== 0) throw new Error(`wal_segment_size ${segBytes} is not a power of two from 1 MiB to 1 GiB`);
  return LOG_BYTES / segBytes;
}

/** An LSN "X/Y" as a byte position. */
export function parseLsn(lsn: string): number {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn.trim());
  if (!m) throw new Error(`not an LSN: ${JSON.stringify(lsn)}`);
  return parseInt(m[1]!, 16) * LOG_BYTES + parseInt(m[2]!, 16);
}

/**
 * Every segment name from `first` through `last` (inclusive), same timeline.
 * @throws when the names are not of one timeline, or `last` is before `first`
 */
export function walRange(first: string, last: string, segBytes: number): string[] {
  const a = parseWalName(first, segBytes);
  const b = parseWalName(last, segBytes);
  if (a.timeline !== b.timeline) throw new Error(`WAL ${first} … ${last}: the timeline changed during the backup`);
  if (b.segno < a.segno) throw new Error(`WAL ${first} … ${last}: the stop segment is before the start segment`);
  const out: string[] = [];
  for (let s = a.segno; s <= b.segno; s++) out.push(walName(a.timeline, s, segBytes));
  return out;
}

/** What the backup session writes when pg_backup_stop returned (one COPY text row, see pgHolderSql). */
export interface BackupStop {
  stopLsn: string;
  /** pg_walfile_name(stop_lsn): the last segment the backup needs. */
  stopWalFile: string;
  labelText: string;
  walSegmentBytes: number;
  dataDirectory: string;
}

const unhex = (h: string) => Buffer.from(h, 'hex').toString('utf8');

/**
 * Parse the session's stop file: one line of COPY text format, tab-separated: stop LSN, stop WAL name,
 * labelfile (hex of its UTF-8), wal_segment_size in bytes, data_directory (hex). Hex keeps COPY's
 * escaping (backslash, newline, tab) out of the way.
 */
export function parseBackupStop(text: string): BackupStop {
  const f = text.replace(/\n$/, '').split('\t');
  if (f.length !== 5 || !/^[0-9a-f]*$/.test(f[2]!) || !/^[0-9a-f]+$/.test(f[4]!)) throw new Error(`backup session's stop file is not 5 fields: ${JSON.stringify(text.slice(0, 120))}`);
  parseLsn(f[0]!);
  const seg = Number(f[3]);
  parseWalName(f[1]!, seg);
  return { stopLsn: f[0]!, stopWalFile: f[1]!, labelText: unhex(f[2]!), walSegmentBytes: seg, dataDirectory: unhex(f[4]!) };
}

/** backup_label's start LSN and its segment name ("START WAL LOCATION: 0/2000028 (file 000000010000000000000002)"). */
export function labelStart(labelText: string): { lsn: string; file: string } | undefined {
  const m = /^START WAL LOCATION: (\S+) \(file ([0-9A-F]{24})\)$/m.exec(labelText);
  return m ? { lsn: m[1]!, file: m[2]! } : undefined;
}
