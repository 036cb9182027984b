import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FakeRunner } from '../support/fake-runner.js';
import { readRepo, repoFile } from '../diff/helpers.js';
import { planCommand } from '../../src/commands/plan.js';
import { parseInventory } from '../../src/fleet/inventory.js';
import { planWithDriveIds } from '../../src/fleet/host-plan.js';
import { UserError } from '../../src/core/exit-codes.js';

const INV = [
  'all:',
  '  vars: { ansible_connection: ssh }',
  '  children:',
  '    db:',
  '      hosts:',
  '        primary: { jts_storage_drives: /d/4tb.yaml }',
  '        replica: { jts_storage_drives: /d/4tb-b.yaml, jts_storage_drive_ids: { nvme0: { serial: JTS-NVME-B } } }',
  '    dr:',
  '      hosts:',
  '        dr-site: { jts_storage_drives: /d/2tb.yaml }',
  '        nodrives: {}',
].join('\n');

function runner(inv = INV): FakeRunner {
  const r = new FakeRunner();
  r.files.set('plans/jts.yaml', readRepo('plans/jts.yaml'));
  r.files.set('inv.yml', inv);
  r.files.set('/d/4tb.yaml', readRepo('examples/drives/4tb-nvme.yaml'));
  r.files.set('/d/4tb-b.yaml', readRepo('examples/drives/4tb-nvme.yaml').replaceAll('JTS-NVME-0', 'JTS-NVME-B'));
  r.files.set('/d/2tb.yaml', readRepo('examples/drives/2tb-nvme.yaml'));
  return r;
}

async function plan(args: Parameters<typeof planCommand>[0], r = runner()) {
  let out = '';
  let err = '';
  const code = await planCommand(args, { runner: r, stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err, r };
}

test('plan --inventory: one line per host, invalid ones named; exit 1 when any host is invalid', async () => {
  const { code, out, r } = await plan({ plan: 'plans/jts.yaml', inventory: 'inv.yml' });
  assert.equal(code, 1);
  assert.deepEqual(r.calls, [], 'described drives only: no process');
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 5, out);
  assert.match(lines[0]!, /^primary\s+would change\s+\d+ action\(s\): \d+ create/);
  assert.match(lines[1]!, /^replica\s+would change/, 'its own drive identity (jts_storage_drive_ids) matches its drives');
  // on 2 TB the thick volumes fit; the thin volumes' 2500 GB cannot all be written in the pool + VG free space
  assert.match(lines[2]!, /^dr-site\s+invalid\s+1 error\(s\): JTS-THIN-OVERCOMMIT/);
  assert.match(lines[3]!, /^nodrives\s+invalid\s+no jts_storage_drives/);
  assert.equal(lines[4], '4 host(s): 2 would change, 0 unchanged, 2 invalid (exit 1)');
});

test('plan --inventory: exit 2 when every host is valid and some would change; --json per host', async () => {
  const inv = 'all:\n  hosts:\n    a: { jts_storage_drives: /d/4tb.yaml }\n    b: { jts_storage_drives: /d/4tb-b.yaml, jts_storage_drive_ids: { nvme0: { byId: /dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-B } } }\n';
  const { code, out } = await plan({ plan: 'plans/jts.yaml', inventory: 'inv.yml', json: true }, runner(inv));
  assert.equal(code, 2);
  const j = JSON.parse(out);
  assert.equal(j.exitCode, 2);
  assert.deepEqual(j.hosts.map((h: { host: string; verdict: string; exitCode: number }) => [h.host, h.verdict, h.exitCode]), [['a', 'would change', 2], ['b', 'would change', 2]]);
  assert.equal(j.hosts[1].plan.layout.drives.nvme0.byIds[0], '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-B');
  const lv = (h: { plan: { actions: { id: string; steps: { argv: string[] }[] }[] } }) => h.plan.actions.find((a) => a.id === 'lv:vg_jts/lv_clickhouse:create')!.steps[0]!.argv.join(' ');
  assert.equal(lv(j.hosts[0]), lv(j.hosts[1]));
});

