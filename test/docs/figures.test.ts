import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * issue 17: the numbers the README and docs quote from the tool's output come from a run. The script
 * scripts/docs-figures.mjs runs the CLI offline (the embedded default plan against examples/drives/,
 * `--json` for counts, the human output at 80 columns where a doc shows it) and rewrites the generated
 * blocks and the anchored numbers; this test fails when the docs differ from what it would write.
 * The fix is one command: `npm run docs`.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

interface DocCheck { file: string; drift: boolean; before: string; after: string; problems: string[] }

/** The first differing lines of two texts, for the failure message. */
function firstDiff(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 12; i++) {
    if (a[i] !== b[i]) out.push(`  line ${i + 1}:\n    doc: ${a[i] ?? '(none)'}\n    run: ${b[i] ?? '(none)'}`);
  }
  return out.join('\n');
}

test('README and docs quote the figures the tool prints now (fix: npm run docs)', { timeout: 120_000 }, async () => {
  const mod = await import(pathToFileURL(path.join(ROOT, 'scripts/docs-figures.mjs')).href);
  const results = (await mod.checkDocs({ write: false })) as DocCheck[];
  assert.ok(results.some((r) => r.file === 'README.md'), 'README.md is checked');
  const problems = results.flatMap((r) => r.problems);
  assert.deepEqual(problems, [], problems.join('\n'));
  const drifted = results.filter((r) => r.drift);
  assert.equal(drifted.length, 0,
    drifted.map((r) => `${r.file} drifted from the tool's output; run \`npm run docs\`:\n${firstDiff(r.before, r.after)}`).join('\n'));
});

test('docs figures: the generated blocks and anchors are where the docs quote the tool', async () => {
  const mod = await import(pathToFileURL(path.join(ROOT, 'scripts/docs-figures.mjs')).href);
  const text = 'x\n<!-- generated:nope -->\nold\n<!-- /generated:nope -->\n';
  const r = mod.regenerate('README.md', text, {});
  assert.ok(r.problems.some((p: string) => p.includes('unknown generated block "nope"')));
  assert.ok(r.problems.some((p: string) => p.includes('matches nothing')), 'a README anchor that matches nothing is a problem');
  assert.equal(mod.grepAfter('a\nb\nc\nd\na\ne', 'a', 1), 'a\nb\n--\na\ne');
});
