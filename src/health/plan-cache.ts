/**
 * The validated plan, cached for `health` between runs.
 *
 * Health runs every minute with the same plan. Validating it (src/model/load-plan.ts: YAML with source
 * positions, the zod schema, the semantic checks) is the right thing once, and a waste every minute:
 * in the sandbox guest a 200-volume plan took seconds to parse, and yaml + zod are about 170 module
 * files to load. So the plan validated once is kept as JSON, keyed by a SHA-256 of the plan's text
 * and of the validator's own code; the next runs with the same text read that JSON and load neither
 * yaml nor zod. Any change of the plan file (or of jts-storage's validation code) is a miss: the plan
 * is validated again, and an invalid plan is never cached (health exits 3 on it as before).
 *
 * Where: $JTS_STORAGE_CACHE_DIR ("off" disables), else /var/cache/jts-storage as root (the timer's
 * service has no $HOME), else $XDG_CACHE_HOME/jts-storage or ~/.cache/jts-storage. One file per plan
 * path (health-plan-<hash of the path>.json, mode 0600 in a 0700 directory), replaced atomically. A
 * cache that cannot be read or written only costs the validation: health never fails because of it.
 * All file access goes through the Runner.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import type { Runner } from '../../src/core/runner.js';
import type { Plan } from '../../src/model/plan-schema.js';

/**
 * The modules whose code decides what a valid plan is and what the validated model looks like
 * (load-plan.ts and what it imports at run time). A new build of any of them makes every cached
 * plan a miss. test/health/plan-cache.test.ts checks this list covers load-plan's relative imports.
 */
export const VALIDATOR_MODULES = ['../../src/model/load-plan.js', '../../src/model/plan-semantics.js', '../../src/model/plan-schema.js', '../../src/model/units.js', '../../src/model/names.js', '../../src/model/plan-yaml.js', '../../src/model/grammars.js', '../../src/core/dm-name.js', '../../src/core/size.js'];

export const CACHE_FORMAT = 1;

export function healthCacheDir(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string | undefined {
  const v = env['JTS_STORAGE_CACHE_DIR'];
  if (v !== undefined) return v === '' || v === 'off' ? undefined : resolve(v);
  if (uid === 0) return '/var/cache/jts-storage';
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && xdg.startsWith('/')) return join(xdg, 'jts-storage');
  return env['HOME'] ? join(env['HOME'], '.cache', 'jts-storage') : undefined;
}

function sha256(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

/** SHA-256 of the validator's code, read through the Runner. Undefined when a module cannot be read. */
export async function validatorFingerprint(runner: Runner, modules: string[] = VALIDATOR_MODULES): Promise<string | undefined> {
  try {
    const texts = await Promise.all(modules.map((m) => runner.readFile(fileURLToPath(new URL(m, import.meta.url)))));
    return sha256(String(CACHE_FORMAT), ...texts);
  } catch {
    return undefined;
  }
}

export interface HealthPlan {
  plan: Plan;
  /** 'cache': read from the cache; 'validated': validated now (and cached when possible). */
  source: 'cache' | 'validated';
}

/**
 * The plan at `file`, validated: from the cache when its text (and the validator) did not change, else
 * through loadPlanFile's validation (imported only then). Throws PlanError as loadPlanFile does.
 */
export async function loadHealthPlan(runner: Runner, file: string, opts: { cacheDir?: string } = {}): Promise<HealthPlan> {
  const validate = async (text?: string) => {
    const lp = await import('../../src/model/load-plan.js');
    return text === undefined ? lp.loadPlanFile(file, runner) : lp.loadPlanText(text, file);
  };
  const dir = opts.cacheDir;
  if (!dir) return { plan: (await validate()).plan, source: 'validated' };
  let text: string;
  try {
    text = await runner.readFile(file);
  } catch {
    // loadPlanFile words the error (not found, unreadable) as every command does.
    return { plan: (await validate()).plan, source: 'validated' };
  }
  const fp = await validatorFingerprint(runner);
  if (!fp) return { plan: (await validate(text)).plan, source: 'validated' };
  const key = sha256(fp, text);
  const path = join(dir, `health-plan-${sha256(resolve(file)).slice(0, 16)}.json`);
  try {
    const c = await runner.readFileIfExists(path);
    if (c) {
      const j = JSON.parse(c) as { key?: string; plan?: Plan };
      if (j.key === key && j.plan && typeof j.plan === 'object' && Array.isArray(j.plan.volumes)) return { plan: j.plan, source: 'cache' };
    }
  } catch {
    /* unreadable or corrupt cache: validate */
  }
  const plan = (await validate(text)).plan;
  try {
    await runner.mkdir(dir, { recursive: true, mode: 0o700 });
    await runner.writeFileAtomic(path, JSON.stringify({ key, file: resolve(file), plan }) + '\n', { mode: 0o600 });
  } catch {
    /* read-only or full: next time validates again */
  }
  return { plan, source: 'validated' };
}
