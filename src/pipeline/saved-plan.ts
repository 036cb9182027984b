/**
 * `plan --out FILE`: the plan saved for `apply SAVED_PLAN`. It records what was planned (the exact
 * actions), against which plan text (sha256) and which host state (stateHash of the probe). apply
 * re-probes and refuses the saved plan when either hash differs: the host or the plan changed since.
 * A plan made offline (--drives) has a described state, which no probe reproduces: it can be read
 * and shown, not applied (stateSource says so).
 */
import { FileError, fsReason } from '../core/file-error.js';
import { z } from 'zod';
import type { Runner } from '../core/runner.js';
import type { PlanResult } from '../model/actions.js';
import { UserError } from '../core/exit-codes.js';
import type { PlanRun } from './plan-pipeline.js';

export const SAVED_PLAN_FORMAT = 1;

/** What a plan saved offline (`plan --drives F --out S`) says of itself, in the file, in plan's output and in apply's refusal. */
export const OFFLINE_NOTE = 'offline: for review, cannot be applied';

export interface SavedPlan {
  formatVersion: typeof SAVED_PLAN_FORMAT;
  /** Present on offline plans: OFFLINE_NOTE (the file says what it is to whoever opens it). */
  note?: string;
  createdAt: string;
  planFile: string;
  planSha256: string;
  stateHash: string;
  stateSource: 'probe' | 'described';
  result: PlanResult;
}

const FindingZ = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  source: z.string().optional(),
  file: z.string().optional(),
  line: z.number().optional(),
  col: z.number().optional(),
  field: z.string().optional(),
  overridden: z.string().optional(),
});

const StepZ = z.discriminatedUnion('type', [
  z.object({ type: z.literal('exec'), argv: z.array(z.string()).min(1), mutating: z.boolean(), timeoutMs: z.number().optional(), progress: z.enum(['mkfs', 'none']).optional(), cwd: z.string().optional(), explainArgv: z.array(z.string()).min(1).optional() }),
  z.object({ type: z.literal('write-file'), path: z.string(), content: z.string(), mode: z.number().optional(), backup: z.boolean(), verifyArgv: z.array(z.string()).optional() }),
  z.object({ type: z.literal('mkdir'), path: z.string(), mode: z.number() }),
  z.object({ type: z.literal('write-sysfs'), path: z.string(), value: z.string() }),
]);

const ActionZ = z.object({
  id: z.string(),
  kind: z.enum(['create', 'change', 'replace', 'destroy']),
  resource: z.string(),
  summary: z.string(),
  steps: z.array(StepZ),
  destructive: z.object({ forcedBy: z.string(), loses: z.string() }).optional(),
  dependsOn: z.array(z.string()),
});

export const SavedPlanSchema = z.object({
  formatVersion: z.literal(SAVED_PLAN_FORMAT),
  note: z.string().optional(),
  createdAt: z.string(),
  planFile: z.string(),
  planSha256: z.string().regex(/^[0-9a-f]{64}$/),
  stateHash: z.string().regex(/^[0-9a-f]{64}$/),
  stateSource: z.enum(['probe', 'described']),
  result: z.object({
    planFile: z.string(),
    errors: z.array(FindingZ),
    warnings: z.array(FindingZ),
    infos: z.array(FindingZ),
    actions: z.array(ActionZ),
    stateHash: z.string(),
    summary: z.object({ create: z.number(), change: z.number(), replace: z.number(), destroy: z.number() }),
  }),
});

export function makeSavedPlan(run: PlanRun, now: Date): SavedPlan {
  if (run.result.errors.length) throw new UserError(`the plan has ${run.result.errors.length} error(s): it was not saved (an invalid plan cannot be applied)`);
  if (!run.planSha256 || !run.state) throw new UserError('the plan did not load: nothing to save');
  return {
    formatVersion: SAVED_PLAN_FORMAT,
    ...(run.state.source === 'described' ? { note: `${OFFLINE_NOTE} (planned against described drives; \`plan --out\` on the host itself makes one apply can run)` } : {}),
    createdAt: now.toISOString(),
    planFile: run.result.planFile,
    planSha256: run.planSha256,
    stateHash: run.result.stateHash,
    stateSource: run.state.source,
    result: run.result,
  };
}

export async function writeSavedPlan(runner: Runner, file: string, saved: SavedPlan): Promise<void> {
  // 0600: the plan lists the host's devices and users; nothing secret, but no reason to share it.
  await runner.writeFileAtomic(file, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
}

/** Read and validate a saved plan; a clear UserError (exit 1) for anything else. */
export async function readSavedPlan(runner: Runner, file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await runner.readFile(file);
  } catch (e) {
    throw new UserError(`cannot read saved plan ${file}: ${fsReason(e instanceof FileError ? e.fsError : e)}`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // A plan file (YAML) given where a saved plan belongs: say which is which.
    if (!text.trimStart().startsWith('{')) throw new UserError(`${file} is not a saved plan (the JSON \`plan --out F\` writes); to apply a plan file, use \`apply --plan ${file}\``, { file });
    throw new UserError(`${file} is not a saved plan: invalid JSON (${(e as Error).message})`, { file });
  }
  const v = (raw as { formatVersion?: unknown })?.formatVersion;
  if (v !== undefined && v !== SAVED_PLAN_FORMAT) throw new UserError(`${file}: saved plan format ${String(v)} is not supported (this jts-storage reads format ${SAVED_PLAN_FORMAT}); plan again`, { file });
  const r = SavedPlanSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UserError(`${file} is not a valid saved plan: ${i.path.join('.') || '(top level)'}: ${i.message}`, { file, field: i.path.join('.') });
  }
  const saved = r.data as SavedPlan;
  if (saved.stateHash !== saved.result.stateHash) throw new UserError(`${file}: stateHash does not match the result's; the file was edited`, { file });
  return saved;
}
