/** The one short KVM boot that decides whether 'auto' runs use KVM on this host kernel. */
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheRoot } from './prepare.js';
import { runInSandbox } from './run.js';

export interface KvmProbe {
  ok: boolean;
  hostKernel: string;
  at: string;
  detail: string;
}

/**
 * One short boot under KVM (`true` as the command). KVM is used by 'auto' runs only after this
 * succeeded on this host kernel: on some hosts /dev/kvm exists but QEMU aborts ("failed to set MSR")
 * or the guest hangs. The answer is cached per host kernel; `force` probes again.
 */
export async function probeKvm(opts: { onProgress?: (m: string) => void; force?: boolean } = {}): Promise<KvmProbe> {
  const file = path.join(cacheRoot(), 'kvm-probe.json');
  if (!opts.force) {
    try {
      const j = JSON.parse(await fs.readFile(file, 'utf8')) as KvmProbe;
      if (j.hostKernel === os.release()) return j;
    } catch {
      /* not probed yet */
    }
  }
  let res: KvmProbe;
  if (!existsSync('/dev/kvm')) {
    res = { ok: false, hostKernel: os.release(), at: new Date().toISOString(), detail: 'no /dev/kvm' };
  } else {
    opts.onProgress?.('probing KVM with one short boot (TCG stays the default unless it works)…');
    try {
      const r = await runInSandbox(['true'], { accel: 'kvm', timeoutS: 30, drives: [{ sizeBytes: 1e9 }], memoryMiB: 512 });
      const ok = r.exitCode === 0 && !r.timedOut;
      res = { ok, hostKernel: os.release(), at: new Date().toISOString(), detail: ok ? `booted in ${r.bootMs} ms` : `exit ${r.exitCode}${r.timedOut ? ' (hung)' : ''}: ${r.consoleTail.trim().split('\n').slice(-2).join(' | ')}` };
    } catch (e) {
      res = { ok: false, hostKernel: os.release(), at: new Date().toISOString(), detail: (e as Error).message };
    }
  }
  await fs.writeFile(file, JSON.stringify(res, null, 2) + '\n');
  opts.onProgress?.(`KVM ${res.ok ? 'works here: runs will use it' : `is not used (${res.detail.slice(0, 200)})`}`);
  return res;
}
