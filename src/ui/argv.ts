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

/**
 * commander argument parser for a numeric option: the number when the text is one, else the text as
 * typed (the command's own check then names it). With a number as the option's default, `--help`
 * shows "(default: 20)", not the string "(default: \"20\")".
 */
export function numberArg(v: string): number | string {
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
}
