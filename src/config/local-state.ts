import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { LocalStateError } from '../domain/errors.js';

/**
 * Turning failures of the local files (the cache, the config file, the folder holding them) into
 * LocalStateErrors: a message naming the file and a hint saying what to do. These are not bugs, so
 * they must never reach the "unexpected failure, please report it" path.
 */

type Failure = { code?: unknown; path?: unknown; message?: unknown; name?: unknown };

function codeOf(error: unknown): string {
  const code = (error as Failure | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** An error from SQLite itself (busy past the timeout, full, read-only, damaged). */
export function isSqliteError(error: unknown): boolean {
  return (error as Failure | null)?.name === 'SqliteError' || codeOf(error).startsWith('SQLITE_');
}

function quote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * How to move a cache aside without losing it. Its -wal file holds recent writes and must travel
 * with it (an orphaned -wal beside a new cache would be replayed into it); the -shm is rebuilt.
 */
function moveAside(file: string): string {
  const name = basename(file);
  const wal = existsSync(`${file}-wal`) ? `, and ${name}-wal, if it is still there, to ${name}.bak-wal` : '';
  return `mv ${quote(file)} ${quote(`${file}.bak`)}${wal}`;
}

/** The sync command for the profile whose cache `file` is (profiles/<name>/cache.db). */
function syncCommand(file: string): string {
  const profile = basename(dirname(file));
  if (profile === 'default') return 'voicenum sync';
  if (profile === 'sandbox') return 'voicenum --sandbox sync';
  return `voicenum --profile ${profile} sync`;
}

/** The advice before anyone deletes a cache: it holds the only copy of the audit log. */
function keepTheCacheHint(file: string): string {
  return `the cache also holds the audit log that \`voicenum history\` shows, so keep it rather than delete it: move it aside (${moveAside(file)}), then run \`${syncCommand(file)}\` to build a new cache; the old log stays in the .bak file`;
}

/** The cache was written by a newer voicenum: refused, not guessed at. */
export function newerCacheError(file: string, found: number, known: number): LocalStateError {
  return new LocalStateError(
    file,
    `the cache ${file} was written by a newer voicenum (schema ${found}; this version knows up to ${known})`,
    `upgrade voicenum to use it. To go on with this version instead: ${keepTheCacheHint(file)}`,
  );
}

/**
 * SQLite errors that mean the tables do not match the schema version the file claims: a table
 * missing, or one that a migration meant to create already there (the version was set back).
 */
const DAMAGED_SCHEMA = /no such (table|column|index)|already exists|malformed/i;

/** A failure of the SQLite cache at `file`, or undefined when it is not one of ours to explain. */
export function cacheFailure(error: unknown, file: string): LocalStateError | undefined {
  if (error instanceof LocalStateError) return error;
  const code = codeOf(error);
  const detail = String((error as Failure | null)?.message ?? code);
  if (!isSqliteError(error)) return fileFailure(error, dirname(dirname(dirname(file))));
  const folder = dirname(file);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT') || (code === 'SQLITE_ERROR' && DAMAGED_SCHEMA.test(detail))) {
    return new LocalStateError(file, `the cache ${file} is damaged (${detail})`, `voicenum cannot repair it; ${keepTheCacheHint(file)}`);
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new LocalStateError(file, `the disk holding the cache ${file} is full (${detail}); the interrupted write was rolled back, so the cache keeps its previous state`, 'free some space on that disk and run the command again');
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new LocalStateError(file, `voicenum cannot write the cache ${file} (${detail})`, `voicenum must be able to write the file and its folder ${folder} (SQLite keeps ${basename(file)}-wal and ${basename(file)}-shm beside it): check their owner and permissions with \`ls -la ${quote(folder)}\`, or whether the disk is mounted read-only`);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    if (isFolder(file)) return new LocalStateError(file, `the cache ${file} is a folder, where voicenum keeps a file`, `move that folder away (mv ${quote(file)} ${quote(`${file}.moved`)}) and run \`${syncCommand(file)}\``);
    return new LocalStateError(file, `voicenum cannot open the cache ${file} (${detail})`, `check that the folder ${folder} exists and that you may read and write it and the files in it: \`ls -la ${quote(folder)}\``);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LocalStateError(file, `the cache ${file} stayed locked by another process for too long (${detail})`, 'wait for the other voicenum command to finish, then run this one again');
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new LocalStateError(file, `reading or writing the cache ${file} failed (${detail}: ${code})`, `check the disk (free space, errors in the system log) and run the command again. If it keeps failing, the file may be damaged: ${keepTheCacheHint(file)}`);
  }
  return undefined;
}

/** The configuration file cannot be parsed or has the wrong shape. */
export function damagedConfigError(file: string, detail: string): LocalStateError {
  return new LocalStateError(
    file,
    `the configuration ${file} is damaged (${detail})`,
    `it holds the settings and stored credentials of every profile: fix it in an editor, or move it aside (mv ${quote(file)} ${quote(`${file}.bak`)}) and set them again with \`voicenum config set\` and \`voicenum auth login\``,
  );
}

/**
 * A file system failure (errno code) on one of voicenum's files, or undefined when it is not one
 * of the kinds below. `home` is the folder that holds them all, named when it is itself the problem.
 */
export function fileFailure(error: unknown, home: string): LocalStateError | undefined {
  if (error instanceof LocalStateError) return error;
  const code = codeOf(error);
  const rawPath = (error as Failure | null)?.path;
  const path = typeof rawPath === 'string' ? rawPath : home;
  switch (code) {
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = fileInTheWay(path);
      if (!file) return undefined;
      if (file === home) return new LocalStateError(file, `voicenum's home ${file} is a file, not a folder`, `voicenum keeps its settings and caches in a folder there (VOICENUM_HOME, or the platform's data folder when it is unset): move that file away (mv ${quote(file)} ${quote(`${file}.moved`)}), or point VOICENUM_HOME at a folder`);
      return new LocalStateError(file, `${file} is a file, but voicenum keeps a folder there`, `move that file away (mv ${quote(file)} ${quote(`${file}.moved`)}) and run the command again`);
    }
    case 'EISDIR':
      return new LocalStateError(path, `${path} is a folder, where voicenum keeps a file`, `move that folder away (mv ${quote(path)} ${quote(`${path}.moved`)}) and run the command again`);
    case 'EACCES':
    case 'EPERM':
      return new LocalStateError(path, `voicenum may not read or write ${path} (${code}: permission denied)`, `voicenum needs to read and write its folder ${home} and the files in it: check their owner and permissions with \`ls -la ${quote(isFolder(path) ? path : dirname(path))}\``);
    case 'EROFS':
      return new LocalStateError(path, `voicenum cannot write ${path}: the file system is read-only`, `remount it writable, or point VOICENUM_HOME at a writable folder`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new LocalStateError(path, `the disk holding ${path} is full (${code})`, 'free some space on that disk and run the command again');
    default:
      return undefined;
  }
}

/**
 * The last resort in main(): a failure of the local files that surfaced outside the code that
 * opened them (a sync's transaction running out of disk, say) still gets its explanation.
 */
export function localStateFailure(error: unknown, where: { home: string; cache?: string }): LocalStateError | undefined {
  if (isSqliteError(error)) return where.cache ? cacheFailure(error, where.cache) : undefined;
  return fileFailure(error, where.home);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest part of `path` (itself or an ancestor) that exists and is not a folder. */
function fileInTheWay(path: string): string | undefined {
  for (let current = path; ; current = dirname(current)) {
    try {
      return statSync(current).isDirectory() ? undefined : current;
    } catch {
      if (dirname(current) === current) return undefined;
    }
  }
}
