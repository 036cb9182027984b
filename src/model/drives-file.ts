/**
 * `--drives FILE`: plan offline against described drives instead of probing a host.
 *
 * The file says what the probe would have found about each drive (size in bytes, sector sizes, rotational,
 * discard, volatile write cache, identity). It becomes a HostState with source 'described' and no LVM,
 * filesystems or mounts: a blank machine. Errors carry file:line:col like the plan's.
 *
 *   kernelRelease: 6.1.0-31-amd64      # optional: lets kernel-version lint rules apply exactly
 *   drives:
 *     - path: /dev/nvme0n1
 *       byId: /dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0   # one link or a list
 *       serial: JTS-NVME-0
 *       model: QEMU NVMe Ctrl
 *       sizeBytes: 4000000000000
 *       ...
 */
import { z } from 'zod';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { HostState, DriveInfo } from './host-state.js';
import type { Finding } from './actions.js';
import { PlanError, YamlLocator, fieldPath, suggest, allowedKeysAt } from './load-plan.js';
import { parseSize } from './units.js';
import { DriveKindSchema } from './plan-schema.js';

const SizeBytes = z.union([z.number().int().positive(), z.string()]);

export const DescribedDriveSchema = z.strictObject({
  path: z.string().regex(/^\/dev\/[A-Za-z0-9._\/-]+$/, 'a device path under /dev/'),
  byId: z.union([z.string(), z.array(z.string())]).optional(),
  serial: z.string().optional(),
  wwn: z.string().optional(),
  model: z.string().optional(),
  sizeBytes: SizeBytes.describe('Exact size in bytes (a number), or a size string such as "4TB"'),
  logicalSectorSize: z.union([z.literal(512), z.literal(4096)]).default(512),
  physicalSectorSize: z.union([z.literal(512), z.literal(4096)]).default(512),
  rotational: z.boolean().default(false),
  discard: z.boolean().default(true),
  volatileWriteCache: z.boolean().describe('true when the drive has a volatile write cache (no power-loss protection)'),
  kind: DriveKindSchema.optional(),
  transport: z.string().optional(),
  schedulers: z.array(z.string()).optional(),
  scheduler: z.string().optional(),
  readAheadKb: z.number().int().min(0).optional(),
  partitions: z.array(z.string()).default([]),
  signatures: z.array(z.string()).default([]),
  mountpoints: z.array(z.string()).default([]),
  isRootDisk: z.boolean().optional(),
});

export const DrivesFileSchema = z.strictObject({
  kernelRelease: z.string().optional(),
  drives: z.array(DescribedDriveSchema).min(1),
});

export type DescribedDrive = z.infer<typeof DescribedDriveSchema>;

function inferKind(d: DescribedDrive): DriveInfo['kind'] {
  if (d.kind) return d.kind;
  if (/\/nvme\d+n\d+$/.test(d.path)) return 'nvme';
  if (/\/vd[a-z]+$/.test(d.path)) return 'virtio';
  if (d.rotational) return 'hdd';
  if (/\/sd[a-z]+$/.test(d.path)) return 'sata-ssd';
  return 'unknown';
}

