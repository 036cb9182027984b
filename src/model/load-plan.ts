// CONTRACT STUB (owner: model/lint helper). Signatures are shared by other modules; keep them.
import type { Plan } from './plan-schema.js';
import type { Finding } from './actions.js';
import { UserError } from '../core/exit-codes.js';

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
    });
  }
}

export function loadPlanText(_text: string, _file: string): LoadedPlan {
  throw new Error('not implemented');
}

export async function loadPlanFile(_file: string): Promise<LoadedPlan> {
  throw new Error('not implemented');
}
