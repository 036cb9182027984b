import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A path in the source tree's test/ (compiled tests run from dist/test/host/). */
export function testPath(rel: string): string {
  return fileURLToPath(new URL(`../../../test/${rel}`, import.meta.url));
}
/** A capture from test/ (e.g. "fixtures/guest/findmnt-J-l.json", "health/fixtures/lvm-fullreport.json"). */
export function capture(rel: string): string {
  return readFileSync(testPath(rel), 'utf8');
}
