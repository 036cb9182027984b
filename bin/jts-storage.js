#!/usr/bin/env node
// Thin launcher: the TypeScript is compiled to dist/ by `npm run build` (scripts/setup.sh runs it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('jts-storage is not built: run `bash scripts/setup.sh` (or `npm ci && npm run build`) in the repository first\n');
  process.exit(1);
}
const { main } = await import(cli.href);
await main(process.argv);
