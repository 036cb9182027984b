/**
 * Drive specs of the sandbox VM: `--drive 4TB`, `--drive size=4000000000000,serial=X,kind=virtio`.
 * Pure: parsing and validation only, so every wrong part is named before anything is created.
 */

import { parseBytes, SizeError } from '../core/size.js';

export type DriveKind = 'nvme' | 'virtio' | 'scsi' | 'sata';
export const DRIVE_KINDS: readonly DriveKind[] = ['nvme', 'virtio', 'scsi', 'sata'];

/** Kinds whose QEMU device has a model property: scsi-hd `product=` (16 bytes), ide-hd `model=` (40 bytes). */
const MODEL_MAX: Partial<Record<DriveKind, number>> = { scsi: 16, sata: 40 };
/** Kinds whose QEMU device has `rotation_rate` (scsi-hd, ide-hd): VPD page B1h / ATA IDENTIFY word 217. */
const ROTATION_KINDS: readonly DriveKind[] = ['scsi', 'sata'];

/**
 * What the drive reports as its rotation: `ssd` (rate 1, "non-rotating medium": the guest's
 * queue/rotational is 0), `hdd` (7200 rpm), or a nominal rate in rpm (1025-65534, as ATA and SCSI
 * encode it). Default: ssd for sata; for scsi nothing is reported (QEMU's 0), which Linux reads as rotational.
 */
export type Rotation = 'ssd' | 'hdd' | number;

export interface SandboxDrive {
  sizeBytes: number;
  serial?: string;
  /** Model string the guest sees. Only settable for kind=scsi and kind=sata (QEMU 7.2's nvme and virtio-blk have no such property). */
  model?: string;
  kind?: DriveKind;
  /** Only for kind=scsi and kind=sata: see Rotation. */
  rotation?: Rotation;
  /**
   * Logical block (LBA) size the drive reports: 512 (default) or 4096 (a "4Kn" drive). QEMU's nvme,
   * virtio-blk-pci and scsi-hd take `logical_block_size=`/`physical_block_size=`; ide-hd (sata) does not.
   */
  lbs?: 512 | 4096;
  /**
   * Make this drive a further namespace (nsid 2, 3, …) of the NVMe controller of drive N (1-based, an
   * earlier nvme drive): it shares that controller's serial, as the namespaces of a real multi-namespace
   * drive do (QEMU nvme + nvme-ns devices). Only for kind=nvme; serial= must be unset or equal.
   */
  namespaceOf?: number;
}

/** QEMU's `rotation_rate` for a rotation: 1 = solid state, else the rpm. */
export function rotationRate(r: Rotation): number {
  if (r === 'ssd') return 1;
  if (r === 'hdd') return 7200;
  return r;
}

export function parseRotation(text: string): Rotation {
  const t = text.trim().toLowerCase();
  if (t === 'ssd' || t === 'hdd') return t;
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1025 && n <= 65534) return n;
  }
  throw new DriveSpecError(`rotation "${text}": expected ssd, hdd, or a rate in rpm from 1025 to 65534 (e.g. 7200)`);
}

/** The default drive: the spec's "4 TB" NVMe SSD, exactly 4,000,000,000,000 bytes. */
export const DEFAULT_DRIVE: Readonly<Required<Omit<SandboxDrive, 'model' | 'rotation' | 'lbs' | 'namespaceOf'>>> = {
  sizeBytes: 4_000_000_000_000,
  serial: 'JTS-NVME-0',
  kind: 'nvme',
};

export class DriveSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriveSpecError';
  }
}


/** Largest image QEMU and a sparse file reasonably take here: 64 TiB. */
export const MAX_DRIVE_BYTES = 2 ** 46;

/**
 * A drive size in the tool's one size grammar (core/size.ts, docs/plan-format.md "Sizes"): "4TB"
 * (10^12), "3.5TiB" or LVM's "3.5T" (2^40), "512MiB". A bare number is bytes here, as QEMU's
 * `-drive size=` reads it (the plan refuses bare numbers). Throws DriveSpecError naming the size.
 */
export function parseSize(text: string): number {
  try {
    const bytes = parseBytes(text, { bareNumber: 'bytes' });
    return bytes;
  } catch (e) {
    if (e instanceof SizeError) throw new DriveSpecError(e.message);
    throw e;
  }
}

