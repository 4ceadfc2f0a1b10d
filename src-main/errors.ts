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
