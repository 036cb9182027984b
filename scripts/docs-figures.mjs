// The figures the README and docs quote from the tool's own output come from a run, never from memory.
//
//   npm run docs                             (build, then regenerate: lint rules + these figures)
//   node scripts/docs-figures.mjs --write    (regenerate only; needs dist/ built)
//   node scripts/docs-figures.mjs            (check only: exit 1 and the differences when the docs drift)
//
// test/docs/figures.test.ts runs the same check in the unit suite. Everything is offline: the embedded
// default plan (plans/jts.yaml) against the described drives in examples/drives/, run in this process
// through the CLI's own entry point (`runCommandLine`, as rehearse's guest steps), `--json` where the figure
// is a count, and the human output at 80 columns where a doc shows it. Two mechanisms:
//   - BLOCKS: the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` is rewritten whole;
//   - ANCHORS: a pattern around a number in prose; its groups are rewritten with the run's figure. A pattern
//     that no longer matches anything fails the check (the sentence was rewritten: update the anchor here).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GIB = 2 ** 30;
const D4 = 'examples/drives/4tb-nvme.yaml';
const D2 = 'examples/drives/2tb-nvme.yaml';
const SEED = 'examples/seed-literal.yaml';

/** Runs `jts-storage ARGV` in this process (dist/src/cli.js) at 80 columns without colour: {code, out, err}. */
async function run(argv) {
  const { runCommandLine } = await import(path.join(ROOT, 'dist/src/cli.js'));
  let out = '';
  let err = '';
  const io = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: { NO_COLOR: '1', COLUMNS: '80', LC_ALL: 'C' } };
  // Paths relative to the checkout, so the output (and its wrapping at 80 columns) is the same wherever
  // the repository is cloned: the default plan by its relative path, run from the checkout's root.
  const withPlan = argv.includes('--plan') ? argv : [...argv, '--plan', 'plans/jts.yaml'];
  const cwd = process.cwd();
  process.chdir(ROOT);
  let code;
  try {
    code = await runCommandLine(withPlan, io);
  } finally {
    process.chdir(cwd);
  }
  if (code === undefined) throw new Error(`jts-storage ${argv.join(' ')}: the command does not run in-process`);
  const rel = (s) => s.split(ROOT + '/').join('');
  return { code, out: rel(out), err: rel(err) };
}

/** A checkout file for the CLI runs (run() works from ROOT) and for reading and writing docs. */
const abs = (p) => path.join(ROOT, p);
const gib = (bytes) => (bytes / GIB).toFixed(2);
const thousands = (n) => n.toLocaleString('en-US');

/** `grep -A N PATTERN` over TEXT (fixed string), groups separated by `--` as grep does. */
export function grepAfter(text, needle, after) {
  const lines = text.split('\n');
  const keep = new Set();
  lines.forEach((l, i) => {
    if (l.includes(needle)) for (let k = i; k <= Math.min(i + after, lines.length - 1); k++) keep.add(k);
  });
  const out = [];
  let last = -2;
  for (const i of [...keep].sort((a, b) => a - b)) {
    if (last >= 0 && i !== last + 1) out.push('--');
    out.push(lines[i]);
    last = i;
  }
  return out.join('\n');
}

/** One action block of the human plan output: its `# ...` header line up to the next blank line. */
function actionBlock(text, header) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => header.test(l));
  if (at < 0) return undefined;
  const end = lines.findIndex((l, i) => i > at && l.trim() === '');
  return lines.slice(at, end < 0 ? undefined : end).join('\n');
}

/** The first "missing … GiB" of a refused plan's errors (JTS-CAPACITY and the thin overcommit both say it). */
function missingGiB(result) {
  for (const f of result.errors ?? []) {
    const m = /missing (?:\d+ extents = )?([\d.]+ GiB)/i.exec(f.message);
    if (m) return m[1];
  }
  return `${result.errors?.length ?? 0} errors`;
}