/** Checks one drive; throws DriveSpecError naming the wrong field. `where` prefixes messages (e.g. "drive 2"). */
export function validateDrive(d: SandboxDrive, where = 'drive'): void {
  if (!Number.isSafeInteger(d.sizeBytes) || d.sizeBytes <= 0) throw new DriveSpecError(`${where}: size must be a positive whole number of bytes (got ${d.sizeBytes})`);
  if (d.sizeBytes % 512 !== 0) throw new DriveSpecError(`${where}: size ${d.sizeBytes} is not a multiple of the 512-byte sector`);
  if (d.sizeBytes < 1_048_576) throw new DriveSpecError(`${where}: size ${d.sizeBytes} is below 1 MiB`);
  if (d.sizeBytes > MAX_DRIVE_BYTES) throw new DriveSpecError(`${where}: size ${d.sizeBytes} is above the 64 TiB the sandbox supports`);
  if (d.kind !== undefined && !DRIVE_KINDS.includes(d.kind)) throw new DriveSpecError(`${where}: kind "${d.kind}" is not one of ${DRIVE_KINDS.join(', ')}`);
  if (d.serial !== undefined) {
    // NVMe, virtio-blk and ATA serials are at most 20 bytes; the characters are what by-id links keep as-is.
    if (!/^[A-Za-z0-9._-]{1,20}$/.test(d.serial)) throw new DriveSpecError(`${where}: serial "${d.serial}" must be 1-20 characters of A-Z a-z 0-9 . _ -`);
  }
  const kind = d.kind ?? 'nvme';
  if (d.model !== undefined) {
    const max = MODEL_MAX[kind];
    if (max === undefined) {
      throw new DriveSpecError(`${where}: model= is only supported for kind=scsi and kind=sata (QEMU's nvme and virtio-blk devices do not let the model be set)`);
    }
    // Leading/trailing spaces would vanish in the drive's space-padded field; by-id links turn inner spaces into _.
    if (!new RegExp(`^[A-Za-z0-9._-](?:[A-Za-z0-9 ._-]{0,${max - 2}}[A-Za-z0-9._-])?$`).test(d.model)) {
      throw new DriveSpecError(`${where}: model "${d.model}" must be 1-${max} characters of A-Z a-z 0-9 space . _ - (no leading or trailing space)`);
    }
  }
  if (d.lbs !== undefined) {
    if (d.lbs !== 512 && d.lbs !== 4096) throw new DriveSpecError(`${where}: lbs ${JSON.stringify(d.lbs)}: expected 512 or 4096`);
    if (kind === 'sata') throw new DriveSpecError(`${where}: lbs= is not supported for kind=sata (QEMU's ide-hd has no logical_block_size)`);
    if (d.sizeBytes % d.lbs !== 0) throw new DriveSpecError(`${where}: size ${d.sizeBytes} is not a multiple of the ${d.lbs}-byte logical block`);
  }
  if (d.rotation !== undefined) {
    if (!ROTATION_KINDS.includes(kind)) {
      throw new DriveSpecError(`${where}: rotation= is only supported for kind=scsi and kind=sata (an NVMe drive is always solid state; virtio-blk cannot report it)`);
    }
    if (typeof d.rotation === 'number' ? !(Number.isInteger(d.rotation) && d.rotation >= 1025 && d.rotation <= 65534) : d.rotation !== 'ssd' && d.rotation !== 'hdd') {
      throw new DriveSpecError(`${where}: rotation ${JSON.stringify(d.rotation)}: expected ssd, hdd, or a rate in rpm from 1025 to 65534`);
    }
  }
}

/**
 * Parses a `--drive` spec: comma-separated; a bare first part is the size; `size=`, `serial=`,
 * `model=`, `kind=`, `rotation=`, `lbs=` otherwise; a bare `nvme`/`virtio`/`scsi`/`sata` part is the kind.
 */
