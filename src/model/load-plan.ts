/**
 * Plan file → validated model, with every error located at file:line:col.
 *
 * Three layers, all reported together (never one error at a time):
 *  1. YAML syntax (yaml 2, with a LineCounter so every node has a line and column);
 *  2. the zod schema (src/model/plan-schema.ts): types, enums, unknown keys with a "did you mean";
 *  3. semantic checks that make the model consistent for the layout and diff: names valid for LVM and
 *     useradd, no duplicates, every reference resolves, sizes parse, at most one `rest` per VG, mount paths
 *     absolute, normal, not system paths and not nested.
 * Anything that is advice about a valid plan (options, workloads, capacity) is the linter's (src/lint/).
 */
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, isPair, isScalar, type LineCounter, type Node as YamlNode } from 'yaml';
import type { ZodType } from 'zod';
import { PlanSchema, PlanShapeSchema, type Plan } from './plan-schema.js';
import { ALIAS_EXPANSION_MAX, decodePlanBytes, fieldPath, parsePlanYaml } from './plan-yaml.js';
import type { Finding } from './actions.js';
import { UserError } from '../core/exit-codes.js';
import type { Runner } from '../core/runner.js';
import { checkPlanSemantics, suggest } from './plan-semantics.js';

// The semantic checks live in plan-semantics.ts; their exports stay reachable from here.
export { checkPlanSemantics, checkMountPath, isZeroSize, suggest, SYSTEM_MOUNT_PATHS, SYSTEM_MOUNT_TREES } from './plan-semantics.js';

export interface LoadedPlan {
  plan: Plan;
  file: string;
  text: string;
  /** file:line:col of a plan path such as ['volumes', 2, 'mount', 'options', 1]. */
  locate(path: (string | number)[]): { line: number; col: number } | undefined;
}

/** Thrown for invalid YAML or schema errors: every finding has file, line, col and field. */
export class PlanError extends UserError {
  constructor(public readonly findings: Finding[]) {
    super(findings.map((f) => `${f.file}:${f.line ?? '?'}:${f.col ?? '?'}: ${f.field ? f.field + ': ' : ''}${f.message}`).join('\n'), {
      code: 'PLAN_INVALID',
      file: findings[0]?.file,
      line: findings[0]?.line,
      col: findings[0]?.col,
      field: findings[0]?.field,
    });
  }
}

/** The embedded default plan, found relative to this module (works from src/ via tsx and from dist/). */
export const DEFAULT_PLAN_PATH: string = findPackageFile('plans/jts.yaml');

function findPackageFile(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'jts-storage') return join(dir, rel);
      } catch {
        /* keep walking */
      }
    }
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', rel);
}

export { fieldPath };

/** Source locator over a parsed YAML document. */
export class YamlLocator {
  constructor(
    private readonly root: YamlNode | null | undefined,
    private readonly lc: LineCounter,
  ) {}

  private pos(offset: number) {
    const p = this.lc.linePos(offset);
    return { line: p.line, col: p.col };
  }

  /** Deepest node along the path (so a missing field points at its parent object). */
  private walk(path: readonly (string | number | symbol)[]): { node: unknown; keyNode?: unknown; depth: number } {
    let node: unknown = this.root;
    let keyNode: unknown;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        keyNode = undefined;
        node = item;
      } else break;
      depth++;
    }
    return { node, keyNode, depth };
  }

  locate(path: readonly (string | number | symbol)[]): { line: number; col: number } | undefined {
    const { node } = this.walk(path);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return range ? this.pos(range[0]) : undefined;
  }

  /** Position of the key itself (for unknown keys). */
  locateKey(path: readonly (string | number | symbol)[]): { line: number; col: number } | undefined {
    const { keyNode, depth, node } = this.walk(path);
    const target = depth === path.length && keyNode ? keyNode : node;
    const range = (target as { range?: [number, number, number] } | undefined)?.range;
    return range ? this.pos(range[0]) : undefined;
  }
}

// ---------- zod schema introspection (for "did you mean") ----------

interface ZodDefLike {
  type: string;
  shape?: Record<string, ZodType>;
  element?: ZodType;
  innerType?: ZodType;
  options?: ZodType[];
  in?: ZodType;
}
function def(s: ZodType): ZodDefLike {
  return (s as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}
function unwrap(s: ZodType): ZodType {
  let cur = s;
  for (let i = 0; i < 10; i++) {
    const d = def(cur);
    if ((d.type === 'default' || d.type === 'optional' || d.type === 'nullable' || d.type === 'prefault' || d.type === 'readonly') && d.innerType)
      cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else break;
  }
  return cur;
}
/** Keys an object accepts at a path in the plan schema (empty when not an object). */
export function allowedKeysAt(schema: ZodType, path: readonly (string | number | symbol)[]): string[] {
  let cur: ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!cur) return [];
    const d = def(cur);
    if (d.type === 'object' && d.shape && typeof seg === 'string') cur = d.shape[seg] ? unwrap(d.shape[seg]!) : undefined;
    else if (d.type === 'array' && d.element && typeof seg === 'number') cur = unwrap(d.element);
    else if (d.type === 'record') return [];
    else return [];
  }
  if (!cur) return [];
  const d = def(cur);
  if (d.type === 'object' && d.shape) return Object.keys(d.shape);
  return [];
}

/** "did you mean X?" when X is close enough to be a typo. */
// ---------- loading ----------

