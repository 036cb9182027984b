import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Captured tool outputs live in the source tree; compiled tests run from dist/test/probe/. */
export function fixturePath(rel: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/${rel}`, import.meta.url));
}
export function fixture(rel: string): string {
  return readFileSync(fixturePath(rel), 'utf8');
}
export function hasFixture(rel: string): boolean {
  return existsSync(fixturePath(rel));
}
