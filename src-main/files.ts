import fs from 'node:fs';
import { FileFormatError } from './errors.ts';

/** Size caps per kind of file read whole: a text file larger than this is not a config or a label list. */
export const MAX_TEXT_FILE_BYTES = 256 * 2 ** 20;

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Opens a file for reading only if it is a regular file, so a device (`/dev/zero`), a FIFO, a socket or
 * a folder is refused by name instead of blocking or streaming forever. O_NONBLOCK keeps the open of a
 * FIFO from waiting for a writer (it does nothing to regular files); the check is fstat of the opened
 * descriptor, so a path swapped between check and open cannot slip through. Returns the descriptor
 * and the size; `maxBytes` caps the size.
 */
export function openRegularFile(file: string, what = 'file', maxBytes = Infinity): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileFormatError(
      file,
      code === 'ENOENT' ? `${what} not found` : `cannot open ${what} (${code ?? String(error)})`,
    );
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new FileFormatError(file, `${what} is ${kindOf(stat)}, not a regular file`);
    if (stat.size > maxBytes) {
      throw new FileFormatError(file, `${what} is ${stat.size} bytes, more than the ${maxBytes} such a file may have`);
    }
    return { fd, size: stat.size };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/** The whole file (a regular file of at most `maxBytes`); anything else is a FileFormatError naming it and what it was for. */
export function readFileOrFail(file: string, what = 'file', maxBytes = MAX_TEXT_FILE_BYTES): Buffer {
  const { fd, size } = openRegularFile(file, what, maxBytes);
  try {
    const out = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = fs.readSync(fd, out, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    throw new FileFormatError(file, `cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    fs.closeSync(fd);
  }
}

export function readTextOrFail(file: string, what = 'file', maxBytes = MAX_TEXT_FILE_BYTES): string {
  return readFileOrFail(file, what, maxBytes).toString('utf8');
}

/**
 * Space a cache leaves free on its disk: a cache is only an optimisation, and filling the disk with
 * one would make the next database write (a run's epoch) fail.
 */
export const CACHE_HEADROOM_BYTES = 64 * 2 ** 20;

/** True when `folder`'s file system has `bytes` free beyond CACHE_HEADROOM_BYTES (true when it cannot tell). */
export function hasRoomFor(folder: string, bytes: number): boolean {
  try {
    const stats = fs.statfsSync(folder);
    return stats.bavail * stats.bsize >= bytes + CACHE_HEADROOM_BYTES;
  } catch {
    return true;
  }
}

/** fs.readSync moves at most 2 GiB per call. */
const READ_CHUNK = 1 << 30;

/** Reads `length` bytes at `position` of `fd` into `bytes` at `offset`; false at an early end of file. */
export function readFully(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): boolean {
  for (let got = 0; got < length;) {
    const n = fs.readSync(fd, bytes, offset + got, Math.min(READ_CHUNK, length - got), position + got);
    if (n === 0) return false;
    got += n;
  }
  return true;
}

/**
 * `length` bytes of `file` at `offset`, into `into` (its first `length` bytes) when given, else a
 * fresh buffer; null when the file is no longer `fileSize` bytes long or ends early (it changed).
 */
export function readFileRange(
  file: string,
  fileSize: number,
  offset: number,
  length: number,
  into?: Uint8Array,
): Uint8Array | null {
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.fstatSync(fd).size !== fileSize) return null;
    // Uninitialised memory: every byte is overwritten by the read, so zero-filling would be wasted work.
    const bytes = into ? into.subarray(0, length) : new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
    return readFully(fd, bytes, 0, length, offset) ? bytes : null;
  } finally {
    fs.closeSync(fd);
  }
}
