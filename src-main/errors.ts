/**
 * An error caused by the user's input (a bad file, a bad value) rather than a bug: its message is
 * complete and meant to be shown as is. Subclasses name the file involved.
 */
export class UserError extends Error {
  override name = 'UserError';
}

/** A file could not be read or decoded; the message starts with the file's path. */
export class FileFormatError extends UserError {
  override name = 'FileFormatError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** What a full, read-only or forbidden disk looks like in SQLite's and Node's error codes, and what to do. */
const DISK_PROBLEMS: { test: RegExp; problem: string; remedy: string }[] = [
  { test: /^(SQLITE_FULL|ENOSPC|EDQUOT)$/, problem: 'the disk is full', remedy: 'free some space there' },
  {
    test: /^(SQLITE_READONLY.*|EROFS)$/,
    problem: 'the folder is read-only',
    remedy: 'make it writable or choose another with --db',
  },
  {
    test: /^(EACCES|EPERM|SQLITE_PERM|SQLITE_CANTOPEN)$/,
    problem: 'no permission to write there',
    remedy: 'fix its permissions or choose another folder',
  },
  {
    test: /^SQLITE_IOERR.*$/,
    problem: 'the disk failed to read or write',
    remedy: 'check the disk and free some space there',
  },
];

/** The error code of a Node or better-sqlite3 error, if any. */
function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True for errors of a full, read-only or forbidden disk (not the user's input, not a bug). */
export function isDiskError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && DISK_PROBLEMS.some((p) => p.test.test(code));
}

/**
 * A full, read-only or forbidden disk, as one line naming the folder, the cause and what to do
 * (instead of a stack trace). `after` says what happens to the work, e.g. how to resume.
 */
export class DiskError extends UserError {
  override name = 'DiskError';
  constructor(
    readonly folder: string,
    readonly code: string,
    after = '',
  ) {
    const known = DISK_PROBLEMS.find((p) => p.test.test(code));
    super(
      `${folder}: ${known?.problem ?? 'cannot write'} (${code}); ${known?.remedy ?? 'check the folder'}${after ? `. ${after}` : ''}`,
    );
  }

  /** `error` as a DiskError about `folder` when it is a disk error, else null. */
  static of(error: unknown, folder: string, after = ''): DiskError | null {
    if (error instanceof DiskError) return error;
    return isDiskError(error) ? new DiskError(folder, codeOf(error) as string, after) : null;
  }
}