export function parseDriveSpec(spec: string): SandboxDrive {
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.every((p) => p === '')) throw new DriveSpecError(`drive spec "${spec}" is empty`);
  const d: Partial<SandboxDrive> = {};
  const seen = new Set<string>();
  parts.forEach((part, i) => {
    if (part === '') throw new DriveSpecError(`drive spec "${spec}": part ${i + 1} is empty`);
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    if (eq < 0) {
      if (DRIVE_KINDS.includes(part.toLowerCase() as DriveKind)) {
        key = 'kind';
        value = part.toLowerCase();
      } else if (i === 0) {
        key = 'size';
        value = part;
      } else {
        throw new DriveSpecError(`drive spec "${spec}": part "${part}" is neither key=value nor a kind (${DRIVE_KINDS.join(', ')})`);
      }
    } else {
      key = part.slice(0, eq).trim().toLowerCase();
      value = part.slice(eq + 1).trim();
    }
    if (seen.has(key)) throw new DriveSpecError(`drive spec "${spec}": "${key}" given twice`);
    seen.add(key);
    try {
      switch (key) {
        case 'size':
          d.sizeBytes = parseSize(value);
          break;
        case 'serial':
          d.serial = value;
          break;
        case 'model':
          d.model = value;
          break;
        case 'kind':
          if (!DRIVE_KINDS.includes(value as DriveKind)) throw new DriveSpecError(`kind "${value}" is not one of ${DRIVE_KINDS.join(', ')}`);
          d.kind = value as DriveKind;
          break;
        case 'rotation':
          d.rotation = parseRotation(value);
          break;
        case 'lbs':
          if (value !== '512' && value !== '4096') throw new DriveSpecError(`lbs "${value}": expected 512 or 4096`);
          d.lbs = Number(value) as 512 | 4096;
          break;
        case 'nsof':
          if (!/^[1-9][0-9]?$/.test(value)) throw new DriveSpecError(`nsof "${value}": expected the number (1-based) of an earlier nvme drive`);
          d.namespaceOf = Number(value);
          break;
        default:
          throw new DriveSpecError(`unknown key "${key}" (known: size, serial, model, kind, rotation, lbs, nsof)`);
      }
    } catch (e) {
      if (e instanceof DriveSpecError && !e.message.startsWith('drive spec')) throw new DriveSpecError(`drive spec "${spec}": ${e.message}`);
      throw e;
    }
  });
  if (d.sizeBytes === undefined) throw new DriveSpecError(`drive spec "${spec}": no size (write e.g. "4TB" or "size=4000000000000")`);
  const drive: SandboxDrive = { sizeBytes: d.sizeBytes };
  if (d.serial !== undefined) drive.serial = d.serial;
  if (d.model !== undefined) drive.model = d.model;
  if (d.kind !== undefined) drive.kind = d.kind;
  if (d.rotation !== undefined) drive.rotation = d.rotation;
  if (d.lbs !== undefined) drive.lbs = d.lbs;
  if (d.namespaceOf !== undefined) drive.namespaceOf = d.namespaceOf;
  validateDrive(drive, `drive spec "${spec}"`);
  return drive;
}

export interface ResolvedDrive {
  sizeBytes: number;
  serial: string;
  model?: string;
  kind: DriveKind;
  /** Set for sata (default ssd) and for scsi when asked; undefined: the device reports no rate. */
  rotation?: Rotation;
  /** 4096 for a 4Kn drive; undefined = 512. */
  lbs?: 512 | 4096;
  index: number;
  /** Index (0-based) of the drive whose NVMe controller this namespace belongs to; nsid is set for every namespace of a shared controller. */
  controllerOf?: number;
  nsid?: number;
}

/**
 * Fills defaults (kind nvme, serial JTS-<KIND>-<index>, sata drives solid state), validates each drive
 * and refuses duplicate serials.
 */
export function resolveDrives(drives: SandboxDrive[] | undefined): ResolvedDrive[] {
  const list: SandboxDrive[] = drives && drives.length > 0 ? drives : [{ ...DEFAULT_DRIVE }];
  const out: ResolvedDrive[] = [];
  const serials = new Set<string>();
  list.forEach((d, index) => {
    validateDrive(d, `drive ${index + 1}`);
    const kind = d.kind ?? 'nvme';
    let ctl: ResolvedDrive | undefined;
    if (d.namespaceOf !== undefined) {
      ctl = out[d.namespaceOf - 1];
      if (kind !== 'nvme' || !ctl || ctl.kind !== 'nvme' || ctl.controllerOf !== undefined)
        throw new DriveSpecError(`drive ${index + 1}: nsof=${d.namespaceOf} must name an earlier nvme drive that is not itself a namespace of another`);
      if (d.serial !== undefined && d.serial !== ctl.serial) throw new DriveSpecError(`drive ${index + 1}: a namespace has its controller's serial (${ctl.serial}), not "${d.serial}"`);
      if ((d.lbs ?? 512) !== (ctl.lbs ?? 512)) throw new DriveSpecError(`drive ${index + 1}: lbs= differs from the controller's drive (QEMU sets it per namespace, the sandbox keeps one)`);
    }
    const serial = ctl ? ctl.serial : (d.serial ?? `JTS-${kind.toUpperCase()}-${index}`);
    if (!ctl && serials.has(serial)) throw new DriveSpecError(`drive ${index + 1}: serial "${serial}" is used by another drive`);
    serials.add(serial);
    const r: ResolvedDrive = { sizeBytes: d.sizeBytes, serial, kind, index };
    if (ctl) {
      ctl.nsid ??= 1;
      r.controllerOf = ctl.index;
      r.nsid = out.filter((x) => x.controllerOf === ctl!.index).length + 2;
    }
    if (d.model !== undefined) r.model = d.model;
    if (d.lbs !== undefined && d.lbs !== 512) r.lbs = d.lbs;
    const rotation = d.rotation ?? (kind === 'sata' ? 'ssd' : undefined);
    if (rotation !== undefined) r.rotation = rotation;
    out.push(r);
  });
  return out;
}
