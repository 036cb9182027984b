import { FakeRunner } from '../support/fake-runner.js';
import { fixture } from './fixtures.js';
import { LSBLK_ARGV, FINDMNT_ARGV, BLKID_ARGV, UNAME_ARGV } from '../../src/probe/probe.js';
import { FULLREPORT_ARGV } from '../../src/probe/lvm.js';
import { BY_ID_ARGV } from '../../src/probe/by-id.js';

/**
 * A FakeRunner answering the probe's exact argv with the outputs captured in the sandbox guest
 * (test/fixtures/guest/: probe-fullreport.json is the probe's own lvm argv, run there).
 */
export function guestRunner(extraFiles: Record<string, string> = {}): FakeRunner {
  const r = new FakeRunner({ files: { '/etc/fstab': fixture('guest/fstab'), ...extraFiles } });
  const q = JSON.parse(fixture('guest/sysfs-queue.json')) as Record<string, Record<string, string>>;
  for (const [dev, attrs] of Object.entries(q)) for (const [k, v] of Object.entries(attrs)) r.files.set(`/sys/block/${dev}/queue/${k}`, v);
  const exact = (argv: string[]) => (a: string[]) => a.length === argv.length && a.every((w, i) => w === argv[i]);
  r.on(exact(UNAME_ARGV), { stdout: fixture('guest/uname-r.txt') });
  r.on(exact(LSBLK_ARGV), { stdout: fixture('guest/lsblk-J-b-O.json') });
  r.on(exact(FINDMNT_ARGV), { stdout: fixture('guest/findmnt-J-b.json') });
  r.on(exact(BLKID_ARGV), { stdout: fixture('guest/blkid-o-export.txt') });
  r.on(exact(FULLREPORT_ARGV), { stdout: fixture('guest/probe-fullreport.json') });
  r.on(exact(BY_ID_ARGV), { stdout: fixture('guest/by-id-find.txt') });
  return r;
}
