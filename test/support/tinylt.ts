import fs from 'node:fs';
import path from 'node:path';

/** The tinylt fixture dataset (read-only files). */
export const TINYLT = path.resolve(import.meta.dirname, '../fixtures/tinylt');

/** A writable copy of tinylt under `dest`, for tests that damage or change its files. */
export function copyTinylt(dest: string): string {
  fs.cpSync(TINYLT, dest, { recursive: true });
  fs.chmodSync(dest, 0o755);
  for (const entry of fs.readdirSync(dest, { recursive: true, withFileTypes: true })) {
    fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
  }
  return dest;
}
