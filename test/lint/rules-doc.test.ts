import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderRulesMarkdown } from '../../src/lint/rules.js';

test('docs/lint-rules.md is generated from the rule table (node dist/src/lint/gen-docs.js)', () => {
  const doc = readFileSync(new URL('../../../docs/lint-rules.md', import.meta.url), 'utf8');
  assert.equal(doc, renderRulesMarkdown());
});
