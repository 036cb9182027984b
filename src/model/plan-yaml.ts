/**
 * Reading a plan (or drives) file as YAML, before the schema: the bytes, the document and its strings.
 *
 * - size: a plan is a few KiB; a file above PLAN_MAX_BYTES (1 MiB) is refused unread;
 * - encoding: strict UTF-8 (`TextDecoder('utf-8', { fatal: true })`): an invalid byte is refused at its
 *   line:col, never turned into U+FFFD;
 * - YAML: syntax errors and warnings (an unresolved tag is a warning in yaml 2) are errors; explicit tags
 *   other than the YAML 1.2 core ones (!!str !!int !!float !!bool !!null !!map !!seq) are refused;
 * - aliases: the expansion of every alias is counted (memoized per anchor) and a document that would expand
 *   to more than ALIAS_EXPANSION_MAX nodes is refused at the alias that expands most ("billion laughs");
 *   an alias to an undefined anchor is refused;
 * - strings: every scalar (key or value) is checked for control and invisible characters
 *   (src/model/grammars.ts controlCharError) at its own line:col, whatever field it is.
 * All problems of one pass are returned together.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Finding } from './actions.js';
import { controlCharError } from './grammars.js';

/** Largest plan file read (bytes). */
export const PLAN_MAX_BYTES = 1024 * 1024;
/** Largest number of nodes all aliases of a document may expand to. */
export const ALIAS_EXPANSION_MAX = 10_000;
const CORE_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq']);

/** "volumes[2].mount.options[1]" */
export function fieldPath(path: readonly (string | number | symbol)[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += (s ? '.' : '') + String(p);
  }
  return s;
}

function lineColOfByte(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) {
    line++;
    start = i + 1;
  }
  // column in characters of the valid prefix of the line
  const col = new TextDecoder('utf-8').decode(bytes.subarray(start, offset)).length + 1;
  return { line, col };
}

/** Offset of the first byte that is not valid UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF). */
export function firstInvalidUtf8(b: Uint8Array): number | undefined {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) (n = 1), (min = 0x80);
    else if (c >= 0xe0 && c <= 0xef) (n = 2), (min = 0x800);
    else if (c >= 0xf0 && c <= 0xf4) (n = 3), (min = 0x10000);
    else return i;
    if (i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return undefined;
}

/**
 * Plan bytes → text: size cap, then strict UTF-8. Throws nothing: returns findings (rule PLAN-FILE /
 * PLAN-ENCODING) located at the first bad byte.
 */
export function decodePlanBytes(bytes: Uint8Array, file: string): { text: string } | { findings: Finding[] } {
  if (bytes.length > PLAN_MAX_BYTES)
    return { findings: [{ rule: 'PLAN-FILE', severity: 'error', message: `the file is ${bytes.length} bytes; a plan is at most ${PLAN_MAX_BYTES} bytes (1 MiB)`, file, line: 1, col: 1, field: '(file)' }] };
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  } catch {
    const off = firstInvalidUtf8(bytes) ?? 0;
    const at = lineColOfByte(bytes, off);
    return {
      findings: [
        { rule: 'PLAN-ENCODING', severity: 'error', message: `byte 0x${bytes[off]?.toString(16).padStart(2, '0') ?? '??'} at offset ${off} is not valid UTF-8; the plan must be UTF-8 text`, file, ...at, field: '(file)' },
      ],
    };
  }
}

export interface ParsedYaml {
  doc: Document.Parsed;
  lc: LineCounter;
  findings: Finding[];
}

