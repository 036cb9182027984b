/**
 * Hostile plans (test/fixtures/hostile/, copied from the shared cases): each is refused at the line marked
 * `#HOSTILE`, naming the field its header expects, exit 1, JSON with --json, and no process run at all
 * (the plan command with --drives through a FakeRunner).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { FakeRunner } from '../support/fake-runner.js';
import { planCommand } from '../../src/commands/plan.js';

const DIR = new URL('../../../test/fixtures/hostile/', import.meta.url);
const DRIVES = 'drives-one-nvme.yaml';

function expectations(text: string): { lines: number[]; fields: string[] } {
  const lines = text.split('\n').flatMap((l, i) => (/#HOSTILE\b/.test(l) ? [i + 1] : []));
  const header = text.split('\n').filter((l) => l.startsWith('#')).join(' ');
  const m = /Expected: reject ([^.]*(?:\.[A-Za-z][^.]*)*?)\.(?:\s|$)/.exec(header);
  const fields = m && !/^quickly/.test(m[1]!) ? m[1]!.split(/\s+and\s+/).map((s) => s.trim()) : [];
  return { lines, fields };
}

for (const name of readdirSync(DIR).filter((f) => /^h\d+.*\.yaml$/.test(f)).sort()) {
  test(`hostile ${name}: refused at its #HOSTILE line(s), naming the field, exit 1, JSON, nothing run`, async () => {
    const text = readFileSync(new URL(name, DIR), 'utf8');
    const { lines, fields } = expectations(text);
    assert.ok(lines.length > 0, 'the fixture marks its line');
    const runner = new FakeRunner();
    runner.files.set(name, text);
    const drives = /^# .*\bDrives: (\S+\.yaml)/m.exec(text)?.[1] ?? DRIVES;
    runner.files.set(drives, readFileSync(new URL(drives, DIR), 'utf8'));
    let out = '';
    const code = await planCommand({ plan: name, drives, json: true }, { runner, stdout: (s) => (out += s), stderr: () => {} });
    assert.equal(code, 1);
    assert.deepEqual(runner.calls, [], 'no process at all');
    const j = JSON.parse(out) as { errors: { line?: number; field?: string; file?: string; message: string }[]; actions: unknown[] };
    // A plan-file error stops before the diff (no action at all); a lint error (JTS-*) still shows what apply would
    // run, and apply refuses it before its first command (test/vm/hostile.vm.test.ts).
    if (j.errors.some((e) => /^PLAN-/.test((e as { rule?: string }).rule ?? 'PLAN-'))) assert.deepEqual(j.actions, []);
    for (const line of lines) assert.ok(j.errors.some((e) => e.line === line && e.file === name), `an error at ${name}:${line}: ${JSON.stringify(j.errors)}`);
    for (const f of fields) assert.ok(j.errors.some((e) => e.field === f && lines.includes(e.line!)), `an error naming ${f}: ${JSON.stringify(j.errors)}`);
  });
}

// CONTROL plans (cNN-*.yaml): odd-looking but legal; accepted (no error), with the warning their header names.
for (const name of readdirSync(DIR).filter((f) => /^c\d+.*\.yaml$/.test(f)).sort()) {
  test(`control ${name}: accepted, no error`, async () => {
    const text = readFileSync(new URL(name, DIR), 'utf8');
    const runner = new FakeRunner();
    runner.files.set(name, text);
    const drives = /^# .*\bDrives: (\S+\.yaml)/m.exec(text)?.[1] ?? DRIVES;
    runner.files.set(drives, readFileSync(new URL(drives, DIR), 'utf8'));
    let out = '';
    const code = await planCommand({ plan: name, drives, json: true }, { runner, stdout: (s) => (out += s), stderr: () => {} });
    const j = JSON.parse(out) as { errors: { rule: string; message: string }[]; warnings: { rule: string }[]; actions: unknown[] };
    assert.deepEqual(j.errors.map((e) => `${e.rule}: ${e.message}`), []);
    assert.notEqual(code, 1);
    assert.ok(j.actions.length > 0, 'apply would build it');
    const warns = /with warning (\S+)\./.exec(text)?.[1];
    if (warns) assert.ok(j.warnings.some((w) => w.rule === warns), `warned ${warns}: ${JSON.stringify(j.warnings.map((w) => w.rule))}`);
  });
}
