import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, symlinkSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { renderSystemdUnits, quoteExecArg, parseOnCalendar, FSTRIM_DROPIN, HEALTH_SERVICE, SNAPSHOT_SERVICE } from '../../src/render/systemd.js';
import { parseTimespan, calendarError } from '../../src/tune/systemd-time.js';
import { defaultCliArgv } from '../../src/tune/cli-path.js';
import { defaultPlan, smallPlan } from '../tune/helpers.js';
import type { RenderedFile } from '../../src/render/types.js';

const haveAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const dist = { path: '/usr/lib/systemd/system/fstrim.timer', onCalendar: ['weekly'] };

/** Write units into a temp dir and run `systemd-analyze verify` on them: exit 0 and not one warning. */
function verify(files: RenderedFile[]): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jts-units-'));
  try {
    const paths: string[] = [];
    for (const f of files) {
      if (f.path.endsWith('.conf')) continue; // drop-ins are checked with their unit below
      const p = join(dir, f.path.split('/').pop()!);
      writeFileSync(p, f.content);
      paths.push(p);
    }
    const r = spawnSync('systemd-analyze', ['verify', ...paths], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' } });
    return { status: r.status, out: (r.stdout + r.stderr).trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('default plan units pass systemd-analyze verify with no warning', { skip: !haveAnalyze && 'systemd-analyze not installed' }, () => {
  const r = renderSystemdUnits(defaultPlan().plan, { cli: defaultCliArgv(), planFile: '/work/plan.yaml', distributionFstrimTimer: dist });
  assert.deepEqual(r.enable, ['fstrim.timer', 'jts-storage-health.timer', 'jts-storage-snapshot.timer']);
  assert.equal(r.files.length, 4); // health + snapshot pairs; fstrim.timer used as shipped
  const v = verify(r.files);
  assert.equal(v.out, '');
  assert.equal(v.status, 0);
});

test('no distribution fstrim.timer: own fstrim units, verified', { skip: !haveAnalyze && 'systemd-analyze not installed' }, () => {
  const fstrim = ['/usr/sbin/fstrim', '/sbin/fstrim'].find((p) => existsSync(p)) ?? process.execPath;
  const r = renderSystemdUnits(defaultPlan().plan, { cli: defaultCliArgv(), fstrimPath: fstrim });
  assert.ok(r.enable.includes('jts-storage-fstrim.timer') && !r.enable.includes('fstrim.timer'));
  assert.equal(r.files.length, 6);
  const v = verify(r.files);
  assert.equal(v.out, '');
  assert.equal(v.status, 0);
});

test('a schedule other than the shipped one gives a drop-in that clears OnCalendar first', () => {
  const p = smallPlan({ tuning: 'tuning:\n  trim: { mode: timer, schedule: daily }' });
  const r = renderSystemdUnits(p.plan, { cli: defaultCliArgv(), distributionFstrimTimer: dist });
  const d = r.files.find((f) => f.path === FSTRIM_DROPIN)!;
  assert.ok(d);
  assert.deepEqual(parseOnCalendar(d.content), ['daily']);
  assert.match(d.content, /\[Timer\]\nOnCalendar=\nOnCalendar=daily\n/);
  // no snapshot policy in this plan: no snapshot units
  assert.ok(!r.files.some((f) => f.path.endsWith(SNAPSHOT_SERVICE)));
});

test('a drop-in calendar is one systemd accepts', { skip: !haveAnalyze && 'systemd-analyze not installed' }, () => {
  const p = smallPlan({ tuning: 'tuning:\n  trim: { mode: timer, schedule: "Sun *-*-* 03:00" }' });
  const r = renderSystemdUnits(p.plan, { cli: defaultCliArgv(), distributionFstrimTimer: dist });
  const d = r.files.find((f) => f.path === FSTRIM_DROPIN)!;
  const cal = parseOnCalendar(d.content);
  assert.deepEqual(cal, ['Sun *-*-* 03:00']);
  const c = spawnSync('systemd-analyze', ['calendar', cal[0]!], { encoding: 'utf8' });
  assert.equal(c.status, 0, c.stderr);
});

test('ExecStart quoting survives spaces, % and $ (verified by systemd)', { skip: !haveAnalyze && 'systemd-analyze not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jts space %x $y-'));
  try {
    const node = join(dir, 'my node');
    symlinkSync(process.execPath, node);
    const plan = smallPlan().plan;
    plan.health.textfileDir = '/var/lib/node exporter/100%';
    const r = renderSystemdUnits(plan, { cli: [node, join(dir, 'bin jts.js')], planFile: join(dir, 'plan $HOME.yaml'), distributionFstrimTimer: dist });
    const svc = r.files.find((f) => f.path.endsWith(HEALTH_SERVICE))!;
    assert.match(svc.content, /ExecStart="[^"]*my node" /);
    assert.match(svc.content, /100%%/);
    assert.match(svc.content, /plan \$\$HOME\.yaml/);
    const v = verify(r.files);
    assert.equal(v.out, '');
    assert.equal(v.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(quoteExecArg('/usr/bin/node'), '/usr/bin/node');
  assert.equal(quoteExecArg('a"b'), '"a\\"b"');
  assert.throws(() => renderSystemdUnits(smallPlan().plan, { cli: ['node', 'x.js'] }), /absolute/);
});

test('time spans parse as systemd parses them', { skip: !haveAnalyze && 'systemd-analyze not installed' }, () => {
  for (const s of ['1min', '30s', '1h 30min', '2m', '90', '1.5h', '1d', '500ms']) {
    const mine = parseTimespan(s);
    assert.ok('usec' in mine, s);
    const r = spawnSync('systemd-analyze', ['timespan', s], { encoding: 'utf8' });
    const m = /μs:\s*(\d+)/.exec(r.stdout) ?? /µs:\s*(\d+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.equal(mine.usec, Number(m[1]), s);
  }
  for (const s of ['', 'soon', '1 fortnight', '5x']) assert.ok('error' in parseTimespan(s), s);
});

test('calendar pre-check: what systemd accepts passes; injection does not', { skip: !haveAnalyze && 'systemd-analyze not installed' }, () => {
  for (const s of ['hourly', 'daily', 'weekly', '*-*-* 02:30:00', 'Mon *-*-* 03:00', '*:0/15']) {
    assert.equal(calendarError(s), undefined, s);
    assert.equal(spawnSync('systemd-analyze', ['calendar', s]).status, 0, s);
  }
  for (const s of ['daily\nExecStart=/bin/sh', 'weekly"', '%n', ' daily', '']) assert.ok(calendarError(s), JSON.stringify(s));
});

test('render command: --out-dir writes one file per unit, all verify', { skip: !haveAnalyze && 'systemd-analyze not installed' }, () => {
  const out = mkdtempSync(join(tmpdir(), 'jts-render-'));
  try {
    const r = spawnSync(process.execPath, ['bin/jts-storage.js', 'render', 'systemd', '--out-dir', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const names = readdirSync(out).sort();
    assert.ok(names.includes('jts-storage-health.service') && names.includes('jts-storage-health.timer'), names.join(','));
    const v = spawnSync('systemd-analyze', ['verify', ...names.filter((n) => /\.(service|timer)$/.test(n)).map((n) => join(out, n))], { encoding: 'utf8' });
    assert.equal((v.stdout + v.stderr).trim(), '');
    assert.equal(v.status, 0);
    // the plan's drive as the drives file describes it (this machine has no JTS-NVME-0): one line, by its identity
    const u = spawnSync(process.execPath, ['bin/jts-storage.js', 'render', 'udev', '--drives', 'examples/drives/4tb-nvme.yaml'], { encoding: 'utf8' });
    assert.equal(u.status, 0, u.stderr);
    assert.match(u.stdout, /^KERNEL=="nvme\[0-9\]\*n\[0-9\]\*", ENV\{ID_(WWN|SERIAL_SHORT)\}=="[^"]+", ATTR\{queue\/scheduler\}="none"$/m);
    assert.equal((u.stdout.match(/ATTR\{queue\/scheduler\}=/g) ?? []).length, 1);
    const bad = spawnSync(process.execPath, ['bin/jts-storage.js', 'render', 'nginx'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown kind "nginx"/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('own fstrim unit has no ProtectHome= (fstrim skips read-only mounts: util-linux issue 948)', () => {
  const r = renderSystemdUnits(defaultPlan().plan, { cli: defaultCliArgv(), fstrimPath: '/usr/sbin/fstrim' });
  const svc = r.files.find((f) => f.path.endsWith('/jts-storage-fstrim.service'))!;
  assert.ok(svc);
  assert.doesNotMatch(svc.content, /ProtectHome=/);
  assert.doesNotMatch(svc.content, /ProtectSystem=/);
  assert.match(svc.content, /NoNewPrivileges=yes/);
  // the other units keep it
  assert.match(r.files.find((f) => f.path.endsWith(`/${HEALTH_SERVICE}`))!.content, /ProtectHome=read-only/);
});
