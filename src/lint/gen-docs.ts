// Writes docs/lint-rules.md from the rule table: `npx tsc -p . && node dist/src/lint/gen-docs.js`.
import { writeFileSync } from 'node:fs';
import { renderRulesMarkdown } from './rules.js';

writeFileSync(new URL('../../../docs/lint-rules.md', import.meta.url), renderRulesMarkdown());
