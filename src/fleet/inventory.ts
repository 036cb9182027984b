/**
 * An Ansible inventory in YAML (the `yaml` inventory plugin's format, ansible-core 2.14 docs
 * "How to build your inventory"): groups with `hosts`, `vars` and `children`, starting at `all`.
 * jts-storage reads one variable per host, merged down from its groups as Ansible does (host over
 * child group over parent group):
 *
 *   all:
 *     children:
 *       db:
 *         hosts:
 *           db-primary: { jts_storage_drives: drives/primary.yaml }   # described drives (examples/drives/)
 *           db-replica: { jts_storage_drives: drives/replica.yaml }
 *
 * A host whose drives have other identities than the plan's (every real host: serials differ) says so
 * with `jts_storage_drive_ids`, keyed by the plan's drive id:
 *
 *           db-replica:
 *             jts_storage_drives: drives/replica.yaml
 *             jts_storage_drive_ids: { nvme0: { serial: S4EWNX0R123456 } }
 *
 * A relative `jts_storage_drives` path is taken from the inventory file's directory. INI inventories
 * are not read: `ansible-inventory -i INV --list -y` prints any inventory in this format.
 */
import { LineCounter, parseDocument } from 'yaml';
import { UserError } from '../core/exit-codes.js';

export interface InventoryHost {
  name: string;
  /** Every variable that reached the host (groups' then its own). */
  vars: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The hosts of an inventory, in first-seen order, with their merged variables.
 * @throws UserError naming file:line:col for YAML that does not parse or a group that is not a mapping
 */
export function parseInventory(text: string, file: string): InventoryHost[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const p = lc.linePos(e.pos[0]);
    throw new UserError(`${file}:${p.line}:${p.col}: not YAML: ${e.message.split('\n')[0]}`, { file, line: p.line, col: p.col });
  }
  const root = doc.toJS() as unknown;
  if (!isObj(root)) throw new UserError(`${file}: an inventory is a mapping of groups (starting with "all:"); INI inventories: convert with \`ansible-inventory -i ${file} --list -y\``, { file });
  const hosts = new Map<string, InventoryHost>();
  const walk = (group: unknown, name: string, inherited: Obj) => {
    if (group === null || group === undefined) return;
    if (!isObj(group)) throw new UserError(`${file}: group ${name}: a mapping of hosts, vars and children`, { file, field: name });
    const vars = { ...inherited, ...(isObj(group.vars) ? group.vars : {}) };
    if (group.hosts !== undefined && group.hosts !== null) {
      if (!isObj(group.hosts)) throw new UserError(`${file}: group ${name}: hosts is a mapping of host names`, { file, field: `${name}.hosts` });
      for (const [h, hv] of Object.entries(group.hosts)) {
        const prev = hosts.get(h);
        const own = isObj(hv) ? hv : {};
        if (prev) Object.assign(prev.vars, vars, own);
        else hosts.set(h, { name: h, vars: { ...vars, ...own } });
      }
    }
    if (isObj(group.children)) for (const [c, g] of Object.entries(group.children)) walk(g, c, vars);
  };
  for (const [g, body] of Object.entries(root)) walk(body, g, {});
  return [...hosts.values()];
}

/** The host's described-drives file, resolved against the inventory's directory. */
export function drivesFileOf(host: InventoryHost, inventoryFile: string): string | undefined {
  const d = host.vars['jts_storage_drives'];
  if (typeof d !== 'string' || !d) return undefined;
  if (d.startsWith('/')) return d;
  const dir = inventoryFile.includes('/') ? inventoryFile.slice(0, inventoryFile.lastIndexOf('/')) : '.';
  return `${dir}/${d}`;
}

/** One plan drive's identity on a host (replaces the plan's identity fields for that host). */
export interface DriveIdentity {
  serial?: string;
  byId?: string;
  wwn?: string;
  path?: string;
}
const IDENTITY_KEYS = ['serial', 'byId', 'wwn', 'path'] as const;

/**
 * The host's `jts_storage_drive_ids` ({ planDriveId: { serial | byId | wwn | path } }).
 * @throws UserError for a value that is not such a mapping, or an unknown key
 */
export function driveIdsOf(host: InventoryHost, inventoryFile: string): Record<string, DriveIdentity> | undefined {
  const m = host.vars['jts_storage_drive_ids'];
  if (m === undefined || m === null) return undefined;
  const field = `${host.name}.jts_storage_drive_ids`;
  if (!isObj(m)) throw new UserError(`${inventoryFile}: ${field}: a mapping of plan drive id → { serial | byId | wwn | path }`, { file: inventoryFile, field });
  const out: Record<string, DriveIdentity> = {};
  for (const [id, v] of Object.entries(m)) {
    if (!isObj(v) || !Object.keys(v).length) throw new UserError(`${inventoryFile}: ${field}.${id}: a mapping with serial, byId, wwn or path`, { file: inventoryFile, field: `${field}.${id}` });
    for (const [k, x] of Object.entries(v)) {
      if (!(IDENTITY_KEYS as readonly string[]).includes(k)) throw new UserError(`${inventoryFile}: ${field}.${id}.${k}: unknown; one of ${IDENTITY_KEYS.join(', ')}`, { file: inventoryFile, field: `${field}.${id}.${k}` });
      if (typeof x !== 'string' || !x) throw new UserError(`${inventoryFile}: ${field}.${id}.${k}: a non-empty string`, { file: inventoryFile, field: `${field}.${id}.${k}` });
    }
    out[id] = v as DriveIdentity;
  }
  return out;
}
