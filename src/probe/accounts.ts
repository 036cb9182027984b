/**
 * /etc/passwd and /etc/group, read as files through the Runner (NSS sources such as LDAP are not
 * seen: service users of a database host are local system users, which is what the plan creates).
 */
import type { Account } from './types.js';

function lines(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('+') && !l.startsWith('-'))
    .map((l) => l.split(':'));
}

/** name:x:uid:gid:gecos:home:shell */
export function parsePasswd(text: string): Account[] {
  return lines(text)
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]!))
    .map((f) => ({ name: f[0]!, id: Number(f[2]), gid: /^\d+$/.test(f[3] ?? '') ? Number(f[3]) : undefined, home: f[5] || undefined, shell: f[6] || undefined }));
}

/** name:x:gid:members */
export function parseGroup(text: string): Account[] {
  return lines(text)
    .filter((f) => f.length >= 3 && /^\d+$/.test(f[2]!))
    .map((f) => ({ name: f[0]!, id: Number(f[2]) }));
}
