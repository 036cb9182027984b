/**
 * ANSI colour, on only when asked: --no-color, NO_COLOR (no-color.org) and a non-terminal stdout
 * turn it off. Colour never carries meaning alone (the symbols and words say the same).
 */
export interface Colors {
  enabled: boolean;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

export function colors(enabled: boolean): Colors {
  const wrap = (code: string) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { enabled, green: wrap('32'), yellow: wrap('33'), red: wrap('31'), cyan: wrap('36'), bold: wrap('1'), dim: wrap('2') };
}

/** Whether to colour: the --color/--no-color flag wins, then NO_COLOR, then "is it a terminal". */
export function wantColor(flag: boolean | undefined, isTTY: boolean | undefined, env: Record<string, string | undefined> = process.env): boolean {
  if (flag === false) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return !!isTTY;
}
