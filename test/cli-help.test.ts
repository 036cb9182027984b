import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli.js';
import { PACKAGE_ROOT } from '../src/rehearse/rehearse.js';

/**
 * issue 17: every command's --help in one style, at 80 columns. The style (docs/decisions.md):
 * descriptions of the program, commands, arguments and options start lower-case (as commander's own
 * "display help for command"), unless the first word is an acronym or a name (LVM, VG/LV, JSON-lines,
 * SIZE); none ends with a period; a default is "(default: X)", numbers bare (never "\"20\""), and no
 * default shows this checkout's path (an installed package lives elsewhere).
 */
function walk(c: Command, path: string[] = []): { path: string[]; cmd: Command }[] {
  return [{ path, cmd: c }, ...c.commands.flatMap((s) => walk(s, [...path, s.name()]))];
}

function descriptions(c: Command): { what: string; text: string }[] {
  return [
    { what: 'description', text: c.description() },
    ...c.registeredArguments.map((a) => ({ what: `argument <${a.name()}>`, text: a.description })),
    ...c.options.filter((o) => !o.hidden).map((o) => ({ what: o.flags, text: o.description })),
  ].filter((d) => d.text);
}

const FIRST_WORD_OK = /^([a-z`"'(<\-–0-9]|[A-Z0-9][A-Z0-9/_-]*\b|[A-Z]+-[a-z])/;

test('every --help fits 80 columns and is in one style (lower-case start, no final period, typed defaults)', async () => {
  const program = await buildProgram();
  const problems: string[] = [];
  const all = walk(program);
  assert.ok(all.length > 25, `${all.length} commands`);
  for (const { path, cmd } of all) {
    const name = ['jts-storage', ...path].join(' ');
    cmd.configureHelp({ ...cmd.configureHelp(), helpWidth: 80 });
    const help = cmd.helpInformation();
    for (const line of help.split('\n')) if (line.length > 80) problems.push(`${name}: line of ${line.length} columns: ${line}`);
    if (help.includes(PACKAGE_ROOT + '/')) problems.push(`${name}: shows this checkout's path (${PACKAGE_ROOT})`);
    for (const m of help.matchAll(/\(default: "(-?[0-9.]+)"\)/g)) problems.push(`${name}: number default shown as a string: ${m[0]}`);
    for (const m of help.replace(/\s+/g, ' ').matchAll(/\(default(?!: )[^)]*\)/g)) problems.push(`${name}: default not written "(default: X)": ${m[0]}`);
    if (help.includes('(default: [])')) problems.push(`${name}: an empty list shown as a default`);
    for (const d of descriptions(cmd)) {
      if (!FIRST_WORD_OK.test(d.text)) problems.push(`${name} ${d.what}: starts upper-case: "${d.text.slice(0, 40)}"`);
      if (/\.\s*$/.test(d.text) && !/\.\.\.$|…$/.test(d.text)) problems.push(`${name} ${d.what}: ends with a period`);
    }
  }
  assert.deepEqual(problems, []);
});

test('numeric options parse to numbers; other text stays as typed for the command to name it', async () => {
  const { numberArg } = await import('../src/ui/argv.js');
  assert.equal(numberArg('20'), 20);
  assert.equal(numberArg('2.5'), 2.5);
  assert.equal(numberArg('abc'), 'abc');
  assert.equal(numberArg(' '), ' ');
});