function describe(result) {
  if (result.exitCode === 2) return `exit 2: ${result.actions.length} actions`;
  if (result.exitCode === 0) return 'exit 0: no changes';
  return `exit ${result.exitCode}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`;
}

/** Every figure the docs quote, from offline runs of this build. */
export async function collectFigures() {
  const plan4 = JSON.parse((await run(['plan', '--drives', D4, '--json'])).out);
  const plan4Text = await run(['plan', '--drives', D4]);
  const seed = JSON.parse((await run(['plan', '--plan', SEED, '--drives', D4, '--json'])).out);
  const small = JSON.parse((await run(['plan', '--drives', D2, '--json'])).out);
  const smallText = await run(['plan', '--drives', D2]);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'jts-docs-'));
  let ansible;
  try {
    const r = await run(['export', 'ansible', '--drives', D4, '--out', tmp]);
    const read = (f) => { try { return readFileSync(path.join(tmp, f), 'utf8'); } catch { return ''; } };
    const fix = (s) => s.split(tmp).join('out');
    const site = read('site.yml');
    const plays = site ? parseYaml(site) : [];
    const count = (key) => plays.reduce((n, play) => n + (play[key]?.length ?? 0), 0);
    ansible = { code: r.code, out: fix(r.out + r.err), site, hostVars: read('host_vars/localhost.yml'), tasks: count('tasks'), handlers: count('handlers') };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const fstab = await run(['render', 'fstab', '--drives', D4]);
  const udev = await run(['render', 'udev', '--drives', D4]);
  const vg = plan4.layout.vgs[0];
  const vol = (name) => vg.volumes.find((v) => v.name === name);
  const extentMiB = vg.extentSizeBytes / 2 ** 20;
  return { plan4, plan4Text, seed, small, smallText, ansible, fstab, udev, vg, vol, extentMiB };
}

/** One argv as a shell line (display only: apply runs argv, never a shell). */
const shellLine = (argv) => argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

const fence = (lang, body) => '```' + lang + '\n' + body.replace(/\n+$/, '') + '\n```';

