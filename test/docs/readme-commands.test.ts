import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli.js';

/**
 * issue 17: every `jts-storage …` command the README and the two guides show is one the tool accepts:
 * its subcommands exist, each `--option` is declared on that (sub)command, an option that takes a value
 * has one, and there are no more positional arguments than the command declares. Lines are taken from
 * the fenced code blocks (after a `$ ` prompt or at the line's start, also after `npx `), up to a `#` comment.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = ['README.md', 'docs/storage-setup.md', 'docs/performance-tuning.md'];

/** Shell words of one command line: single/double quotes kept together, a `#` word ends the line. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const w = m[1] ?? m[2] ?? m[3]!;
    if (m[3] !== undefined && w.startsWith('#')) break;
    if (m[3] !== undefined && ['|', '&&', ';', '>', '2>&1'].includes(w)) break;
    out.push(w);
  }
  return out;
}

export function commandLines(markdown: string): string[] {
  const lines: string[] = [];
  let inFence = false;
  for (const raw of markdown.split('\n')) {
    if (raw.startsWith('```')) { inFence = !inFence; continue; }
    if (!inFence) continue;
    const l = raw.replace(/^\$ /, '').replace(/^npx /, '').replace(/^.*&& npx /, '');
    if (l.startsWith('jts-storage ')) lines.push(l);
  }
  return lines;
}

/** Why commander would refuse ARGV (without "jts-storage"), or undefined when it parses. */
function refusal(program: Command, argv: string[]): string | undefined {
  let cmd = program;
  let i = 0;
  while (i < argv.length && cmd.commands.length > 0 && !argv[i]!.startsWith('-')) {
    const sub = cmd.commands.find((c) => c.name() === argv[i]);
    if (!sub) return `unknown command "${argv[i]}" under "${cmd.name()}"`;
    cmd = sub;
    i++;
  }
  let positional = 0;
  for (; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '--help' || w === '-h') return undefined;
    if (w.startsWith('-')) {
      const [name] = w.split('=');
      const opt = cmd.options.find((o) => o.long === name || o.short === name || (o.negate && o.long === name));
      if (!opt) return `"${cmd.name()}" has no option ${name}`;
      if ((opt.required || opt.optional) && !w.includes('=')) {
        if (opt.required && (i + 1 >= argv.length || argv[i + 1]!.startsWith('--'))) return `${name} needs a value`;
        if (opt.required) i++;
      }
      continue;
    }
    positional++;
  }
  const args = cmd.registeredArguments;
  const variadic = args.some((a) => a.variadic);
  if (!variadic && positional > args.length) return `"${cmd.name()}" takes ${args.length} argument(s), got ${positional}`;
  const required = args.filter((a) => a.required).length;
  if (positional < required) return `"${cmd.name()}" needs ${required} argument(s), got ${positional}`;
  return undefined;
}

test('every jts-storage command shown in the README and the guides is accepted by the CLI', async () => {
  const program = await buildProgram();
  let checked = 0;
  const bad: string[] = [];
  for (const doc of DOCS) {
    const file = path.join(ROOT, doc);
    if (!existsSync(file)) continue;
    for (const line of commandLines(readFileSync(file, 'utf8'))) {
      const why = refusal(program, words(line).slice(1));
      checked++;
      if (why) bad.push(`${doc}: ${line}\n  → ${why}`);
    }
  }
  assert.ok(checked >= 45, `checked ${checked} command lines`);
  assert.deepEqual(bad, []);
});

test('the command checker refuses what commander refuses', async () => {
  const program = await buildProgram();
  assert.match(refusal(program, ['plan', '--bogus']) ?? '', /no option --bogus/);
  assert.match(refusal(program, ['snapshot', 'nope']) ?? '', /unknown command/);
  assert.match(refusal(program, ['verify', 'extra']) ?? '', /takes 0 argument/);
  assert.match(refusal(program, ['snapshot', 'restore', '--yes']) ?? '', /needs 1 argument/);
  assert.equal(refusal(program, ['apply', 'saved.json', '--dry-run']), undefined);
  assert.equal(refusal(program, ['plan', '--plan', 'p.yaml', '--out', 'x.json']), undefined);
  assert.deepEqual(commandLines('```sh\n$ jts-storage plan --json   # c\nnpx jts-storage verify\n```\njts-storage prose'),
    ['jts-storage plan --json   # c', 'jts-storage verify']);
});
