/** The "RESULT key value" lines a guest scenario script prints (test/fixtures/apply/*.sh and the power-cut test's scripts), as a map. */
export function results(output: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of output.split('\n')) {
    const x = /^RESULT (\S+) ?(.*)$/.exec(l.trim());
    if (x) m.set(x[1]!, x[2]!.trim());
  }
  return m;
}
