/**
 * The one JSON printer of every command's --json: 2-space indent, a final newline, Maps as objects,
 * Sets as arrays, BigInts as strings, so every command's output is plain JSON that `jq` reads.
 */
export function toJsonValue(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x: unknown) => {
      if (x instanceof Map) return Object.fromEntries(x);
      if (x instanceof Set) return [...x];
      if (typeof x === 'bigint') return x.toString();
      return x;
    }),
  );
}

export function jsonText(v: unknown): string {
  return JSON.stringify(toJsonValue(v), null, 2) + '\n';
}

export function printJson(v: unknown, write: (s: string) => void = (s) => void process.stdout.write(s)): void {
  write(jsonText(v));
}