export function parseDrivesFile(text: string, file: string): HostState {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const loc = new YamlLocator(doc.contents as YamlNode | null, lc);
  const findings: Finding[] = [];
  for (const e of doc.errors) {
    const lp = e.linePos?.[0];
    findings.push({ rule: 'DRIVES-YAML', severity: 'error', message: `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, file, line: lp?.line ?? 1, col: lp?.col ?? 1 });
  }
  if (findings.length) throw new PlanError(findings);
  const raw = doc.toJS() as unknown;
  const r = DrivesFileSchema.safeParse(raw);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeysAt(DrivesFileSchema, path);
        for (const k of issue.keys) {
          const s = suggest(k, allowed);
          const p = loc.locateKey([...path, k]);
          findings.push({
            rule: 'DRIVES-UNKNOWN-KEY',
            severity: 'error',
            message: `unknown key "${k}"${s ? ` (did you mean "${s}"?)` : ''}. Allowed here: ${allowed.join(', ')}`,
            file,
            line: p?.line,
            col: p?.col,
            field: fieldPath([...path, k]),
          });
        }
        continue;
      }
      const p = loc.locate(path);
      findings.push({ rule: 'DRIVES-SCHEMA', severity: 'error', message: issue.message, file, line: p?.line, col: p?.col, field: fieldPath(path) || '(top level)' });
    }
    throw new PlanError(findings);
  }

  const drives: DriveInfo[] = [];
  const seenPaths = new Set<string>();
  r.data.drives.forEach((d, i) => {
    let sizeBytes = 0;
    try {
      const s = parseSize(d.sizeBytes);
      if (s.kind !== 'bytes') throw new Error(`sizeBytes must be an absolute size, not ${s.text}`);
      sizeBytes = s.bytes;
    } catch (e) {
      const p = loc.locate(['drives', i, 'sizeBytes']);
      findings.push({ rule: 'DRIVES-SIZE', severity: 'error', message: (e as Error).message, file, line: p?.line, col: p?.col, field: `drives[${i}].sizeBytes` });
    }
    if (sizeBytes % d.logicalSectorSize !== 0) {
      const p = loc.locate(['drives', i, 'sizeBytes']);
      findings.push({
        rule: 'DRIVES-SIZE',
        severity: 'error',
        message: `size ${sizeBytes} is not a whole number of ${d.logicalSectorSize}-byte logical sectors`,
        file,
        line: p?.line,
        col: p?.col,
        field: `drives[${i}].sizeBytes`,
      });
    }
    if (d.physicalSectorSize < d.logicalSectorSize) {
      const p = loc.locate(['drives', i, 'physicalSectorSize']);
      findings.push({ rule: 'DRIVES-SCHEMA', severity: 'error', message: 'physical sector size is smaller than the logical one', file, line: p?.line, col: p?.col, field: `drives[${i}].physicalSectorSize` });
    }
    if (seenPaths.has(d.path)) {
      const p = loc.locate(['drives', i, 'path']);
      findings.push({ rule: 'DRIVES-DUPLICATE', severity: 'error', message: `duplicate drive path ${d.path}`, file, line: p?.line, col: p?.col, field: `drives[${i}].path` });
    }
    seenPaths.add(d.path);
    const byIds = d.byId === undefined ? [] : Array.isArray(d.byId) ? d.byId : [d.byId];
    const info: DriveInfo = {
      path: d.path,
      byIds,
      sizeBytes,
      logicalSectorSize: d.logicalSectorSize,
      physicalSectorSize: d.physicalSectorSize,
      rotational: d.rotational,
      discard: d.discard,
      volatileWriteCache: d.volatileWriteCache,
      kind: inferKind(d),
      partitions: d.partitions,
      signatures: d.signatures,
      mountpoints: d.mountpoints,
    };
    if (d.serial !== undefined) info.serial = d.serial;
    if (d.wwn !== undefined) info.wwn = d.wwn;
    if (d.model !== undefined) info.model = d.model;
    if (d.transport !== undefined) info.transport = d.transport;
    else if (info.kind === 'nvme') info.transport = 'nvme';
    if (d.schedulers !== undefined) info.schedulers = d.schedulers;
    if (d.scheduler !== undefined) info.scheduler = d.scheduler;
    if (d.readAheadKb !== undefined) info.readAheadKb = d.readAheadKb;
    if (d.isRootDisk !== undefined) info.isRootDisk = d.isRootDisk;
    drives.push(info);
  });
  if (findings.length) throw new PlanError(findings);

  const state: HostState = { source: 'described', drives, pvs: [], vgs: [], lvs: [], filesystems: [], mounts: [] };
  if (r.data.kernelRelease !== undefined) state.kernelRelease = r.data.kernelRelease;
  return state;
}

/** Read and parse a drives file (plain fs read: it is the user's input, not a host side effect). */
export async function loadDrivesFile(file: string): Promise<HostState> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new PlanError([{ rule: 'DRIVES-FILE', severity: 'error', message: `cannot read drives file: ${(e as Error).message}`, file, line: 0, col: 0 }]);
  }
  return parseDrivesFile(text, file);
}
