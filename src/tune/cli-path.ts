import { fileURLToPath } from 'node:url';

/**
 * The absolute argv that runs this installed CLI: systemd's ExecStart= needs an absolute executable,
 * so it is this node binary and this package's bin script (dist/src/tune/ → ../../../bin/).
 */
export function defaultCliArgv(): string[] {
  return [process.execPath, fileURLToPath(new URL('../../../bin/jts-storage.js', import.meta.url))];
}
