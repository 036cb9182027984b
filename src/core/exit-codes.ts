/**
 * Exit codes, documented in the README. plan/verify/tune status follow Terraform's
 * `-detailed-exitcode` (0 clean, 2 changes/drift, 1 error); health follows Nagios (0/1/2/3).
 */
export const EXIT = {
  OK: 0,
  ERROR: 1, // invalid input, refused, or failed
  CHANGES: 2, // plan has pending actions / verify found drift
  USAGE: 64, // sysexits.h EX_USAGE: unknown command or option, missing or malformed argument
} as const;

export const HEALTH_EXIT = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;

/** An error the user caused (bad plan, refused action): printed without a stack, exit 1, no command run. */
export class UserError extends Error {
  constructor(
    message: string,
    public readonly details: { file?: string; line?: number; col?: number; field?: string; code?: string } = {},
  ) {
    super(message);
    this.name = 'UserError';
  }
}
