/**
 * KVM or TCG: KVM is used by 'auto' runs only after `sandbox --prepare` proved it boots on this host
 * kernel (kvm-probe.ts writes the answer to the cache's kvm-probe.json).
 */
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheRoot } from './prepare.js';
import type { SandboxOptions } from './options.js';

export async function kvmProven(): Promise<boolean> {
  try {
    const j = JSON.parse(await fs.readFile(path.join(cacheRoot(), 'kvm-probe.json'), 'utf8')) as { ok?: boolean; hostKernel?: string };
    return j.ok === true && j.hostKernel === os.release() && existsSync('/dev/kvm');
  } catch {
    return false;
  }
}

/** The accelerator of a run: opts.accel, else env JTS_SANDBOX_ACCEL, else 'auto' (KVM only when proven). */
export async function chooseAccel(pref: SandboxOptions['accel'] | undefined): Promise<'tcg' | 'kvm'> {
  const p = pref ?? (process.env.JTS_SANDBOX_ACCEL as SandboxOptions['accel']) ?? 'auto';
  return p === 'kvm' || (p === 'auto' && (await kvmProven())) ? 'kvm' : 'tcg';
}
