import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openRegularFile } from '../files.ts';

/** Bytes hashed at each end of a file: enough to notice a rewrite without reading gigabytes. */
export const STAMP_BYTES = 64 * 1024;

/** What identifies a source file's version cheaply: path, size, mtime and a hash of its two ends. */
export interface SourceStamp {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha256 (hex) of the first and last STAMP_BYTES (the whole file when it is smaller than twice that). */
  ends: string;
}

export function stampFile(file: string): SourceStamp {
  const { fd } = openRegularFile(file);
  try {
    const stat = fs.fstatSync(fd);
    const hash = createHash('sha256');
    const readAt = (position: number, length: number) => {
      const buffer = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = fs.readSync(fd, buffer, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      hash.update(buffer.subarray(0, got));
    };
    if (stat.size <= 2 * STAMP_BYTES) readAt(0, stat.size);
    else {
      readAt(0, STAMP_BYTES);
      readAt(stat.size - STAMP_BYTES, STAMP_BYTES);
    }
    return { path: file, size: stat.size, mtimeMs: stat.mtimeMs, ends: hash.digest('hex') };
  } finally {
    fs.closeSync(fd);
  }
}

/** One hex digest over the stamps, in the given order. */
export function fingerprintOf(stamps: readonly SourceStamp[], salt = ''): string {
  const hash = createHash('sha256');
  hash.update(salt);
  for (const s of stamps) hash.update(`\0${s.path}\0${s.size}\0${s.mtimeMs}\0${s.ends}`);
  return hash.digest('hex');
}

/**
 * A fingerprint of the files' contents alone: each file's role in the dataset, base name, size and end
 * hashes — no folder, no mtime — so two machines holding the same data in different places agree.
 * It identifies a run's data across machines (distributed workers, checkpoints moving between them).
 */
export function contentFingerprintOf(files: readonly { role: string; stamp: SourceStamp }[]): string {
  const hash = createHash('sha256');
  for (const { role, stamp } of files)
    hash.update(`\0${role}\0${path.basename(stamp.path)}\0${stamp.size}\0${stamp.ends}`);
  return hash.digest('hex');
}
