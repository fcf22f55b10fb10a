import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StorageError } from '../../domain/errors.js';

/**
 * Where a file planexec must write can be written: refused up front with the path and the reason
 * (exit 2 in the CLI), rather than discovered by the first write in the middle of a flow.
 */
export function assertWritableFile(path: string, role = 'database'): void {
  const existing = probe(path);
  if (existing === DENIED) throw notWritable(path, role, `${unenterable(path)} cannot be entered (permission denied)`);
  if (existing?.isDirectory()) throw notWritable(path, role, `${path} is a folder`);
  const folder = nearestExistingFolder(path, role);
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw notWritable(path, role, `folder ${folder} is not writable (${errnoText(error)})`, error);
  }
  if (existing === undefined) return;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (file !== path && probe(file) === undefined) continue;
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch (error) {
      throw notWritable(path, role, `${file} is read-only (${errnoText(error)})`, error);
    }
  }
}

/** The folder a missing path would be created in, or the error naming what stands in the way. */
function nearestExistingFolder(path: string, role: string): string {
  let folder = dirname(resolve(path));
  for (;;) {
    const info = probe(folder);
    if (info === DENIED) throw notWritable(path, role, `${unenterable(folder)} cannot be entered (permission denied)`);
    if (info !== undefined) {
      if (!info.isDirectory()) throw notWritable(path, role, `${folder} is not a folder`);
      return folder;
    }
    const parent = dirname(folder);
    if (parent === folder) return folder;
    folder = parent;
  }
}

/** The innermost ancestor of `path` that can be looked at: the one whose missing search permission hides the rest. */
function unenterable(path: string): string {
  let folder = dirname(resolve(path));
  while (probe(folder) === DENIED && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
}

export function notWritable(path: string, role: string, reason: string, cause?: unknown): StorageError {
  return new StorageError(`cannot write the ${role} ${path}: ${reason}`, 'STORAGE_NOT_WRITABLE', { path, reason }, cause);
}

const DENIED = Symbol('permission denied');

/** The file's stats; undefined when nothing is there; DENIED when a folder on the way cannot be searched. */
function probe(path: string): ReturnType<typeof statSync> | undefined | typeof DENIED {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a file stands where a folder should be; the walk up finds and names it
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EACCES' || code === 'EPERM') return DENIED;
    throw error;
  }
}

function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  return code ?? String(error);
}