test('plan --inventory with --drives or --out is a user error (each host has its own drives)', async () => {
  await assert.rejects(plan({ plan: 'plans/jts.yaml', inventory: 'inv.yml', drives: '/d/4tb.yaml' }), UserError);
  await assert.rejects(plan({ plan: 'plans/jts.yaml', inventory: 'inv.yml', out: 'x.json' }), UserError);
});

test('inventory: group vars flow down, host vars win; a drive id the plan lacks is named', () => {
  const hosts = parseInventory('all:\n  vars: { x: 1, y: 1 }\n  children:\n    g:\n      vars: { y: 2 }\n      hosts:\n        h1: { x: 3 }\n', 'i.yml');
  assert.deepEqual(hosts, [{ name: 'h1', vars: { x: 3, y: 2 } }]);
  assert.throws(() => parseInventory('all: [1, 2', 'i.yml'), (e: unknown) => e instanceof UserError && /^i\.yml:\d+:\d+: not YAML/.test(e.message));
  assert.throws(() => planWithDriveIds(readRepo('plans/jts.yaml'), 'plans/jts.yaml', { nvme9: { serial: 'X' } }), /has no drive with id nvme9/);
  const edited = parse(planWithDriveIds(readRepo('plans/jts.yaml'), 'plans/jts.yaml', { nvme0: { wwn: 'eui.1' } }));
  const orig = parse(readRepo('plans/jts.yaml')).drives[0];
  assert.deepEqual(edited.drives[0], { ...Object.fromEntries(Object.entries(orig).filter(([k]) => !['serial', 'byId', 'wwn', 'path'].includes(k))), wwn: 'eui.1' });
});

test('the role: documented defaults match meta/argument_specs.yml; syntax-check passes (when ansible is installed)', async (t) => {
  const defaults = parse(readFileSync(repoFile('ansible/roles/jts_storage/defaults/main.yml'), 'utf8')) as Record<string, unknown>;
  const specs = parse(readFileSync(repoFile('ansible/roles/jts_storage/meta/argument_specs.yml'), 'utf8')).argument_specs.main.options as Record<string, { default: unknown; description: string }>;
  assert.deepEqual(Object.keys(defaults).sort(), Object.keys(specs).sort());
  for (const [k, v] of Object.entries(specs)) {
    assert.ok(v.description, k);
    if (k !== 'jts_storage_command') assert.deepEqual(v.default, defaults[k], k);
  }
  if (spawnSync('ansible-playbook', ['--version']).status !== 0) return t.skip('ansible-playbook is not installed');
  const res = spawnSync('ansible-playbook', ['-i', 'localhost,', repoFile('ansible/jts-storage.yml'), '--syntax-check'], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: '/tmp/jts-ansible-tmp' } });
  assert.equal(res.status, 0, res.stdout + res.stderr);
});

test('ansible-lint passes on the export and on the role (when ansible-lint is installed)', async (t) => {
  if (spawnSync('ansible-lint', ['--version']).status !== 0) return t.skip('ansible-lint is not installed (scripts/setup.sh installs Debian\'s)');
  const { exportAnsibleCommand } = await import('../../src/commands/export.js');
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const r = new FakeRunner();
  r.files.set('plans/jts.yaml', readRepo('plans/jts.yaml'));
  r.files.set('d.yaml', readRepo('examples/drives/4tb-nvme.yaml'));
  assert.equal(await exportAnsibleCommand({ plan: 'plans/jts.yaml', drives: 'd.yaml', out: 'o' }, { runner: r, stdout: () => {}, stderr: () => {} }), 0);
  const dir = mkdtempSync(join(tmpdir(), 'jts-fleet-lint-'));
  try {
    mkdirSync(join(dir, 'host_vars'));
    for (const [k, v] of r.files) if (k.startsWith('o/')) writeFileSync(join(dir, k.slice(2)), v);
    const env = { ...process.env, ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), HOME: dir };
    const a = spawnSync('ansible-lint', ['--offline', '--nocolor', '.'], { cwd: dir, encoding: 'utf8', env });
    assert.equal(a.status, 0, a.stdout + a.stderr);
    const b = spawnSync('ansible-lint', ['--offline', '--nocolor', 'roles/jts_storage', 'jts-storage.yml'], { cwd: repoFile('ansible'), encoding: 'utf8', env });
    assert.equal(b.status, 0, b.stdout + b.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