/** Parse YAML text and run the document-level checks (syntax, tags, aliases, characters of every string). */
export function parsePlanYaml(text: string, file: string, ruleYaml = 'PLAN-YAML'): ParsedYaml {
  const lc = new LineCounter();
  const findings: Finding[] = [];
  if (text.length > PLAN_MAX_BYTES) {
    findings.push({ rule: 'PLAN-FILE', severity: 'error', message: `the file is ${text.length} characters; a plan is at most ${PLAN_MAX_BYTES} bytes (1 MiB)`, file, line: 1, col: 1, field: '(file)' });
    return { doc: parseDocument('', { lineCounter: lc }), lc, findings };
  }
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, version: '1.2', schema: 'core' });
  const pos = (offset: number | undefined) => {
    const p = lc.linePos(offset ?? 0);
    return { line: p.line, col: p.col };
  };
  for (const e of [...doc.errors, ...doc.warnings]) {
    const lp = e.linePos?.[0];
    findings.push({
      rule: ruleYaml,
      severity: 'error',
      message: `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      file,
      line: lp?.line ?? 1,
      col: lp?.col ?? 1,
    });
  }
  if (findings.length) return { doc, lc, findings };

  // Anchors, expansion sizes (memoized per anchored node), tags and strings, in document order.
  const anchors = new Map<string, YamlNode>();
  const sizeOf = new Map<unknown, number>();
  let worst: { size: number; offset: number; name: string } | undefined;
  const size = (node: unknown, depth: number): number => {
    if (depth > 64) return Infinity;
    const memo = sizeOf.get(node);
    if (memo !== undefined) return memo;
    let n = 1;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      n = target ? size(target, depth + 1) : 1;
    } else if (isMap(node)) {
      for (const it of node.items) n += size(it.key, depth + 1) + size(it.value, depth + 1);
    } else if (isSeq(node)) {
      for (const it of node.items) n += size(it, depth + 1);
    }
    n = Math.min(n, Number.MAX_SAFE_INTEGER);
    sizeOf.set(node, n);
    return n;
  };
  const visit = (node: unknown, path: (string | number)[]) => {
    if (node === null || node === undefined) return;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const off = node.range?.[0];
      if (!target) {
        findings.push({ rule: ruleYaml, severity: 'error', message: `invalid YAML: alias *${node.source} names no anchor defined before it`, file, ...pos(off), field: fieldPath(path) || undefined });
        return;
      }
      const s = size(target, 0);
      if (!worst || s >= worst.size) worst = { size: s, offset: off ?? 0, name: node.source };
      return;
    }
    const n = node as YamlNode & { anchor?: string; tag?: string; range?: [number, number, number] };
    if (n.tag && !CORE_TAGS.has(n.tag))
      findings.push({ rule: ruleYaml, severity: 'error', message: `invalid YAML: tag ${n.tag.replace('tag:yaml.org,2002:', '!!')} is not accepted (only plain YAML 1.2 values)`, file, ...pos(n.range?.[0]), field: fieldPath(path) || undefined });
    if (isScalar(node)) {
      if (typeof node.value === 'string') {
        const e = controlCharError(node.value);
        if (e) findings.push({ rule: 'PLAN-CONTROL-CHAR', severity: 'error', message: `${JSON.stringify(node.value).slice(0, 80)}: ${e}`, file, ...pos(node.range?.[0]), field: fieldPath(path) || undefined });
      }
    } else if (isMap(node)) {
      for (const it of node.items) {
        if (!isPair(it)) continue;
        const key = isScalar(it.key) ? String(it.key.value) : '?';
        visit(it.key, path);
        visit(it.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((it, i) => visit(it, [...path, i]));
    }
    if (n.anchor) anchors.set(n.anchor, n);
  };
  visit(doc.contents, []);
  if (worst) {
    // the document's total expansion (every alias counted at its full size)
    const total = size(doc.contents, 0);
    if (total > ALIAS_EXPANSION_MAX)
      findings.push({
        rule: ruleYaml,
        severity: 'error',
        message: `invalid YAML: aliases expand the document to ${Number.isFinite(total) ? total.toLocaleString('en-US') : 'too many'} nodes (at most ${ALIAS_EXPANSION_MAX.toLocaleString('en-US')}); alias *${worst.name} alone expands to ${Number.isFinite(worst.size) ? worst.size.toLocaleString('en-US') : 'too many'}`,
        file,
        ...pos(worst.offset),
      });
  }
  return { doc, lc, findings };
}
