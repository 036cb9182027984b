/**
 * Display of an argv for humans (plan output, logs). Display only: commands are never run through a
 * shell; quoting here just makes a copy-paste into a shell mean the same argv.
 */
export function quoteArg(a: string): string {
  if (a !== '' && /^[A-Za-z0-9_@%+=:,./^-]+$/.test(a)) return a;
  return `'${a.replace(/'/g, `'\\''`)}'`;
}
export function displayArgv(argv: string[]): string {
  return argv.map(quoteArg).join(' ');
}
