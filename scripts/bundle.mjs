// Bundles the compiled CLI (dist/src, written by tsc) into ONE file, dist/bundle/cli/jts-storage.mjs,
// which bin/jts-storage.js runs when it is not older than dist/src/cli.js.
// Why: under the sandbox's TCG emulation, with the code on a 9p share, loading ~590 module files took
// 6.9–10.4 s per CLI start in the guest against 2.1–2.4 s for the bundle (measured 2026-12-01, idle);
// natively 0.36 s against 0.17 s. The VM tests, rehearse's guest and every fleet host run the CLI many times.
// The folder is two levels below dist/ on purpose: modules find package files at '../../..' from their
// own folder (dist/src/<layer>/), and so does the bundle from dist/bundle/cli/.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** What both bundles share: Node ESM for the oldest supported line, one file, no licence comments. */
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (cli-table3, cli-progress…) call require() for Node's built-ins: give the
  // ES module bundle a real one.
  banner: { js: "import { createRequire as __jtsCreateRequire } from 'node:module';\nconst require = __jtsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
};
await build({
  ...common,
  stdin: {
    contents: "import { main } from './dist/src/cli.js';\nawait main(process.argv);\n",
    resolveDir: root,
    sourcefile: 'bundle-entry.js',
    loader: 'js',
  },
  outfile: `${root}/dist/bundle/cli/jts-storage.mjs`,
});
// apply's kernel proof runs its worker as its own node process (src/prove/prove-guest.ts, ~170 module files:
// seconds of loading per apply in the guest): its bundle goes beside the CLI's, written by the same build, and
// the CLI bundle runs it (proveGuestScript in src/prove/prove.ts).
await build({
  ...common,
  entryPoints: [`${root}/dist/src/prove/prove-guest.js`],
  outfile: `${root}/dist/bundle/prove/prove-guest.mjs`,
});
