import fs from 'node:fs';
import { FileFormatError } from './errors.ts';

/** The whole file; a missing or unreadable file is a FileFormatError naming it and what it was for. */
export function readFileOrFail(file: string, what = 'file'): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileFormatError(file, code === 'ENOENT' ? `${what} not found` : `cannot read ${what} (${code ?? String(error)})`);
  }
}

export function readTextOrFail(file: string, what = 'file'): string {
  return readFileOrFail(file, what).toString('utf8');
}
