// The layering of src/ (docs/architecture.md): no import cycle, no import from a folder of the same or
// a higher rank. The rules live in .dependency-cruiser.cjs; dependency-cruiser reads the TypeScript
// sources (type imports included), so the check holds before compilation erases anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

const root = process.cwd();

test('architecture: src/ has no import cycle and imports only downward (dependency-cruiser)', () => {
  const bin = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const r = spawnSync(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `dependency-cruiser found violations:\n${r.stdout}\n${r.stderr}`);
});

test('architecture: every folder of src/ has a layer, and docs/architecture.md names each one', async () => {
  const { readFileSync } = await import('node:fs');
  const cfg = readFileSync(path.join(root, '.dependency-cruiser.cjs'), 'utf8');
  const doc = readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  const folders = readdirSync(path.join(root, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  for (const f of folders) {
    assert.match(cfg, new RegExp(`'${f}'`), `src/${f} has no layer in .dependency-cruiser.cjs`);
    assert.match(doc, new RegExp(`\`${f}/?\``), `docs/architecture.md does not describe src/${f}`);
  }
});
