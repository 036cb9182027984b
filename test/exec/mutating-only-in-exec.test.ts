// One path for every change to the host: only src/exec/ runs a mutating command. Everything else hands
// an Action to the executor (src/exec/host-run.ts). This reads the TypeScript sources: a
// `mutating: true` in a run() call's options outside src/exec/ fails here, and the subsystems that
// change the host (snapshot, bench) do not write, rename, unlink or mkdir through the Runner either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname; // dist/test/exec → repo root
const SRC = join(ROOT, 'src');

/** Not the managed host: the sandbox builder's own package cache (apt-get update on the build machine). */
const ALLOWED = new Set(['src/sandbox/prepare.ts']);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The argument text of the call whose "(" is at `open` (balanced parentheses; enough for our sources). */
function callArgs(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** `run(...)` calls whose options say mutating (anything but `mutating: false`); an Action's Steps are data. */
export function mutatingRuns(text: string): { index: number; call: string }[] {
  const out: { index: number; call: string }[] = [];
  for (const m of text.matchAll(/\.run\(/g)) {
    const args = callArgs(text, m.index! + m[0].length - 1);
    if (/\btype:\s*'exec'/.test(args)) continue; // an Action handed to the executor
    if (/mutating:\s*(?!false\b)\S/.test(args)) out.push({ index: m.index!, call: args.replace(/\s+/g, ' ').slice(0, 120) });
  }
  return out;
}

test('no mutating command is run outside src/exec/ (a Step with mutating: true is data, not a run)', () => {
  const offenders: string[] = [];
  for (const f of walk(SRC)) {
    const rel = relative(ROOT, f);
    if (rel.startsWith('src/exec/') || ALLOWED.has(rel)) continue;
    const text = readFileSync(f, 'utf8');
    for (const r of mutatingRuns(text)) offenders.push(`${rel}:${text.slice(0, r.index).split('\n').length}: run(${r.call})`);
  }
  assert.deepEqual(offenders, [], 'run these through an Action and the executor (src/exec/host-run.ts)');
});

test('snapshot and bench change no file through the Runner (they hand write-file/mkdir Actions to the executor)', () => {
  const offenders: string[] = [];
  for (const f of [...walk(join(SRC, 'snapshot')), ...walk(join(SRC, 'bench'))]) {
    const rel = relative(ROOT, f);
    if (rel === 'src/bench/results.ts') continue; // the results document bench writes (its output, like a report)
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\b(runner|r)\.(writeFile|writeFileAtomic|appendFile|unlink|rename|mkdir|createExclusive)\(/g)) {
      offenders.push(`${rel}:${text.slice(0, m.index).split('\n').length}: ${m[0]}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the check sees a direct mutating run, and not a Step or a read (it is not vacuous)', () => {
  assert.equal(mutatingRuns("const r = await runner.run(['lvremove', '--yes', `${vg}/${lv}`], { mutating: true, timeoutMs: 1 });").length, 1);
  assert.equal(mutatingRuns('await runner.run(step.argv, { mutating: step.mutating });').length, 1);
  assert.equal(mutatingRuns("await act.run({ id: 'x', steps: [{ type: 'exec', argv: ['rm', f], mutating: true }] });").length, 0);
  assert.equal(mutatingRuns("await runner.run(['lvs'], { mutating: false });").length, 0);
  assert.equal(mutatingRuns("await runner.run(['lvs']);").length, 0);
});
