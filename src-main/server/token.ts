/**
 * Served mode's token, kept in the data folder so that a restarted server accepts the tabs (and the
 * cookie) it let in before; `alphanet serve --new-token` rotates it, shutting every old tab out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { newToken } from './server.ts';

export const TOKEN_FILE = 'serve-token';
/** What newToken writes: 24 random bytes as base64url. */
const TOKEN_SHAPE = /^[\w-]{32}$/;

/** The data folder's token, or a new one written there (owner-only) when there is none, it is damaged, or `rotate`. */
export function servedToken(dataDir: string, rotate = false): { token: string; created: boolean } {
  const file = path.join(dataDir, TOKEN_FILE);
  if (!rotate) {
    let kept: string | null = null;
    try {
      kept = fs.readFileSync(file, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (kept !== null && TOKEN_SHAPE.test(kept)) return { token: kept, created: false };
  }
  const token = newToken();
  fs.mkdirSync(dataDir, { recursive: true });
  // Written aside and renamed, so a crash never leaves half a token; mode 0600: the token is a password.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return { token, created: true };
}
