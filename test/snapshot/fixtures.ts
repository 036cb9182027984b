import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Outputs captured from the real tools in the sandbox guest by test/snapshot/capture-fixtures.sh. */
export function snapFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../test/snapshot/fixtures/${name}`, import.meta.url)), 'utf8');
}
