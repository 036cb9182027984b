import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { FakeRunner } from '../support/fake-runner.js';
import { readRepo } from '../diff/helpers.js';
import { exportAnsibleCommand } from '../../src/commands/export.js';
import { runPlan } from '../../src/pipeline/plan-pipeline.js';
import { managedEntries } from '../../src/render/fstab-format.js';
import type { Action } from '../../src/model/actions.js';
import { parseOnCalendar, renderSystemdUnits } from '../../src/render/systemd.js';
import { FSTRIM_PATHS, FSTRIM_TIMER_PATHS } from '../../src/tune/render-facts.js';
import { defaultCliArgv } from '../../src/tune/cli-path.js';
import { TRIM_FILE_PATHS } from '../../src/fleet/trim.js';

const FILES = ['plans/jts.yaml', 'test/fixtures/fleet/jts-thin.yaml', 'examples/seed-literal.yaml', 'examples/drives/4tb-nvme.yaml', 'examples/drives/2tb-nvme.yaml', 'test/fixtures/apply/tiny.yaml', 'test/fixtures/fleet/tiny-drives-0.yaml', 'test/fixtures/fleet/tiny-drives-1.yaml'];

function runner(extra: Record<string, string> = {}): FakeRunner {
  const r = new FakeRunner();
  for (const f of FILES) r.files.set(f, readRepo(f));
  for (const [k, v] of Object.entries(extra)) r.files.set(k, v);
  return r;
}

