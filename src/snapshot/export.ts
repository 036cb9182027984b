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
import type { Action, ActionRunner } from '../model/actions.js';
import { detail, execAction, mkdirAction, must } from './actions.js';

/** A file the export writes (manifest, checksum, metadata), as an Action. */
function fileAction(path: string, content: string, summary: string): Action {
  return { id: `snapshot:export:${path}`, kind: 'create', resource: `file ${path}`, summary, dependsOn: [], steps: [{ type: 'write-file', path, content, mode: 0o640, backup: false }] };
}

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

/**
 * Archive a mounted snapshot into DEST/VG/: manifest (sha256 of every file), tar (zstd when present),
 * the archive's checksum and a JSON record. Reads through `runner`; every file it writes is an Action
 * through `act`. Under --dry-run the steps after the manifest's checksums are shown with their argv.
 */
export async function exportSnapshot(
  runner: Runner,
  act: ActionRunner,
  snap: { id: string; vg: string; name: string; origin: string; set?: string; time?: Date },
  mountPath: string,
  destRoot: string,
  opts: { compress?: boolean } = {},
): Promise<ExportResult> {
  const dir = `${destRoot.replace(/\/+$/, '')}/${snap.vg}`;
  if (dir.startsWith(mountPath.replace(/\/+$/, '') + '/')) throw new UserError(`the export directory ${dir} is inside the snapshot mount ${mountPath}`);
  if (act.dryRun) {
    // The snapshot is not mounted under --dry-run: show the steps, read nothing from it.
    const base = `${dir}/${snap.name}`;
    const archive = `${base}.tar${opts.compress !== false ? '.zst' : ''}`;
    await act.run(mkdirAction(dir, 0o750, `export directory of ${snap.vg}`));
    await act.run(fileAction(`${base}.manifest.sha256`, '(sha256 of every file, computed when run)\n', `sha256 of the files of ${snap.id}`));
    const tarArgv = ['tar', '--create', '--file', `${archive}.partial`, '--one-file-system', '--numeric-owner', '--xattrs', '--acls', '--sparse', ...(opts.compress !== false ? ['--zstd'] : []), '-C', mountPath, '.'];
    await act.run(execAction(`file ${archive}`, `archive ${snap.id} (zstd when installed)`, tarArgv, { kind: 'create' }));
    await act.run(execAction(`file ${archive}`, 'the finished archive takes its name', ['mv', '-f', '--', `${archive}.partial`, archive], { kind: 'create' }));
    await act.run(fileAction(`${archive}.sha256`, '(checksum of the archive, computed when run)\n', 'checksum of the archive'));
    await act.run(fileAction(`${base}.json`, '(what was exported, when)\n', 'what was exported, when'));
    return { snapshot: snap.id, dir, archive, manifest: `${base}.manifest.sha256`, archiveSha256: '', files: 0, bytes: 0, archiveBytes: 0, compression: opts.compress !== false ? 'zstd' : 'none' };
  }
  // Space: the used bytes of the snapshot's filesystem are the most the archive can take (plus tar headers).
  const src = await runner.statfs(mountPath);
  const used = src.totalBytes - src.freeBytes;
  await must(act, mkdirAction(dir, 0o750, `export directory of ${snap.vg}`), (d) => `cannot create ${dir}: ${d}`);
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
  await must(act, fileAction(manifest, lines.join('\n') + (lines.length ? '\n' : ''), `sha256 of the ${lines.length} files of ${snap.id}`), (d) => `cannot write ${manifest}: ${d}`);

  const partial = `${archive}.partial`;
  const tarArgv = ['tar', '--create', '--file', partial, '--one-file-system', '--numeric-owner', '--xattrs', '--acls', '--sparse', ...(compression === 'zstd' ? ['--zstd'] : []), '-C', mountPath, '.'];
  const t = await act.run(execAction(`file ${archive}`, `archive ${snap.id}`, tarArgv, { kind: 'create', timeoutMs: 24 * 3600_000 }));
  if (!t.ok) {
    await act.run(execAction(`file ${partial}`, 'remove the partial archive', ['rm', '-f', '--', partial], { kind: 'destroy' }));
    throw new UserError(`tar of ${mountPath} failed: ${detail(t)}`);
  }
  await must(act, execAction(`file ${archive}`, 'the finished archive takes its name', ['mv', '-f', '--', partial, archive], { kind: 'create' }), (d) => `cannot rename ${partial}: ${d}`);
  const h = await runner.run(['sha256sum', '--', archive.slice(dir.length + 1)], { cwd: dir, timeoutMs: 24 * 3600_000 });
  const hash = parseSha256Lines(h.stdout)[0]?.hash;
  if (!ok(h) || !hash) throw new UserError(`sha256sum of ${archive} failed: ${h.stderr.trim()}`);
  await must(act, fileAction(`${archive}.sha256`, `${hash}  ${archive.slice(dir.length + 1)}\n`, 'checksum of the archive'), (d) => `cannot write ${archive}.sha256: ${d}`);
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
  await must(act, fileAction(`${base}.json`, JSON.stringify(meta, null, 2) + '\n', 'what was exported, when'), (d) => `cannot write ${base}.json: ${d}`);
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

/**
 * Verify an archive made by exportSnapshot: its checksum, then every file of the manifest after
 * extraction into a scratch directory next to it (created, extracted and removed through `act`).
 */
export async function verifyExport(runner: Runner, act: ActionRunner, archive: string): Promise<VerifyResult> {
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
  await must(act, mkdirAction(scratch, 0o700, 'scratch directory for the extraction'), (d) => `cannot create ${scratch}: ${d}`);
  try {
    await must(act, execAction(`dir ${scratch}`, `extract ${file} to check every file`, ['tar', '--extract', '--file', archive, '--numeric-owner', '-C', scratch], { kind: 'create', timeoutMs: 24 * 3600_000 }), (d) => `extracting ${archive} failed: ${d}`);
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
    await act.run(execAction(`dir ${scratch}`, 'remove the extraction', ['rm', '-rf', '--one-file-system', '--', scratch], { kind: 'destroy', timeoutMs: 3600_000 }));
  }
  res.ok = res.archiveOk && res.filesOk && res.extra.length === 0;
  return res;
}