/** Generated regions: name → (figures) → markdown between the markers. */
export const BLOCKS = {
  'plan-commands': (f) => fence('sh', [
    `npx jts-storage plan --drives ${D4}          # ${describe(f.plan4)}`,
    `npx jts-storage plan --plan ${SEED} --drives ${D4}   # ${describe(f.seed)}`,
    `npx jts-storage plan --drives ${D2}          # exit ${f.small.exitCode}: missing ${missingGiB(f.small)}`,
  ].join('\n')),
  'ansible-example': (f) => {
    const pg = f.vol('lv_postgres');
    return fence('console', [
      `$ jts-storage export ansible --drives ${D4} --out out`,
      f.ansible.out.trimEnd(),
      pg?.thinPool
        ? `$ grep -A5 'lv: lv_postgres' out/host_vars/localhost.yml   # thin in ${pg.thinPool}: lvcreate -V ${(pg.virtualSizeBytes ?? pg.sizeBytes) / 2 ** 20}m`
        : `$ grep -A4 'lv: lv_postgres' out/host_vars/localhost.yml   # lvcreate -l ${pg?.extents} × ${f.extentMiB} MiB`,
      grepAfter(f.ansible.hostVars, 'lv: lv_postgres', pg?.thinPool ? 5 : 4),
      `$ grep -A10 'name: "Logical volumes' out/site.yml   # the play: one task per module, looping over host_vars`,
      grepAfter(f.ansible.site, 'name: "Logical volumes', 10),
      `$ grep -A4 'jts_storage_trim:' out/host_vars/localhost.yml   # TRIM: chosen on the host, by apply's rule`,
      grepAfter(f.ansible.hostVars, 'jts_storage_trim:', 4),
      `$ jts-storage plan --inventory inv.yml    # one line per host: would change / unchanged / invalid`,
    ].join('\n'));
  },
  'plan-excerpt': (f) => {
    const text = f.plan4Text.out;
    const block = actionBlock(text, /^ {2}# lv vg_jts\/lv_kafka /) ?? actionBlock(text, /^ {2}# lv /) ?? '';
    const summary = text.split('\n').find((l) => l.startsWith('Plan: ')) ?? '';
    return fence('', `$ jts-storage plan --drives ${D4}\n…\n${block}\n…\n\n${summary}`);
  },
  'diagnostics-2tb': (f) => fence('', `$ jts-storage plan --drives ${D2}   # exit ${f.smallText.code}, stdout empty\n${f.smallText.err}`),
  'storage-commands': (f) => {
    const lines = [`$ jts-storage plan --drives ${D4} --json   # each action's steps, in order (${f.plan4.actions.length} actions)`];
    for (const a of f.plan4.actions) {
      for (const st of a.steps) {
        if (st.type === 'exec') lines.push(shellLine(st.argv));
        else if (st.type === 'mkdir') lines.push(`# mkdir ${st.path}${typeof st.mode === 'number' ? ` (mode 0${st.mode.toString(8)})` : ''}`);
        else if (st.type === 'write-file') lines.push(`# write ${st.path}${st.verifyArgv ? ` (the candidate checked first: ${shellLine(st.verifyArgv.map((x) => x.replace('{file}', 'CANDIDATE')))})` : ''}`);
        else lines.push(`# ${st.type} ${st.path ?? ''}`.trimEnd());
      }
    }
    return fence('sh', lines.join('\n'));
  },
  'fstab-block': (f) => fence('', `$ jts-storage render fstab --drives ${D4}\n${f.fstab.out}`),
  'udev-rule': (f) => fence('', `$ jts-storage render udev --drives ${D4}\n${f.udev.out}`),
  'layout-4tb': (f) => {
    const lines = f.plan4Text.out.split('\n');
    const start = lines.findIndex((l) => l.startsWith('+-'));
    const end = lines.findIndex((l, i) => i > start && l.startsWith(`${f.vg.name}: `));
    let stop = end;
    while (stop + 1 < lines.length && lines[stop + 1].startsWith('    ')) stop++;
    return fence('', `$ jts-storage plan --drives ${D4}   # the layout table\n${lines.slice(start, stop + 1).join('\n')}`);
  },
};

/** Numbers in prose: file, pattern (each group is one figure), and the figures in group order. */
export const ANCHORS = [
  { file: 'README.md', re: /= ([\d,]+) extents of 4 MiB = ([\d.]+) GiB\)/g, values: (f) => [thousands(f.vg.totalExtents), gib(f.vg.totalExtents * f.vg.extentSizeBytes)] },
  { file: 'README.md', re: /thin volumes in one pool\n?\s*that takes `rest` \(([\d.]+) GiB\)/g, values: (f) => {
    const pool = f.vg.thinPools[0];
    if (!pool) throw new Error('the default plan has no thin pool: rewrite the sentence "thin volumes in one pool that takes `rest`" and its anchor');
    return [gib(pool.extents * f.vg.extentSizeBytes)];
  } },
  { file: 'README.md', re: /10 % of the VG \(([\d.]+) GiB\)/g, values: (f) => [gib(f.vg.reserveExtents * f.vg.extentSizeBytes)] },
  { file: 'README.md', re: /rejects it with (\d+) errors/g, values: (f) => [String(f.seed.errors.length)] },
  { file: 'README.md', re: /The play has (\d+) tasks and (\d+) handlers whatever the plan/g, values: (f) => [String(f.ansible.tasks), String(f.ansible.handlers)] },
  { file: 'docs/fleet.md', re: /the play has (\d+) tasks and (\d+) handlers\n?\s*whatever the plan/g, values: (f) => [String(f.ansible.tasks), String(f.ansible.handlers)] },
  { file: 'docs/plan-output.md', re: /"summary": \{ "create": (\d+), "change": (\d+), "replace": (\d+), "destroy": (\d+) \}/g, values: (f) => ['create', 'change', 'replace', 'destroy'].map((k) => String(f.plan4.summary[k])) },
  { file: 'docs/plan-format.md', re: /4 MiB alignment and extents: ([\d,]+) extents = ([\d.]+) GiB/g, values: (f) => [thousands(f.vg.totalExtents), gib(f.vg.totalExtents * f.vg.extentSizeBytes)] },
  { file: 'docs/storage-setup.md', re: /\(([\d.]+) GiB in the layout above\)/g, values: (f) => [gib(f.vg.reserveExtents * f.vg.extentSizeBytes)] },
  { file: 'docs/storage-setup.md', re: /needs 4000 GiB of a ([\d.]+) GiB drive/g, values: (f) => [gib(f.vg.totalExtents * f.vg.extentSizeBytes)] },
  { file: 'docs/apply.md', re: /against `examples\/drives\/4tb-nvme.yaml` has (\d+) now/g, values: (f) => [String(f.plan4.actions.length)] },
  { file: 'docs/storage-setup.md', re: /the default plan had 45 actions then, (\d+) now/g, values: (f) => [String(f.plan4.actions.length)] },
];

