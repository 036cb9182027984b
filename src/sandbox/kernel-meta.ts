/**
 * Parsers of what Debian and kmod print about the kernel the sandbox boots: apt-cache's deb822 stanza,
 * the meta package's dependencies, `modprobe --show-depends` and `modules.devname`. Pure text.
 */

/** `modules.devname` lines ("loop loop-control c10:237"): the device nodes whose opening loads a module. */
export function parseModulesDevname(text: string): { module: string; name: string; type: 'c' | 'b'; major: number; minor: number }[] {
  const out: { module: string; name: string; type: 'c' | 'b'; major: number; minor: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+([cb])(\d+):(\d+)\s*$/.exec(line);
    if (m && !m[2]!.includes('..')) out.push({ module: m[1]!, name: m[2]!, type: m[3] as 'c' | 'b', major: Number(m[4]), minor: Number(m[5]) });
  }
  return out;
}

/** Fields of one deb822 stanza (apt-cache show); continuation lines are folded. */
export function parseDeb822(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') {
      if (Object.keys(out).length) break; // first stanza only
      continue;
    }
    if (/^\s/.test(line) && last) {
      out[last] += '\n' + line.trim();
      continue;
    }
    const i = line.indexOf(':');
    if (i > 0) {
      last = line.slice(0, i);
      out[last] = line.slice(i + 1).trim();
    }
  }
  return out;
}

/** The versioned generic kernel package among the meta package's dependencies (never -cloud-, -rt-). */
export function pickKernelPackage(depends: string): string | undefined {
  for (const alt of depends.split(',')) {
    for (const choice of alt.split('|')) {
      const name = choice.trim().split(/\s+/)[0] ?? '';
      if (/^linux-image-\d[\w.+-]*-amd64(-unsigned)?$/.test(name) && !/-(cloud|rt)-/.test(name)) return name;
    }
  }
  return undefined;
}

/** `insmod PATH` lines of `modprobe --show-depends`, relative to the module dir, first occurrence kept. */
export function parseShowDepends(out: string, moduleDir: string): string[] {
  const res: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^insmod\s+(\S+)/.exec(line.trim());
    if (!m) continue;
    const abs = m[1]!;
    const rel = abs.startsWith(moduleDir + '/') ? abs.slice(moduleDir.length + 1) : abs;
    if (!res.includes(rel)) res.push(rel);
  }
  return res;
}

/** Module load order over several targets: each target's dependencies first, no duplicates. */
export function mergeModuleOrder(lists: string[][]): string[] {
  const out: string[] = [];
  for (const l of lists) for (const m of l) if (!out.includes(m)) out.push(m);
  return out;
}