async function exp(args: Parameters<typeof exportAnsibleCommand>[0], r = runner()) {
  let out = '';
  let err = '';
  const code = await exportAnsibleCommand(args, { runner: r, stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err, r };
}

type Vars = Record<string, any>;
const execs = (actions: Action[], cmd: string) => actions.flatMap((a) => a.steps).flatMap((s) => (s.type === 'exec' && s.argv[0]!.startsWith(cmd) ? [s.argv] : []));

test('export ansible of the default plan on the 4 TB drive: the host vars are the plan\'s actions, value for value', async () => {
  const { code, r, err } = await exp({ plan: 'plans/jts.yaml', drives: 'examples/drives/4tb-nvme.yaml', out: 'out' });
  assert.equal(code, 0, err);
  assert.deepEqual(r.calls, [], 'offline: no process at all');
  const vars = parse(r.files.get('out/host_vars/localhost.yml')!) as Vars;
  const { result } = await runPlan({ runner: runner(), planFile: 'plans/jts.yaml', drivesFile: 'examples/drives/4tb-nvme.yaml' });
  const byId = '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0';
  assert.deepEqual(vars.jts_storage_drives, [{ id: 'nvme0', device: byId, vg: 'vg_jts' }]);
  assert.deepEqual(vars.jts_storage_vgs, [{ vg: 'vg_jts', pvs: [byId], pesize: '4m', pv_options: '--dataalignment 4m', vg_options: '' }]);
  // lvcreate -l N -n NAME … VG → lvol size N × 4 MiB in MiB; thin pool → lvol thinpool (no lv), N × 4 MiB and
  // apply's metadata/chunk/profile options; thin volume → lvol lv + thinpool, the virtual size; same order
  const lvc = execs(result.actions, 'lvcreate');
  assert.equal(vars.jts_storage_lvs.length, lvc.length);
  lvc.forEach((argv, i) => {
    const at = (f: string) => argv[argv.indexOf(f) + 1]!;
    const lv = vars.jts_storage_lvs[i];
    if (at('--type') === 'thin-pool') {
      const n = Number(at('-l'));
      assert.deepEqual(lv, { vg: 'vg_jts', thinpool: at('-n'), size: `${n * 4}m`, extents: n, opts: ['--poolmetadatasize', '--chunksize', '--metadataprofile'].map((f) => `${f} ${at(f)}`).join(' '), resizefs: false });
    } else if (at('--type') === 'thin') {
      assert.deepEqual(lv, { vg: 'vg_jts', lv: at('-n'), thinpool: at('--thinpool'), size: at('-V'), extents: Number(at('-V').slice(0, -1)) / 4, opts: `-r ${at('-r')} --wipesignatures y` });
    } else {
      const n = Number(at('-l'));
      assert.equal(lv.lv, at('-n'));
      assert.equal(lv.extents, n);
      assert.equal(lv.size, `${n * 4}m`);
      assert.equal(lv.opts, `-r ${at('-r')} --wipesignatures y`);
    }
  });
  // `rest` resolved for this drive: the layout's extents for the volume or thin pool the plan sizes `rest`
  const { layout } = await runPlan({ runner: runner(), planFile: 'plans/jts.yaml', drivesFile: 'examples/drives/4tb-nvme.yaml' });
  const vgl = layout!.vgs[0]!;
  const rest = [...vgl.volumes.filter((x) => !x.thinPool).map((x) => ({ name: x.name, extents: x.extents })), ...vgl.thinPools.map((p) => ({ name: p.name, extents: p.extents }))];
  for (const l of vars.jts_storage_lvs as Vars[]) if (!(l.lv && l.thinpool)) assert.equal(l.extents, rest.find((x) => x.name === (l.lv ?? l.thinpool))!.extents, l.lv ?? l.thinpool);
  // mkfs.TYPE OPTS DEV → filesystem fstype/opts/dev
  const mkfs = execs(result.actions, 'mkfs.');
  assert.deepEqual(vars.jts_storage_filesystems, mkfs.map((a) => ({ dev: a[a.length - 1], fstype: a[0]!.slice(5), opts: a.slice(1, -1).join(' ') })));
  // the fstab block is apply's text; the mounts are its lines
  const fstab = result.actions.flatMap((a) => a.steps).find((s) => s.type === 'write-file' && s.path === '/etc/fstab');
  assert.ok(fstab && fstab.type === 'write-file');
  assert.equal(`# ${vars.jts_storage_fstab_begin}\n${vars.jts_storage_fstab_block}\n# ${vars.jts_storage_fstab_end}\n`, fstab.content);
  assert.deepEqual(
    vars.jts_storage_mounts.map((m: Vars) => [m.src, m.path, m.fstype, m.opts, m.dump, m.passno].join(' ')),
    managedEntries(fstab.content).map((e) => [e.spec, e.file, e.vfstype, e.mntops.join(','), e.freq, e.passno].join(' ')),
  );
  assert.equal(vars.jts_storage_mounts.find((m: Vars) => m.path === '/var/lib/kafka').opts, 'noatime,logbufs=8,logbsize=256k,nofail,x-systemd.device-timeout=30s');
  // owners and modes: chown/chmod pairs
  const chown = execs(result.actions, 'chown');
  const chmod = execs(result.actions, 'chmod');
  assert.deepEqual(
    vars.jts_storage_perms,
    chown.map((c, i) => ({ path: c[2], owner: c[1]!.split(':')[0], group: c[1]!.split(':')[1], mode: chmod[i]![1] })),
  );
  assert.deepEqual(vars.jts_storage_perms.find((p: Vars) => p.path === '/backup'), { path: '/backup', owner: 'root', group: 'backup', mode: '0750' });
  // accounts
  assert.deepEqual(vars.jts_storage_users.find((u: Vars) => u.name === 'postgres'), { name: 'postgres', system: true, shell: '/usr/sbin/nologin', home: '/var/lib/postgresql', group: 'postgres' });
  assert.equal(vars.jts_storage_groups.length, execs(result.actions, 'groupadd').length);
  // the udev rule and the units: apply's text, byte for byte
  const writes = result.actions.flatMap((a) => a.steps).filter((s) => s.type === 'write-file' && s.path !== '/etc/fstab' && !s.path.startsWith('/etc/lvm/profile/'));
  // TRIM's units depend on the host (fstrim.timer, fstrim's path): they are in jts_storage_trim, chosen on the
  // host; the pipeline's offline choice (no timer, no fstrim found) is its own[''] variant
  const own = vars.jts_storage_trim.own.find((o: Vars) => o.fstrim === '').files as Vars[];
  assert.deepEqual([...vars.jts_storage_files, ...own].sort((a: Vars, b: Vars) => a.dest.localeCompare(b.dest)), writes.map((s) => s.type === 'write-file' && { dest: s.path, content: s.content, mode: '0644' }).sort((a: any, b: any) => a.dest.localeCompare(b.dest)));
  assert.ok((vars.jts_storage_files as unknown as Vars[]).some((f: Vars) => f.dest === '/etc/udev/rules.d/61-jts-storage-scheduler.rules'));
  assert.deepEqual(vars.jts_storage_timers, ['jts-storage-health.timer', 'jts-storage-snapshot.timer']);
  assert.equal(vars.jts_storage_trim.own_timer, 'jts-storage-fstrim.timer');
});

test('the playbook: standard modules, nothing that can destroy, the drive check before any change', async () => {
  const { code, r } = await exp({ plan: 'test/fixtures/apply/tiny.yaml', drives: 'test/fixtures/fleet/tiny-drives-0.yaml', out: 'o' });
  assert.equal(code, 0);
  const play = (parse(r.files.get('o/site.yml')!) as Vars[])[0]!;
  const mod = (t: Vars) => Object.keys(t).find((k) => k.includes('.'))!;
  const mods = play.tasks.map(mod);
  for (const m of ['community.general.lvg', 'community.general.lvol', 'community.general.filesystem', 'ansible.posix.mount', 'ansible.builtin.user', 'ansible.builtin.group', 'ansible.builtin.file', 'ansible.builtin.copy', 'ansible.builtin.systemd', 'ansible.posix.sysctl', 'ansible.builtin.blockinfile', 'ansible.builtin.assert']) assert.ok(mods.includes(m), m);
  const t = (m: string) => play.tasks.find((x: Vars) => mod(x) === m)[m];
  assert.equal(t('community.general.lvg').force, false);
  assert.equal(t('community.general.lvol').shrink, false);
  assert.equal(t('community.general.lvol').force, false);
  assert.equal(t('community.general.filesystem').force, false);
  assert.ok(mods.indexOf('ansible.builtin.assert') < mods.indexOf('community.general.lvg'), 'the drive check comes before the first change');
  for (const x of play.tasks.slice(0, mods.indexOf('ansible.builtin.assert'))) assert.equal(x.changed_when, false, `${x.name} only reads`);
  assert.equal(t('ansible.builtin.blockinfile').validate, 'findmnt --verify --tab-file %s');
  assert.equal(r.files.get('o/inventory.yml'), 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n');
});

test('inventory: per-host drives and drive identities; a host whose plan fails refuses the whole export (exit 1, nothing written)', async () => {
  const inv = [
    'all:',
    '  vars: { ansible_connection: local }',
    '  children:',
    '    db:',
    '      hosts:',
    '        db-a: { jts_storage_drives: ../test/fixtures/fleet/tiny-drives-0.yaml }',
    '        db-b:',
    '          jts_storage_drives: ../test/fixtures/fleet/tiny-drives-1.yaml',
    '          jts_storage_drive_ids: { hot0: { serial: JTS-TINY-1 } }',
  ].join('\n');
  const r = runner({ 'inv/hosts.yml': inv, '../test/fixtures/fleet/tiny-drives-0.yaml': readRepo('test/fixtures/fleet/tiny-drives-0.yaml'), '../test/fixtures/fleet/tiny-drives-1.yaml': readRepo('test/fixtures/fleet/tiny-drives-1.yaml') });
  r.files.set('inv/../test/fixtures/fleet/tiny-drives-0.yaml', readRepo('test/fixtures/fleet/tiny-drives-0.yaml'));
  r.files.set('inv/../test/fixtures/fleet/tiny-drives-1.yaml', readRepo('test/fixtures/fleet/tiny-drives-1.yaml'));
  const ok = await exp({ plan: 'test/fixtures/apply/tiny.yaml', inventory: 'inv/hosts.yml', out: 'o' }, r);
  assert.equal(ok.code, 0, ok.err);
  const a = parse(r.files.get('o/host_vars/db-a.yml')!) as Vars;
  const b = parse(r.files.get('o/host_vars/db-b.yml')!) as Vars;
  assert.equal(a.jts_storage_drives[0].device, '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-TINY-0');
  assert.equal(b.jts_storage_drives[0].device, '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-TINY-1');
  assert.ok(!r.files.has('o/inventory.yml'), 'the user\'s inventory is used as it is');

  // the default plan: db-b's 2 TB drive cannot hold it → refused, nothing written
  const inv2 = 'all:\n  hosts:\n    big: { jts_storage_drives: /d/4tb.yaml }\n    small: { jts_storage_drives: /d/2tb.yaml }\n';
  const r2 = runner({ 'i.yml': inv2, '/d/4tb.yaml': readRepo('examples/drives/4tb-nvme.yaml'), '/d/2tb.yaml': readRepo('examples/drives/2tb-nvme.yaml') });
  const bad = await exp({ plan: 'plans/jts.yaml', inventory: 'i.yml', out: 'o' }, r2);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^small: refused: /m);
  assert.match(bad.err, /nothing exported/);
  assert.ok(![...r2.files.keys()].some((k) => k.startsWith('o/')), 'nothing written');
});

test('lint errors refuse the export: seed-literal plan exits 1 and writes nothing', async () => {
  const { code, r, err } = await exp({ plan: 'examples/seed-literal.yaml', drives: 'examples/drives/4tb-nvme.yaml', out: 'o' });
  assert.equal(code, 1);
  assert.match(err, /error/);
  assert.ok(![...r.files.keys()].some((k) => k.startsWith('o/')));
});

test('a value with Jinja delimiters reaches the host verbatim (!unsafe)', async () => {
  const plan = readRepo('test/fixtures/apply/tiny.yaml').replace('users:', 'tuning:\n  sysctl:\n    - { key: vm.swappiness, value: "1", reason: "a {{ brace }} in the reason" }\nusers:');
  const r = runner({ 'p.yaml': plan });
  const { code, err } = await exp({ plan: 'p.yaml', drives: 'test/fixtures/fleet/tiny-drives-0.yaml', out: 'o' }, r);
  assert.equal(code, 0, err);
  const text = r.files.get('o/host_vars/localhost.yml')!;
  const doc = parseDocument(text);
  const files = doc.get('jts_storage_files') as any;
  const sysctl = files.items.find((n: any) => n.get('dest') === '/etc/sysctl.d/60-jts-storage.conf');
  assert.ok(sysctl, text);
  assert.equal(sysctl.get('content', true).tag, '!unsafe');
});

test('ansible-playbook --syntax-check passes on the export (when ansible is installed)', async (t) => {
  if (spawnSync('ansible-playbook', ['--version']).status !== 0) return t.skip('ansible-playbook is not installed (scripts/setup.sh installs Debian\'s ansible)');
  const { r } = await exp({ plan: 'plans/jts.yaml', drives: 'examples/drives/4tb-nvme.yaml', out: 'o' });
  const dir = mkdtempSync(join(tmpdir(), 'jts-fleet-'));
  try {
    mkdirSync(join(dir, 'host_vars'));
    for (const [k, v] of r.files) if (k.startsWith('o/')) writeFileSync(join(dir, k.slice(2)), v);
    const res = spawnSync('ansible-playbook', ['-i', join(dir, 'inventory.yml'), join(dir, 'site.yml'), '--syntax-check'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1' } });
    assert.equal(res.status, 0, res.stdout + res.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TRIM: on each host the playbook picks the units apply would write there (fstrim.timer or not, its schedule, fstrim\'s path; when ansible is installed)', async (t) => {
  if (spawnSync('ansible-playbook', ['--version']).status !== 0) return t.skip('ansible-playbook is not installed (scripts/setup.sh installs Debian\'s ansible)');
  const { r } = await exp({ plan: 'test/fixtures/apply/tiny.yaml', drives: 'test/fixtures/fleet/tiny-drives-0.yaml', out: 'o' });
  const vars = parse(r.files.get('o/host_vars/localhost.yml')!) as Vars;
  const play = (parse(r.files.get('o/site.yml')!) as Vars[])[0]!;
  const plan = (await runPlan({ runner: runner(), planFile: 'test/fixtures/apply/tiny.yaml', drivesFile: 'test/fixtures/fleet/tiny-drives-0.yaml' })).loaded!.plan;
  // timer: the distribution's fstrim.timer text (none: no timer); fstrim: which of FSTRIM_PATHS exist
  const cases: { name: string; timer?: string; fstrim: number[] }[] = [
    { name: 'none', fstrim: [1, 2] },
    { name: 'nofstrim', fstrim: [] },
    { name: 'same', timer: '[Unit]\nDescription=x\n\n[Timer]\nOnCalendar=weekly\nPersistent=true\n', fstrim: [0] },
    { name: 'reset', timer: '[Timer]\nOnCalendar=daily\nOnCalendar=\n  OnCalendar = weekly\n', fstrim: [0] },
    { name: 'other', timer: '[Unit]\nOnCalendar=weekly\n[Timer]\n# OnCalendar=weekly\nOnCalendar=daily\n', fstrim: [0] },
    { name: 'two', timer: '[Timer]\nOnCalendar=weekly\nOnCalendar=daily\n', fstrim: [0] },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'jts-fleet-trim-'));
  try {
    mkdirSync(join(dir, 'host_vars'));
    const hosts: Record<string, Vars> = {};
    for (const c of cases) {
      const d = join(dir, c.name);
      mkdirSync(d);
      const tmpOf = (p: string) => join(d, p.replace(/\//g, '_'));
      if (c.timer) writeFileSync(tmpOf(FSTRIM_TIMER_PATHS[1]!), c.timer);
      for (const i of c.fstrim) writeFileSync(tmpOf(FSTRIM_PATHS[i]!), '');
      const trim = vars.jts_storage_trim;
      hosts[c.name] = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' };
      const hv = { ...vars, jts_storage_dirs: [], jts_storage_trim: { ...trim, timer_paths: trim.timer_paths.map(tmpOf), fstrim_paths: trim.fstrim_paths.map(tmpOf), own: trim.own.map((o: Vars) => ({ ...o, fstrim: o.fstrim ? tmpOf(o.fstrim) : '' })) } };
      writeFileSync(join(dir, 'host_vars', `${c.name}.yml`), JSON.stringify(hv));
    }
    writeFileSync(join(dir, 'inventory.yml'), JSON.stringify({ all: { hosts } }));
    const probe: Vars = { ...play, become: false, tasks: [...play.tasks.slice(0, 2), { 'ansible.builtin.debug': { msg: "{{ {'files': jts_trim_files, 'timers': jts_trim_timers} }}" } }] };
    delete probe.handlers;
    writeFileSync(join(dir, 'probe.yml'), JSON.stringify([probe]));
    const res = spawnSync('ansible-playbook', ['-i', join(dir, 'inventory.yml'), join(dir, 'probe.yml')], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1', ANSIBLE_STDOUT_CALLBACK: 'json' } });
    assert.equal(res.status, 0, res.stdout + res.stderr);
    const got = JSON.parse(res.stdout).plays[0].tasks[2].hosts as Record<string, Vars>;
    for (const c of cases) {
      const sd = renderSystemdUnits(plan, {
        cli: defaultCliArgv(),
        planFile: resolve('test/fixtures/apply/tiny.yaml'),
        ...(c.timer ? { distributionFstrimTimer: { path: FSTRIM_TIMER_PATHS[1]!, onCalendar: parseOnCalendar(c.timer) } } : {}),
        ...(c.fstrim.length ? { fstrimPath: FSTRIM_PATHS[Math.min(...c.fstrim)]! } : {}),
      });
      const want = sd.files.filter((f) => TRIM_FILE_PATHS.includes(f.path)).map((f) => ({ dest: f.path, content: f.content, mode: '0644' }));
      assert.deepEqual(got[c.name]!.msg.files, want, c.name);
      assert.deepEqual(got[c.name]!.msg.timers, sd.enable.filter((u) => u.includes('fstrim')), c.name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drive identities also reach a runner that reads plan files as bytes (the real runner does; the plan loader prefers bytes)', async () => {
  const inv = 'all:\n  hosts:\n    db-b:\n      jts_storage_drives: /d/tiny-1.yaml\n      jts_storage_drive_ids: { hot0: { serial: JTS-TINY-1 } }\n';
  const r = runner({ '/i/hosts.yml': inv, '/d/tiny-1.yaml': readRepo('test/fixtures/fleet/tiny-drives-1.yaml') });
  const bytesRunner = Object.create(r) as FakeRunner;
  (bytesRunner as any).readFileBytes = async (p: string) => new TextEncoder().encode(await r.readFile(p));
  const { code, err } = await exp({ plan: 'test/fixtures/apply/tiny.yaml', inventory: '/i/hosts.yml', out: 'o' }, bytesRunner);
  assert.equal(code, 0, err);
  assert.equal((parse(r.files.get('o/host_vars/db-b.yml')!) as Vars).jts_storage_drives[0].device, '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-TINY-1');
});

test('TRIM: a changed unit or fstrim drop-in restarts its timer (a handler, as apply restarts a running timer; when ansible is installed)', async (t) => {
  if (spawnSync('ansible-playbook', ['--version']).status !== 0) return t.skip('ansible-playbook is not installed (scripts/setup.sh installs Debian\'s ansible)');
  const { r } = await exp({ plan: 'test/fixtures/apply/tiny.yaml', drives: 'test/fixtures/fleet/tiny-drives-0.yaml', out: 'o' });
  const play = (parse(r.files.get('o/site.yml')!) as Vars[])[0]!;
  const copy = play.tasks.find((x: Vars) => x['ansible.builtin.copy'] && String(x.loop).includes('jts_storage_files'));
  const restart = play.handlers.find((h: Vars) => /^Restart the timers/.test(h.name));
  assert.ok(copy.notify.includes(restart.name) && restart['ansible.builtin.systemd'].state === 'restarted', 'the copy of the units notifies the restart handler');
  const res = (dest: string, changed: boolean) => ({ changed, item: { dest } });
  const cases: [string, Vars[], string[]][] = [
    ['nothing changed', [res('/etc/systemd/system/jts-storage-health.timer', false), res('/etc/systemd/system/fstrim.timer.d/50-jts-storage.conf', false)], []],
    ['drop-in changed', [res('/etc/systemd/system/jts-storage-health.timer', false), res('/etc/systemd/system/fstrim.timer.d/50-jts-storage.conf', true)], ['fstrim.timer']],
    ['timer changed', [res('/etc/systemd/system/jts-storage-health.timer', true), res('/etc/systemd/system/jts-storage-health.service', true)], ['jts-storage-health.timer']],
    ['service only', [res('/etc/systemd/system/jts-storage-health.service', true), res('/etc/systemd/system/fstrim.timer.dx/a.conf', true)], []],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'jts-fleet-restart-'));
  try {
    const hosts: Record<string, Vars> = {};
    cases.forEach(([, results], i) => {
      hosts[`h${i}`] = { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3', jts_storage_copied: { results }, jts_storage_timers: ['jts-storage-health.timer'], jts_trim_timers: ['fstrim.timer'] };
    });
    writeFileSync(join(dir, 'inventory.yml'), JSON.stringify({ all: { hosts } }));
    const vars = { jts_changed_files: play.vars.jts_changed_files, jts_restart_timers: play.vars.jts_restart_timers };
    writeFileSync(join(dir, 'probe.yml'), JSON.stringify([{ hosts: 'all', gather_facts: false, vars, tasks: [{ 'ansible.builtin.debug': { msg: '{{ jts_restart_timers }}' } }] }]));
    const out = spawnSync('ansible-playbook', ['-i', join(dir, 'inventory.yml'), join(dir, 'probe.yml')], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1', ANSIBLE_STDOUT_CALLBACK: 'json' } });
    assert.equal(out.status, 0, out.stdout + out.stderr);
    const got = JSON.parse(out.stdout).plays[0].tasks[0].hosts as Record<string, Vars>;
    cases.forEach(([name, , want], i) => assert.deepEqual(got[`h${i}`]!.msg, want, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const THIN = 'test/fixtures/fleet/jts-thin.yaml'; // the default plan with PostgreSQL, ClickHouse and MongoDB thin in pool_db

test('thin pools: the pool (lvol thinpool, no lv) with apply\'s extents and options, thin volumes at their virtual size, the pool\'s profile as apply writes it', async () => {
  const { code, r, err } = await exp({ plan: THIN, drives: 'examples/drives/4tb-nvme.yaml', out: 'o' });
  assert.equal(code, 0, err);
  const vars = parse(r.files.get('o/host_vars/localhost.yml')!) as Vars;
  const { result } = await runPlan({ runner: runner(), planFile: THIN, drivesFile: 'examples/drives/4tb-nvme.yaml' });
  const lvc = execs(result.actions, 'lvcreate');
  assert.equal(vars.jts_storage_lvs.length, lvc.length);
  assert.deepEqual(lvc[0], ['lvcreate', '--type', 'thin-pool', '-l', '619373', '--poolmetadatasize', '1g', '--chunksize', '256k', '--metadataprofile', 'jts-vg_jts-pool_db', '-n', 'pool_db', '--yes', 'vg_jts']);
  assert.deepEqual(vars.jts_storage_lvs[0], { vg: 'vg_jts', thinpool: 'pool_db', size: '2477492m', extents: 619373, opts: '--poolmetadatasize 1g --chunksize 256k --metadataprofile jts-vg_jts-pool_db', resizefs: false }, 'the pool first: 619373 × 4 MiB');
  assert.deepEqual(lvc.find((a) => a.includes('lv_postgres')), ['lvcreate', '--type', 'thin', '-V', '762940m', '--thinpool', 'pool_db', '-n', 'lv_postgres', '-r', 'auto', '--wipesignatures', 'y', '--yes', 'vg_jts']);
  assert.deepEqual(vars.jts_storage_lvs.find((l: Vars) => l.lv === 'lv_postgres'), { vg: 'vg_jts', lv: 'lv_postgres', thinpool: 'pool_db', size: '762940m', extents: 190735, opts: '-r auto --wipesignatures y' }, '800GB virtual, whole extents');
  assert.deepEqual(vars.jts_storage_lvs.find((l: Vars) => l.lv === 'lv_kafka'), { vg: 'vg_jts', lv: 'lv_kafka', size: '572208m', extents: 143052, opts: '-r auto --wipesignatures y' }, 'thick volumes as before');
  const pool = result.actions.find((a) => a.id === 'pool:vg_jts/pool_db:create')!;
  const prof = pool.steps[0]!;
  assert.ok(prof.type === 'write-file' && pool.steps[1]!.type === 'exec', 'apply writes the profile, then creates the pool');
  assert.deepEqual(vars.jts_storage_lvm_profiles, [{ dest: '/etc/lvm/profile/jts-vg_jts-pool_db.profile', content: prof.content, mode: '0644' }]);
  assert.match(prof.content, /thin_pool_autoextend_threshold = 80\n\tthin_pool_autoextend_percent = 20/);
  assert.deepEqual(vars.jts_storage_thin_pools, [{ vg: 'vg_jts', pool: 'pool_db', profile: 'jts-vg_jts-pool_db' }]);
  assert.ok(!vars.jts_storage_files.some((f: Vars) => f.dest.startsWith('/etc/lvm/')), 'the profile is not copied again after the pools');
});

test('thin pools in the playbook: the profile is copied before lvol creates the pool; lvol gets thinpool/lv/resizefs per item', async () => {
  const { code, r, err } = await exp({ plan: THIN, drives: 'examples/drives/4tb-nvme.yaml', out: 'o' });
  assert.equal(code, 0, err);
  const play = (parse(r.files.get('o/site.yml')!) as Vars[])[0]!;
  const idx = (pred: (t: Vars) => boolean) => play.tasks.findIndex(pred);
  const lvol = idx((t) => 'community.general.lvol' in t);
  const profiles = idx((t) => 'ansible.builtin.copy' in t && String(t.loop).includes('jts_storage_lvm_profiles'));
  const attach = idx((t) => 'ansible.builtin.command' in t && JSON.stringify(t).includes('--metadataprofile'));
  assert.ok(profiles >= 0 && profiles < lvol, 'profiles before the pools');
  assert.ok(attach > lvol, 'lvchange --metadataprofile after the pools exist');
  assert.equal(play.tasks[profiles]['ansible.builtin.copy'].backup, true, 'old file backed up first, as apply');
  const m = play.tasks[lvol]['community.general.lvol'];
  assert.equal(m.thinpool, '{{ item.thinpool | default(omit) }}');
  assert.equal(m.lv, '{{ item.lv | default(omit) }}');
  assert.equal(m.resizefs, '{{ item.resizefs | default(true) }}');
  assert.equal(m.shrink, false);
  assert.equal(m.force, false);
});

test('thin pools: a pool that exists with another profile gets apply\'s lvchange --metadataprofile; a profile attached without its file is refused', async () => {
  const { hostVarsFromActions, ExportError } = await import('../../src/fleet/ansible-vars.js');
  const run = await runPlan({ runner: runner(), planFile: THIN, drivesFile: 'examples/drives/4tb-nvme.yaml' });
  const actions = run.result.actions;
  const pool = actions.find((a) => a.id === 'pool:vg_jts/pool_db:create')!;
  // apply's change action on a host whose pool exists (src/diff/volume-groups.ts): the profile, then lvchange
  const change: Action = { ...pool, id: 'pool:vg_jts/pool_db:profile', kind: 'change', steps: [pool.steps[0]!, { type: 'exec', argv: ['lvchange', '--metadataprofile', 'jts-vg_jts-pool_db', 'vg_jts/pool_db'] }] } as Action;
  const noCreate = actions.filter((a) => a !== pool && !(a.id.startsWith('lv:') && a.steps.some((s) => s.type === 'exec' && s.argv.includes('--thinpool'))));
  const v = hostVarsFromActions(run.loaded!.plan, run.layout!, [change, ...noCreate]);
  assert.deepEqual(v.jts_storage_thin_pools, [{ vg: 'vg_jts', pool: 'pool_db', profile: 'jts-vg_jts-pool_db' }]);
  assert.equal(v.jts_storage_lvm_profiles.length, 1);
  assert.ok(!v.jts_storage_lvs.some((l) => l.thinpool), 'no pool or thin volume to create');
  const bare: Action = { ...change, steps: [change.steps[1]!] } as Action;
  assert.throws(() => hostVarsFromActions(run.loaded!.plan, run.layout!, [bare]), (e: unknown) => e instanceof ExportError && /no step writes \/etc\/lvm\/profile\/jts-vg_jts-pool_db\.profile/.test((e as Error).message));
});

test('upgrade: the playbook removes the old 60- udev rule as apply does (file state: absent after the 61- rule, udev reload handler; a second run changes nothing; when ansible is installed)', async (t) => {
  const { code, r, err } = await exp({ plan: 'test/fixtures/apply/tiny.yaml', drives: 'test/fixtures/fleet/tiny-drives-0.yaml', out: 'o' });
  assert.equal(code, 0, err);
  const vars = parse(r.files.get('o/host_vars/localhost.yml')!) as Vars;
  const { LEGACY_UDEV_RULE_PATHS, UDEV_RULE_PATH } = await import('../../src/render/udev.js');
  assert.deepEqual(vars.jts_storage_absent_files, ['/etc/udev/rules.d/60-jts-storage-scheduler.rules']);
  assert.deepEqual(vars.jts_storage_absent_files, LEGACY_UDEV_RULE_PATHS);
  assert.ok((vars.jts_storage_files as Vars[]).some((f) => f.dest === UDEV_RULE_PATH));
  const play = (parse(r.files.get('o/site.yml')!) as Vars[])[0]!;
  const copyAt = play.tasks.findIndex((x: Vars) => x['ansible.builtin.copy'] && String(x.loop).includes('jts_storage_files'));
  const rmAt = play.tasks.findIndex((x: Vars) => x['ansible.builtin.file']?.state === 'absent');
  assert.ok(copyAt >= 0 && rmAt > copyAt, 'removed after the new rule is written (apply: dependsOn tune:udev-rule)');
  const rm = play.tasks[rmAt];
  assert.equal(rm.loop, '{{ jts_storage_absent_files | default([]) }}');
  const reload = play.handlers.find((h: Vars) => h.name === rm.notify[0]);
  assert.deepEqual(reload['ansible.builtin.command'].argv, ['udevadm', 'control', '--reload'], 'the handler the new rule notifies: apply\'s rm is followed by the same reload');
  assert.equal(play.tasks.filter((x: Vars) => x['ansible.builtin.file']?.state === 'absent').length, 1, 'the only removal');
  // the same step in the pipeline's actions (a host that has the old file) maps to the same variable
  const { hostVarsFromActions } = await import('../../src/fleet/ansible-vars.js');
  const run = await runPlan({ runner: runner(), planFile: 'test/fixtures/apply/tiny.yaml', drivesFile: 'test/fixtures/fleet/tiny-drives-0.yaml' });
  const legacy: Action = { id: 'tune:udev-rule:legacy', kind: 'change', resource: 'file', summary: 's', dependsOn: [], steps: [{ type: 'exec', argv: ['rm', '-f', '--', '/etc/udev/rules.d/59-x.rules'], mutating: true }, { type: 'exec', argv: ['udevadm', 'control', '--reload'], mutating: true }] };
  assert.deepEqual(hostVarsFromActions(run.loaded!.plan, run.layout!, [...run.result.actions, legacy]).jts_storage_absent_files, [...LEGACY_UDEV_RULE_PATHS, '/etc/udev/rules.d/59-x.rules']);

  if (spawnSync('ansible-playbook', ['--version']).status !== 0) return t.skip('ansible-playbook is not installed (scripts/setup.sh installs Debian\'s ansible)');
  // the task and the handler, run for real on a scratch file: removed + handler notified, then no change
  const dir = mkdtempSync(join(tmpdir(), 'jts-fleet-legacy-'));
  try {
    const old = join(dir, '60-jts-storage-scheduler.rules');
    writeFileSync(old, 'KERNEL=="nvme[0-9]*n[0-9]*", ATTR{queue/scheduler}="none"\n');
    const hosts = { h: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3', jts_storage_absent_files: [old], jts_present: [old], jts_udevd: false } };
    writeFileSync(join(dir, 'inventory.yml'), JSON.stringify({ all: { hosts } }));
    writeFileSync(join(dir, 'probe.yml'), JSON.stringify([{ hosts: 'all', gather_facts: false, tasks: [rm], handlers: [reload] }]));
    const run1 = () => spawnSync('ansible-playbook', ['-i', join(dir, 'inventory.yml'), join(dir, 'probe.yml')], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1', ANSIBLE_STDOUT_CALLBACK: 'json' } });
    const a = run1();
    assert.equal(a.status, 0, a.stdout + a.stderr);
    const ja = JSON.parse(a.stdout);
    assert.equal(ja.stats.h.changed, 1);
    assert.deepEqual(ja.plays[0].tasks.map((x: Vars) => x.task.name), [rm.name, reload.name], 'the reload handler was notified');
    assert.equal(spawnSync('test', ['-e', old]).status, 1, 'the old rule is gone');
    const b = run1();
    assert.equal(b.status, 0, b.stdout + b.stderr);
    const jb = JSON.parse(b.stdout);
    assert.equal(jb.stats.h.changed, 0);
    assert.deepEqual(jb.plays[0].tasks.map((x: Vars) => x.task.name), [rm.name], 'no reload when nothing was removed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