/** The files the check covers: every file an anchor names plus every doc with a generated block. */
export function docFiles() {
  const files = new Set(ANCHORS.map((a) => a.file));
  for (const f of ['README.md', 'docs/plan-output.md', 'docs/storage-setup.md', 'docs/performance-tuning.md']) files.add(f);
  return [...files];
}

/**
 * The regenerated text of FILE: its generated blocks rewritten, its anchors' numbers replaced.
 * Returns {text, problems}: problems are anchors that match nothing and unknown block names.
 */
export function regenerate(file, text, figures) {
  const problems = [];
  let out = text.replace(/(<!-- generated:([a-z0-9-]+) -->\n)([\s\S]*?)(<!-- \/generated:\2 -->)/g, (all, open, name, _body, close) => {
    const block = BLOCKS[name];
    if (!block) { problems.push(`${file}: unknown generated block "${name}"`); return all; }
    return `${open}${block(figures)}\n${close}`;
  });
  for (const a of ANCHORS.filter((x) => x.file === file)) {
    let hits = 0;
    out = out.replace(a.re, (all, ...groups) => {
      hits++;
      let values;
      try {
        values = a.values(figures);
      } catch (e) {
        problems.push(`${file}: ${e.message}`);
        return all;
      }
      let rebuilt = all;
      let from = 0;
      groups.slice(0, values.length).forEach((g, i) => {
        const at = rebuilt.indexOf(g, from);
        rebuilt = rebuilt.slice(0, at) + values[i] + rebuilt.slice(at + g.length);
        from = at + values[i].length;
      });
      return rebuilt;
    });
    if (hits === 0) problems.push(`${file}: the anchor ${a.re} matches nothing (sentence rewritten? update ANCHORS in scripts/docs-figures.mjs)`);
  }
  return { text: out, problems };
}

/** Check (or with write: rewrite) every doc; returns [{file, drift, problems}]. */
export async function checkDocs({ write = false } = {}) {
  const figures = await collectFigures();
  const results = [];
  for (const file of docFiles()) {
    let text;
    try { text = readFileSync(abs(file), 'utf8'); } catch { continue; }
    const { text: next, problems } = regenerate(file, text, figures);
    if (write && next !== text) writeFileSync(abs(file), next);
    results.push({ file, drift: next !== text, before: text, after: next, problems });
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const write = process.argv.includes('--write');
  const results = await checkDocs({ write });
  let bad = false;
  for (const r of results) {
    for (const p of r.problems) { console.error(p); bad = true; }
    if (r.drift) {
      console.log(write ? `rewrote ${r.file}` : `${r.file}: drifted from the tool's output (npm run docs rewrites it)`);
      if (!write) bad = true;
    }
  }
  process.exitCode = bad ? 1 : 0;
}
