/**
 * `snapshot export`: a mounted (read-only) snapshot → an archive on the backup volume, with
 *  - `<name>.manifest.sha256`: sha256sum lines ("<hex>  ./path") for every regular file, read from the
 *    snapshot mount (the same frozen image tar reads, so the two agree);
 *  - `<name>.tar.zst` (GNU tar --zstd when zstd is installed, else `<name>.tar`), written as `.partial`
 *    and renamed when complete;
 *  - `<archive>.sha256`: the archive's own checksum;
 *  - `<name>.json`: what was exported (origin, set, time, filesystem, file count, bytes).
 * `snapshot verify` checks the archive checksum, extracts it into a scratch directory beside it and
 * runs `sha256sum --check` of the manifest there, and checks that no file is missing or extra.
 */
import type { Runner } from '../core/runner.js';
import { ok } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { fmtBytes } from './units.js';
import { stamp } from './names.js';

export interface ExportResult {
  snapshot: string;
  dir: string;
  archive: string;
  manifest: string;
  archiveSha256: string;
  files: number;
  bytes: number;
  archiveBytes: number;
  compression: 'zstd' | 'none';
}

export function parseSha256Lines(text: string): { hash: string; path: string }[] {
  const out: { hash: string; path: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\\?([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (m) out.push({ hash: m[1]!, path: m[2]! });
  }
  return out;
}

export async function exportSnapshot(
  runner: Runner,
  snap: { id: string; vg: string; name: string; origin: string; set?: string; time?: Date },
  mountPath: string,
  destRoot: string,
  opts: { compress?: boolean } = {},
): Promise<ExportResult> {
  const dir = `${destRoot.replace(/\/+$/, '')}/${snap.vg}`;
  if (dir.startsWith(mountPath.replace(/\/+$/, '') + '/')) throw new UserError(`the export directory ${dir} is inside the snapshot mount ${mountPath}`);
  // Space: the used bytes of the snapshot's filesystem are the most the archive can take (plus tar headers).
  const src = await runner.statfs(mountPath);
  const used = src.totalBytes - src.freeBytes;
  await runner.mkdir(dir, { recursive: true, mode: 0o750 });
  const dst = await runner.statfs(dir);
  const need = Math.ceil(used * 1.02) + 16 * 1024 * 1024;
  if (dst.availBytes < need)
    throw new UserError(`not enough space in ${dir}: ${fmtBytes(dst.availBytes)} available, the snapshot holds ${fmtBytes(used)} (need about ${fmtBytes(need)} before compression)`);

  let compression: 'zstd' | 'none' = 'none';
  if (opts.compress !== false) {
    const z = await runner.run(['zstd', '--version']);
    if (ok(z)) compression = 'zstd';
  }
  const base = `${dir}/${snap.name}`;
  const archive = `${base}.tar${compression === 'zstd' ? '.zst' : ''}`;
  const manifest = `${base}.manifest.sha256`;

  // Checksums of every regular file; -xdev: never cross into another filesystem mounted below.
  const sums = await runner.run(['find', '.', '-xdev', '-type', 'f', '-exec', 'sha256sum', '--', '{}', '+'], { cwd: mountPath, timeoutMs: 24 * 3600_000 });
  if (!ok(sums)) throw new UserError(`checksumming ${mountPath} failed: ${sums.stderr.trim()}`);
  const lines = sums.stdout.split('\n').filter((l) => l.length > 0).sort((a, b) => (a.slice(66) < b.slice(66) ? -1 : 1));
  await runner.writeFileAtomic(manifest, lines.join('\n') + (lines.length ? '\n' : ''), { mode: 0o640 });

  const partial = `${archive}.partial`;
  const tarArgv = ['tar', '--create', '--file', partial, '--one-file-system', '--numeric-owner', '--xattrs', '--acls', '--sparse', ...(compression === 'zstd' ? ['--zstd'] : []), '-C', mountPath, '.'];
  const t = await runner.run(tarArgv, { mutating: true, timeoutMs: 24 * 3600_000 });
  if (!ok(t)) {
    await runner.unlink(partial).catch(() => undefined);
    throw new UserError(`tar of ${mountPath} failed: ${(t.stderr || t.stdout).trim()}`);
  }
  await runner.rename(partial, archive);
  const h = await runner.run(['sha256sum', '--', archive.slice(dir.length + 1)], { cwd: dir, timeoutMs: 24 * 3600_000 });
  const hash = parseSha256Lines(h.stdout)[0]?.hash;
  if (!ok(h) || !hash) throw new UserError(`sha256sum of ${archive} failed: ${h.stderr.trim()}`);
  await runner.writeFileAtomic(`${archive}.sha256`, `${hash}  ${archive.slice(dir.length + 1)}\n`, { mode: 0o640 });
  const archiveBytes = (await runner.stat(archive))?.size ?? 0;
  const meta = {
    snapshot: snap.id,
    origin: `${snap.vg}/${snap.origin}`,
    set: snap.set,
    snapshotTime: snap.time?.toISOString(),
    exportedAt: runner.now().toISOString(),
    exportStamp: stamp(runner.now()),
    archive: archive.slice(dir.length + 1),
    archiveSha256: hash,
    manifest: manifest.slice(dir.length + 1),
    files: lines.length,
    fsUsedBytes: used,
    archiveBytes,
    compression,
  };
  await runner.writeFileAtomic(`${base}.json`, JSON.stringify(meta, null, 2) + '\n', { mode: 0o640 });
  return { snapshot: snap.id, dir, archive, manifest, archiveSha256: hash, files: lines.length, bytes: used, archiveBytes, compression };
}

export interface VerifyResult {
  archive: string;
  archiveOk: boolean;
  files: number;
  filesOk: boolean;
  missing: string[];
  extra: string[];
  failed: string[];
  ok: boolean;
}

/** Verify an archive made by exportSnapshot: its checksum, then every file of the manifest after extraction. */
export async function verifyExport(runner: Runner, archive: string): Promise<VerifyResult> {
  const slash = archive.lastIndexOf('/');
  const dir = slash >= 0 ? archive.slice(0, slash) || '/' : '.';
  const file = archive.slice(slash + 1);
  const base = archive.replace(/\.tar(\.zst)?$/, '');
  const manifest = `${base}.manifest.sha256`;
  const sumText = await runner.readFileIfExists(`${archive}.sha256`);
  const manText = await runner.readFileIfExists(manifest);
  if (sumText === undefined) throw new UserError(`${archive}.sha256 is missing`);
  if (manText === undefined) throw new UserError(`${manifest} is missing`);
  const a = await runner.run(['sha256sum', '--check', '--strict', '--status', '--', `${file}.sha256`], { cwd: dir, timeoutMs: 24 * 3600_000 });
  const archiveOk = ok(a);
  const res: VerifyResult = { archive, archiveOk, files: 0, filesOk: false, missing: [], extra: [], failed: [], ok: false };
  if (!archiveOk) return res;
  const want = parseSha256Lines(manText);
  res.files = want.length;
  const scratch = `${dir}/.verify-${file}-${stamp(runner.now())}`;
  await runner.mkdir(scratch, { mode: 0o700 });
  try {
    const x = await runner.run(['tar', '--extract', '--file', archive, '--numeric-owner', '-C', scratch], { mutating: true, timeoutMs: 24 * 3600_000 });
    if (!ok(x)) throw new UserError(`extracting ${archive} failed: ${(x.stderr || x.stdout).trim()}`);
    const c = await runner.run(['sha256sum', '--check', '--strict', '--quiet', '--', manifest], { cwd: scratch, timeoutMs: 24 * 3600_000 });
    for (const line of c.stdout.split('\n')) {
      const m = /^(.*): (FAILED.*)$/.exec(line);
      if (m) (/open or read/.test(m[2]!) ? res.missing : res.failed).push(m[1]!);
    }
    const got = await runner.run(['find', '.', '-type', 'f'], { cwd: scratch });
    const have = new Set(got.stdout.split('\n').filter(Boolean));
    const listed = new Set(want.map((w) => w.path));
    res.extra = [...have].filter((p) => !listed.has(p));
    res.filesOk = ok(c) && res.failed.length === 0 && res.missing.length === 0;
  } finally {
    await runner.run(['rm', '-rf', '--one-file-system', '--', scratch], { mutating: true, timeoutMs: 3600_000 });
  }
  res.ok = res.archiveOk && res.filesOk && res.extra.length === 0;
  return res;
}