/**
 * Plan text → validated model. Every problem is reported at once: YAML and document-level problems
 * (src/model/plan-yaml.ts: syntax, tags, aliases, control characters in any string), then the schema with
 * its field grammars, then, when the plan's shape is sound, the cross-field checks — also after grammar
 * errors, so one run lists everything. Throws PlanError (every finding with file:line:col and field).
 */
export function loadPlanText(text: string, file: string): LoadedPlan {
  const { doc, lc, findings } = parsePlanYaml(text, file);
  const locator = new YamlLocator(doc.contents as YamlNode | null, lc);
  if (findings.some((f) => f.rule !== 'PLAN-CONTROL-CHAR')) throw new PlanError(sortFindings(findings));

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: ALIAS_EXPANSION_MAX });
  } catch (e) {
    throw new PlanError([...findings, { rule: 'PLAN-YAML', severity: 'error', message: `invalid YAML: ${(e as Error).message}`, file, line: 1, col: 1 }]);
  }
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PlanError([
      ...findings,
      { rule: 'PLAN-SCHEMA', severity: 'error', message: 'the plan must be a YAML mapping with version, drives, volumeGroups, volumes…', file, line: 1, col: 1 },
    ]);
  }

  const reported = new Set(findings.map((f) => f.field).filter((f): f is string => !!f));
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const f = issueToFinding(issue as ZIssue, raw, file, locator);
      if (f.field && reported.has(f.field)) continue;
      findings.push(f);
      if (f.field) reported.add(f.field);
    }
    // Grammar problems only: the shape is sound, so the cross-field checks run too and add what they find.
    const shape = PlanShapeSchema.safeParse(raw);
    if (shape.success) {
      const partial: LoadedPlan = { plan: shape.data, file, text, locate: (path) => locator.locate(path) };
      for (const f of checkPlanSemantics(partial)) if (!f.field || !reported.has(f.field)) findings.push(f);
    }
    throw new PlanError(sortFindings(findings));
  }

  const loaded: LoadedPlan = {
    plan: parsed.data,
    file,
    text,
    locate: (path) => locator.locate(path),
  };
  const semantic = checkPlanSemantics(loaded).filter((f) => !f.field || !reported.has(f.field));
  if (semantic.length || findings.length) throw new PlanError(sortFindings([...findings, ...semantic]));
  return loaded;
}

/**
 * Read a plan file's bytes (size cap, strict UTF-8: src/model/plan-yaml.ts) through the Runner when it
 * reads bytes, else as text (then a U+FFFD is refused by the character pass). Throws PlanError.
 */
export async function readPlanText(file: string, runner?: Runner, opts: { rethrowReadErrors?: boolean } = {}): Promise<string> {
  let bytes: Uint8Array | undefined;
  let text: string | undefined;
  try {
    if (runner?.readFileBytes) bytes = await runner.readFileBytes(file);
    else if (runner) text = await runner.readFile(file);
    else bytes = await readFile(file);
  } catch (e) {
    if (opts.rethrowReadErrors) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new PlanError([
      {
        rule: 'PLAN-FILE',
        severity: 'error',
        message: code === 'ENOENT' ? `plan file not found` : `cannot read plan file: ${(e as Error).message}`,
        file,
        line: 0,
        col: 0,
      },
    ]);
  }
  if (bytes) {
    const d = decodePlanBytes(bytes, file);
    if ('findings' in d) throw new PlanError(d.findings);
    return d.text;
  }
  return text!;
}

export async function loadPlanFile(file: string, runner?: Runner): Promise<LoadedPlan> {
  return loadPlanText(await readPlanText(file, runner), file);
}

function sortFindings(f: Finding[]): Finding[] {
  return [...f].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

function getAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

interface ZIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  values?: unknown[];
  expected?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  params?: { rule?: string };
}

function issueToFinding(issue: ZIssue, raw: unknown, file: string, loc: YamlLocator): Finding {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const allowed = allowedKeysAt(PlanSchema, path);
    const key = issue.keys[0]!;
    const parts = issue.keys.map((k) => {
      const s = suggest(k, allowed);
      return `unknown key "${k}"${s ? ` (did you mean "${s}"?)` : ''}`;
    });
    const p = loc.locateKey([...path, key]);
    return {
      rule: 'PLAN-UNKNOWN-KEY',
      severity: 'error',
      message: `${parts.join('; ')}. Allowed here: ${allowed.join(', ')}`,
      file,
      line: p?.line,
      col: p?.col,
      field: fieldPath([...path, key]),
    };
  }
  const value = getAt(raw, path);
  const p = loc.locate(path);
  if (issue.code === 'custom' && issue.params?.rule)
    return { rule: issue.params.rule, severity: 'error', message: issue.message, file, line: p?.line, col: p?.col, field: fieldPath(path) || '(top level)' };
  let message = issue.message;
  if (issue.code === 'invalid_type' && value === undefined) message = `required field is missing (expected ${issue.expected ?? 'a value'})`;
  else if (issue.code === 'invalid_type') message = `expected ${issue.expected}, got ${describe(value)}`;
  else if (issue.code === 'invalid_value' && issue.values) {
    const s = typeof value === 'string' ? suggest(value, issue.values.map(String)) : undefined;
    message = `${describe(value)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${s ? ` (did you mean "${s}"?)` : ''}`;
  } else if (issue.code === 'too_small' && Array.isArray(value)) message = `needs at least ${issue.minimum} item(s)`;
  else if (issue.code === 'invalid_union' && typeof value !== 'undefined') message = `${describe(value)} is not valid here: ${issue.message}`;
  return { rule: 'PLAN-SCHEMA', severity: 'error', message, file, line: p?.line, col: p?.col, field: fieldPath(path) || '(top level)' };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}
