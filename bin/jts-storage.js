#!/usr/bin/env node
// Thin launcher: the TypeScript is compiled to dist/ by `npm run build` (scripts/setup.sh runs it),
// which also bundles it into one file (scripts/bundle.mjs: a start is seconds faster under emulation).
// The bundle runs only when it is not older than the compiled modules, so a `tsc`-only rebuild is never
// shadowed by a stale bundle; JTS_STORAGE_NO_BUNDLE=1 forces the modules.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const cli = new URL('../dist/src/cli.js', import.meta.url);
const bundle = new URL('../dist/bundle/cli/jts-storage.mjs', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('jts-storage is not built: run `bash scripts/setup.sh` (or `npm ci && npm run build`) in the repository first\n');
  process.exit(1);
}
const mtime = (u) => statSync(fileURLToPath(u), { throwIfNoEntry: false })?.mtimeMs ?? -1;
if (process.env.JTS_STORAGE_NO_BUNDLE !== '1' && mtime(bundle) >= mtime(cli)) {
  await import(bundle.href);
} else {
  const { main } = await import(cli.href);
  await main(process.argv);
}
